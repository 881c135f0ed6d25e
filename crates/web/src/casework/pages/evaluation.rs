//! `/plannen/{id}/evaluatie`: recording an evaluation from the dossier —
//! outcome per goal, what happens to each running agreement, new scores.

use super::dossier::{answer_change, refused_form, Typed};
use super::shared::{optional_date, plan_version, required_date, rung, scores};
use crate::casework::change::{self, PlanPart, PlanTarget};
use crate::casework::common::EvaluationInput;
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use axum::extract::{Path, State};
use baken_domain::casework::{AgreementDecision, Evaluation, GoalOutcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The evaluation form. Per goal and per running agreement its controls are
/// read from `rows`: `resultaat_<goal>` and `toelichting_<goal>`;
/// `afspraak_<agreement>` (voortzetten, beeindigen, or empty to leave it as it
/// is) and `afspraak_<agreement>_tot`; and `score_<domain>`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct EvaluationForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    notitie: String,
    #[serde(default)]
    trede_participatie: String,
    #[serde(flatten)]
    rows: BTreeMap<String, String>,
}

impl EvaluationForm {
    fn row_value(&self, control: &str) -> &str {
        self.rows.get(control).map(|v| v.trim()).unwrap_or("")
    }
}

impl TryFrom<&EvaluationForm> for EvaluationInput {
    type Error = FieldErrors;

    fn try_from(form: &EvaluationForm) -> Result<EvaluationInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let on = required_date(&mut errors, "datum", "datum", &form.datum);
        let mut outcomes = Vec::new();
        let mut agreements = Vec::new();
        for (control, value) in &form.rows {
            // A goal not judged (no outcome chosen) is left as it is.
            if let Some(goal) = control
                .strip_prefix("resultaat_")
                .and_then(|g| g.parse::<i64>().ok())
            {
                if let Ok(outcome) = GoalOutcome::parse(value) {
                    let note = form.row_value(&format!("toelichting_{goal}")).to_owned();
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
                        let until = optional_date(
                            &mut errors,
                            &until_control,
                            "tot",
                            form.row_value(&until_control),
                        );
                        agreements.push((agreement, AgreementDecision::Continue { until }));
                    }
                    "beeindigen" => agreements.push((agreement, AgreementDecision::End)),
                    _ => {}
                }
            }
        }
        let scores = scores(&mut errors, &form.rows);
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
            rung: rung(&form.trede_participatie),
            note: form.notitie.trim().to_owned(),
        })
    }
}

pub async fn evaluation_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<EvaluationForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let input = match EvaluationInput::try_from(&form) {
        Ok(input) => input,
        Err(errors) => {
            let household = change::household_of_plan(&state, &ctx, PlanPart::Plan(plan)).await?;
            return refused_form(&state, &ctx, household, errors, typed, "evaluatie").await;
        }
    };
    let target = PlanTarget::plan(plan, version);
    let result = change::record_evaluation(&state, &ctx, target, &input).await;
    answer_change(&state, &ctx, result, typed, "evaluatie", |_| None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(body: &str) -> Result<EvaluationInput, FieldErrors> {
        let form: EvaluationForm = serde_html_form::from_str(body).expect("an evaluation form");
        EvaluationInput::try_from(&form)
    }

    #[test]
    fn outcomes_and_agreement_decisions_come_from_their_controls() {
        let evaluation = input(
            "versie=3&datum=2026-03-01&resultaat_7=behaald&toelichting_7=Gelukt&resultaat_8=\
             &afspraak_11=voortzetten&afspraak_11_tot=2026-06-01&afspraak_12=beeindigen&afspraak_13=",
        )
        .expect("parses")
        .evaluation;
        assert_eq!(
            evaluation.outcomes.len(),
            1,
            "a goal without an outcome is left alone"
        );
        assert_eq!(evaluation.outcomes[0].2, "Gelukt");
        assert_eq!(evaluation.agreements.len(), 2);
        assert!(matches!(
            evaluation.agreements[1],
            (12, AgreementDecision::End)
        ));
    }

    #[test]
    fn an_unreadable_date_to_continue_to_is_refused_next_to_that_agreement() {
        let errors = input("datum=2026-03-01&afspraak_11=voortzetten&afspraak_11_tot=morgen")
            .expect_err("refused");
        assert_eq!(
            errors.get("afspraak_11_tot"),
            Some("Vul een datum in, bijvoorbeeld 01-02-2026.")
        );
    }
}
