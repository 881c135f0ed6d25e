//! `/beheer/mantelzorg`: the mantelzorgwaardering's settings (beheerder) —
//! on or off, the amount of the contribution, the year it is for and the
//! window in which carers can apply. Parsed by the domain
//! ([`WaarderingSettings::from_typed`]) with a Dutch message next to each
//! wrong field, stored through `baken_store::settings`, audited with old and
//! new values, and guarded by the version the beheerder saw (a change made in
//! the meantime is a 409, never a lost update).

use crate::support::audit::{commit_audited, refuse_stale};
use crate::support::ctx::Ctx;
use crate::support::form::{form_version, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::carers::{WaarderingSettings, WaarderingSettingsError};
use baken_domain::AuditAction;
use baken_store::settings::{self, StoredWaardering};
use baken_store::StoreError;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The form as typed (also what the page shows again on a refusal).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct WaarderingSettingsForm {
    #[serde(default)]
    aan: Option<String>,
    #[serde(default)]
    bedrag: String,
    #[serde(default)]
    jaar: String,
    #[serde(default)]
    vanaf: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    versie: String,
}

impl WaarderingSettingsForm {
    fn of(stored: &StoredWaardering) -> WaarderingSettingsForm {
        let s = stored.settings;
        WaarderingSettingsForm {
            aan: s.open.then(|| "1".to_owned()),
            bedrag: s.amount_label(),
            jaar: s.year.to_string(),
            vanaf: s.from.to_string(),
            tot: s.until.to_string(),
            versie: stored.version.to_string(),
        }
    }

    fn parse(&self) -> Result<WaarderingSettings, FieldErrors> {
        WaarderingSettings::from_typed(self.aan.is_some(), &self.bedrag, &self.jaar, &self.vanaf, &self.tot)
            .map_err(|errors| {
                let mut out = FieldErrors::new();
                for e in errors {
                    let (field, message) = match e {
                        WaarderingSettingsError::Amount => (
                            "bedrag",
                            format!("Vul een bedrag in van 1 tot en met {} euro, zoals 150 of 87,50.", WaarderingSettings::MAX_EUROS),
                        ),
                        WaarderingSettingsError::Year => ("jaar", "Vul een jaar in, zoals 2026.".to_owned()),
                        WaarderingSettingsError::From => ("vanaf", "Vul een datum in, zoals 1-1-2026.".to_owned()),
                        WaarderingSettingsError::Until => ("tot", "Vul een datum in, zoals 31-12-2026.".to_owned()),
                        WaarderingSettingsError::Order => ("tot", "De laatste dag ligt vóór de eerste dag. Kies een latere datum.".to_owned()),
                        WaarderingSettingsError::Window | WaarderingSettingsError::Open => (
                            "vanaf",
                            "Aanvragen kan in het jaar zelf of in het jaar erna. Kies data binnen die twee jaren.".to_owned(),
                        ),
                    };
                    out.add(field, message);
                }
                out
            })
    }
}

/// The settings as a line for the audit log.
fn code(s: &WaarderingSettings) -> String {
    format!(
        "{} {} euro, jaar {}, {} t/m {}",
        if s.open { "aan" } else { "uit" },
        s.amount_label(),
        s.year,
        s.from,
        s.until
    )
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    form: &WaarderingSettingsForm,
    saved: bool,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let stored = settings::waardering(&mut tx, today()).await?;
    drop(tx);
    let s = stored.settings;
    let html = render(
        state,
        ctx,
        "carers/beheer.html",
        "Mantelzorgwaardering instellen",
        Value::from_serialize(context! {
            form => form, errors => errors, saved => saved,
            current => context! {
                open => s.open, amount => s.amount_label(), year => s.year,
                from => nl_date(s.from), until => nl_date(s.until),
                default => stored.version == 0,
            },
            max => WaarderingSettings::MAX_EUROS,
        }),
    )?;
    Ok((status, html).into_response())
}

/// The form, filled in with the settings as stored now.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let stored = settings::waardering(&mut tx, today()).await?;
    drop(tx);
    let form = WaarderingSettingsForm::of(&stored);
    form_page(
        &state,
        &ctx,
        &form,
        q.opgeslagen.is_some(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Saves the settings, if nobody changed them since the form was filled in.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<WaarderingSettingsForm>,
) -> PageResult {
    let version = form_version(&form.versie)?;
    let new = match form.parse() {
        Ok(s) => s,
        Err(errors) => {
            return form_page(&state, &ctx, &form, false, errors, StatusCode::BAD_REQUEST).await
        }
    };
    let mut tx = state.db.begin().await?;
    let before = settings::waardering(&mut tx, today()).await?;
    let object = ("instelling", "mantelzorgwaardering".to_owned());
    match settings::set_waardering(&mut tx, &new, version).await {
        Ok(v) => {
            commit_audited(
                tx,
                &ctx,
                AuditAction::Update,
                object,
                format!(
                    "mantelzorgwaardering versie {v}: {} (was {})",
                    code(&new),
                    code(&before.settings)
                ),
            )
            .await?;
            Ok(Redirect::to("/beheer/mantelzorg?opgeslagen=ja").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            let message =
                refuse_stale(tx, &state, &ctx, object, version, "de mantelzorgwaardering").await?;
            let mut tx = state.db.read().await?;
            let now = settings::waardering(&mut tx, today()).await?;
            drop(tx);
            form_page(
                &state,
                &ctx,
                &WaarderingSettingsForm::of(&now),
                false,
                FieldErrors::only("_form", message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
