//! Sending a survey round: a generalist or team lead picks a quarter; every
//! household of the team whose support from a provider ended in it (and that
//! was not invited for it yet) gets a one-time code — by e-mail when its
//! resident account has an address and `[smtp]` is set, otherwise on a
//! letter the team prints from the page this returns. Each invitation is
//! audited (the household, never the code). Codes are shown once: they are
//! stored only as hashes, in shuffled order, with team, provider and year.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::today;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use baken_domain::period::Period;
use baken_domain::survey::InvitationCode;
use baken_domain::{AuditAction, AuditOutcome};
use baken_mail::{Mail, Mailer};
use baken_store::survey::{self as sv, Channel, Due, NewToken};
use baken_store::{audit, users};
use minijinja::{context, Value};
use rand::seq::SliceRandom;
use rand::RngCore;
use serde::Deserialize;

/// The subject of every invitation e-mail.
pub const SUBJECT: &str = "Wat vond u van de ondersteuning? Vragenlijst van de gemeente";

/// The text of an invitation e-mail: the link and the code, nothing about
/// the person or the support (the same for everyone but the code).
pub fn mail_body(public_url: &str, code: &InvitationCode) -> String {
    format!(
        "Goedendag,\r\n\r\nU kreeg ondersteuning via het wijkteam van de gemeente. Wij willen graag weten wat u daarvan vond. \
         Wilt u een korte vragenlijst invullen? Dat duurt ongeveer 5 minuten.\r\n\r\n\
         Ga naar: {}/vragenlijst\r\nVul daar deze code in: {}\r\n\r\n\
         Uw antwoorden zijn anoniem. Wij bewaren niet wie welke antwoorden gaf. De code werkt één keer.\r\n\r\n\
         Dit bericht is automatisch verstuurd. U kunt er niet op antwoorden.\r\n",
        public_url.trim_end_matches('/'),
        code.grouped()
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RoundForm {
    kwartaal: String,
}

/// The quarters a round may be for: this one and the three before it.
fn quarters() -> Vec<Period> {
    let mut q = Period::last_quarters(today(), 4);
    q.reverse();
    q
}

fn team_of(ctx: &Ctx) -> Result<i64, AppError> {
    ctx.user()?.user.team_id.ok_or(AppError::Forbidden)
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    show(&state, &ctx, "", FieldErrors::new(), StatusCode::OK).await
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    chosen: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let team = team_of(ctx)?;
    let mut tx = state.db.read().await?;
    let sent = sv::invitations_sent(&mut tx, team).await?;
    drop(tx);
    let sent: Vec<_> = sent
        .into_iter()
        .map(|(period, channel, n)| {
            let period = Period::parse(&period)
                .map(|p| p.to_string())
                .unwrap_or(period);
            let channel = if channel == "email" {
                "per e-mail"
            } else {
                "per brief"
            };
            context! { period, channel, n }
        })
        .collect();
    let html = render(
        state,
        ctx,
        "survey/team.html",
        "Cliëntervaringsonderzoek",
        Value::from_serialize(context! {
            quarters => quarters().iter().map(|p| context! { value => p.code(), label => p.to_string() }).collect::<Vec<_>>(),
            chosen => chosen,
            sent => sent,
            mail => state.config.mail.is_some(),
            errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

/// Where residents answer: the configured public address, else this host.
fn public_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(mail) = &state.config.mail {
        return mail.public_url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A code drawn from the operating system's randomness.
fn fresh_code() -> InvitationCode {
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    InvitationCode::from_random(bytes)
}

struct Invitation {
    due: Due,
    code: InvitationCode,
    channel: Channel,
}

pub async fn start_round(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    HtmlForm(form): HtmlForm<RoundForm>,
) -> PageResult {
    let team = team_of(&ctx)?;
    let Some(period) = Period::parse(&form.kwartaal)
        .ok()
        .filter(|p| quarters().contains(p))
    else {
        let mut errors = FieldErrors::new();
        errors.add(
            "kwartaal",
            "Kies een van de kwartalen in de lijst: dit kwartaal of een van de drie ervoor.",
        );
        return show(
            &state,
            &ctx,
            &form.kwartaal,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mailer = match &state.config.mail {
        Some(settings) => {
            Some(Mailer::new(&settings.smtp).map_err(AppError::internal("the mailer"))?)
        }
        None => None,
    };
    let code_of_period = period.code();
    let until = period.last_day().min(today());
    let mut tx = state.db.begin().await?;
    let due = sv::due(&mut tx, team, &code_of_period, period.first_day(), until).await?;
    let invitations: Vec<Invitation> = due
        .into_iter()
        .map(|due| {
            let channel = if due.email.is_some() && mailer.is_some() {
                Channel::Email
            } else {
                Channel::Letter
            };
            Invitation {
                due,
                code: fresh_code(),
                channel,
            }
        })
        .collect();
    for inv in &invitations {
        sv::record_invitation(
            &mut tx,
            &inv.due,
            team,
            &code_of_period,
            inv.channel,
            today(),
        )
        .await?;
        let how = match inv.channel {
            Channel::Email => "per e-mail",
            Channel::Letter => "per brief",
        };
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Create,
                AuditOutcome::Success,
                Some(("household", inv.due.household_id.to_string())),
                format!(
                    "cliëntervaringsonderzoek {period}: uitnodiging {how} (aanbieder {})",
                    inv.due.provider_id
                ),
            ),
        )
        .await?;
    }
    // The codes' rows must not follow the invitations' order.
    let mut tokens: Vec<NewToken> = invitations
        .iter()
        .map(|inv| NewToken {
            hash: users::secret_hash(inv.code.as_str()),
            team_id: team,
            provider_id: inv.due.provider_id,
            year: period.year(),
        })
        .collect();
    tokens.shuffle(&mut rand::rngs::OsRng);
    sv::insert_tokens(&mut tx, &tokens).await?;
    tx.commit().await?;

    let url = public_url(&state, &headers);
    let mut mailed = 0;
    let mut failed = Vec::new();
    if let Some(mailer) = &mailer {
        for inv in invitations.iter().filter(|i| i.channel == Channel::Email) {
            let Some(to) = inv.due.email.as_deref() else {
                continue;
            };
            let body = mail_body(&url, &inv.code);
            let sent = mailer
                .send(&Mail {
                    to,
                    subject: SUBJECT,
                    body: &body,
                })
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, household = inv.due.household_id, "survey e-mail not sent");
                let mut tx = state.db.begin().await?;
                sv::withdraw_invitation(
                    &mut tx,
                    inv.due.household_id,
                    inv.due.provider_id,
                    &code_of_period,
                )
                .await?;
                audit::append(
                    &mut tx,
                    &ctx.audit(
                        AuditAction::Create,
                        AuditOutcome::Failed,
                        Some(("household", inv.due.household_id.to_string())),
                        format!("cliëntervaringsonderzoek {period}: e-mail niet verstuurd; volgende ronde opnieuw"),
                    ),
                )
                .await?;
                tx.commit().await?;
                failed.push(inv.due.household_id);
            } else {
                mailed += 1;
            }
        }
    }
    let letters: Vec<_> = invitations
        .iter()
        .filter(|i| i.channel == Channel::Letter)
        .map(|i| {
            context! {
                addressee => i.due.addressee.clone(),
                street => i.due.street_line.clone(),
                city => i.due.city_line.clone(),
                code => i.code.grouped(),
            }
        })
        .collect();
    let html = render(
        &state,
        &ctx,
        "survey/letters.html",
        "Uitnodigingen cliëntervaringsonderzoek",
        Value::from_serialize(context! {
            period => period.to_string(),
            mailed => mailed,
            failed => failed.len(),
            letters => letters,
            url => format!("{url}/vragenlijst"),
            municipality => state.config.municipality.clone(),
        }),
    )?;
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], html).into_response())
}
