//! Pages and API for casework. Routes are declared in [`routes`] and joined into
//! the one route table (`crate::routes::table`).
//!
//! Handlers are thin: parse the form or body into the domain's input, call the
//! change in [`change`] (scope check, the domain's rules through the store, the
//! audit entry in the same transaction), and answer — a page with a redirect or
//! a Dutch message next to the field, the API with JSON or problem+json.

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

pub mod api;
pub mod change;
pub mod common;
pub mod pages;

/// "Today" on the Dutch calendar (re-exported for the test suites).
pub use crate::support::time::today;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::Permission;

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        // Signals: partners, the public page, triage.
        route(
            g.clone(),
            "/zorgmelding",
            P::Public,
            get(pages::report::public_form),
        ),
        route(
            p.clone(),
            "/zorgmelding",
            P::Public,
            post(pages::report::public_submit),
        ),
        route(
            g.clone(),
            "/signalen/nieuw",
            P::ReportSignal,
            get(pages::report::report_form),
        ),
        route(
            p.clone(),
            "/signalen/nieuw",
            P::ReportSignal,
            post(pages::report::report_submit),
        ),
        route(
            g.clone(),
            "/signalen",
            P::Casework,
            get(pages::triage::triage),
        ),
        route(
            p.clone(),
            "/signalen/{id}/toewijzen",
            P::Casework,
            post(pages::triage::triage_submit),
        ),
        route(
            p.clone(),
            "/signalen/{id}/contact",
            P::Casework,
            post(pages::triage::contact_submit),
        ),
        route(
            p.clone(),
            "/signalen/{id}/sluiten",
            P::Casework,
            post(pages::triage::close_submit),
        ),
        // Working views.
        route(g.clone(), "/zoeken", P::Casework, get(pages::team::search)),
        route(
            g.clone(),
            "/mijn-caseload",
            P::Casework,
            get(pages::team::caseload),
        ),
        route(
            g.clone(),
            "/teamoverzicht",
            P::DecideReferral,
            get(pages::team::team),
        ),
        route(
            g.clone(),
            "/teamoverzicht/caseload.csv",
            P::DecideReferral,
            get(pages::exports::team_caseload),
        ),
        route(
            p.clone(),
            "/verwijzingen/{id}/besluit",
            P::DecideReferral,
            post(pages::team::decide_submit),
        ),
        // One household's casework.
        route(
            g.clone(),
            "/dossier/{id}",
            P::Casework,
            get(pages::dossier::dossier),
        ),
        route(
            p.clone(),
            "/dossier/{id}/gesprek",
            P::Casework,
            post(pages::conversation::conversation_submit),
        ),
        route(
            p.clone(),
            "/dossier/{id}/overdragen",
            P::Casework,
            post(pages::handover::hand_over_submit),
        ),
        route(
            p.clone(),
            "/dossier/{id}/contactmoment",
            P::Casework,
            post(pages::timeline::contact_submit),
        ),
        route(
            p.clone(),
            "/dossier/{id}/toestemming",
            P::Casework,
            post(pages::timeline::consent_submit),
        ),
        route(
            p.clone(),
            "/dossier/{id}/toestemming/{consent}/intrekken",
            P::Casework,
            post(pages::timeline::withdraw_submit),
        ),
        route(
            p.clone(),
            "/dossier/{id}/plan",
            P::Casework,
            post(pages::plan::open_plan_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/doelen",
            P::Casework,
            post(pages::plan::goal_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/afspraken",
            P::Casework,
            post(pages::plan::agreement_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/afspraak-beeindigen",
            P::Casework,
            post(pages::plan::end_agreement_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/afspraak-vervallen",
            P::Casework,
            post(pages::plan::withdraw_agreement_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/afspraak-voortzetten",
            P::Casework,
            post(pages::plan::continue_agreement_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/verwijzingen",
            P::Casework,
            post(pages::plan::referral_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/evaluatie",
            P::Casework,
            post(pages::evaluation::evaluation_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/eigen-kracht-conferentie",
            P::Casework,
            post(pages::conference::conference_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/eigen-kracht-conferentie/{conference}/familieplan",
            P::Casework,
            post(pages::conference::family_plan_submit),
        ),
        route(
            p.clone(),
            "/plannen/{id}/sluiten",
            P::Casework,
            post(pages::plan::close_submit),
        ),
        // The resident and the provider.
        route(
            g.clone(),
            "/mijn-plan",
            P::OwnPlan,
            get(pages::resident::own_plan),
        ),
        route(
            p.clone(),
            "/mijn-plan/voortgang",
            P::OwnPlan,
            post(pages::resident::own_progress_submit),
        ),
        route(
            p.clone(),
            "/mijn-plan/toestemming/{consent}/intrekken",
            P::OwnPlan,
            post(pages::resident::own_withdraw_submit),
        ),
        route(
            g.clone(),
            "/aanbieder/huishoudens",
            P::ProviderCasework,
            get(pages::provider::provider_list),
        ),
        route(
            g.clone(),
            "/aanbieder/huishoudens/{id}",
            P::ProviderCasework,
            get(pages::provider::provider_household),
        ),
        route(
            p.clone(),
            "/aanbieder/huishoudens/{id}/afspraken/{agreement}/bericht",
            P::ProviderCasework,
            post(pages::provider::report_submit),
        ),
        // Aggregates only.
        route(
            g.clone(),
            "/bakens",
            P::Aggregates,
            get(pages::bakens::bakens),
        ),
        route(
            g.clone(),
            "/bakens.csv",
            P::Aggregates,
            get(pages::exports::bakens),
        ),
        // Settings.
        route(
            g.clone(),
            "/beheer/responsnormen",
            P::ConfigureCasework,
            get(pages::norms::norms_form),
        ),
        route(
            p.clone(),
            "/beheer/responsnormen",
            P::ConfigureCasework,
            post(pages::norms::norms_submit),
        ),
        // API.
        route(
            g.clone(),
            "/api/v1/signals",
            P::ApiCasework,
            get(api::signals::signals),
        ),
        // Partners report through the API as they do on the page.
        route(
            p.clone(),
            "/api/v1/signals",
            P::ReportSignal,
            post(api::signals::create_signal),
        ),
        route(
            p.clone(),
            "/api/v1/signals/{id}/triage",
            P::ApiCasework,
            post(api::signals::triage),
        ),
        route(
            p.clone(),
            "/api/v1/signals/{id}/first-contact",
            P::ApiCasework,
            post(api::signals::first_contact),
        ),
        route(
            g.clone(),
            "/api/v1/households/{id}/conversations",
            P::ApiCasework,
            get(api::conversations::conversations),
        ),
        route(
            p.clone(),
            "/api/v1/households/{id}/conversations",
            P::ApiCasework,
            post(api::conversations::create_conversation),
        ),
        route(
            g.clone(),
            "/api/v1/households/{id}/timeline",
            P::ApiCasework,
            get(api::timeline::household_timeline),
        ),
        route(
            p.clone(),
            "/api/v1/households/{id}/contact-moments",
            P::ApiCasework,
            post(api::timeline::create_contact_moment),
        ),
        route(
            g.clone(),
            "/api/v1/households/{id}/consents",
            P::ApiCasework,
            get(api::timeline::consents),
        ),
        route(
            p.clone(),
            "/api/v1/households/{id}/consents",
            P::ApiCasework,
            post(api::timeline::give_consent),
        ),
        route(
            p.clone(),
            "/api/v1/households/{id}/consents/{consent}/withdraw",
            P::ApiCasework,
            post(api::timeline::withdraw_consent),
        ),
        route(
            g.clone(),
            "/api/v1/households/{id}/conferences",
            P::ApiCasework,
            get(api::timeline::conferences),
        ),
        route(
            p.clone(),
            "/api/v1/plans/{id}/conferences",
            P::ApiCasework,
            post(api::timeline::request_conference),
        ),
        route(
            p.clone(),
            "/api/v1/agreements/{id}/withdraw",
            P::ApiCasework,
            post(api::plans::withdraw_agreement),
        ),
        route(
            g.clone(),
            "/api/v1/households/{id}/plans",
            P::ApiCasework,
            get(api::plans::plans),
        ),
        route(
            p.clone(),
            "/api/v1/households/{id}/plans",
            P::ApiCasework,
            post(api::plans::open_plan),
        ),
        route(
            p.clone(),
            "/api/v1/plans/{id}/goals",
            P::ApiCasework,
            post(api::plans::add_goal),
        ),
        route(
            p.clone(),
            "/api/v1/plans/{id}/agreements",
            P::ApiCasework,
            post(api::plans::add_agreement),
        ),
        route(
            p.clone(),
            "/api/v1/plans/{id}/evaluations",
            P::ApiCasework,
            post(api::plans::add_evaluation),
        ),
        route(
            p.clone(),
            "/api/v1/plans/{id}/close",
            P::ApiCasework,
            post(api::plans::close_plan),
        ),
        route(
            p.clone(),
            "/api/v1/agreements/{id}/end",
            P::ApiCasework,
            post(api::plans::end_agreement),
        ),
        route(
            p.clone(),
            "/api/v1/agreements/{id}/continue",
            P::ApiCasework,
            post(api::plans::continue_agreement),
        ),
        route(
            g.clone(),
            "/api/v1/referrals",
            P::ApiCasework,
            get(api::referrals::referrals),
        ),
        route(
            p.clone(),
            "/api/v1/plans/{id}/referrals",
            P::ApiCasework,
            post(api::referrals::request_referral),
        ),
        route(
            p.clone(),
            "/api/v1/referrals/{id}/approve",
            P::DecideReferral,
            post(api::referrals::approve),
        ),
        route(
            p.clone(),
            "/api/v1/referrals/{id}/reject",
            P::DecideReferral,
            post(api::referrals::reject),
        ),
    ]
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
