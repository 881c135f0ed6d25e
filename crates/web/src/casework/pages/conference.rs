//! The Eigen Kracht-conferentie from the dossier: asking for one (coordinator,
//! date, invitees from the network, the household's consent), and afterwards
//! entering the family plan in one go. Each form is parsed once into the
//! change's input; the change itself is `casework::change`'s.

use super::dossier::{answer_change, Typed};
use super::plan::refused_plan_form;
use super::shared::{plan_version, refuse, required_date};
use crate::casework::change::{self, PlanTarget};
use crate::casework::common::{ConferenceInput, FamilyPlanInput, FAMILY_PLAN_ROWS};
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use axum::extract::{Path, State};
use baken_domain::casework::{FamilyPlanRow, PlanError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ConferenceForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    ek_doel: String,
    #[serde(default)]
    ek_coordinator: String,
    #[serde(default)]
    ek_datum: String,
    /// Network members invited, by name (a group of checkboxes).
    #[serde(default)]
    ek_genodigden: Vec<String>,
    #[serde(default)]
    ek_toestemming: String,
}

impl TryFrom<&ConferenceForm> for ConferenceInput {
    type Error = FieldErrors;

    fn try_from(form: &ConferenceForm) -> Result<ConferenceInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let goal_id = form.ek_doel.trim().parse::<i64>().ok();
        if goal_id.is_none() {
            refuse(&mut errors, Some("ek_doel"), PlanError::UnknownGoal(0));
        }
        let coordinator_id = form.ek_coordinator.trim().parse::<i64>().ok();
        if coordinator_id.is_none() {
            errors.add(
                "ek_coordinator",
                "Kies de coördinator: een aanbieder uit de sociale kaart.",
            );
        }
        let planned_on = required_date(&mut errors, "ek_datum", "datum", &form.ek_datum);
        match (goal_id, coordinator_id, planned_on) {
            (Some(goal_id), Some(coordinator_id), Some(planned_on)) => {
                errors.or_ok(ConferenceInput {
                    consent: form.ek_toestemming == "ja",
                    coordinator_id,
                    planned_on,
                    invitees: form.ek_genodigden.clone(),
                    goal_id,
                })
            }
            _ => Err(errors),
        }
    }
}

/// `POST /plannen/{id}/eigen-kracht-conferentie`
pub async fn conference_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ConferenceForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let input = match ConferenceInput::try_from(&form) {
        Ok(input) => input,
        Err(errors) => {
            return refused_plan_form(&state, &ctx, plan, errors, typed, "conferentie").await
        }
    };
    let target = PlanTarget::plan(plan, version);
    let result = change::request_conference(&state, &ctx, target, &input).await;
    answer_change(&state, &ctx, result, typed, "conferentie", |_| None).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct FamilyPlanForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    fp_datum: String,
    #[serde(default)]
    fp_doel: String,
    /// Rows `fp<i>_wie` (empty: nobody chosen; "bewoner"; or an invitee's
    /// name) and `fp<i>_wat`.
    #[serde(flatten)]
    rows: BTreeMap<String, String>,
}

impl TryFrom<&FamilyPlanForm> for FamilyPlanInput {
    type Error = FieldErrors;

    fn try_from(form: &FamilyPlanForm) -> Result<FamilyPlanInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let held_on = required_date(&mut errors, "fp_datum", "datum", &form.fp_datum);
        let goal_id = form.fp_doel.trim().parse::<i64>().ok();
        if goal_id.is_none() {
            refuse(&mut errors, Some("fp_doel"), PlanError::UnknownGoal(0));
        }
        let mut rows = Vec::new();
        for i in 1..=FAMILY_PLAN_ROWS {
            let get = |k: &str| {
                form.rows
                    .get(&format!("fp{i}_{k}"))
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            let (who, what) = (get("wie"), get("wat"));
            match (who.as_str(), what.as_str()) {
                ("", "") => {}
                ("", _) | (_, "") => rows.push((i, None)),
                (who, what) => rows.push((
                    i,
                    Some(FamilyPlanRow {
                        actor: (who != "bewoner").then(|| who.to_owned()),
                        description: what.to_owned(),
                    }),
                )),
            }
        }
        match (held_on, goal_id) {
            (Some(held_on), Some(goal_id)) => errors.or_ok(FamilyPlanInput {
                held_on,
                goal_id,
                rows,
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /plannen/{id}/eigen-kracht-conferentie/{conference}/familieplan`
pub async fn family_plan_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, conference)): Path<(String, String)>,
    HtmlForm(form): HtmlForm<FamilyPlanForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let conference = path_id(&conference)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let input = match FamilyPlanInput::try_from(&form) {
        Ok(input) => input,
        Err(errors) => {
            return refused_plan_form(&state, &ctx, plan, errors, typed, "conferentie").await
        }
    };
    let target = PlanTarget::plan(plan, version);
    let result = change::record_family_plan(&state, &ctx, target, conference, &input).await;
    answer_change(&state, &ctx, result, typed, "conferentie", |_| None).await
}
