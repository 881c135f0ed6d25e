//! The Eigen Kracht Wijzer for residents: no account, plain Dutch, no
//! JavaScript. Three pages — your question, your situation, your suggestions —
//! carry the answers forward in hidden fields (nothing is stored until the
//! resident asks a professional to think along, with explicit consent). The
//! result can be kept as a self-contained HTML file ("Download als bestand"),
//! which is made from the posted answers and stored nowhere.

use super::limit;
use super::view;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::{AppState, CachedIndex};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Form;
use baken_domain::kaart::wijzer::{
    suggest_with, Answers, RuleIndex, ServiceIndex, SuggestionKind, WijzerContent,
};
use baken_domain::{AuditAction, AuditOutcome, DistrictCode};
use baken_store::{audit, kaart};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

type Pairs = Vec<(String, String)>;

/// Field names of the wijzer's forms.
const QUESTION: &str = "vraag";
const TOPIC: &str = "onderwerp";
const SITUATION: &str = "situatie_";
const LIKE: &str = "graag";
const HELPER: &str = "hulp";
const NOBODY: &str = "niemand";
const DISTRICT: &str = "wijk";

/// The answers in the form fields, with everything else (csrf, contact,
/// consent) left out: this is what is carried from page to page.
fn answer_pairs(pairs: &Pairs) -> Pairs {
    pairs
        .iter()
        .filter(|(k, _)| {
            k == QUESTION
                || k == TOPIC
                || k.starts_with(SITUATION)
                || k == LIKE
                || k == HELPER
                || k == DISTRICT
        })
        .map(|(k, v)| (k.clone(), v.chars().take(1000).collect()))
        .take(200)
        .collect()
}

pub fn answers_from(pairs: &Pairs) -> Answers {
    let mut a = Answers::default();
    for (k, v) in pairs {
        let v = v.trim();
        match k.as_str() {
            QUESTION => a.question = v.chars().take(1000).collect(),
            TOPIC => a.topics.push(v.to_owned()),
            LIKE => a.likes.push(v.to_owned()),
            HELPER if v == NOBODY => a.nobody_helps = true,
            HELPER => a.helpers.push(v.to_owned()),
            DISTRICT => a.district = DistrictCode::parse(v).ok(),
            k if k.starts_with(SITUATION) && !v.is_empty() => {
                a.situation
                    .insert(k[SITUATION.len()..].to_owned(), v.to_owned());
            }
            _ => {}
        }
    }
    a
}

async fn content(state: &AppState) -> Result<WijzerContent, AppError> {
    let mut tx = state.db.read().await?;
    Ok(kaart::wijzer_content(&mut tx).await?)
}

fn too_often(state: &AppState, ctx: &Ctx) -> PageResult {
    let html = render(
        state,
        ctx,
        "kaart/te_vaak.html",
        "Even geduld",
        Value::from(()),
    )?;
    Ok((
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "60")],
        html,
    )
        .into_response())
}

/// Page 1: what is your question?
pub async fn start(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let c = content(&state).await?;
    Ok(render(
        &state,
        &ctx,
        "kaart/wijzer_start.html",
        "Eigen Kracht Wijzer",
        Value::from_serialize(context! { topics => c.topics }),
    )?
    .into_response())
}

/// Page 2: your situation, what you like doing, who could help, where you live.
pub async fn situation(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    if !limit::allow("wijzer", &ctx.client, 120, Duration::from_secs(60)) {
        return too_often(&state, &ctx);
    }
    let c = content(&state).await?;
    let a = answers_from(&pairs);
    let mut questions = c.questions_for(&a.question, &a.topics);
    if questions.is_empty() {
        // Nothing to go on yet: ask the general questions.
        questions = c.questions.iter().take(4).collect();
    }
    let (districts, _) = view::district_names(&state).await?;
    let carry: Pairs = answer_pairs(&pairs)
        .into_iter()
        .filter(|(k, _)| k == QUESTION || k == TOPIC)
        .collect();
    Ok(render(
        &state,
        &ctx,
        "kaart/wijzer_situatie.html",
        "Eigen Kracht Wijzer – uw situatie",
        Value::from_serialize(context! {
            questions => questions, interests => c.interests, network => c.network, districts => districts, carry => carry,
        }),
    )?
    .into_response())
}

#[derive(Serialize)]
struct SuggestionView {
    title: String,
    text: String,
    reasons: Vec<String>,
    href: Option<String>,
    story: bool,
    /// The service on the map, for the downloaded file's practical details.
    #[serde(skip)]
    service: Option<i64>,
    /// Filled in for the downloaded file only: how to get there and apply.
    details: Option<view::ServiceView>,
}

#[derive(Serialize)]
struct Group {
    step: u8,
    heading: &'static str,
    intro: &'static str,
    items: Vec<SuggestionView>,
}

const GROUPS: [(u8, &str, &str); 5] = [
    (1, "Wat u zelf kunt doen", "Tips en verhalen van anderen die het zelf oplosten."),
    (2, "Mensen om u heen", "Familie, vrienden en buren helpen vaak graag, als u het vraagt."),
    (3, "Activiteiten en voorzieningen in de buurt", "Hier kunt u zo naartoe, zonder aanvraag."),
    (4, "Lichte ondersteuning", "Een professional of getrainde vrijwilliger helpt u een tijdje."),
    (5, "Vraag het wijkteam", "Deze hulp krijgt u alleen na een gesprek met het wijkteam. Probeer eerst wat hierboven staat."),
];

async fn cached_index(
    state: &AppState,
    content: WijzerContent,
) -> Result<(Arc<ServiceIndex>, Arc<RuleIndex>), AppError> {
    let fingerprint = {
        let mut tx = state.db.read().await?;
        baken_store::kaart::services_fingerprint(&mut tx).await?
    };
    let cached = state.wijzer_index.0.read().await.clone();
    let map = match &cached {
        Some(c) if c.fingerprint == fingerprint => {
            if c.rules.content() == &content {
                return Ok((c.map.clone(), c.rules.clone()));
            }
            c.map.clone()
        }
        _ => {
            let services = view::load_services(state).await?;
            Arc::new(ServiceIndex::new(
                services.into_iter().map(|s| (s.id, s.service)),
            ))
        }
    };
    let rules = Arc::new(RuleIndex::new(content, &map));
    *state.wijzer_index.0.write().await = Some(CachedIndex {
        fingerprint,
        map: map.clone(),
        rules: rules.clone(),
    });
    Ok((map, rules))
}

fn link(kind: SuggestionKind) -> Option<String> {
    match kind {
        SuggestionKind::Service { id }
        | SuggestionKind::AskWijkteam { id }
        | SuggestionKind::Give { id } => Some(format!("/kaart/voorzieningen/{id}")),
        _ => None,
    }
}

async fn result_page(
    state: &AppState,
    ctx: &Ctx,
    pairs: &Pairs,
    errors: BTreeMap<&str, String>,
    form: BTreeMap<&str, String>,
    status: StatusCode,
) -> PageResult {
    let (a, groups, give) = advice_views(state, pairs).await?;
    let html = render(
        state,
        ctx,
        "kaart/wijzer_resultaat.html",
        "Eigen Kracht Wijzer – wat past bij u",
        Value::from_serialize(context! {
            groups => groups, give => give, question => a.question, carry => answer_pairs(pairs),
            errors => errors, form => form,
        }),
    )?;
    Ok((status, html).into_response())
}

fn service_of(kind: SuggestionKind) -> Option<i64> {
    match kind {
        SuggestionKind::Service { id }
        | SuggestionKind::AskWijkteam { id }
        | SuggestionKind::Give { id } => Some(id),
        _ => None,
    }
}

/// The advice for these answers, grouped by ladder step as the pages show it.
async fn advice_views(
    state: &AppState,
    pairs: &Pairs,
) -> Result<(Answers, Vec<Group>, Vec<SuggestionView>), AppError> {
    let c = content(state).await?;
    let (index, rules) = cached_index(state, c).await?;
    let a = answers_from(pairs);
    let advice = suggest_with(&rules, &index, &a);
    let groups: Vec<Group> = GROUPS
        .iter()
        .map(|(step, heading, intro)| Group {
            step: *step,
            heading,
            intro,
            items: advice
                .suggestions
                .iter()
                .filter(|s| s.step.value() == *step)
                .map(|s| SuggestionView {
                    title: s.title.clone(),
                    text: s.text.clone(),
                    reasons: s.reasons.iter().map(|r| r.0.clone()).collect(),
                    href: link(s.kind),
                    story: s.kind == SuggestionKind::Story,
                    service: service_of(s.kind),
                    details: None,
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    let give: Vec<SuggestionView> = advice
        .give
        .iter()
        .map(|s| SuggestionView {
            title: s.title.clone(),
            text: s.text.clone(),
            reasons: s.reasons.iter().map(|r| r.0.clone()).collect(),
            href: link(s.kind),
            story: false,
            service: service_of(s.kind),
            details: None,
        })
        .collect();
    Ok((a, groups, give))
}

/// "Download als bestand": the result as one self-contained HTML file (its
/// styles inside, no scripts, no links it needs to load), with for every
/// service how to reach it and apply — so a resident keeps it on their phone
/// or computer without an account. Nothing is stored: the answers come in
/// with the form and leave in the file.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    if !limit::allow("wijzer", &ctx.client, 120, Duration::from_secs(60)) {
        return too_often(&state, &ctx);
    }
    let (a, mut groups, mut give) = advice_views(&state, &pairs).await?;
    let (_, names) = view::district_names(&state).await?;
    let mut tx = state.db.read().await?;
    for s in groups
        .iter_mut()
        .flat_map(|g| g.items.iter_mut())
        .chain(give.iter_mut())
    {
        if let Some(id) = s.service {
            s.details = kaart::service(&mut tx, id)
                .await?
                .map(|m| view::service_view(&m, &names));
        }
    }
    drop(tx);
    let made = crate::support::time::today().format("%d-%m-%Y").to_string();
    let html = render(
        &state,
        &ctx,
        "kaart/wijzer_bestand.html",
        "Eigen Kracht Wijzer – wat past bij u",
        Value::from_serialize(context! {
            groups => groups, give => give, question => a.question, made => made,
        }),
    )?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"eigen-kracht-wijzer.html\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

/// Page 3: the suggestions, lightest first, and ways to give.
pub async fn result(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    if !limit::allow("wijzer", &ctx.client, 120, Duration::from_secs(60)) {
        return too_often(&state, &ctx);
    }
    result_page(
        &state,
        &ctx,
        &pairs,
        BTreeMap::new(),
        BTreeMap::new(),
        StatusCode::OK,
    )
    .await
}

fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// Requests for help one client address may send in [`HELP_WINDOW_MINUTES`].
pub const HELP_REQUESTS_PER_WINDOW: i64 = 5;
pub const HELP_WINDOW_MINUTES: i64 = 10;

/// "Laat een professional meedenken": with explicit consent, the answers go
/// to the wijkteam as a request for help (hulpvraag). The rate limit is
/// counted from the audit log, in the same transaction, so it holds across
/// processes.
pub async fn ask_professional(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let name: String = field(&pairs, "naam").chars().take(120).collect();
    let contact = field(&pairs, "contact").to_owned();
    let consent = field(&pairs, "toestemming") == "ja";
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    if contact.chars().count() < 6 || contact.chars().count() > 200 {
        errors.insert(
            "contact",
            "Vul uw telefoonnummer of e-mailadres in, zodat het wijkteam u kan bereiken.".into(),
        );
    }
    let postcode_raw = field(&pairs, "postcode").to_owned();
    let number_raw = field(&pairs, "huisnummer").to_owned();
    let postcode = baken_domain::Postcode::parse(&postcode_raw).ok();
    if postcode.is_none() {
        errors.insert("postcode", "Vul uw postcode in, zoals 1234 AB.".into());
    }
    let number = baken_domain::HouseNumber::parse(&number_raw).ok();
    if number.is_none() {
        errors.insert(
            "huisnummer",
            "Vul uw huisnummer in (alleen het nummer, zoals 12).".into(),
        );
    }
    if !consent {
        errors.insert("toestemming", "Zet een vinkje als u wilt dat het wijkteam uw antwoorden ziet en contact met u opneemt.".into());
    }
    if !errors.is_empty() {
        let form = BTreeMap::from([
            ("naam", name),
            ("contact", contact),
            ("postcode", postcode_raw),
            ("huisnummer", number_raw),
        ]);
        return result_page(&state, &ctx, &pairs, errors, form, StatusCode::BAD_REQUEST).await;
    }
    let a = answers_from(&pairs);
    let labelled = content(&state).await?.label(&a);
    let (_, district_names) = view::district_names(&state).await?;
    let mut tx = state.db.begin().await?;
    let since = baken_store::now() - chrono::Duration::minutes(HELP_WINDOW_MINUTES);
    if kaart::help_requests_from(&mut tx, &ctx.route, &ctx.client, since).await?
        >= HELP_REQUESTS_PER_WINDOW
    {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Access,
                AuditOutcome::Denied,
                None,
                "te veel hulpvragen vanaf dit adres",
            ),
        )
        .await?;
        tx.commit().await?;
        return too_often(&state, &ctx);
    }
    let answers_json =
        serde_json::to_string(&a).map_err(AppError::internal("serialising the answers"))?;
    let labelled_json = serde_json::to_string(&labelled)
        .map_err(AppError::internal("serialising the labelled answers"))?;
    let who = if name.is_empty() {
        contact.clone()
    } else {
        format!("{name} — {contact}")
    };
    let district = a.district.as_ref().map(|d| d.to_string());
    let id = kaart::create_help_request(
        &mut tx,
        baken_store::now(),
        district.as_deref(),
        &answers_json,
        &labelled_json,
        &who,
    )
    .await?;
    // The request reaches the wijkteam as a signal of category "hulpvraag" at the
    // resident's address: it appears in the team's triage like any other signal,
    // carrying the answers in words and a link to the whole request.
    let (Some(postcode), Some(number)) = (postcode, number) else {
        return Err(AppError::bug("address checked above").into());
    };
    let district_name = district
        .as_ref()
        .and_then(|d| district_names.get(d).cloned())
        .unwrap_or_else(|| "niet opgegeven".into());
    let description = labelled.signal_text(&district_name, &who, id);
    let signal = baken_store::casework::create_signal(
        &mut tx,
        &baken_store::casework::NewSignal {
            reported_on: crate::support::time::today(),
            category: baken_domain::casework::signal::SignalCategory::Hulpvraag,
            urgency: baken_domain::casework::signal::Urgency::Normaal,
            description: description.chars().take(2000).collect(),
            source: "Eigen Kracht Wijzer (de inwoner zelf, met toestemming)".into(),
            reported_by: None,
            postcode: postcode.to_string(),
            house_number: i64::from(number.value()),
            house_letter: String::new(),
            addition: String::new(),
        },
    )
    .await
    .map_err(|e| AppError::from(e.into_store()))?;
    kaart::set_help_request_signal(&mut tx, id, signal).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("signal", signal.to_string())),
            format!(
                "hulpvraag {id} via de Eigen Kracht Wijzer, met toestemming; wijk {}",
                district.as_deref().unwrap_or("onbekend")
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(render(
        &state,
        &ctx,
        "kaart/wijzer_bedankt.html",
        "Uw vraag is verstuurd",
        Value::from(()),
    )?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_from_repeated_form_fields() {
        let pairs: Pairs = vec![
            ("vraag".into(), " Ik wil maaltijden thuis ".into()),
            ("onderwerp".into(), "eten".into()),
            ("situatie_alleen_eten".into(), "vaak".into()),
            ("situatie_lopen".into(), "".into()),
            ("graag".into(), "lezen".into()),
            ("graag".into(), "mensen".into()),
            ("hulp".into(), "niemand".into()),
            ("wijk".into(), "wk999902".into()),
            ("csrf".into(), "x".into()),
        ];
        let a = answers_from(&pairs);
        assert_eq!(a.question, "Ik wil maaltijden thuis");
        assert_eq!(a.likes, vec!["lezen", "mensen"]);
        assert!(a.nobody_helps && a.helpers.is_empty());
        assert_eq!(a.situation.len(), 1);
        assert_eq!(a.district.unwrap().as_str(), "WK999902");
        assert!(
            !answer_pairs(&pairs).iter().any(|(k, _)| k == "csrf"),
            "the token is not carried as an answer"
        );
    }
}
