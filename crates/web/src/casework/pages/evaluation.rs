//! `/plannen/{id}/evaluatie`: recording an evaluation from the dossier —
//! outcome per goal, what happens to each running agreement, new scores.

use super::dossier::{answer_change, refused_form, Typed};
use super::shared::{optional_date, plan_version, required_date, rung, scores};
use crate::casework::change::{self, PlanPart, PlanTarget};
use crate::casework::common::{field, form_map, EvaluationInput, FormMap};
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use axum::extract::{Path, State};
use axum::Form;
use baken_domain::casework::{AgreementDecision, Evaluation, GoalOutcome};

/// The evaluation as typed: per goal `resultaat_<goal>` and
/// `toelichting_<goal>`; per running agreement `afspraak_<agreement>`
/// (voortzetten, beeindigen, or empty to leave it) and `afspraak_<agreement>_tot`.
fn parse_evaluation(f: &FormMap) -> Result<EvaluationInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let on = required_date(&mut errors, "datum", "datum", field(f, "datum"));
    let mut outcomes = Vec::new();
    let mut agreements = Vec::new();
    for (control, value) in f {
        // A goal not judged (no outcome chosen) is left as it is.
        if let Some(goal) = control
            .strip_prefix("resultaat_")
            .and_then(|g| g.parse::<i64>().ok())
        {
            if let Ok(outcome) = GoalOutcome::parse(value) {
                let note = field(f, &format!("toelichting_{goal}")).to_owned();
                outcomes.push((goal, outcome, note));
            }
        }
        // Per running agreement: continue to a new date, end, or leave as it is.
        if let Some(agreement) = control
            .strip_prefix("afspraak_")
            .and_then(|a| a.parse::<i64>().ok())
        {
            match value.as_str() {
                "voortzetten" => {
                    let until_control = format!("afspraak_{agreement}_tot");
                    let until =
                        optional_date(&mut errors, &until_control, "tot", field(f, &until_control));
                    agreements.push((agreement, AgreementDecision::Continue { until }));
                }
                "beeindigen" => agreements.push((agreement, AgreementDecision::End)),
                _ => {}
            }
        }
    }
    let scores = scores(&mut errors, f);
    let Some(on) = on else {
        return Err(errors);
    };
    errors.or_ok(EvaluationInput {
        evaluation: Evaluation {
            on,
            outcomes,
            agreements,
        },
        scores,
        rung: rung(field(f, "trede_participatie")),
        note: field(f, "notitie").to_owned(),
    })
}

pub async fn evaluation_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let plan = path_id(&id)?;
    let f = form_map(pairs);
    let version = plan_version(field(&f, "versie"))?;
    let typed = Typed::of(&f);
    let input = match parse_evaluation(&f) {
        Ok(input) => input,
        Err(errors) => {
            let household = change::household_of_plan(&state, &ctx, PlanPart::Plan(plan)).await?;
            return refused_form(&state, &ctx, household, errors, typed, "evaluatie").await;
        }
    };
    let target = PlanTarget {
        part: PlanPart::Plan(plan),
        version,
    };
    let result = change::record_evaluation(&state, &ctx, target, &input).await;
    answer_change(&state, &ctx, result, typed, "evaluatie", |_| None).await
}
