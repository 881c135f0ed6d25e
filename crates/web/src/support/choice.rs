//! Choice lists for `<select>` elements and groups of radio buttons: a value the
//! form sends back and the Dutch label a person reads.

use baken_domain::SupportForm;
use serde::Serialize;

/// One option of a choice list; templates read `value` and `label`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// A choice per item of `all`, in its order: `value` is what the form sends
/// back (the code the type parses), `label` what the page shows.
pub fn choices<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|item| Choice::new(value(*item), label(*item)))
        .collect()
}

/// The forms of support, light to heavy. The value is the Dutch word itself
/// ("interveniëren"), which [`SupportForm::parse`] reads back; the social map's
/// beheer form and the plan's agreement form both offer this list.
pub fn support_forms() -> Vec<Choice> {
    choices(&SupportForm::ALL, SupportForm::label, SupportForm::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_support_is_offered_once_and_reads_back() {
        let offered = support_forms();
        assert_eq!(offered.len(), SupportForm::ALL.len());
        for (choice, form) in offered.iter().zip(SupportForm::ALL) {
            assert_eq!(SupportForm::parse(&choice.value).ok(), Some(form));
            assert_eq!(choice.label, form.label());
        }
    }
}
