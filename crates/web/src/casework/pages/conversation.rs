//! `/dossier/{id}/gesprek`: recording a kitchen-table conversation from the
//! dossier, a form with rows that can grow ("Nog een regel").

use super::dossier::{answer_change, dossier_page, refused_form, ConversationRows, Typed};
use super::shared::{refuse, required_date, rung, scores};
use crate::casework::change;
use crate::casework::common::{
    field, form_map, ConsentDraft, ConversationDraft, FormMap, NeedDraft, NetworkDraft, Party,
};
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use crate::support::time::parse_date;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Form;
use baken_domain::casework::{ConversationError, LifeDomain};
use minijinja::context;

/// How many rows of `kind` to show: as many as the form had (at least
/// `default`, at most [`ConversationRows::MAX`]), one more when asked.
fn rows_of(f: &FormMap, kind: &str, default: usize) -> usize {
    let had = field(f, &format!("rijen_{kind}"))
        .parse::<usize>()
        .unwrap_or(default)
        .clamp(default, ConversationRows::MAX);
    if f.get("meer").map(String::as_str) == Some(kind) {
        (had + 1).min(ConversationRows::MAX)
    } else {
        had
    }
}

fn rows(f: &FormMap) -> ConversationRows {
    let default = ConversationRows::DEFAULT;
    ConversationRows {
        needs: rows_of(f, "behoefte", default.needs),
        network: rows_of(f, "netwerk", default.network),
        consents: rows_of(f, "toestemming", default.consents),
    }
}

/// The conversation as typed, for the change to build under the domain's
/// rules. Empty rows are skipped; a row names its number.
fn parse_conversation(f: &FormMap) -> Result<ConversationDraft, FieldErrors> {
    let mut errors = FieldErrors::new();
    let rows = rows(f);
    let held_on = required_date(&mut errors, "datum", "datum", field(f, "datum"));
    let mut needs = Vec::new();
    for row in 1..=rows.needs {
        let need = field(f, &format!("behoefte{row}"));
        if need.is_empty() {
            continue;
        }
        match LifeDomain::parse(field(f, &format!("behoefte{row}_domein"))) {
            Ok(domain) => needs.push(NeedDraft {
                row,
                domain,
                need: need.to_owned(),
            }),
            Err(_) => refuse(
                &mut errors,
                Some(&format!("behoefte{row}")),
                ConversationError::Domain,
            ),
        }
    }
    let scores = scores(&mut errors, f);
    let mut network = Vec::new();
    for row in 1..=rows.network {
        let [name, relation, can_do, will_do] = ["naam", "relatie", "kan", "wil"]
            .map(|part| field(f, &format!("netwerk{row}_{part}")).to_owned());
        if [&name, &relation, &can_do, &will_do]
            .iter()
            .all(|v| v.is_empty())
        {
            continue;
        }
        network.push(NetworkDraft {
            row,
            name,
            relation,
            can_do,
            will_do,
        });
    }
    let mut consents = Vec::new();
    for row in 1..=rows.consents {
        let k = format!("toestemming{row}");
        let [provider, organisation, purpose, until] = ["aanbieder", "organisatie", "doel", "tot"]
            .map(|part| field(f, &format!("{k}_{part}")));
        if [provider, organisation, purpose, until]
            .iter()
            .all(|v| v.is_empty())
        {
            continue;
        }
        // A provider is chosen from the list; only another party is typed in.
        let party = match (provider, organisation) {
            ("", name) => Some(Party::Other(name.to_owned())),
            (id, "") => match id.parse::<i64>() {
                Ok(id) => Some(Party::Provider(id)),
                Err(_) => {
                    errors.add(
                        format!("{k}_aanbieder"),
                        "Kies een aanbieder uit de lijst van de sociale kaart.",
                    );
                    None
                }
            },
            _ => {
                errors.add(
                    format!("{k}_organisatie"),
                    "Kies een aanbieder uit de lijst óf typ de naam van een andere partij, niet allebei.",
                );
                None
            }
        };
        let until = parse_date(until);
        if until.is_none() {
            refuse(&mut errors, Some(&k), ConversationError::ConsentEnd);
        }
        if let (Some(party), Some(until)) = (party, until) {
            consents.push(ConsentDraft {
                row,
                party,
                purpose: purpose.to_owned(),
                until,
            });
        }
    }
    let Some(held_on) = held_on else {
        return Err(errors);
    };
    errors.or_ok(ConversationDraft {
        held_on,
        question: field(f, "vraag").to_owned(),
        needs,
        scores,
        rung: rung(field(f, "trede_participatie")),
        network,
        strengths: field(f, "krachten").to_owned(),
        wishes: field(f, "wensen").to_owned(),
        consents,
    })
}

pub async fn conversation_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let household = path_id(&id)?;
    let f = form_map(pairs);
    let typed = Typed {
        form: minijinja::Value::from_serialize(&f),
        rows: rows(&f),
    };
    if let Some(kind) = f.get("meer") {
        // "Nog een regel": the same form with one more row, nothing saved.
        let typed = Typed {
            form: context! { _more => kind, ..typed.form },
            ..typed
        };
        let mut errors = FieldErrors::new();
        errors.add("_which", "gesprek");
        return dossier_page(&state, &ctx, household, &errors, typed, StatusCode::OK, "").await;
    }
    let draft = match parse_conversation(&f) {
        Ok(draft) => draft,
        Err(errors) => {
            return refused_form(&state, &ctx, household, errors, typed, "gesprek").await
        }
    };
    let result = change::record_conversation(&state, &ctx, household, &draft).await;
    answer_change(&state, &ctx, result, typed, "gesprek", |_| None).await
}
