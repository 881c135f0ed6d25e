//! Consent with a purpose: what a provider may see of a household.
//!
//! A resident's consent to share with a provider names its purpose — the
//! agreements (or the referral) it covers, and whether the network and the
//! self-reliance scores may be shared too. A provider sees only the agreements
//! it carries out itself, that are running, and that a consent covers which
//! holds today and was not withdrawn ([`provider_view`]). Nothing else of the
//! plan: not another provider's agreement, not the conversation's notes.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeSet;

/// An agreement of the plan as far as sharing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedAgreement {
    pub id: i64,
    /// The provider on the social map that carries it out, if any.
    pub provider_id: Option<i64>,
    /// The referral it rests on (step 5), if any.
    pub referral_id: Option<i64>,
    pub running: bool,
}

/// Why a consent's purpose cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PurposeError {
    #[error("a consent for a provider must cover at least one of its agreements or a referral")]
    Empty,
    #[error("agreement {0} is not carried out by this provider in this plan")]
    ForeignAgreement(i64),
    #[error("referral {0} is not a referral of this plan")]
    ForeignReferral(i64),
}

/// What a consent for a provider covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentPurpose {
    agreements: BTreeSet<i64>,
    referral: Option<i64>,
    network: bool,
    scores: bool,
}

/// What the purpose is made of, before the check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurposeDraft {
    pub agreements: Vec<i64>,
    pub referral: Option<i64>,
    /// The network (names, relation, what they do) may be shared.
    pub network: bool,
    /// The self-reliance scores may be shared.
    pub scores: bool,
}

impl ConsentPurpose {
    /// A purpose for `provider_id`: every agreement named must be one this
    /// provider carries out in `plan`, a referral must be one of `referrals`,
    /// and at least one of them must be named.
    pub fn new(
        provider_id: i64,
        draft: &PurposeDraft,
        plan: &[SharedAgreement],
        referrals: &[i64],
    ) -> Result<ConsentPurpose, PurposeError> {
        for id in &draft.agreements {
            let ours = plan
                .iter()
                .any(|a| a.id == *id && a.provider_id == Some(provider_id));
            if !ours {
                return Err(PurposeError::ForeignAgreement(*id));
            }
        }
        if let Some(r) = draft.referral {
            if !referrals.contains(&r) {
                return Err(PurposeError::ForeignReferral(r));
            }
        }
        if draft.agreements.is_empty() && draft.referral.is_none() {
            return Err(PurposeError::Empty);
        }
        Ok(ConsentPurpose {
            agreements: draft.agreements.iter().copied().collect(),
            referral: draft.referral,
            network: draft.network,
            scores: draft.scores,
        })
    }

    /// A purpose as stored (checked when it was given).
    pub fn from_stored(draft: &PurposeDraft) -> ConsentPurpose {
        ConsentPurpose {
            agreements: draft.agreements.iter().copied().collect(),
            referral: draft.referral,
            network: draft.network,
            scores: draft.scores,
        }
    }

    /// Does it cover this agreement: named, or resting on the referral named?
    pub fn covers(&self, agreement: &SharedAgreement) -> bool {
        self.agreements.contains(&agreement.id)
            || (self.referral.is_some() && agreement.referral_id == self.referral)
    }
    pub fn agreements(&self) -> impl Iterator<Item = i64> + '_ {
        self.agreements.iter().copied()
    }
    pub fn referral(&self) -> Option<i64> {
        self.referral
    }
    pub fn shares_network(&self) -> bool {
        self.network
    }
    pub fn shares_scores(&self) -> bool {
        self.scores
    }
}

/// A consent for a provider, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub provider_id: i64,
    pub given_on: NaiveDate,
    pub until: NaiveDate,
    /// Withdrawn by the resident or the team: it no longer holds, from that
    /// moment on.
    pub withdrawn: bool,
    pub purpose: ConsentPurpose,
}

impl Grant {
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        !self.withdrawn && self.given_on <= day && day <= self.until
    }
}

/// What one provider may see of a household on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProviderView {
    /// The agreements it carries out under a consent that holds, by id.
    pub agreements: Vec<i64>,
    /// The network, when a consent that holds says so.
    pub network: bool,
    /// The self-reliance scores, when a consent that holds says so.
    pub scores: bool,
}

impl ProviderView {
    /// May the provider see the household at all? Only for an agreement.
    pub fn may_see(&self) -> bool {
        !self.agreements.is_empty()
    }
}

/// What `provider_id` may see on `day`, given the household's consents and
/// the agreements of its open plan.
pub fn provider_view(
    provider_id: i64,
    day: NaiveDate,
    grants: &[Grant],
    plan: &[SharedAgreement],
) -> ProviderView {
    let holding: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.provider_id == provider_id && g.holds_on(day))
        .collect();
    let mut view = ProviderView::default();
    for a in plan {
        if a.provider_id != Some(provider_id) || !a.running {
            continue;
        }
        let covering: Vec<&&Grant> = holding.iter().filter(|g| g.purpose.covers(a)).collect();
        if covering.is_empty() {
            continue;
        }
        view.agreements.push(a.id);
        view.network |= covering.iter().any(|g| g.purpose.network);
        view.scores |= covering.iter().any(|g| g.purpose.scores);
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(day: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") + chrono::Duration::days(day)
    }

    fn agreement(id: i64, provider: Option<i64>) -> SharedAgreement {
        SharedAgreement {
            id,
            provider_id: provider,
            referral_id: None,
            running: true,
        }
    }

    #[test]
    fn purpose_names_only_the_providers_own_agreements() {
        let plan = [
            agreement(1, Some(7)),
            agreement(2, Some(8)),
            agreement(3, None),
        ];
        let draft = |ids: &[i64]| PurposeDraft {
            agreements: ids.to_vec(),
            ..PurposeDraft::default()
        };
        assert!(ConsentPurpose::new(7, &draft(&[1]), &plan, &[]).is_ok());
        assert_eq!(
            ConsentPurpose::new(7, &draft(&[1, 2]), &plan, &[]),
            Err(PurposeError::ForeignAgreement(2))
        );
        assert_eq!(
            ConsentPurpose::new(7, &draft(&[]), &plan, &[]),
            Err(PurposeError::Empty)
        );
        let by_referral = PurposeDraft {
            referral: Some(4),
            ..PurposeDraft::default()
        };
        assert_eq!(
            ConsentPurpose::new(7, &by_referral, &plan, &[]),
            Err(PurposeError::ForeignReferral(4))
        );
        assert!(ConsentPurpose::new(7, &by_referral, &plan, &[4]).is_ok());
    }

    #[test]
    fn consent_for_one_agreement_hides_another_providers_agreement() {
        let plan = [agreement(1, Some(7)), agreement(2, Some(8))];
        let grant = Grant {
            provider_id: 7,
            given_on: d(0),
            until: d(100),
            withdrawn: false,
            purpose: ConsentPurpose::from_stored(&PurposeDraft {
                agreements: vec![1, 2],
                ..PurposeDraft::default()
            }),
        };
        let view = provider_view(7, d(10), std::slice::from_ref(&grant), &plan);
        assert_eq!(view.agreements, vec![1]);
        assert!(!view.network && !view.scores);
        let withdrawn = Grant {
            withdrawn: true,
            ..grant
        };
        assert!(!provider_view(7, d(10), &[withdrawn], &plan).may_see());
    }

    fn grant() -> impl Strategy<Value = Grant> {
        (
            1i64..4,
            0i64..30,
            0i64..60,
            any::<bool>(),
            prop::collection::vec(1i64..12, 0..4),
            prop::option::of(1i64..3),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                |(provider_id, from, len, withdrawn, agreements, referral, network, scores)| {
                    Grant {
                        provider_id,
                        given_on: d(from),
                        until: d(from + len + 1),
                        withdrawn,
                        purpose: ConsentPurpose::from_stored(&PurposeDraft {
                            agreements,
                            referral,
                            network,
                            scores,
                        }),
                    }
                },
            )
    }

    fn plan() -> impl Strategy<Value = Vec<SharedAgreement>> {
        prop::collection::vec(
            (
                prop::option::of(1i64..4),
                prop::option::of(1i64..3),
                any::<bool>(),
            ),
            0..12,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (provider_id, referral_id, running))| SharedAgreement {
                    id: i as i64 + 1,
                    provider_id,
                    referral_id,
                    running,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn a_provider_sees_only_its_own_running_agreements_under_a_holding_consent(
            grants in prop::collection::vec(grant(), 0..6),
            plan in plan(),
            provider in 1i64..4,
            day in 0i64..100,
        ) {
            let day = d(day);
            let view = provider_view(provider, day, &grants, &plan);
            for id in &view.agreements {
                let a = plan.iter().find(|a| a.id == *id).expect("in plan");
                prop_assert_eq!(a.provider_id, Some(provider));
                prop_assert!(a.running);
                prop_assert!(grants.iter().any(|g| g.provider_id == provider
                    && g.holds_on(day) && g.purpose.covers(a)));
            }
            // Nothing beyond the agreements without one.
            if !view.may_see() {
                prop_assert!(!view.network && !view.scores);
            }
            // Withdrawing every consent ends all access at once.
            let withdrawn: Vec<Grant> = grants.iter().cloned()
                .map(|g| if g.provider_id == provider { Grant { withdrawn: true, ..g } } else { g })
                .collect();
            prop_assert!(!provider_view(provider, day, &withdrawn, &plan).may_see());
            // Another provider's consents change nothing.
            let own: Vec<Grant> = grants.iter().filter(|g| g.provider_id == provider).cloned().collect();
            prop_assert_eq!(provider_view(provider, day, &own, &plan), view);
        }

        #[test]
        fn a_checked_purpose_never_covers_another_providers_agreement(
            plan in plan(),
            provider in 1i64..4,
            ids in prop::collection::vec(1i64..12, 0..5),
        ) {
            let draft = PurposeDraft { agreements: ids, ..PurposeDraft::default() };
            if let Ok(purpose) = ConsentPurpose::new(provider, &draft, &plan, &[]) {
                for a in &plan {
                    if purpose.covers(a) {
                        prop_assert_eq!(a.provider_id, Some(provider));
                    }
                }
            }
        }
    }
}
