//! What the casework pages share: choice lists, the norms shown in words, and
//! the small parsers their typed forms use to turn controls into domain values
//! (a date, the scores per life domain, the plan's version), each refusal in
//! the same Dutch a broken rule gets.

use crate::casework::common::explain;
use crate::support::choice::{choices, support_forms, Choice};
use crate::support::error::AppError;
use crate::support::form::FieldErrors;
use crate::support::time::parse_date;
use baken_domain::casework::{
    AgreementActor, ContactMethod, GoalOutcome, LifeDomain, PlanError, ResponseNorms, ScoreEntry,
    Scores, SignalCategory, Term, Urgency,
};
use baken_domain::{LadderStep, ParticipationRung};
use baken_store::casework::CaseError;
use chrono::NaiveDate;
use minijinja::{context, Value};
use std::collections::BTreeMap;

/// Records the Dutch explanation of a broken rule next to `field` (or, when
/// `None`, next to the field the rule names itself).
pub(crate) fn refuse(errors: &mut FieldErrors, field: Option<&str>, error: impl Into<CaseError>) {
    if let Some((rule_field, message)) = explain(&error.into()) {
        errors.add(field.unwrap_or(&rule_field), message);
    }
}

/// A date control that may be left empty: `None` when empty, and also when
/// it does not parse — then with a message next to `field`. `rule` names the
/// control the way the plan's rules do (`PlanError::Text`), which chooses the
/// message: the same one a date refused deeper in gets.
pub(crate) fn optional_date(
    errors: &mut FieldErrors,
    field: &str,
    rule: &'static str,
    value: &str,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let date = parse_date(value);
    if date.is_none() {
        refuse(errors, Some(field), PlanError::Text(rule));
    }
    date
}

/// A date control that must be filled in (see [`optional_date`]).
pub(crate) fn required_date(
    errors: &mut FieldErrors,
    field: &str,
    rule: &'static str,
    value: &str,
) -> Option<NaiveDate> {
    let date = parse_date(value);
    if date.is_none() {
        refuse(errors, Some(field), PlanError::Text(rule));
    }
    date
}

/// The self-reliance scores of a form with rows: `score_<domain>` per life
/// domain, each 1–5, "nvt", or empty (not scored).
pub(crate) fn scores(errors: &mut FieldErrors, rows: &BTreeMap<String, String>) -> Scores {
    let mut scores = Scores::default();
    for domain in LifeDomain::ALL {
        let control = format!("score_{}", domain.as_str());
        let value = rows.get(&control).map(String::as_str).unwrap_or("");
        match ScoreEntry::parse(*domain, value) {
            Ok(Some(score)) => {
                scores.0.insert(*domain, score);
            }
            Ok(None) => {}
            Err(e) => refuse(errors, None, e),
        }
    }
    scores
}

/// The participation rung (1–6) chosen, if one was.
pub(crate) fn rung(value: &str) -> Option<ParticipationRung> {
    value
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(|v| ParticipationRung::new(v).ok())
}

/// The plan's version a form was made from (its hidden `versie` control). A
/// form without it cannot be checked against someone else's change.
pub(crate) fn plan_version(versie: &str) -> Result<i64, AppError> {
    versie.trim().parse::<i64>().map_err(|_| {
        AppError::BadRequest(
            "Het formulier mist de versie van het plan. Laad de pagina opnieuw.".into(),
        )
    })
}

pub(crate) fn choice_lists() -> Value {
    let steps: Vec<Choice> = (1..=5)
        .filter_map(|s| LadderStep::new(s).ok())
        .map(|s| {
            Choice::new(
                s.value().to_string(),
                format!("{} – {} ({})", s.value(), s.name(), s.line()),
            )
        })
        .collect();
    let rungs: Vec<Choice> = (1..=6)
        .filter_map(|s| ParticipationRung::new(s).ok())
        .map(|s| {
            Choice::new(
                s.value().to_string(),
                format!("{} – {}", s.value(), s.name()),
            )
        })
        .collect();
    // ZRM levels in words: "1 – acuut probleem" … "5 – volledig zelfredzaam".
    let scores: Vec<Choice> = (1..=5)
        .filter_map(|s| baken_domain::SelfRelianceScore::new(s).ok())
        .map(|s| {
            Choice::new(
                s.value().to_string(),
                format!("{} – {}", s.value(), s.level()),
            )
        })
        .collect();
    Value::from_serialize(context! {
        scores => scores,
        categories => choices(SignalCategory::ALL, SignalCategory::as_str, SignalCategory::label),
        urgencies => choices(Urgency::ALL, Urgency::as_str, Urgency::label),
        methods => choices(ContactMethod::ALL, ContactMethod::as_str, ContactMethod::label),
        domains => choices(LifeDomain::ALL, LifeDomain::as_str, LifeDomain::label),
        actors => choices(AgreementActor::ALL, AgreementActor::as_str, AgreementActor::label),
        terms => choices(Term::ALL, Term::as_str, Term::label),
        outcomes => choices(GoalOutcome::ALL, GoalOutcome::as_str, GoalOutcome::label),
        steps => steps, rungs => rungs, forms => support_forms(),
    })
}

/// "dezelfde dag", "1 werkdag", "3 werkdagen".
fn working_days(n: u32) -> String {
    match n {
        0 => "dezelfde dag".to_owned(),
        1 => "1 werkdag".to_owned(),
        n => format!("{n} werkdagen"),
    }
}

pub(crate) fn norms_context(n: &ResponseNorms) -> Value {
    Value::from_serialize(context! {
        crisis => n.crisis(), urgent => n.urgent(), normaal => n.normaal(),
        crisis_text => working_days(n.crisis()), urgent_text => working_days(n.urgent()),
        normaal_text => working_days(n.normaal()),
    })
}

// ------------------------------------------------------------------ signals
