//! Sociale kaart and Eigen Kracht Wijzer.
//!
//! - [`service`]: a service (*voorziening*) on the social map, placed on the
//!   responsibility ladder, with the rules that tie step, access and reach together.
//! - [`text`]: Dutch text analysis (Snowball Dutch stemming, whole words,
//!   negation, synonyms) — the one analysis behind the public map search, the
//!   wijzer and the buurtmarktplaats's suggestions.
//! - [`wijzer`]: the self-help guide's matching engine, a pure function from a
//!   resident's answers and beheerder-editable content to suggestions, lightest first.
//! - [`wording`]: the taxonomy's names for professionals, plain words for residents.

pub mod classify;
pub mod location;
pub mod service;
pub mod text;
pub mod wijzer;
pub mod wording;

pub use classify::{suggest_classification, ClassificationSuggestion};
pub use location::{LocationDraft, LocationError, NewLocation};
pub use service::{
    AgeRange, CostUnit, Reach, Service, ServiceAccess, ServiceDraft, ServiceError, ServiceStatus,
};
pub use text::{
    analyse, normalize, stem, tokens, KeyLookups, Matcher, SynonymGroup, Synonyms, Term, TermMatch,
    TermSet,
};
pub use wijzer::{
    suggest, Advice, Answers, Condition, Interest, LabelledAnswers, Limitation, NetworkOption,
    Reason, Rule, RuleAction, SituationOption, SituationQuestion, Story, Suggestion,
    SuggestionKind, Topic, WijzerContent, WijzerError,
};
pub use wijzer::{suggest_with, IndexedService, RuleIndex, ServiceIndex};
pub use wording::Wording;
