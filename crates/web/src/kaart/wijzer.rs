//! The Eigen Kracht Wijzer for residents: no account, plain Dutch, no
//! JavaScript. Three pages — your question, your situation, your suggestions —
//! carry the answers forward in hidden fields (nothing is stored until the
//! resident asks a professional to think along, with explicit consent). The
//! result can be kept as a self-contained HTML file ("Download als bestand"),
//! which is made from the posted answers and stored nowhere. Showing the
//! suggestions only adds one to anonymous counters for the gaps in the offer
//! (quarter, district, life domains, whether an offer fitted).

use super::limit;
use super::view;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::{AppState, CachedIndex};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use baken_domain::casework::LifeDomain;
use baken_domain::kaart::wijzer::{
    suggest_with, Answers, RuleIndex, ServiceIndex, SuggestionKind, WijzerContent,
};
use baken_domain::kaart::Wording;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode, HouseNumber, Postcode};
use baken_store::{audit, kaart};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The wijzer's form as the pages send it. Each page adds its answers and
/// carries the earlier ones on in hidden fields, so one struct reads them all;
/// page 3 adds the resident's contact details for "Laat een professional
/// meedenken".
#[derive(Debug, Default, Deserialize)]
pub struct WijzerForm {
    #[serde(default)]
    vraag: String,
    #[serde(default)]
    onderwerp: Vec<String>,
    #[serde(default)]
    graag: Vec<String>,
    #[serde(default)]
    hulp: Vec<String>,
    #[serde(default)]
    wijk: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    huisnummer: String,
    #[serde(default)]
    toestemming: String,
    /// Every other control. The answers to the situation questions are among
    /// them, named `situatie_<question key>`: the questions are content a
    /// beheerder edits, so their names are data, not fields of this struct.
    #[serde(flatten)]
    other: BTreeMap<String, String>,
}

/// Prefix of the situation answers' field names.
const SITUATION: &str = "situatie_";
/// The helper answer that says nobody can help.
const NOBODY: &str = "niemand";

impl WijzerForm {
    fn situation(&self) -> impl Iterator<Item = (&str, &str)> {
        self.other
            .iter()
            .filter_map(|(name, value)| Some((name.strip_prefix(SITUATION)?, value.as_str())))
    }

    /// The question and topics of page 1, as hidden fields for page 2.
    fn question_carry(&self) -> Vec<(String, String)> {
        carry(self.question_fields())
    }

    /// Every answer, as hidden fields for the next form; nothing else (not the
    /// token, not the contact details) is carried.
    fn answers_carry(&self) -> Vec<(String, String)> {
        carry(
            self.question_fields()
                .chain(named("graag", &self.graag))
                .chain(named("hulp", &self.hulp))
                .chain(std::iter::once(("wijk".to_owned(), self.wijk.as_str())))
                .chain(
                    self.situation()
                        .map(|(key, value)| (format!("{SITUATION}{key}"), value)),
                ),
        )
    }

    fn question_fields(&self) -> impl Iterator<Item = (String, &str)> {
        std::iter::once(("vraag".to_owned(), self.vraag.as_str()))
            .chain(named("onderwerp", &self.onderwerp))
    }
}

/// A repeated field as (name, value) pairs.
fn named<'a>(
    name: &'static str,
    values: &'a [String],
) -> impl Iterator<Item = (String, &'a str)> + 'a {
    values.iter().map(move |v| (name.to_owned(), v.as_str()))
}

/// Hidden fields as carried: at most 200, each value at most 1000 characters.
fn carry<'a>(fields: impl Iterator<Item = (String, &'a str)>) -> Vec<(String, String)> {
    fields
        .map(|(name, value)| (name, value.chars().take(1000).collect()))
        .take(200)
        .collect()
}

impl From<&WijzerForm> for Answers {
    fn from(form: &WijzerForm) -> Answers {
        let trimmed = |list: &[String]| list.iter().map(|v| v.trim().to_owned()).collect();
        let mut a = Answers {
            question: form.vraag.trim().chars().take(1000).collect(),
            topics: trimmed(&form.onderwerp),
            likes: trimmed(&form.graag),
            district: DistrictCode::parse(form.wijk.trim()).ok(),
            ..Answers::default()
        };
        for helper in form.hulp.iter().map(|h| h.trim()) {
            if helper == NOBODY {
                a.nobody_helps = true;
            } else {
                a.helpers.push(helper.to_owned());
            }
        }
        for (key, value) in form.situation() {
            let value = value.trim();
            if !value.is_empty() {
                a.situation.insert(key.to_owned(), value.to_owned());
            }
        }
        a
    }
}

/// Who asks a professional to think along, and where they live: page 3's
/// contact details, checked.
struct HelpRequestContact {
    name: String,
    contact: String,
    postcode: Postcode,
    number: HouseNumber,
}

impl TryFrom<&WijzerForm> for HelpRequestContact {
    type Error = FieldErrors;

    fn try_from(form: &WijzerForm) -> Result<HelpRequestContact, FieldErrors> {
        let mut errors = FieldErrors::new();
        let contact = form.contact.trim().to_owned();
        if contact.chars().count() < 6 || contact.chars().count() > 200 {
            errors.add(
                "contact",
                "Vul uw telefoonnummer of e-mailadres in, zodat het wijkteam u kan bereiken.",
            );
        }
        let postcode = Postcode::parse(form.postcode.trim())
            .map_err(|_| errors.add("postcode", "Vul uw postcode in, zoals 1234 AB."))
            .ok();
        let number = HouseNumber::parse(form.huisnummer.trim())
            .map_err(|_| {
                errors.add(
                    "huisnummer",
                    "Vul uw huisnummer in (alleen het nummer, zoals 12).",
                )
            })
            .ok();
        if form.toestemming.trim() != "ja" {
            errors.add("toestemming", "Zet een vinkje als u wilt dat het wijkteam uw antwoorden ziet en contact met u opneemt.");
        }
        match (postcode, number) {
            (Some(postcode), Some(number)) => errors.or_ok(HelpRequestContact {
                name: form.naam.trim().chars().take(120).collect(),
                contact,
                postcode,
                number,
            }),
            _ => Err(errors),
        }
    }
}

/// The contact details as typed, to show them again.
#[derive(Serialize, Default)]
struct ContactView {
    naam: String,
    contact: String,
    postcode: String,
    huisnummer: String,
}

impl From<&WijzerForm> for ContactView {
    fn from(form: &WijzerForm) -> ContactView {
        ContactView {
            naam: form.naam.trim().chars().take(120).collect(),
            contact: form.contact.trim().to_owned(),
            postcode: form.postcode.trim().to_owned(),
            huisnummer: form.huisnummer.trim().to_owned(),
        }
    }
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
    HtmlForm(form): HtmlForm<WijzerForm>,
) -> PageResult {
    if !limit::allow("wijzer", &ctx.client, 120, Duration::from_secs(60)) {
        return too_often(&state, &ctx);
    }
    let c = content(&state).await?;
    let a = Answers::from(&form);
    let mut questions = c.questions_for(&a.question, &a.topics);
    if questions.is_empty() {
        // Nothing to go on yet: ask the general questions.
        questions = c.questions.iter().take(4).collect();
    }
    let (districts, _) = view::district_names(&state).await?;
    let carry = form.question_carry();
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
    /// The same offer elsewhere (a buurtmaaltijd in every neighbourhood): one
    /// card, the first place the engine chose, with the others listed.
    also: Vec<OtherPlace>,
    /// For a way to give: the buurtmarktplaats's offer form, filled in with it.
    offer: Option<String>,
}

#[derive(Serialize)]
struct OtherPlace {
    title: String,
    href: Option<String>,
}

/// One card per offer: a later suggestion of the same offer (same
/// description and facts) in another place joins the first card's list.
fn one_card_per_offer(items: Vec<SuggestionView>, index: &ServiceIndex) -> Vec<SuggestionView> {
    let key = |s: &SuggestionView| {
        s.service.and_then(|id| index.service(id)).map(|v| {
            (
                v.description.clone(),
                v.step,
                v.form,
                v.reach,
                v.access,
                v.volunteering,
                v.status,
            )
        })
    };
    let mut out: Vec<SuggestionView> = Vec::new();
    let mut keys = Vec::new();
    for item in items {
        let k = key(&item);
        match k
            .as_ref()
            .and_then(|k| keys.iter().position(|x: &Option<_>| x.as_ref() == Some(k)))
        {
            Some(i) => out[i].also.push(OtherPlace {
                title: item.title,
                href: item.href,
            }),
            None => {
                keys.push(k);
                out.push(item);
            }
        }
    }
    out
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
    form: &WijzerForm,
    errors: FieldErrors,
    contact: ContactView,
    status: StatusCode,
    record: bool,
) -> PageResult {
    let (a, groups, give, gap) = advice_views(state, form).await?;
    if record {
        record_search(state, &a, &gap).await;
    }
    let html = render(
        state,
        ctx,
        "kaart/wijzer_resultaat.html",
        "Eigen Kracht Wijzer – wat past bij u",
        Value::from_serialize(context! {
            groups => groups, give => give, question => a.question, carry => form.answers_carry(),
            errors => errors, form => contact,
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

/// What the gaps in the offer keep of one answer: the life domains it
/// touched and whether the map had a fitting offer — nothing the resident typed.
struct Gap {
    domains: Vec<LifeDomain>,
    found_offer: bool,
}

/// Counts the answer for "Tekorten in het aanbod" (`baken_store::gaps`): its
/// quarter, district (only one the municipality has) and life domains, with
/// or without a fitting offer. Only counters change; nothing of the resident
/// is stored. A failure is logged and the resident still gets the advice.
async fn record_search(state: &AppState, a: &Answers, gap: &Gap) {
    let recorded = async {
        let (_, names) = view::district_names(state).await?;
        let district = a
            .district
            .as_ref()
            .filter(|d| names.contains_key(&d.to_string()));
        let mut tx = state.db.begin().await?;
        baken_store::gaps::record_wijzer_searches(
            &mut tx,
            &state.config.cell_key,
            crate::support::time::today(),
            district,
            &gap.domains,
            gap.found_offer,
            1,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    };
    if let Err(e) = recorded.await {
        tracing::warn!(error = ?e, "a wijzer search was not counted for the gaps in the offer");
    }
}

/// The advice for these answers, grouped by ladder step as the pages show it.
async fn advice_views(
    state: &AppState,
    form: &WijzerForm,
) -> Result<(Answers, Vec<Group>, Vec<SuggestionView>, Gap), AppError> {
    let c = content(state).await?;
    let (index, rules) = cached_index(state, c).await?;
    let a = Answers::from(form);
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
                    also: Vec::new(),
                    offer: None,
                })
                .collect(),
        })
        .map(|mut g| {
            g.items = one_card_per_offer(g.items, &index);
            g
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
            also: Vec::new(),
            offer: serde_urlencoded::to_string([
                ("soort", "aanbod"),
                ("titel", s.title.as_str()),
                ("tekst", s.text.as_str()),
            ])
            .ok()
            .map(|q| format!("/buurtmarktplaats/nieuw?{q}")),
        })
        .collect();
    let give = one_card_per_offer(give, &index);
    let gap = Gap {
        found_offer: baken_domain::gaps::found_offer(&advice),
        domains: advice.domains,
    };
    Ok((a, groups, give, gap))
}

/// "Download als bestand": the result as one self-contained HTML file (its
/// styles inside, no scripts, no links it needs to load), with for every
/// service how to reach it and apply — so a resident keeps it on their phone
/// or computer without an account. Nothing is stored: the answers come in
/// with the form and leave in the file.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<WijzerForm>,
) -> PageResult {
    if !limit::allow("wijzer", &ctx.client, 120, Duration::from_secs(60)) {
        return too_often(&state, &ctx);
    }
    let (a, mut groups, mut give, _) = advice_views(&state, &form).await?;
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
                .map(|m| view::service_view(&m, &names, Wording::Resident));
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
    HtmlForm(form): HtmlForm<WijzerForm>,
) -> PageResult {
    if !limit::allow("wijzer", &ctx.client, 120, Duration::from_secs(60)) {
        return too_often(&state, &ctx);
    }
    result_page(
        &state,
        &ctx,
        &form,
        FieldErrors::new(),
        ContactView::default(),
        StatusCode::OK,
        true,
    )
    .await
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
    HtmlForm(form): HtmlForm<WijzerForm>,
) -> PageResult {
    let HelpRequestContact {
        name,
        contact,
        postcode,
        number,
    } = match HelpRequestContact::try_from(&form) {
        Ok(contact) => contact,
        Err(errors) => {
            let typed = ContactView::from(&form);
            return result_page(
                &state,
                &ctx,
                &form,
                errors,
                typed,
                StatusCode::BAD_REQUEST,
                false,
            )
            .await;
        }
    };
    let a = Answers::from(&form);
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
            place: None,
            callback_phone: None,
        },
    )
    .await
    .map_err(|e| AppError::from(e.into_store()))?;
    // One hand-over, one team: the team serving the address, or the team of
    // the chosen district when the address is not known — signal and answers together.
    let team = kaart::help_request_team(
        &mut tx,
        &postcode.to_string(),
        i64::from(number.value()),
        district.as_deref(),
    )
    .await?;
    kaart::route_help_request(&mut tx, id, signal, team).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("signal", signal.to_string())),
            format!(
                "hulpvraag {id} via de Eigen Kracht Wijzer, met toestemming; wijk {}; team {}",
                district.as_deref().unwrap_or("onbekend"),
                team.map(|t| t.to_string())
                    .unwrap_or_else(|| "onbekend".into())
            ),
        ),
    )
    .await?;
    // The promise is the team's norm for this signal (the beheerder sets it),
    // with the team's phone number for sooner help.
    let (norms, _) = baken_store::casework::response_norms(&mut tx)
        .await
        .map_err(|e| AppError::from(e.into_store()))?;
    let reported = crate::support::time::today();
    let urgency = baken_domain::casework::signal::Urgency::Normaal;
    let due = norms.due(reported, urgency);
    let team = match team {
        Some(team) => baken_store::areas::team(&mut tx, team).await?,
        None => None,
    };
    tx.commit().await?;
    let phone = team
        .as_ref()
        .and_then(|t| t.phone.as_deref())
        .and_then(|p| baken_domain::PhoneNumber::parse(p).ok());
    Ok(render(
        &state,
        &ctx,
        "kaart/wijzer_bedankt.html",
        "Uw vraag is verstuurd",
        Value::from_serialize(minijinja::context! {
            working_days => norms.working_days(urgency),
            due => baken_domain::casework::signal::long_dutch_date(due),
            team => team.as_ref().map(|t| t.name.clone()),
            phone => phone.as_ref().map(|p| p.as_str().to_owned()),
            tel => phone.as_ref().map(|p| p.tel_uri()),
        }),
    )?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_from_repeated_form_fields() {
        let body = "vraag=+Ik+wil+maaltijden+thuis+&onderwerp=eten&situatie_alleen_eten=vaak\
                    &situatie_lopen=&graag=lezen&graag=mensen&hulp=niemand&wijk=wk999902&csrf=x";
        let form: WijzerForm = serde_html_form::from_str(body).expect("the wijzer's form");
        let a = Answers::from(&form);
        assert_eq!(a.question, "Ik wil maaltijden thuis");
        assert_eq!(a.likes, vec!["lezen", "mensen"]);
        assert!(a.nobody_helps && a.helpers.is_empty());
        assert_eq!(a.situation.len(), 1);
        assert_eq!(a.district.unwrap().as_str(), "WK999902");
        assert!(
            !form.answers_carry().iter().any(|(k, _)| k == "csrf"),
            "the token is not carried as an answer"
        );
    }

    #[test]
    fn the_carried_answers_read_back_as_the_same_answers() {
        let body = "vraag=Ik+ben+vaak+alleen&onderwerp=eenzaam&onderwerp=eten\
                    &situatie_alleen_eten=vaak&graag=wandelen&hulp=buren&hulp=familie&wijk=WK999901";
        let form: WijzerForm = serde_html_form::from_str(body).expect("the wijzer's form");
        let carried = serde_urlencoded::to_string(form.answers_carry()).expect("hidden fields");
        let again: WijzerForm = serde_html_form::from_str(&carried).expect("read back");
        assert_eq!(Answers::from(&again), Answers::from(&form));
    }

    #[test]
    fn a_help_request_names_every_missing_detail_next_to_its_field() {
        let form: WijzerForm =
            serde_html_form::from_str("naam=An&contact=06&postcode=12").expect("the wijzer's form");
        let Err(errors) = HelpRequestContact::try_from(&form) else {
            panic!("no consent, no address: refused");
        };
        for field in ["contact", "postcode", "huisnummer", "toestemming"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
