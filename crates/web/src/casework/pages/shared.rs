//! What the casework pages share: choice lists and the norms shown in words.

use baken_domain::casework::{
    AgreementActor, ContactMethod, GoalOutcome, LifeDomain, ResponseNorms, SignalCategory, Term,
    Urgency,
};
use baken_domain::{LadderStep, ParticipationRung, SupportForm};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) type Errors = BTreeMap<String, String>;

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
}

fn opts<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
        })
        .collect()
}

pub(crate) fn choices() -> Value {
    let steps: Vec<Opt> = (1..=5)
        .filter_map(|s| LadderStep::new(s).ok())
        .map(|s| Opt {
            value: s.value().to_string(),
            label: format!("{} – {} ({})", s.value(), s.name(), s.line()),
        })
        .collect();
    let rungs: Vec<Opt> = (1..=6)
        .filter_map(|s| ParticipationRung::new(s).ok())
        .map(|s| Opt {
            value: s.value().to_string(),
            label: format!("{} – {}", s.value(), s.name()),
        })
        .collect();
    let forms: Vec<Opt> = [
        SupportForm::Faciliteren,
        SupportForm::Ondersteunen,
        SupportForm::Intervenieren,
        SupportForm::Beschermen,
    ]
    .iter()
    .map(|f| Opt {
        value: f.label().to_owned(),
        label: f.label().to_owned(),
    })
    .collect();
    Value::from_serialize(context! {
        categories => opts(SignalCategory::ALL, SignalCategory::as_str, SignalCategory::label),
        urgencies => opts(Urgency::ALL, Urgency::as_str, Urgency::label),
        methods => opts(ContactMethod::ALL, ContactMethod::as_str, ContactMethod::label),
        domains => opts(LifeDomain::ALL, LifeDomain::as_str, LifeDomain::label),
        actors => opts(AgreementActor::ALL, AgreementActor::as_str, AgreementActor::label),
        terms => opts(Term::ALL, Term::as_str, Term::label),
        outcomes => opts(GoalOutcome::ALL, GoalOutcome::as_str, GoalOutcome::label),
        steps => steps, rungs => rungs, forms => forms,
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
