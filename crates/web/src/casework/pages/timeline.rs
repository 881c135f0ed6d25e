//! The dossier's timeline and consent forms: a contact moment, a consent for a
//! provider with its purpose, and withdrawing a consent. Each form is parsed
//! into the change's input once; the change itself is `casework::change`'s.

use super::dossier::{answer_change, refused_form, Typed};
use super::shared::required_date;
use crate::casework::change;
use crate::casework::common::{ConsentGiven, ContactDraft};
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use axum::extract::{Path, State};
use baken_domain::casework::{ContactKind, ConversationError, PurposeDraft};
use baken_store::casework::CaseError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ContactForm {
    #[serde(default)]
    contact_datum: String,
    #[serde(default)]
    contact_soort: String,
    #[serde(default)]
    contact_wie: String,
    #[serde(default)]
    contact_notitie: String,
}

impl TryFrom<&ContactForm> for ContactDraft {
    type Error = FieldErrors;

    fn try_from(form: &ContactForm) -> Result<ContactDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let held_on = required_date(&mut errors, "contact_datum", "datum", &form.contact_datum);
        let kind = ContactKind::parse(form.contact_soort.trim());
        if kind.is_none() {
            errors.add(
                "contact_soort",
                "Kies hoe het contact was: huisbezoek, telefoon, e-mail of overleg met het netwerk.",
            );
        }
        match (held_on, kind) {
            (Some(held_on), Some(kind)) => errors.or_ok(ContactDraft {
                held_on,
                kind,
                who: form.contact_wie.clone(),
                note: form.contact_notitie.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /dossier/{id}/contactmoment`
pub async fn contact_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ContactForm>,
) -> PageResult {
    let household = path_id(&id)?;
    let typed = Typed::of(&form);
    let draft = match ContactDraft::try_from(&form) {
        Ok(draft) => draft,
        Err(errors) => {
            return refused_form(&state, &ctx, household, errors, typed, "tijdlijn").await
        }
    };
    let result = change::record_contact_moment(&state, &ctx, household, &draft).await;
    answer_change(&state, &ctx, result, typed, "tijdlijn", |_| None).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ConsentForm {
    #[serde(default)]
    tm_aanbieder: String,
    /// The agreements the consent covers (a group of checkboxes).
    #[serde(default)]
    tm_afspraken: Vec<String>,
    #[serde(default)]
    tm_verwijzing: String,
    #[serde(default)]
    tm_netwerk: String,
    #[serde(default)]
    tm_scores: String,
    #[serde(default)]
    tm_tot: String,
}

impl TryFrom<&ConsentForm> for ConsentGiven {
    type Error = FieldErrors;

    fn try_from(form: &ConsentForm) -> Result<ConsentGiven, FieldErrors> {
        let mut errors = FieldErrors::new();
        let provider_id = form.tm_aanbieder.trim().parse::<i64>().ok();
        if provider_id.is_none() {
            errors.add(
                "tm_aanbieder",
                "Kies de aanbieder uit de sociale kaart met wie gegevens gedeeld mogen worden.",
            );
        }
        let mut agreements = Vec::new();
        for raw in &form.tm_afspraken {
            match raw.trim().parse::<i64>() {
                Ok(id) => agreements.push(id),
                Err(_) => errors.add("tm_afspraken", "Kies afspraken uit de lijst."),
            }
        }
        let referral = match form.tm_verwijzing.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("tm_verwijzing", "Kies een verwijzing uit de lijst.");
                    None
                }
            },
        };
        let until = required_date(&mut errors, "tm_tot", "tot", &form.tm_tot);
        match (provider_id, until) {
            (Some(provider_id), Some(until)) => errors.or_ok(ConsentGiven {
                provider_id,
                purpose: PurposeDraft {
                    agreements,
                    referral,
                    network: form.tm_netwerk == "ja",
                    scores: form.tm_scores == "ja",
                },
                until,
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /dossier/{id}/toestemming`
pub async fn consent_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ConsentForm>,
) -> PageResult {
    let household = path_id(&id)?;
    let typed = Typed::of(&form);
    let given = match ConsentGiven::try_from(&form) {
        Ok(given) => given,
        Err(errors) => {
            return refused_form(&state, &ctx, household, errors, typed, "toestemming").await
        }
    };
    let result = change::give_consent(&state, &ctx, household, &given).await;
    answer_change(&state, &ctx, result, typed, "toestemming", |e| match e {
        CaseError::Conversation(ConversationError::ConsentEnd) => Some("tm_tot".to_owned()),
        _ => None,
    })
    .await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reden: String,
}

/// `POST /dossier/{id}/toestemming/{consent}/intrekken`
pub async fn withdraw_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, consent)): Path<(String, String)>,
    HtmlForm(form): HtmlForm<WithdrawForm>,
) -> PageResult {
    let household = path_id(&id)?;
    let consent = path_id(&consent)?;
    let result = change::withdraw_consent(&state, &ctx, household, consent, &form.reden).await;
    answer_change(&state, &ctx, result, Typed::none(), "toestemming", |_| None).await
}
