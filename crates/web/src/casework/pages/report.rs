//! Reporting a signal: the public "Zorg om iemand in uw buurt?" page and partners' form.

use super::shared::{choice_lists, norms_context, refuse};
use crate::casework::change;
use crate::casework::common::current_norms;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{parse_date, today};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::casework::{signal, SignalCategory, Urgency};
use baken_domain::{
    Addition, AuditAction, AuditOutcome, HouseLetter, HouseNumber, Permission, Postcode,
};
use baken_store::audit;
use baken_store::casework::{self as cw, NewSignal};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The signal form, on the public page and for partners.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SignalForm {
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    huisnummer: String,
    #[serde(default)]
    huisletter: String,
    #[serde(default)]
    toevoeging: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    urgentie: String,
    #[serde(default)]
    omschrijving: String,
    /// On whose behalf (a partner's organisation); the public page sets it.
    #[serde(default)]
    bron: String,
    /// The day it came in, for the social team only.
    #[serde(default)]
    ontvangen_op: String,
}

/// Who reports, which decides what the form may say.
struct Reporter {
    /// The source the public page gives every report, instead of `bron`.
    source: Option<&'static str>,
    /// The signed-in user; `None` on the public page.
    reported_by: Option<i64>,
    /// Only the social team gives the day a signal came in (by phone, by
    /// letter); everyone else reports today.
    may_backdate: bool,
}

impl SignalForm {
    fn parse(&self, reporter: &Reporter, day: chrono::NaiveDate) -> Result<NewSignal, FieldErrors> {
        let mut errors = FieldErrors::new();
        let postcode = Postcode::parse(self.postcode.trim())
            .map_err(|_| errors.add("postcode", "Vul een postcode in zoals 1234 AB."))
            .ok();
        let number = HouseNumber::parse(self.huisnummer.trim())
            .map_err(|_| errors.add("huisnummer", "Vul het huisnummer in (alleen cijfers)."))
            .ok();
        let letter = HouseLetter::parse_optional(self.huisletter.trim())
            .map_err(|_| {
                errors.add(
                    "huisletter",
                    "Een huisletter is één letter, zoals A. Laat het leeg als er geen is.",
                )
            })
            .ok();
        let addition = Addition::parse_optional(self.toevoeging.trim())
            .map_err(|_| {
                errors.add(
                    "toevoeging",
                    "Een toevoeging is hooguit 4 letters of cijfers, zoals 2 of bis.",
                )
            })
            .ok();
        let category = SignalCategory::parse(self.categorie.trim())
            .map_err(|_| errors.add("categorie", "Kies waar de zorg over gaat."))
            .ok();
        let urgency = Urgency::parse(self.urgentie.trim())
            .map_err(|_| errors.add("urgentie", "Kies hoe dringend het is."))
            .ok();
        let description = signal::parse_description(self.omschrijving.trim())
            .map_err(|_| {
                errors.add(
                    "omschrijving",
                    "Beschrijf uw zorg in een paar zinnen (hooguit 4000 tekens).",
                )
            })
            .ok();
        let source = signal::parse_source(reporter.source.unwrap_or(self.bron.trim()))
            .map_err(|_| {
                errors.add(
                    "bron",
                    "Vul in namens wie u meldt, bijvoorbeeld uw organisatie.",
                )
            })
            .ok();
        let reported_on = match self.ontvangen_op.trim() {
            "" => Some(day),
            _ if !reporter.may_backdate => Some(day),
            typed => match parse_date(typed) {
                None => {
                    errors.add("ontvangen_op", "Vul een datum in, bijvoorbeeld 01-02-2026.");
                    None
                }
                Some(d) => match signal::check_reported(d, day) {
                    Ok(()) => Some(d),
                    Err(e) => {
                        refuse(&mut errors, Some("ontvangen_op"), e);
                        None
                    }
                },
            },
        };
        match (
            postcode,
            number,
            letter,
            addition,
            category,
            urgency,
            description,
            source,
            reported_on,
        ) {
            (Some(p), Some(n), Some(l), Some(a), Some(c), Some(u), Some(d), Some(s), Some(on)) => {
                errors.or_ok(NewSignal {
                    reported_on: on,
                    category: c,
                    urgency: u,
                    description: d,
                    source: s,
                    reported_by: reporter.reported_by,
                    postcode: p.to_string(),
                    house_number: i64::from(n.value()),
                    house_letter: l.map(|l| l.as_char().to_string()).unwrap_or_default(),
                    addition: a.map(|a| a.as_str().to_owned()).unwrap_or_default(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// How the signal form is shown: to whom, and in which state.
struct SignalPage {
    public: bool,
    errors: FieldErrors,
    /// The form as typed; empty once a report was received.
    form: Value,
    done: bool,
    status: StatusCode,
}

impl SignalPage {
    /// The empty form.
    fn empty(public: bool) -> SignalPage {
        SignalPage {
            public,
            errors: FieldErrors::new(),
            form: context! {},
            done: false,
            status: StatusCode::OK,
        }
    }

    /// "Uw melding is ontvangen": nothing of what was reported is shown back.
    fn received(public: bool) -> SignalPage {
        SignalPage {
            done: true,
            ..SignalPage::empty(public)
        }
    }
}

async fn signal_form_page(state: &AppState, ctx: &Ctx, page: SignalPage) -> PageResult {
    let public = page.public;
    let title = if public {
        "Zorg om iemand in uw buurt?"
    } else {
        "Zorg melden"
    };
    let mut tx = state.db.read().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    drop(tx);
    let backdate = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role().may(Permission::Casework));
    let html = render(
        state,
        ctx,
        "casework/signal_form.html",
        title,
        Value::from_serialize(context! {
            public => public, errors => &page.errors, form => page.form, done => page.done, choices => choice_lists(),
            action => if public { "/zorgmelding" } else { "/signalen/nieuw" },
            norms => norms_context(&norms), backdate => backdate, today => today().to_string(),
        }),
    )?;
    Ok((page.status, html).into_response())
}

pub async fn public_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(&state, &ctx, SignalPage::empty(true)).await
}

/// At most this many public reports per client address per hour.
pub const PUBLIC_REPORTS_PER_HOUR: i64 = 5;

/// Whether this client address may report on the public page again; a refusal
/// is audited. Reports are counted by their audit entries, so the count and
/// the report need not share a transaction.
async fn public_report_allowed(state: &AppState, ctx: &Ctx) -> Result<bool, AppError> {
    let mut tx = state.db.begin().await?;
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let reports = cw::public_reports_since(&mut tx, &ctx.route, &ctx.client, since).await?;
    if reports < PUBLIC_REPORTS_PER_HOUR {
        return Ok(true);
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Access,
            AuditOutcome::Denied,
            None,
            "te veel meldingen vanaf dit adres",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(false)
}

pub async fn public_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<SignalForm>,
) -> PageResult {
    if !public_report_allowed(&state, &ctx).await? {
        let mut errors = FieldErrors::new();
        errors.add("_form", "U hebt het afgelopen uur al een aantal meldingen gedaan. Probeer het later opnieuw, of bel de gemeente.");
        let page = SignalPage {
            public: true,
            errors,
            form: Value::from_serialize(&form),
            done: false,
            status: StatusCode::TOO_MANY_REQUESTS,
        };
        return signal_form_page(&state, &ctx, page).await;
    }
    let neighbour = Reporter {
        source: Some("Buurtbewoner (zorgmelding)"),
        reported_by: None,
        may_backdate: false,
    };
    match form.parse(&neighbour, today()) {
        Err(errors) => {
            let page = SignalPage {
                public: true,
                errors,
                form: Value::from_serialize(&form),
                done: false,
                status: StatusCode::BAD_REQUEST,
            };
            signal_form_page(&state, &ctx, page).await
        }
        Ok(signal) => {
            change::create_signal(&state, &ctx, &signal).await?;
            signal_form_page(&state, &ctx, SignalPage::received(true)).await
        }
    }
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(&state, &ctx, SignalPage::empty(false)).await
}

pub async fn report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<SignalForm>,
) -> PageResult {
    let user = ctx.user()?;
    let partner = Reporter {
        source: None,
        reported_by: Some(user.user.id),
        may_backdate: user.role().may(Permission::Casework),
    };
    match form.parse(&partner, today()) {
        Err(errors) => {
            let page = SignalPage {
                public: false,
                errors,
                form: Value::from_serialize(&form),
                done: false,
                status: StatusCode::BAD_REQUEST,
            };
            signal_form_page(&state, &ctx, page).await
        }
        Ok(signal) => {
            change::create_signal(&state, &ctx, &signal).await?;
            signal_form_page(&state, &ctx, SignalPage::received(false)).await
        }
    }
}
