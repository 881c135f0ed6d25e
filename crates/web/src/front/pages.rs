//! `/` and `/ontwikkelaars`.

use crate::support::ctx::Ctx;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{context, Value};
use serde::Serialize;

#[derive(Serialize)]
struct Card {
    href: &'static str,
    title: &'static str,
    text: &'static str,
}

/// What Baken offers a resident, in plain words (B1).
const CARDS: [Card; 3] = [
    Card {
        href: "/wijzer",
        title: "Eigen Kracht Wijzer",
        text: "Beantwoord een paar vragen over uw situatie. U krijgt ideeën: wat u zelf kunt doen, wie u kan helpen en wat er in uw buurt is.",
    },
    Card {
        href: "/kaart",
        title: "Sociale kaart",
        text: "Alle activiteiten en hulp in de gemeente op een rij. Zoek op een woord of kies uw wijk.",
    },
    Card {
        href: "/zorgmelding",
        title: "Zorg om iemand in uw buurt?",
        text: "Maakt u zich zorgen om een buur, een familielid of een kennis? Laat het het wijkteam weten.",
    },
];

/// `/`: residents get the front door; someone logged in goes to their start.
pub async fn home(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/start").into_response());
    }
    Ok(render(
        &state,
        &ctx,
        "front/welcome.html",
        "Hulp en ontmoeting in uw buurt",
        Value::from_serialize(context! { cards => CARDS }),
    )?
    .into_response())
}

/// `/ontwikkelaars`: the public API for developers, with example requests.
pub async fn developers(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    Ok(render(
        &state,
        &ctx,
        "front/developers.html",
        "Voor ontwikkelaars",
        // The examples name this server where it knows its public address.
        Value::from_serialize(context! { base => base_url(&state) }),
    )?
    .into_response())
}

/// This server's public address, for the examples: the one the e-mails link
/// to when mail is set up, else a placeholder.
fn base_url(state: &AppState) -> String {
    state
        .config
        .mail
        .as_ref()
        .map(|m| m.public_url.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| "https://baken.example".to_owned())
}
