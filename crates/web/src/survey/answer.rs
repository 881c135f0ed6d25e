//! Answering the survey, without logging in: the code from the letter or
//! e-mail opens the questionnaire; submitting uses the code and stores the
//! answers with only team, provider and year (`baken_store::survey::answer`).
//!
//! Nothing here is audited on purpose: an answer is nobody's record, and an
//! audit entry's time and sequence number would date it — the very link the
//! survey promises not to keep. No free text is asked for, so an answer
//! cannot name anyone either.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::survey::{Answer, Answers, InvitationCode, QUESTIONS};
use baken_store::{survey as sv, users};
use minijinja::{context, Value};
use rand::RngCore;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

const BAD_CODE: &str =
    "Vul de code in zoals die op uw brief of in uw e-mail staat: 16 letters en cijfers.";
const UNKNOWN_CODE: &str = "Deze code kennen wij niet, of hij is al gebruikt. Kijk of u de code goed hebt overgenomen. Elke code werkt één keer.";

pub async fn start(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    show_code(&state, &ctx, "", FieldErrors::new(), StatusCode::OK)
}

fn show_code(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let html = render(
        state,
        ctx,
        "survey/code.html",
        "Vragenlijst over uw ondersteuning",
        Value::from_serialize(context! { code => code, errors => errors }),
    )?;
    Ok((status, html).into_response())
}

fn refuse_code(state: &AppState, ctx: &Ctx, typed: &str, message: &str) -> PageResult {
    let mut errors = FieldErrors::new();
    errors.add("code", message);
    show_code(state, ctx, typed, errors, StatusCode::BAD_REQUEST)
}

/// The provider an open code is about, or why it does not open.
async fn open_code(
    state: &AppState,
    typed: &str,
) -> Result<Result<(InvitationCode, String), &'static str>, AppError> {
    let Ok(code) = InvitationCode::parse(typed) else {
        return Ok(Err(BAD_CODE));
    };
    let mut tx = state.db.read().await?;
    let provider = sv::open_token_provider(&mut tx, &users::secret_hash(code.as_str())).await?;
    Ok(match provider {
        Some(name) => Ok((code, name)),
        None => Err(UNKNOWN_CODE),
    })
}

pub async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<CodeForm>,
) -> PageResult {
    match open_code(&state, &form.code).await? {
        Err(message) => refuse_code(&state, &ctx, &form.code, message),
        Ok((code, provider)) => show_questions(
            &state,
            &ctx,
            &code,
            &provider,
            &BTreeMap::new(),
            FieldErrors::new(),
            StatusCode::OK,
        ),
    }
}

fn show_questions(
    state: &AppState,
    ctx: &Ctx,
    code: &InvitationCode,
    provider: &str,
    chosen: &BTreeMap<String, String>,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let questions: Vec<_> = QUESTIONS
        .iter()
        .map(|q| {
            context! {
                code => q.code, text => q.text, theme => q.theme.label(),
                chosen => chosen.get(q.code).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let scale: Vec<_> = Answer::ALL
        .iter()
        .map(|a| context! { value => a.code().to_string(), label => a.label() })
        .collect();
    let html = render(
        state,
        ctx,
        "survey/questionnaire.html",
        "Wat vond u van de ondersteuning?",
        Value::from_serialize(context! {
            code => code.as_str(), provider => provider, questions => questions,
            scale => scale, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

/// A random id for an answer: not a sequence, so it says nothing about when
/// or after whom the answer came.
fn answer_id() -> i64 {
    (rand::rngs::OsRng.next_u64() >> 1) as i64
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<BTreeMap<String, String>>,
) -> PageResult {
    let typed = form.get("code").map(String::as_str).unwrap_or_default();
    let (code, provider) = match open_code(&state, typed).await? {
        Ok(open) => open,
        Err(message) => return refuse_code(&state, &ctx, typed, message),
    };
    let answers = match Answers::parse(|name| form.get(name).map(String::as_str)) {
        Ok(answers) => answers,
        Err(missing) => {
            let mut errors = FieldErrors::new();
            for m in missing {
                errors.add(m.code, "Kies een antwoord bij deze vraag. Weet u het niet? Kies dan \"Weet ik niet / niet van toepassing\".");
            }
            return show_questions(
                &state,
                &ctx,
                &code,
                &provider,
                &form,
                errors,
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let mut tx = state.db.begin().await?;
    let stored = sv::answer(
        &mut tx,
        &users::secret_hash(code.as_str()),
        answer_id(),
        &answers,
    )
    .await?;
    if !stored {
        // Used in the meantime (a second tab): nothing written.
        drop(tx);
        return refuse_code(&state, &ctx, typed, UNKNOWN_CODE);
    }
    tx.commit().await?;
    Ok(Redirect::to("/vragenlijst/bedankt").into_response())
}

pub async fn thanks(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let html = render(
        &state,
        &ctx,
        "survey/thanks.html",
        "Bedankt voor uw antwoorden",
        Value::from_serialize(context! {}),
    )?;
    Ok(html.into_response())
}
