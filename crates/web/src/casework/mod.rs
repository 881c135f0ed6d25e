//! Pages and API for casework. Routes are declared in [`routes`] and joined into
//! the one route table (`crate::routes::table`).
//!
//! Handlers are thin: parse the form, load the household within the user's
//! scope, let the store apply the domain's rules, write the audit entry in the
//! same transaction, and explain a broken rule in Dutch next to its field.

/// Unwraps a scope check; on refusal, commits the transaction first so that
/// the denied (or not found) audit entry it wrote is kept, then returns.
macro_rules! in_scope {
    ($tx:ident, $check:expr) => {
        match $check {
            Ok(v) => v,
            Err(err) => {
                $tx.commit().await?;
                return Err(err.into());
            }
        }
    };
}

mod api;
mod pages;

use crate::ctx::{Ctx, CurrentUser};
use crate::error::AppError;
use crate::routes::Route;
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::casework::{
    ConversationError, DateError, NormsError, PlanError, ReferralError, ResponseNorms, SignalError,
    RECORDING_WINDOW_DAYS,
};
use baken_domain::{AuditAction, AuditOutcome, Permission};
use baken_store::casework::{CaseError, Who};
use baken_store::households::{self, Household};
use baken_store::{audit, StoreError, Tx};
use std::collections::BTreeMap;

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    let r = |method: &Method, path: &'static str, permission, handler| Route {
        method: method.clone(),
        path,
        permission,
        handler,
    };
    vec![
        // Signals: partners, the public page, triage.
        r(&g, "/zorgmelding", P::Public, get(pages::public_form)),
        r(&p, "/zorgmelding", P::Public, post(pages::public_submit)),
        r(
            &g,
            "/signalen/nieuw",
            P::ReportSignal,
            get(pages::report_form),
        ),
        r(
            &p,
            "/signalen/nieuw",
            P::ReportSignal,
            post(pages::report_submit),
        ),
        r(&g, "/signalen", P::Casework, get(pages::triage)),
        r(
            &p,
            "/signalen/{id}/toewijzen",
            P::Casework,
            post(pages::triage_submit),
        ),
        r(
            &p,
            "/signalen/{id}/contact",
            P::Casework,
            post(pages::contact_submit),
        ),
        // Working views.
        r(&g, "/zoeken", P::Casework, get(pages::search)),
        r(&g, "/mijn-caseload", P::Casework, get(pages::caseload)),
        r(&g, "/teamoverzicht", P::DecideReferral, get(pages::team)),
        r(
            &p,
            "/verwijzingen/{id}/besluit",
            P::DecideReferral,
            post(pages::decide_submit),
        ),
        // One household's casework.
        r(&g, "/dossier/{id}", P::Casework, get(pages::dossier)),
        r(
            &p,
            "/dossier/{id}/gesprek",
            P::Casework,
            post(pages::conversation_submit),
        ),
        r(
            &p,
            "/dossier/{id}/plan",
            P::Casework,
            post(pages::open_plan_submit),
        ),
        r(
            &p,
            "/plannen/{id}/doelen",
            P::Casework,
            post(pages::goal_submit),
        ),
        r(
            &p,
            "/plannen/{id}/afspraken",
            P::Casework,
            post(pages::agreement_submit),
        ),
        r(
            &p,
            "/plannen/{id}/afspraak-beeindigen",
            P::Casework,
            post(pages::end_agreement_submit),
        ),
        r(
            &p,
            "/plannen/{id}/afspraak-voortzetten",
            P::Casework,
            post(pages::continue_agreement_submit),
        ),
        r(
            &p,
            "/plannen/{id}/verwijzingen",
            P::Casework,
            post(pages::referral_submit),
        ),
        r(
            &p,
            "/plannen/{id}/evaluatie",
            P::Casework,
            post(pages::evaluation_submit),
        ),
        r(
            &p,
            "/plannen/{id}/sluiten",
            P::Casework,
            post(pages::close_submit),
        ),
        // The resident and the provider.
        r(&g, "/mijn-plan", P::OwnPlan, get(pages::own_plan)),
        r(
            &p,
            "/mijn-plan/voortgang",
            P::OwnPlan,
            post(pages::own_progress_submit),
        ),
        r(
            &g,
            "/aanbieder/huishoudens",
            P::ProviderCasework,
            get(pages::provider_list),
        ),
        r(
            &g,
            "/aanbieder/huishoudens/{id}",
            P::ProviderCasework,
            get(pages::provider_household),
        ),
        // Aggregates only.
        r(&g, "/bakens", P::Aggregates, get(pages::bakens)),
        // Settings.
        r(
            &g,
            "/beheer/responsnormen",
            P::ConfigureCasework,
            get(pages::norms_form),
        ),
        r(
            &p,
            "/beheer/responsnormen",
            P::ConfigureCasework,
            post(pages::norms_submit),
        ),
        // API.
        r(&g, "/api/v1/signals", P::ApiCasework, get(api::signals)),
        // Partners report through the API as they do on the page.
        r(
            &p,
            "/api/v1/signals",
            P::ReportSignal,
            post(api::create_signal),
        ),
        r(
            &p,
            "/api/v1/signals/{id}/triage",
            P::ApiCasework,
            post(api::triage),
        ),
        r(
            &p,
            "/api/v1/signals/{id}/first-contact",
            P::ApiCasework,
            post(api::first_contact),
        ),
        r(
            &g,
            "/api/v1/households/{id}/conversations",
            P::ApiCasework,
            get(api::conversations),
        ),
        r(
            &p,
            "/api/v1/households/{id}/conversations",
            P::ApiCasework,
            post(api::create_conversation),
        ),
        r(
            &g,
            "/api/v1/households/{id}/plans",
            P::ApiCasework,
            get(api::plans),
        ),
        r(
            &p,
            "/api/v1/households/{id}/plans",
            P::ApiCasework,
            post(api::open_plan),
        ),
        r(
            &p,
            "/api/v1/plans/{id}/goals",
            P::ApiCasework,
            post(api::add_goal),
        ),
        r(
            &p,
            "/api/v1/plans/{id}/agreements",
            P::ApiCasework,
            post(api::add_agreement),
        ),
        r(
            &p,
            "/api/v1/plans/{id}/evaluations",
            P::ApiCasework,
            post(api::add_evaluation),
        ),
        r(
            &p,
            "/api/v1/plans/{id}/close",
            P::ApiCasework,
            post(api::close_plan),
        ),
        r(
            &p,
            "/api/v1/agreements/{id}/end",
            P::ApiCasework,
            post(api::end_agreement),
        ),
        r(
            &p,
            "/api/v1/agreements/{id}/continue",
            P::ApiCasework,
            post(api::continue_agreement),
        ),
        r(&g, "/api/v1/referrals", P::ApiCasework, get(api::referrals)),
        r(
            &p,
            "/api/v1/plans/{id}/referrals",
            P::ApiCasework,
            post(api::request_referral),
        ),
        r(
            &p,
            "/api/v1/referrals/{id}/approve",
            P::DecideReferral,
            post(api::approve),
        ),
        r(
            &p,
            "/api/v1/referrals/{id}/reject",
            P::DecideReferral,
            post(api::reject),
        ),
    ]
}

/// Registers this module's templates.
pub fn templates(env: &mut minijinja::Environment<'static>) {
    macro_rules! embed {
        ($($name:literal),* $(,)?) => {
            $( env.add_template($name, include_str!(concat!("../../templates/", $name)))
                .expect(concat!("template ", $name, " parses")); )*
        };
    }
    embed!(
        "casework_signal_form.html",
        "casework_triage.html",
        "casework_search.html",
        "casework_caseload.html",
        "casework_team.html",
        "casework_dossier.html",
        "casework_own_plan.html",
        "casework_provider.html",
        "casework_bakens.html",
        "casework_norms.html",
    );
}

/// "Today" in the Netherlands (CET/CEST), from the clock: the domain is handed it,
/// never reads it. Public so that tests agree with the app on which day it is
/// (between 23:00 and 01:00 UTC the Dutch date is already tomorrow's).
pub fn today() -> chrono::NaiveDate {
    super::pages::households::nl_local(chrono::Utc::now()).date_naive()
}

pub(crate) fn who(user: &CurrentUser) -> Who {
    Who {
        user_id: user.user.id,
        username: user.user.username.clone(),
        role: user.user.role,
    }
}

/// A submitted form: the first value of every field.
pub(crate) type FormMap = BTreeMap<String, String>;

pub(crate) fn form_map(pairs: Vec<(String, String)>) -> FormMap {
    let mut m = FormMap::new();
    for (k, v) in pairs {
        m.entry(k).or_insert(v);
    }
    m
}

pub(crate) fn field<'a>(f: &'a FormMap, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or("").trim()
}

/// A date that cannot be recorded, explained.
fn explain_date(e: DateError) -> String {
    match e {
        DateError::InFuture => {
            "Deze datum ligt in de toekomst. U kunt alleen vastleggen wat al gebeurd is.".into()
        }
        DateError::TooLongAgo => format!(
            "Deze datum ligt meer dan {RECORDING_WINDOW_DAYS} dagen (een half jaar) terug. Kijk de datum na."
        ),
    }
}

/// The Dutch explanation of a refused set of response norms.
pub(crate) fn explain_norms(e: NormsError) -> String {
    match e {
        NormsError::CrisisTooLong { max } => {
            format!("Een crisis pakt u dezelfde dag of de volgende werkdag op: vul 0 of {max} in.")
        }
        NormsError::NormaalTooLong { max } => {
            format!("Normaal is hooguit {max} werkdagen (zes weken): Eropaf betekent snel erop af.")
        }
        NormsError::UrgentBeforeCrisis => "Urgent mag niet korter zijn dan crisis.".into(),
        NormsError::NormaalBeforeUrgent => "Normaal mag niet korter zijn dan urgent.".into(),
    }
}

/// Is this a conflict with someone else's change (409), rather than a rule?
pub(crate) fn is_conflict(e: &CaseError) -> bool {
    matches!(
        e,
        CaseError::Store(StoreError::Conflict { .. })
            | CaseError::Referral(ReferralError::AlreadyDecided)
    )
}

/// A rule broken, explained: the field it belongs to and a Dutch B1 message.
pub(crate) fn explain(e: &CaseError) -> Option<(String, String)> {
    let (field, msg): (String, String) = match e {
        CaseError::Plan(p) => {
            let msg = match p {
                PlanError::PlanAlreadyOpen => "Dit huishouden heeft al een open plan. Werk dat plan bij, of sluit het eerst af.".into(),
                PlanError::NoCoordinator => "Dit huishouden heeft nog geen contactpersoon. Wijs eerst een signaal toe aan een generalist.".into(),
                PlanError::CoordinatorAlreadySet(_) => "Dit huishouden heeft al een contactpersoon. Er is er altijd maar één.".into(),
                PlanError::PlanClosed => "Dit plan is gesloten. U kunt het niet meer wijzigen.".into(),
                PlanError::UnknownGoal(_) => "Kies een doel uit dit plan.".into(),
                PlanError::UnknownAgreement(_) => "Kies een afspraak uit dit plan.".into(),
                PlanError::Text(f) if f.contains("datum") || *f == "start" || *f == "tot" => "Vul een datum in, bijvoorbeeld 01-02-2026.".into(),
                PlanError::Text(_) => "Vul dit veld in. Houd het kort.".into(),
                PlanError::JustificationMissing { step, missing } => format!(
                    "Bij trede {step} schrijft u op waarom trede {missing} ({}) niet genoeg is.",
                    baken_domain::LadderStep::new(*missing).map(|s| s.name()).unwrap_or("")
                ),
                PlanError::ReferralNotApproved => "Trede 5 (maatwerkvoorziening) kan alleen met een verwijzing van dit plan die de teamleider heeft goedgekeurd. Vraag eerst een verwijzing aan.".into(),
                PlanError::EndDateMissing => "Hulp van een professional stopt of wordt geëvalueerd op een datum. Vul een einddatum of evaluatiedatum in.".into(),
                PlanError::EndBeforeStart => "De einddatum ligt vóór de startdatum. Kies een latere datum.".into(),
                PlanError::TargetBeforeOpening => "De streefdatum ligt vóór de start van het plan. Kies een latere datum.".into(),
                PlanError::AgreementsRunning(n) => format!("Er lopen nog {n} afspraken. Beëindig die eerst; daarna kunt u het plan sluiten."),
                PlanError::AgreementEnded => "Deze afspraak is al beëindigd.".into(),
                PlanError::DateBeforeOpening => "Deze datum ligt vóór de start van het plan. Kies een latere datum.".into(),
                PlanError::BeforeAgreementStart => "Deze datum ligt vóór de start van de afspraak. Kies een latere datum.".into(),
                PlanError::ProviderNotActor => "Alleen een voorziening uit de sociale kaart of een specialistische aanbieder kan een aanbieder zijn. Kies dat bij ‘Wie doet het’, of laat de aanbieder leeg.".into(),
                PlanError::Date(d) => explain_date(*d),
            };
            let field = match p {
                PlanError::JustificationMissing { missing, .. } => format!("reden{missing}"),
                PlanError::Text(f) => (*f).to_owned(),
                other => other.field().to_owned(),
            };
            (field, msg)
        }
        CaseError::Referral(r) => (
            "reden".into(),
            match r {
                ReferralError::NotTeamLead => "Alleen een teamleider mag over een verwijzing beslissen.".into(),
                ReferralError::AlreadyDecided => "Over deze verwijzing is intussen al beslist. Het besluit staat hieronder.".into(),
                ReferralError::ReasonMissing => "Schrijf op waarom u de verwijzing afwijst. De generalist leest dit.".into(),
                ReferralError::Description => "Beschrijf welke zorg nodig is.".into(),
                ReferralError::Unknown(_) => "Deze verwijzing hoort niet bij dit plan.".into(),
                ReferralError::PlanClosed => "Het plan is gesloten. Over deze verwijzing kan niet meer worden beslist.".into(),
                ReferralError::BeforeRequest => "Het besluit kan niet vóór de aanvraag liggen.".into(),
                ReferralError::Date(d) => explain_date(*d),
            },
        ),
        CaseError::Conversation(c) => match c {
            ConversationError::PresentedQuestion => ("vraag".into(), "Schrijf de vraag op zoals de bewoner die stelt.".into()),
            ConversationError::UnderlyingNeed => ("behoefte".into(), "Schrijf de vraag achter de vraag op (niet te lang).".into()),
            ConversationError::Score(d) => (format!("score_{}", d.as_str()), format!("Kies bij {} een score van 1 tot 5, of n.v.t.", d.label())),
            ConversationError::NetworkMember => ("netwerk".into(), "Vul bij iemand uit het netwerk een naam én de relatie in.".into()),
            ConversationError::ConsentIncomplete => ("toestemming".into(), "Vul bij de toestemming de organisatie én het doel in.".into()),
            ConversationError::ConsentEnd => ("toestemming_tot".into(), "Vul in tot wanneer de toestemming geldt: een datum ná het gesprek.".into()),
            ConversationError::Domain => ("domein".into(), "Kies een leefgebied uit de lijst.".into()),
            ConversationError::Date(d) => ("datum".into(), explain_date(*d)),
        },
        CaseError::Signal(s) => match s {
            SignalError::Category(_) => ("categorie".into(), "Kies waar de zorg over gaat.".into()),
            SignalError::Urgency(_) => ("urgentie".into(), "Kies hoe dringend het is.".into()),
            SignalError::ContactMethod(_) => ("wijze".into(), "Kies hoe het contact was.".into()),
            SignalError::Description => ("omschrijving".into(), "Beschrijf uw zorg in een paar zinnen.".into()),
            SignalError::Source => ("bron".into(), "Vul in wie de zorg meldt.".into()),
            SignalError::ContactBeforeReport => ("datum".into(), "Het eerste contact kan niet vóór de melding liggen.".into()),
            SignalError::OtherAddress => ("huishouden".into(), "Dit huishouden woont niet op het adres van het signaal. Kies een huishouden op dat adres.".into()),
            SignalError::Date(d) => ("datum".into(), explain_date(*d)),
            SignalError::Domain(_) | SignalError::Unknown(_) => ("_form".into(), "Kies een waarde uit de lijst.".into()),
        },
        CaseError::Norms(n) => (n.field().into(), explain_norms(*n)),
        CaseError::Store(StoreError::Conflict { .. }) => (
            "_form".into(),
            "Iemand anders heeft dit intussen gewijzigd. Hieronder staat de nieuwe versie; doe uw wijziging opnieuw.".into(),
        ),
        CaseError::Store(_) | CaseError::Restore(_) => return None,
    };
    Some((field, msg))
}

/// The response norms in force (set by the beheerder), and their version.
pub(crate) async fn current_norms(tx: &mut Tx) -> Result<(ResponseNorms, i64), AppError> {
    baken_store::casework::response_norms(tx)
        .await
        .map_err(internal)
}

/// Converts a store-side failure that is not a rule into an [`AppError`].
pub(crate) fn internal(e: CaseError) -> AppError {
    match e {
        CaseError::Store(s) => AppError::from(s),
        other => AppError::BadRequest(other.to_string()),
    }
}

/// Loads a household for casework if the user's scope allows it; writes a
/// denied or not-found audit entry otherwise (404 either way, so ids cannot be
/// probed). A successful read is audited by the caller, with what was done.
pub(crate) async fn scoped_household(
    tx: &mut Tx,
    ctx: &Ctx,
    user: &CurrentUser,
    id: i64,
    action: AuditAction,
) -> Result<Household, AppError> {
    let found = households::get(tx, id).await?;
    let object = Some(("household", id.to_string()));
    match found {
        Some(h) if user.scope().allows(h.id, h.team_id) => Ok(h),
        Some(_) => {
            audit::append(
                tx,
                &ctx.audit(
                    action,
                    AuditOutcome::Denied,
                    object,
                    "casework buiten de eigen scope",
                ),
            )
            .await?;
            Err(AppError::NotFound)
        }
        None => {
            audit::append(
                tx,
                &ctx.audit(action, AuditOutcome::NotFound, object, "casework"),
            )
            .await?;
            Err(AppError::NotFound)
        }
    }
}

/// Parses a path id; anything else is a 404.
pub(crate) fn path_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound)
}

/// Parses `dd-mm-jjjj` or `jjjj-mm-dd` (what `<input type=date>` sends).
pub(crate) fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let t = s.trim();
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(t, "%d-%m-%Y"))
        .ok()
}

pub(crate) fn nl_date(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// Menu entries for casework, per role.
pub fn nav_items(role: baken_domain::Role) -> Vec<(&'static str, &'static str)> {
    let mut items = Vec::new();
    if role.may(Permission::ConfigureCasework) {
        items.push(("/beheer/responsnormen", "Responsnormen"));
    }
    if role.may(Permission::Casework) {
        items.push(("/signalen", "Signalen"));
        items.push(("/mijn-caseload", "Caseload"));
    }
    if role.may(Permission::DecideReferral) {
        items.push(("/teamoverzicht", "Team"));
    }
    if role.may(Permission::OwnPlan) {
        items.push(("/mijn-plan", "Mijn plan"));
    }
    if role.may(Permission::ProviderCasework) {
        items.push(("/aanbieder/huishoudens", "Plannen"));
    }
    if role.may(Permission::Aggregates) {
        items.push(("/bakens", "Bakens"));
    }
    items
}

/// Start-page cards for casework, per role.
pub fn start_cards(role: baken_domain::Role) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut cards = Vec::new();
    if role.may(Permission::Casework) {
        cards.push((
            "/signalen",
            "Signalen",
            "Zorgen over adressen: toewijzen, erop af, eerste contact vastleggen.",
        ));
        cards.push((
            "/mijn-caseload",
            "Mijn caseload",
            "Uw huishoudens en wat er als volgende moet gebeuren.",
        ));
        cards.push((
            "/zoeken",
            "Huishouden zoeken",
            "Op straat, postcode en huisnummer, naam of BSN.",
        ));
    }
    if role.may(Permission::DecideReferral) {
        cards.push((
            "/teamoverzicht",
            "Teamoverzicht",
            "Verwijzingen die wachten op uw besluit, caseload per generalist, signalen te laat.",
        ));
    }
    if role.may(Permission::OwnPlan) {
        cards.push((
            "/mijn-plan",
            "Mijn plan",
            "Uw plan met het wijkteam, in gewone taal. Schrijf op hoe het gaat.",
        ));
    }
    if role.may(Permission::ProviderCasework) {
        cards.push((
            "/aanbieder/huishoudens",
            "Plannen met een afspraak",
            "Huishoudens waar u een afspraak heeft, als de bewoner toestemming gaf.",
        ));
    }
    if role.may(Permission::ReportSignal) && !role.may(Permission::Casework) {
        cards.push((
            "/signalen/nieuw",
            "Zorg melden",
            "Maakt u zich zorgen over iemand? Meld het bij het wijkteam.",
        ));
    }
    if role.may(Permission::ConfigureCasework) {
        cards.push((
            "/beheer/responsnormen",
            "Responsnormen",
            "Binnen hoeveel werkdagen het wijkteam er bij een signaal op af gaat.",
        ));
    }
    if role.may(Permission::Aggregates) {
        cards.push((
            "/bakens",
            "Bakens",
            "De acht bakens van Welzijn Nieuwe Stijl in cijfers, zonder personen.",
        ));
    }
    cards
}
