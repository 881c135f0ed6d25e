//! `POST /dossier/{id}/overdragen`: the team lead or the contact person hands
//! a household over to a colleague from the dossier, with a reason (triage
//! hands over only with a signal).

use super::dossier::{answer_change, refused_form, Typed};
use crate::casework::change::{self, ChangeError};
use crate::casework::common::explain;
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use axum::extract::{Path, State};
use baken_domain::casework::PlanError;
use baken_store::casework::CaseError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct HandOverForm {
    /// The colleague who becomes the contact person (a user id).
    #[serde(default)]
    ov_generalist: String,
    #[serde(default)]
    ov_reden: String,
}

const ANCHOR: &str = "contactpersoon";

pub async fn hand_over_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<HandOverForm>,
) -> PageResult {
    let household = path_id(&id)?;
    let typed = Typed::of(&form);
    let Ok(to) = form.ov_generalist.trim().parse::<i64>() else {
        let mut errors = FieldErrors::new();
        errors.add("ov_generalist", "Kies de collega die contactpersoon wordt.");
        return refused_form(&state, &ctx, household, errors, typed, ANCHOR).await;
    };
    let result = change::hand_over(&state, &ctx, household, to, &form.ov_reden).await;
    if let Err(ChangeError::NotTeamGeneralist) = result {
        let mut errors = FieldErrors::new();
        errors.add(
            "ov_generalist",
            "Kies een generalist uit het team van dit huishouden.",
        );
        return refused_form(&state, &ctx, household, errors, typed, ANCHOR).await;
    }
    answer_change(&state, &ctx, result, typed, ANCHOR, |e| {
        Some(match e {
            CaseError::Plan(PlanError::HandOverWithoutReason { .. }) => "ov_reden".to_owned(),
            other if explain(other).is_some() => "ov_generalist".to_owned(),
            _ => return None,
        })
    })
    .await
}
