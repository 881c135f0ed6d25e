//! Synthetic demo data for the casework module: households in every stage of
//! casework, from a fresh signal to a closed plan. Deterministic for a seed.
//!
//! This only says *what* happens to which household; the store's demo loader
//! carries it out through the same rules as the pages do, so the demo can never
//! hold a plan the domain would refuse.

use crate::{Config, Municipality};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How far a household's casework has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A signal nobody has triaged yet.
    Reported,
    /// Triaged and assigned; no contact yet.
    Triaged,
    /// First contact made.
    Contacted,
    /// Kitchen-table conversation held.
    Conversation,
    /// A plan with goals and informal agreements (steps 1–3).
    PlanOpen,
    /// A plan with a step-4 agreement and a step-5 referral waiting.
    ReferralPending,
    /// A step-5 agreement on an approved referral, after an earlier rejection.
    Specialised,
    /// Evaluated, with better scores.
    Evaluated,
    /// Every agreement ended, the plan closed.
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Reported,
        Stage::Triaged,
        Stage::Contacted,
        Stage::Conversation,
        Stage::PlanOpen,
        Stage::ReferralPending,
        Stage::Specialised,
        Stage::Evaluated,
        Stage::Closed,
    ];
    /// Is `self` at or past `other`?
    pub fn reached(self, other: Stage) -> bool {
        self as u8 >= other as u8
    }
}

/// The order in which a team's households take the stages: the ones every
/// view needs first, so that even a small demo team shows referrals waiting
/// and decided, overdue signals and evaluations.
const ROTATION: [Stage; 9] = [
    Stage::ReferralPending,
    Stage::Specialised,
    Stage::Reported,
    Stage::Evaluated,
    Stage::PlanOpen,
    Stage::Triaged,
    Stage::Closed,
    Stage::Conversation,
    Stage::Contacted,
];

/// The casework of one household.
#[derive(Debug, Clone)]
pub struct CaseSpec {
    /// Index of the household in [`crate::Municipality::households`].
    pub household: u64,
    pub stage: Stage,
    /// Index into the signal categories (`SignalCategory::ALL`).
    pub category: usize,
    /// 0 crisis, 1 urgent, 2 normaal.
    pub urgency: usize,
    /// Days before the reference date that the signal came in.
    pub reported_days_ago: i64,
    /// Calendar days from signal to first contact.
    pub days_to_contact: i64,
    /// Scores 1–5 on the 13 domains at intake (0 = n.v.t.).
    pub intake_scores: [u8; 13],
    /// Participation rung at intake.
    pub rung: u8,
    /// Whether the conversation finds a different question behind the question.
    pub need_differs: bool,
    /// A second signal about the same household.
    pub repeated: bool,
    /// Index into [`crate::Municipality::providers`]: the welfare provider the
    /// resident consents to share with at the conversation.
    pub provider: usize,
    /// Whether the plan has an agreement carried out by that provider (which,
    /// with the consent, lets it see the plan).
    pub provider_agreement: bool,
    /// Index into [`crate::Municipality::providers`]: the specialist provider
    /// of a step-5 agreement (stage [`Stage::Specialised`]), also consented to.
    pub specialist: usize,
    /// Whether the resident also consents to share with their GP — a party
    /// that is not a provider on the social map, so named in free text.
    pub gp_consent: bool,
}

/// Welfare providers a household may be supported by (indices into
/// [`crate::Municipality::providers`]; 0 is the demo aanbieder's).
const WELFARE_PROVIDERS: [usize; 3] = [0, 1, 4];
/// Specialist providers for step 5.
const SPECIALISTS: [usize; 3] = [2, 3, 5];

const SOURCES: [&str; 6] = [
    "Woningcorporatie Proefstad Wonen",
    "Huisarts",
    "Wijkagent",
    "Buurtbewoner",
    "School",
    "Schuldeiser (energieleverancier)",
];

/// Who reported a spec's signal.
pub fn source(spec: &CaseSpec) -> &'static str {
    SOURCES[(spec.household as usize + spec.category) % SOURCES.len()]
}

/// Every `n`-th household gets casework, the stages taking turns within each
/// team so that every team has every stage; household 0 (the demo resident's)
/// is always evaluated, so their own plan has something to show.
pub fn cases(m: &Municipality, config: &Config) -> Vec<CaseSpec> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0xCA5E_0000);
    let mut per_team = vec![0usize; m.teams.len().max(1)];
    // Each team's first untriaged signal comes twice, so that triage shows
    // repeated signals about one address before they are linked.
    let mut repeated_untriaged = vec![false; m.teams.len().max(1)];
    let mut out = Vec::new();
    for h in m.households(config) {
        let i = h.index;
        // Small demos (tests, a laptop): three in four households; large ones
        // (benchmarks): one in forty.
        let chosen = if config.households <= 300 {
            i % 4 != 3
        } else {
            i % 40 == 0
        };
        if !chosen {
            continue;
        }
        let stage = if i == 0 {
            Stage::Evaluated
        } else {
            let turn = per_team.get_mut(h.team).map(|n| {
                *n += 1;
                *n - 1
            });
            ROTATION[turn.unwrap_or(0) % ROTATION.len()]
        };
        let mut scores = [0u8; 13];
        for s in scores.iter_mut() {
            *s = if rng.gen_bool(0.1) {
                0
            } else {
                rng.gen_range(1..=4)
            };
        }
        out.push(CaseSpec {
            household: i,
            stage,
            category: rng.gen_range(0..11),
            urgency: rng.gen_range(0..3),
            reported_days_ago: rng.gen_range(120..200),
            days_to_contact: rng.gen_range(0..12),
            intake_scores: scores,
            rung: rng.gen_range(1..=4),
            need_differs: rng.gen_bool(0.6),
            repeated: {
                let by_chance = rng.gen_bool(0.15);
                match repeated_untriaged.get_mut(h.team) {
                    Some(done) if stage == Stage::Reported && !*done => {
                        *done = true;
                        true
                    }
                    _ => by_chance,
                }
            },
            provider: if i == 0 {
                WELFARE_PROVIDERS[0]
            } else {
                WELFARE_PROVIDERS[rng.gen_range(0..WELFARE_PROVIDERS.len())]
            },
            provider_agreement: i == 0 || rng.gen_bool(0.35),
            specialist: SPECIALISTS[rng.gen_range(0..SPECIALISTS.len())],
            gp_consent: rng.gen_bool(0.3),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_demo_has_every_stage() {
        let m = crate::municipality();
        let specs = cases(&m, &Config::new(200, 42));
        for stage in Stage::ALL {
            assert!(specs.iter().any(|s| s.stage == stage), "{stage:?}");
        }
        assert_eq!(specs[0].household, 0);
        assert_eq!(cases(&m, &Config::new(200, 42)).len(), specs.len());
    }

    #[test]
    fn providers_are_named_by_index_and_the_demo_provider_works_for_the_resident() {
        let m = crate::municipality();
        let specs = cases(&m, &Config::new(200, 42));
        assert!(specs
            .iter()
            .all(|s| s.provider < m.providers.len() && s.specialist < m.providers.len()));
        assert_eq!((specs[0].provider, specs[0].provider_agreement), (0, true));
        assert!(specs
            .iter()
            .any(|s| s.provider != 0 && s.provider_agreement));
        assert!(specs.iter().any(|s| s.gp_consent));
        assert!(specs
            .iter()
            .any(|s| s.stage == Stage::Reported && s.repeated));
    }
}
