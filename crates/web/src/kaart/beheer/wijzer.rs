//! `/beheer/wijzer`: the wijzer's content (topics, questions, interests, stories,
//! rules, synonyms and contra-indications).

use crate::kaart::view::{domain_options, step_options};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::casework::LifeDomain;
use baken_domain::kaart::wijzer::{
    check_key, Condition, Interest, Limitation, NetworkOption, Rule, RuleAction, SituationOption,
    SituationQuestion, Story, Topic, WijzerContent,
};
use baken_domain::kaart::{SynonymGroup, Wording};
use baken_domain::{AuditAction, AuditOutcome, LadderStep};
use baken_store::{audit, kaart, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

pub const KINDS: [(&str, &str); 8] = [
    ("topic", "Onderwerpen"),
    ("question", "Vragen over de situatie"),
    ("interest", "Wat mensen graag doen"),
    ("network", "Wie kan helpen"),
    ("story", "Eigenkrachtverhalen"),
    ("rule", "Regels"),
    ("synonym", "Woorden die hetzelfde betekenen"),
    ("limitation", "Wat iemand niet kan"),
];

fn kind_label(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l)
}

#[derive(Serialize)]
struct ItemRow {
    key: String,
    summary: String,
}

#[derive(Serialize)]
struct KindView {
    kind: &'static str,
    label: &'static str,
    items: Vec<ItemRow>,
}

fn summary(kind: &str, body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let pick = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let list = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    match kind {
        "question" => pick("text"),
        "story" => pick("title"),
        "synonym" => list("words"),
        "rule" => match v
            .get("then")
            .and_then(|t| t.get("type"))
            .and_then(|t| t.as_str())
        {
            Some("tip") => format!("Tip: {}", v["then"]["title"].as_str().unwrap_or("")),
            Some("network") => format!("Netwerk: {}", v["then"]["title"].as_str().unwrap_or("")),
            _ => "Voorzieningen van de kaart".into(),
        },
        _ => pick("label"),
    }
}

pub async fn wijzer_overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let items = kaart::wijzer_items(&mut tx, None).await?;
    drop(tx);
    let kinds: Vec<KindView> = KINDS
        .iter()
        .map(|(kind, label)| KindView {
            kind,
            label,
            items: items
                .iter()
                .filter(|i| i.kind == *kind)
                .map(|i| ItemRow {
                    key: i.key.clone(),
                    summary: summary(kind, &i.body),
                })
                .collect(),
        })
        .collect();
    let saved = match q.opgeslagen.as_deref() {
        Some("verwijderd") => "Het onderdeel is verwijderd.",
        Some(_) => "De wijziging is opgeslagen. De wijzer gebruikt haar meteen.",
        None => "",
    };
    Ok(render(
        &state,
        &ctx,
        "kaart/beheer/wijzer.html",
        "Eigen Kracht Wijzer beheren",
        Value::from_serialize(context! { kinds => kinds, saved => saved }),
    )?
    .into_response())
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
fn commas(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
fn domains(ticked: &[String]) -> Vec<LifeDomain> {
    ticked
        .iter()
        .filter_map(|d| LifeDomain::parse(d.trim()).ok())
        .collect()
}

/// The form of one item of the wijzer's content, as the page sends it (and
/// as the template shows it again). Each kind uses some of the fields: a
/// topic its label, keywords and domains, a rule the `als_…` and `dan_…`
/// fields; the others stay empty.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct WijzerItemForm {
    /// The key of a new item (an existing one's is in the path).
    #[serde(default)]
    sleutel: String,
    #[serde(default)]
    versie: String,
    #[serde(default)]
    volgorde: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    trefwoorden: String,
    #[serde(default)]
    domeinen: Vec<String>,
    #[serde(default)]
    tekst: String,
    #[serde(default)]
    domein: String,
    #[serde(default)]
    antwoorden: String,
    #[serde(default)]
    titel: String,
    #[serde(default)]
    onderwerpen: String,
    #[serde(default)]
    als_onderwerpen: String,
    #[serde(default)]
    als_woorden: String,
    #[serde(default)]
    als_zorgen: String,
    #[serde(default)]
    als_graag: String,
    #[serde(default)]
    als_hulp: String,
    #[serde(default)]
    als_niemand: String,
    #[serde(default)]
    dan_soort: String,
    #[serde(default)]
    dan_titel: String,
    #[serde(default)]
    dan_tekst: String,
    #[serde(default)]
    dan_domeinen: Vec<String>,
    #[serde(default)]
    dan_woorden: String,
    #[serde(default)]
    dan_max_trede: String,
    #[serde(default)]
    dan_collectief: String,
    /// A synonym group's words; a limitation's words that show it.
    #[serde(default)]
    woorden: String,
    /// A limitation's answers that show it (`vraag=antwoord`).
    #[serde(default)]
    bij_antwoorden: String,
    #[serde(default)]
    vermijden: String,
    #[serde(default)]
    toegankelijk: String,
}

/// "ja" for a ticked checkbox, as the form sends it.
fn checkbox(on: bool) -> String {
    if on {
        "ja".into()
    } else {
        String::new()
    }
}

impl WijzerItemForm {
    /// The form filled in from a stored item's JSON body (`Null` for a new one).
    fn from_body(kind: &str, body: &serde_json::Value) -> WijzerItemForm {
        let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| x.as_str().unwrap_or("").to_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        let list = |v: &serde_json::Value| strings(v).join(", ");
        match kind {
            "topic" => WijzerItemForm {
                label: s(&body["label"]),
                trefwoorden: list(&body["keywords"]),
                domeinen: strings(&body["domains"]),
                ..WijzerItemForm::default()
            },
            "question" => WijzerItemForm {
                tekst: s(&body["text"]),
                domein: s(&body["domain"]),
                antwoorden: body["options"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|o| {
                                let concern = o["concern"].as_bool() == Some(true);
                                format!(
                                    "{} | {} | {}",
                                    s(&o["key"]),
                                    s(&o["label"]),
                                    if concern { "zorg" } else { "" }
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default(),
                ..WijzerItemForm::default()
            },
            "interest" => WijzerItemForm {
                label: s(&body["label"]),
                trefwoorden: list(&body["keywords"]),
                ..WijzerItemForm::default()
            },
            "network" => WijzerItemForm {
                label: s(&body["label"]),
                ..WijzerItemForm::default()
            },
            "story" => WijzerItemForm {
                titel: s(&body["title"]),
                tekst: s(&body["text"]),
                onderwerpen: list(&body["topics"]),
                ..WijzerItemForm::default()
            },
            "synonym" => WijzerItemForm {
                woorden: list(&body["words"]),
                ..WijzerItemForm::default()
            },
            "limitation" => WijzerItemForm {
                label: s(&body["label"]),
                bij_antwoorden: list(&body["answers"]),
                woorden: list(&body["words"]),
                vermijden: list(&body["avoid"]),
                toegankelijk: list(&body["accessible"]),
                ..WijzerItemForm::default()
            },
            _ => {
                let (w, t) = (&body["when"], &body["then"]);
                WijzerItemForm {
                    als_onderwerpen: list(&w["topics"]),
                    als_woorden: list(&w["words"]),
                    als_zorgen: list(&w["concerns"]),
                    als_graag: list(&w["likes"]),
                    als_hulp: list(&w["helpers"]),
                    als_niemand: checkbox(w["nobody_helps"].as_bool() == Some(true)),
                    dan_soort: s(&t["type"]),
                    dan_titel: s(&t["title"]),
                    dan_tekst: s(&t["text"]),
                    dan_domeinen: strings(&t["domains"]),
                    dan_woorden: list(&t["words"]),
                    dan_max_trede: t["max_step"]
                        .as_u64()
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "3".into()),
                    dan_collectief: checkbox(t["collective_only"].as_bool() == Some(true)),
                    ..WijzerItemForm::default()
                }
            }
        }
    }

    /// Reads the form into the JSON body of an item of `kind` with `key`, or a
    /// Dutch error.
    fn body(&self, kind: &str, key: &str) -> Result<String, String> {
        let enc = |v: Result<String, serde_json::Error>| v.map_err(|e| e.to_string());
        let text = |field: &str| field.trim().to_owned();
        match kind {
            "topic" => enc(serde_json::to_string(&Topic {
                key: key.into(),
                label: text(&self.label),
                domains: domains(&self.domeinen),
                keywords: commas(&self.trefwoorden),
            })),
            "question" => {
                let domain = LifeDomain::parse(&self.domein)
                    .map_err(|_| "Kies het levensgebied van de vraag.".to_owned())?;
                let mut options = Vec::new();
                for l in lines(&self.antwoorden) {
                    let parts: Vec<&str> = l.split('|').map(str::trim).collect();
                    match parts.as_slice() {
                        [k, label, rest @ ..] if check_key(k).is_ok() && !label.is_empty() => options.push(SituationOption { key: (*k).into(), label: (*label).into(), concern: rest.first().is_some_and(|z| *z == "zorg") }),
                        _ => return Err(format!("Schrijf elk antwoord als 'sleutel | tekst | zorg' (zorg alleen als dit antwoord op een probleem wijst). Deze regel klopt niet: '{l}'.")),
                    }
                }
                enc(serde_json::to_string(&SituationQuestion {
                    key: key.into(),
                    domain,
                    text: text(&self.tekst),
                    options,
                }))
            }
            "interest" => enc(serde_json::to_string(&Interest {
                key: key.into(),
                label: text(&self.label),
                keywords: commas(&self.trefwoorden),
            })),
            "network" => enc(serde_json::to_string(&NetworkOption {
                key: key.into(),
                label: text(&self.label),
            })),
            "story" => enc(serde_json::to_string(&Story {
                key: key.into(),
                title: text(&self.titel),
                text: text(&self.tekst),
                topics: commas(&self.onderwerpen),
            })),
            "synonym" => enc(serde_json::to_string(&SynonymGroup {
                key: key.into(),
                words: commas(&self.woorden),
            })),
            "limitation" => enc(serde_json::to_string(&Limitation {
                key: key.into(),
                label: text(&self.label),
                answers: commas(&self.bij_antwoorden),
                words: commas(&self.woorden),
                avoid: commas(&self.vermijden),
                accessible: commas(&self.toegankelijk),
            })),
            _ => {
                let when = Condition {
                    topics: commas(&self.als_onderwerpen),
                    words: commas(&self.als_woorden),
                    concerns: commas(&self.als_zorgen),
                    likes: commas(&self.als_graag),
                    helpers: commas(&self.als_hulp),
                    nobody_helps: self.als_niemand == "ja",
                };
                let then = match self.dan_soort.as_str() {
                    "tip" => RuleAction::Tip {
                        title: text(&self.dan_titel),
                        text: text(&self.dan_tekst),
                    },
                    "network" => RuleAction::Network {
                        title: text(&self.dan_titel),
                        text: text(&self.dan_tekst),
                    },
                    "services" => RuleAction::Services {
                        domains: domains(&self.dan_domeinen),
                        words: commas(&self.dan_woorden),
                        collective_only: self.dan_collectief == "ja",
                        max_step: self
                            .dan_max_trede
                            .parse::<u8>()
                            .ok()
                            .and_then(|s| LadderStep::new(s).ok())
                            .ok_or("Kies tot welke trede voorzieningen mogen komen.")?,
                    },
                    _ => return Err("Kies wat de regel voorstelt.".into()),
                };
                enc(serde_json::to_string(&Rule {
                    key: key.into(),
                    when,
                    then,
                }))
            }
        }
    }
}

/// Puts `body` in place of (or next to) the item in the content, to check the whole.
fn with_item(
    mut c: WijzerContent,
    kind: &str,
    key: &str,
    body: &str,
) -> Result<WijzerContent, String> {
    fn put<T: serde::de::DeserializeOwned>(
        list: &mut Vec<T>,
        key: &str,
        body: &str,
        key_of: fn(&T) -> &str,
    ) -> Result<(), String> {
        let v: T = serde_json::from_str(body).map_err(|e| e.to_string())?;
        match list.iter().position(|x| key_of(x) == key) {
            Some(i) => list[i] = v,
            None => list.push(v),
        }
        Ok(())
    }
    match kind {
        "topic" => put(&mut c.topics, key, body, |x| &x.key)?,
        "question" => put(&mut c.questions, key, body, |x| &x.key)?,
        "interest" => put(&mut c.interests, key, body, |x| &x.key)?,
        "network" => put(&mut c.network, key, body, |x| &x.key)?,
        "story" => put(&mut c.stories, key, body, |x| &x.key)?,
        "synonym" => put(&mut c.synonyms, key, body, |x| &x.key)?,
        "limitation" => put(&mut c.limitations, key, body, |x| &x.key)?,
        _ => put(&mut c.rules, key, body, |x| &x.key)?,
    }
    Ok(c)
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    state: &AppState,
    ctx: &Ctx,
    kind: &str,
    key: &str,
    is_new: bool,
    fields: WijzerItemForm,
    version: String,
    position: String,
    errors: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let label = kind_label(kind).ok_or(AppError::NotFound)?;
    let html = render(
        state,
        ctx,
        "kaart/beheer/wijzer_item.html",
        label,
        Value::from_serialize(context! {
            kind => kind, kind_label => label, key => key, is_new => is_new, f => fields, version => version,
            position => position, errors => errors, domains => domain_options(Wording::Professional), steps => step_options(Wording::Professional),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn wijzer_item_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
) -> PageResult {
    kind_label(&kind).ok_or(AppError::NotFound)?;
    if key == "nieuw" {
        return item_page(
            &state,
            &ctx,
            &kind,
            "",
            true,
            WijzerItemForm::from_body(&kind, &serde_json::Value::Null),
            String::new(),
            "100".into(),
            vec![],
            StatusCode::OK,
        )
        .await;
    }
    let mut tx = state.db.read().await?;
    let item = kaart::wijzer_items(&mut tx, Some(&kind))
        .await?
        .into_iter()
        .find(|i| i.key == key)
        .ok_or(AppError::NotFound)?;
    drop(tx);
    let body: serde_json::Value = serde_json::from_str(&item.body).unwrap_or_default();
    item_page(
        &state,
        &ctx,
        &kind,
        &key,
        false,
        WijzerItemForm::from_body(&kind, &body),
        item.version.to_string(),
        item.position.to_string(),
        vec![],
        StatusCode::OK,
    )
    .await
}

pub async fn wijzer_item_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
    HtmlForm(form): HtmlForm<WijzerItemForm>,
) -> PageResult {
    kind_label(&kind).ok_or(AppError::NotFound)?;
    let is_new = key == "nieuw";
    let key = if is_new {
        form.sleutel.trim().to_owned()
    } else {
        key
    };
    let version = form.versie.trim().parse::<i64>().ok();
    let position = form.volgorde.trim().parse::<i64>().unwrap_or(100);
    let back = |errors: Vec<String>, status| {
        let state = state.clone();
        let ctx = ctx.clone();
        let kind = kind.clone();
        let key = key.clone();
        let typed = form.clone();
        async move {
            item_page(
                &state,
                &ctx,
                &kind,
                &key,
                is_new,
                typed,
                version.map(|v| v.to_string()).unwrap_or_default(),
                position.to_string(),
                errors,
                status,
            )
            .await
        }
    };
    if let Err(e) = check_key(&key) {
        return back(
            vec![baken_domain::kaart::WijzerError::dutch(&e)],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if key == "nieuw" {
        return back(
            vec!["Kies een andere sleutel dan 'nieuw'.".into()],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let body = match form.body(&kind, &key) {
        Ok(b) => b,
        Err(e) => return back(vec![e], StatusCode::BAD_REQUEST).await,
    };
    let mut tx = state.db.begin().await?;
    let content = kaart::wijzer_content(&mut tx).await?;
    let exists = kaart::wijzer_items(&mut tx, Some(&kind))
        .await?
        .iter()
        .any(|i| i.key == key);
    if is_new && exists {
        drop(tx);
        return back(
            vec![format!(
                "De sleutel '{key}' wordt al gebruikt. Kies een andere."
            )],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let problems: Vec<String> = match with_item(content, &kind, &key, &body) {
        Ok(c) => c.check().iter().map(|e| e.dutch()).collect(),
        Err(e) => vec![e],
    };
    if !problems.is_empty() {
        drop(tx);
        return back(problems, StatusCode::BAD_REQUEST).await;
    }
    let expected = if is_new {
        None
    } else {
        Some(version.ok_or_else(|| {
            AppError::BadRequest("Het formulier mist de versie. Laad de pagina opnieuw.".into())
        })?)
    };
    match kaart::save_wijzer_item(&mut tx, &kind, &key, position, &body, expected).await {
        Ok(_) => {
            let action = if is_new {
                AuditAction::Create
            } else {
                AuditAction::Update
            };
            audit::append(
                &mut tx,
                &ctx.audit(
                    action,
                    AuditOutcome::Success,
                    Some(("wijzer", format!("{kind}:{key}"))),
                    String::new(),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/wijzer?opgeslagen=1").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            back(vec!["Iemand anders heeft dit onderdeel intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw.".into()], StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn wijzer_item_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
) -> PageResult {
    kind_label(&kind).ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let mut content = kaart::wijzer_content(&mut tx).await?;
    match kind.as_str() {
        "topic" => content.topics.retain(|x| x.key != key),
        "question" => content.questions.retain(|x| x.key != key),
        "interest" => content.interests.retain(|x| x.key != key),
        "network" => content.network.retain(|x| x.key != key),
        "story" => content.stories.retain(|x| x.key != key),
        "synonym" => content.synonyms.retain(|x| x.key != key),
        "limitation" => content.limitations.retain(|x| x.key != key),
        _ => content.rules.retain(|x| x.key != key),
    }
    let problems: Vec<String> = content.check().iter().map(|e| e.dutch()).collect();
    if !problems.is_empty() {
        drop(tx);
        return Err(AppError::BadRequest(format!(
            "Dit onderdeel wordt nog gebruikt en is niet verwijderd. {}",
            problems.join(" ")
        ))
        .into());
    }
    kaart::delete_wijzer_item(&mut tx, &kind, &key).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Delete,
            AuditOutcome::Success,
            Some(("wijzer", format!("{kind}:{key}"))),
            String::new(),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/beheer/wijzer?opgeslagen=verwijderd").into_response())
}
