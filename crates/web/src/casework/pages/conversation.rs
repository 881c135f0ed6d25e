//! `/dossier/{id}/gesprek`: recording a kitchen-table conversation from the
//! dossier, a form with rows that can grow ("Nog een regel").

use super::dossier::{answer_change, dossier_page, refused_form, ConversationRows, Typed};
use super::shared::{refuse, required_date, rung, scores};
use crate::casework::change;
use crate::casework::common::{ConsentDraft, ConversationDraft, NeedDraft, NetworkDraft, Party};
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use crate::support::time::parse_date;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use baken_domain::casework::{ConversationError, LifeDomain};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The conversation form. The numbered rows and the scores are read from
/// `rows`: `behoefte{i}` with `behoefte{i}_domein`; `netwerk{i}_naam`,
/// `_relatie`, `_kan`, `_wil`; `toestemming{i}_aanbieder`, `_organisatie`,
/// `_doel`, `_tot`; `score_<domain>`; and `rijen_<kind>`, how many rows of a
/// kind the form had.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ConversationForm {
    #[serde(default)]
    datum: String,
    #[serde(default)]
    vraag: String,
    #[serde(default)]
    krachten: String,
    #[serde(default)]
    wensen: String,
    #[serde(default)]
    trede_participatie: String,
    /// "Nog een regel": the kind of row to add (`behoefte`, `netwerk`,
    /// `toestemming`); nothing is saved.
    #[serde(default, skip_serializing)]
    meer: Option<String>,
    #[serde(flatten)]
    rows: BTreeMap<String, String>,
}

impl ConversationForm {
    /// A control of the rows, trimmed; empty when the form did not send it.
    fn row_value(&self, control: &str) -> &str {
        self.rows.get(control).map(|v| v.trim()).unwrap_or("")
    }

    /// How many rows of `kind` to show: as many as the form had (at least
    /// `default`, at most [`ConversationRows::MAX`]), one more when asked.
    fn rows_of(&self, kind: &str, default: usize) -> usize {
        let had = self
            .row_value(&format!("rijen_{kind}"))
            .parse::<usize>()
            .unwrap_or(default)
            .clamp(default, ConversationRows::MAX);
        if self.meer.as_deref() == Some(kind) {
            (had + 1).min(ConversationRows::MAX)
        } else {
            had
        }
    }

    fn rows(&self) -> ConversationRows {
        let default = ConversationRows::DEFAULT;
        ConversationRows {
            needs: self.rows_of("behoefte", default.needs),
            network: self.rows_of("netwerk", default.network),
            consents: self.rows_of("toestemming", default.consents),
        }
    }

    /// The conversation as typed, for the change to build under the domain's
    /// rules. Empty rows are skipped; a row names its number.
    fn parse(&self) -> Result<ConversationDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let rows = self.rows();
        let held_on = required_date(&mut errors, "datum", "datum", &self.datum);
        let mut needs = Vec::new();
        for row in 1..=rows.needs {
            let need = self.row_value(&format!("behoefte{row}"));
            if need.is_empty() {
                continue;
            }
            match LifeDomain::parse(self.row_value(&format!("behoefte{row}_domein"))) {
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
        let scores = scores(&mut errors, &self.rows);
        let mut network = Vec::new();
        for row in 1..=rows.network {
            let [name, relation, can_do, will_do] = ["naam", "relatie", "kan", "wil"]
                .map(|part| self.row_value(&format!("netwerk{row}_{part}")).to_owned());
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
            let [provider, organisation, purpose, until] =
                ["aanbieder", "organisatie", "doel", "tot"]
                    .map(|part| self.row_value(&format!("{k}_{part}")));
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
            question: self.vraag.trim().to_owned(),
            needs,
            scores,
            rung: rung(&self.trede_participatie),
            network,
            strengths: self.krachten.trim().to_owned(),
            wishes: self.wensen.trim().to_owned(),
            consents,
        })
    }
}

pub async fn conversation_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ConversationForm>,
) -> PageResult {
    let household = path_id(&id)?;
    let typed = Typed {
        form: minijinja::Value::from_serialize(&form),
        rows: form.rows(),
    };
    if let Some(kind) = &form.meer {
        // "Nog een regel": the same form with one more row, nothing saved.
        let typed = Typed {
            form: context! { _more => kind, ..typed.form },
            ..typed
        };
        let mut errors = FieldErrors::new();
        errors.add("_which", "gesprek");
        return dossier_page(&state, &ctx, household, &errors, typed, StatusCode::OK, "").await;
    }
    let draft = match form.parse() {
        Ok(draft) => draft,
        Err(errors) => {
            return refused_form(&state, &ctx, household, errors, typed, "gesprek").await
        }
    };
    let result = change::record_conversation(&state, &ctx, household, &draft).await;
    answer_change(&state, &ctx, result, typed, "gesprek", |_| None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body as the browser sends it, read the way `HtmlForm` reads it.
    fn form(body: &str) -> ConversationForm {
        serde_html_form::from_str(body).expect("a conversation form")
    }

    #[test]
    fn rows_come_from_their_numbered_controls_and_empty_rows_are_skipped() {
        let draft = form(
            "csrf=t&datum=2026-01-05&vraag=Hulp+bij+post&behoefte1=&behoefte2=Rust&behoefte2_domein=financien\
             &netwerk3_naam=Ans&netwerk3_relatie=zus&score_financien=2&toestemming1_organisatie=Huisarts\
             &toestemming1_doel=Overleg&toestemming1_tot=2026-06-30",
        )
        .parse()
        .expect("parses");
        assert_eq!(draft.question, "Hulp bij post");
        assert_eq!(draft.needs.len(), 1);
        assert_eq!(
            (draft.needs[0].row, draft.needs[0].domain),
            (2, LifeDomain::Financien)
        );
        assert_eq!(draft.network.len(), 1);
        assert_eq!(
            (draft.network[0].row, draft.network[0].name.as_str()),
            (3, "Ans")
        );
        assert_eq!(draft.scores.0.len(), 1);
        assert!(matches!(&draft.consents[0].party, Party::Other(name) if name == "Huisarts"));
    }

    #[test]
    fn one_more_row_is_shown_when_asked_but_never_more_than_twenty() {
        let rows = form("rijen_netwerk=7&meer=netwerk").rows();
        assert_eq!(rows.network, 8);
        assert_eq!(rows.needs, ConversationRows::DEFAULT.needs);
        assert_eq!(form("rijen_behoefte=20&meer=behoefte").rows().needs, 20);
        assert_eq!(
            form("rijen_toestemming=0").rows().consents,
            2,
            "never fewer than the default"
        );
    }

    #[test]
    fn a_consent_to_a_provider_and_to_another_party_at_once_is_refused_next_to_the_party() {
        let errors = form(
            "datum=2026-01-05&toestemming2_aanbieder=3&toestemming2_organisatie=Huisarts&toestemming2_tot=2026-06-30",
        )
        .parse()
        .expect_err("refused");
        assert!(errors
            .get("toestemming2_organisatie")
            .is_some_and(|m| m.contains("niet allebei")));
    }

    #[test]
    fn a_need_without_its_life_domain_and_a_missing_date_are_both_named() {
        let errors = form("behoefte1=Rust&behoefte1_domein=")
            .parse()
            .expect_err("refused");
        assert_eq!(
            errors.get("behoefte1"),
            Some("Kies een leefgebied uit de lijst.")
        );
        assert!(errors.get("datum").is_some());
    }
}
