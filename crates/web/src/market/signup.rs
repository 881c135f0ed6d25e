//! Joining the marketplace without an account: an e-mail address (verified by
//! a link sent over SMTP, the same mail path as notifications), a display
//! name, a district and a password. No BSN, no household.
//!
//! The account is a `vrijwilliger` account named by the e-mail address, and
//! stays inactive — no login — until the link is used. Without `[smtp]` a
//! real installation cannot verify addresses, so it refuses sign-ups; the demo
//! (whose data is invented) shows the link on the page instead.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::password::{hash_password_async, password_problem, refused_passwords};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::market::DisplayName;
use baken_domain::{
    AuditAction, AuditOutcome, DistrictCode, EmailAddress, Password, PasswordContext, Username,
};
use baken_mail::{Mail, Mailer};
use baken_store::market as mk;
use baken_store::{areas, audit};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The subject of the verification e-mail.
pub const SUBJECT: &str = "Bevestig uw e-mailadres voor de buurtmarktplaats";

/// Sends the verification link. `Ok(Some(path))` in the demo without SMTP
/// (the page shows the link), `Ok(None)` when mailed.
pub async fn send_verification(
    state: &AppState,
    to: &str,
    token: &str,
) -> Result<Option<String>, AppError> {
    let path = format!("/buurtmarktplaats/bevestigen?code={token}");
    let Some(mail) = &state.config.mail else {
        return if state.config.demo {
            Ok(Some(path))
        } else {
            Err(AppError::bug("sign-up without [smtp]"))
        };
    };
    let link = format!("{}{path}", mail.public_url.trim_end_matches('/'));
    let body = format!(
        "Goedendag,\r\n\r\nU meldde zich aan voor de buurtmarktplaats. Bevestig uw e-mailadres met deze link (48 uur geldig):\r\n{link}\r\n\r\nHebt u zich niet aangemeld? Dan hoeft u niets te doen.\r\n"
    );
    let mailer = Mailer::new(&mail.smtp).map_err(AppError::internal("the mailer"))?;
    mailer
        .send(&Mail {
            to,
            subject: SUBJECT,
            body: &body,
        })
        .await
        .map_err(AppError::internal("sending the verification e-mail"))?;
    Ok(None)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SignUpForm {
    email: String,
    naam: String,
    wijk: String,
    wachtwoord: String,
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    form_page(
        &state,
        &ctx,
        &SignUpForm::default(),
        FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    form: &SignUpForm,
    errors: FieldErrors,
    done: Option<Value>,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let districts = areas::districts(&mut tx).await?;
    drop(tx);
    let form = SignUpForm {
        wachtwoord: String::new(),
        ..form.clone()
    };
    let html = render(
        state,
        ctx,
        "market/signup.html",
        "Meedoen met de buurtmarktplaats",
        Value::from_serialize(context! {
            form => form, errors => errors, done => done,
            available => state.config.mail.is_some() || state.config.demo,
            districts => districts.iter().map(|d| context! { value => d.code.clone(), label => d.name.clone() }).collect::<Vec<_>>(),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<SignUpForm>,
) -> PageResult {
    if state.config.mail.is_none() && !state.config.demo {
        return form_page(
            &state,
            &ctx,
            &form,
            FieldErrors::only(
                "_form",
                "Aanmelden via internet kan hier nog niet. Bel de makelaar: die schrijft u in.",
            ),
            None,
            StatusCode::SERVICE_UNAVAILABLE,
        )
        .await;
    }
    let mut errors = FieldErrors::new();
    let email = EmailAddress::parse(&form.email)
        .ok()
        .and_then(|e| Username::parse(e.as_str()).ok().map(|u| (e, u)));
    if email.is_none() {
        errors.add("email", "Vul een e-mailadres in zoals naam@voorbeeld.nl.");
    }
    let name = DisplayName::parse(&form.naam)
        .map_err(|_| errors.add("naam", "Vul de naam in die anderen zien (2 tot 60 tekens)."))
        .ok();
    let password = Password::parse(
        &form.wachtwoord,
        &PasswordContext {
            user_inputs: &[form.email.trim(), form.naam.trim()],
            refused: refused_passwords(state.config.demo),
        },
    )
    .map_err(|e| errors.add("wachtwoord", password_problem(&e)))
    .ok();
    let districts = {
        let mut tx = state.db.read().await?;
        areas::districts(&mut tx).await?
    };
    let district = DistrictCode::parse(&form.wijk)
        .ok()
        .filter(|d| districts.iter().any(|x| x.code == d.as_str()));
    if district.is_none() {
        errors.add("wijk", "Kies uw wijk.");
    }
    let (Some((email, username)), Some(name), Some(password), Some(district)) =
        (email, name, password, district)
    else {
        return form_page(&state, &ctx, &form, errors, None, StatusCode::BAD_REQUEST).await;
    };
    let hash = hash_password_async(password.expose().to_owned())
        .await
        .map_err(AppError::from)?;
    let mut tx = state.db.begin().await?;
    let id = match mk::sign_up(&mut tx, &username, &name, &district, &email, &hash).await {
        Ok(id) => id,
        Err(baken_store::StoreError::Duplicate(_)) => {
            drop(tx);
            // The same answer as a new address would get, so nobody learns who takes part.
            return form_page(
                &state,
                &ctx,
                &form,
                FieldErrors::new(),
                Some(Value::from_serialize(context! { link => None::<String> })),
                StatusCode::OK,
            )
            .await;
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    let token = mk::create_verification(&mut tx, id, 48).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("market_participant", id.to_string())),
            "aangemeld voor de buurtmarktplaats; bevestiging verstuurd",
        ),
    )
    .await?;
    tx.commit().await?;
    let link = send_verification(&state, email.as_str(), &token).await?;
    form_page(
        &state,
        &ctx,
        &form,
        FieldErrors::new(),
        Some(Value::from_serialize(context! { link => link })),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VerifyQuery {
    code: String,
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<VerifyQuery>,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let verified = mk::verify_email(&mut tx, q.code.trim()).await?;
    if let Some(id) = verified {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Update,
                AuditOutcome::Success,
                Some(("market_participant", id.to_string())),
                "e-mailadres bevestigd",
            ),
        )
        .await?;
    }
    tx.commit().await?;
    let html = render(
        &state,
        &ctx,
        "market/verified.html",
        "E-mailadres bevestigen",
        Value::from_serialize(context! { verified => verified.is_some() }),
    )?;
    let status = if verified.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, html).into_response())
}
