//! The demo's commissioning, after Rotterdam-Centrum (seed 004): a welfare
//! provider's subsidy of € 400.000 for 2025 in district Centrum, 80 % fixed
//! and 20 % on a rise of 15 % in active volunteers; the year's casework that
//! Baken computes its indicators from; four quarterly reports, accepted; the
//! advances and the settlement.
//!
//! The casework history is written through casework's own store functions
//! (the same rules as the pages), in 2024–2025, before the casework demo's
//! dates, on Centrum households that have no casework yet: plans with one
//! goal and a provider's agreement, an intake and an evaluation with scores,
//! every plan closed. Half the households are served by the welfare
//! provider, half by a second one, so the scorecard compares two.

use super::*;
use crate::casework::{self as cw, NewSignal, TriageRequest, Who};
use baken_domain::casework::{
    AgreementActor, AgreementDecision, ContactMethod, Conversation, Evaluation, GoalOutcome,
    LifeDomain, NewAgreement, NewGoal, ScoreEntry, Scores, SignalCategory, Term, Urgency,
};
use baken_domain::commissioning::{AgendaGoal, Baken, Commission};
use baken_domain::{DistrictCode, LadderStep, Role, SupportForm};

/// Households in the history (half per provider), and how many more only
/// had a plan in 2024 (for "back within 12 months").
const HISTORY: usize = 120;
const EARLIER: usize = 10;

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| corrupt("demo date"))
}

fn days(d: NaiveDate, n: i64) -> NaiveDate {
    d + chrono::Duration::days(n)
}

fn case_err(e: cw::CaseError) -> StoreError {
    e.into_store()
}

/// Loads the demo's commissioning; `provider_ids` are the demo providers in
/// spec order (0: the welfare provider the demo aanbieder works for).
pub async fn load_demo(tx: &mut Tx, provider_ids: &[i64]) -> Result<()> {
    let (Some(&welfare), Some(&second)) = (provider_ids.first(), provider_ids.get(1)) else {
        return Ok(());
    };
    let districts = crate::areas::districts(tx).await?;
    let Some(centrum) = districts.first() else {
        return Ok(());
    };
    let district = centrum.code.clone();
    history(tx, &district, welfare, second)
        .await
        .map_err(case_err)?;

    let volunteers = create_goal(
        tx,
        &AgendaGoal::new(
            &format!(
                "Meer inwoners van {} doen mee als vrijwilliger",
                centrum.name
            ),
            Baken::new(4).map_err(corrupt)?,
            Some(DistrictCode::parse(&district).map_err(corrupt)?),
        )
        .map_err(corrupt)?,
    )
    .await?;
    let lonely = create_goal(
        tx,
        &AgendaGoal::new(
            &format!("Minder eenzaamheid onder ouderen in {}", centrum.name),
            Baken::new(2).map_err(corrupt)?,
            Some(DistrictCode::parse(&district).map_err(corrupt)?),
        )
        .map_err(corrupt)?,
    )
    .await?;
    create_goal(
        tx,
        &AgendaGoal::new(
            "Inwoners met schulden worden binnen een week geholpen",
            Baken::new(3).map_err(corrupt)?,
            None,
        )
        .map_err(corrupt)?,
    )
    .await?;

    let from = date(2025, 1, 1)?;
    let until = date(2025, 12, 31)?;
    let commission = Commission {
        title: format!("Welzijn {} 2025: betalen voor resultaat", centrum.name),
        kind: CommissionKind::Subsidie,
        provider_id: welfare,
        goals: vec![volunteers, lonely],
        from,
        until,
        budget: Cents::new(40_000_000).map_err(corrupt)?,
        steering: SteeringModel::Regisseur,
        variant: CommissionVariant::Prestatiesubsidie,
        chain_partners: vec![
            format!("Wijkteam {}", centrum.name),
            "Vrijwilligerscentrale Proefstad".into(),
            "Woonstichting Thuis in Proefstad".into(),
        ],
        year_plan: "Wij zetten in op inwoners die elkaar helpen. Het buurthuis wordt gerund door \
                    vrijwilligers; onze opbouwwerker ondersteunt hen. Doel: 15 % meer actieve \
                    vrijwilligers en minder eenzame ouderen."
            .into(),
        work_plan: "Kwartaal 1: werving via de huisbezoeken van het wijkteam. Kwartaal 2: \
                    maatjesproject met de vrijwilligerscentrale. Kwartaal 3 en 4: vrijwilligers \
                    nemen de inloop over."
            .into(),
    }
    .check()
    .map_err(corrupt)?;
    let terms = PaymentTerms {
        fixed_bp: 8_000,
        advances: 4,
        cap: None,
    };
    let id = create_commission(tx, &commission, terms).await?;
    for (indicator, weight) in demo_indicators(from)? {
        add_indicator(tx, id, &indicator, weight, "beleid").await?;
    }

    // The four quarterly reports: prefilled, the volunteers reported, accepted.
    let row = self::commission(tx, id)
        .await?
        .ok_or_else(|| corrupt("demo commission"))?;
    let indicators = indicators(tx, id).await?;
    let goals = commission_goals(tx, id).await?;
    let reports = ensure_reports(tx, &row, report_cadence(&indicators), date(2026, 1, 15)?).await?;
    let counted = [205, 212, 218, 221];
    for (report, volunteers) in reports.iter().zip(counted) {
        let mut values = prefill(tx, &row, &goals, &indicators, report).await?;
        let reported = |id: i64| {
            indicators
                .iter()
                .any(|i| i.id == id && i.current().indicator.source == IndicatorSource::Reported)
        };
        for v in values.iter_mut().filter(|v| reported(v.indicator_id)) {
            v.value = Some(Hundredths::whole(volunteers).value());
            v.evidence = "Registratie vrijwilligerscentrale, peildatum einde kwartaal".into();
        }
        let narrative = "Het maatjesproject loopt; vrijwilligers nemen de inloop over. \
                         Samen met het wijkteam bereiken we ouderen die alleen zijn.";
        save_report(tx, report.id, report.version, narrative, &values).await?;
        report_step(
            tx,
            report.id,
            ReportStep::Submit,
            "aanbieder",
            "aanbieder",
            "",
        )
        .await?;
        report_step(
            tx,
            report.id,
            ReportStep::Accept,
            "beleid",
            "beleid",
            "Akkoord.",
        )
        .await?;
    }
    let rule = payment_rule(&row, &indicators).map_err(corrupt)?;
    for (i, advance) in rule.advance_schedule().iter().enumerate() {
        let on = from
            .checked_add_months(Months::new(3 * i as u32))
            .unwrap_or(from);
        record_payment(
            tx,
            id,
            false,
            on,
            advance.value(),
            &format!("Voorschot {} van {}", i + 1, rule.advance_count()),
        )
        .await?;
    }
    let settlement = settle(tx, &row, &indicators, &rule).await?;
    if let Some(s) = settlement {
        let basis = s
            .payment
            .lines
            .iter()
            .chain(&s.lines)
            .map(|l| format!("{}: {}", l.label, l.cents))
            .collect::<Vec<_>>()
            .join("; ");
        record_payment(tx, id, true, date(2026, 1, 15)?, s.balance, &basis).await?;
    }
    Ok(())
}

/// The demo commission's indicators: one paid (reported until the
/// buurtmarktplaats counts volunteers), four computed effects, and an end
/// outcome with a two-year horizon.
fn demo_indicators(from: NaiveDate) -> Result<Vec<(Indicator, i64)>> {
    let make = |name: &str,
                definition: &str,
                kind: IndicatorKind,
                source: IndicatorSource,
                role: IndicatorRole,
                baseline: i64,
                target: i64,
                cadence: Cadence| {
        Indicator {
            name: name.into(),
            definition: definition.into(),
            kind,
            source,
            role,
            baseline: Some(Hundredths::new(baseline)),
            target: Some(Hundredths::new(target)),
            cadence,
            version: 1,
            valid_from: from,
        }
        .check()
        .map_err(corrupt)
    };
    let computed = IndicatorSource::Computed;
    Ok(vec![
        (
            make(
                "Actieve vrijwilligers in de wijk",
                "Inwoners van de wijk die in het kwartaal minstens één keer als vrijwilliger hielpen, \
                 geteld door de aanbieder uit de registratie van de vrijwilligerscentrale. Nulmeting \
                 2024: 200; doel +15 %. Zodra de buurtmarktplaats er is, telt Baken dit zelf.",
                IndicatorKind::Effect,
                IndicatorSource::Reported,
                IndicatorRole::Paid,
                20_000,
                23_000,
                Cadence::Quarter,
            )?,
            10_000,
        ),
        (
            make(
                "Behaalde doelen",
                ComputedMeasure::GoalsAchieved.how(),
                IndicatorKind::Effect,
                computed(ComputedMeasure::GoalsAchieved),
                IndicatorRole::Target,
                6_000,
                7_000,
                Cadence::Quarter,
            )?,
            0,
        ),
        (
            make(
                "Zelfredzaamheid vooruit",
                ComputedMeasure::ZrmChange.how(),
                IndicatorKind::Effect,
                computed(ComputedMeasure::ZrmChange),
                IndicatorRole::Target,
                30,
                50,
                Cadence::Quarter,
            )?,
            0,
        ),
        (
            make(
                "Geholpen met lichte hulp",
                ComputedMeasure::LightSteps.how(),
                IndicatorKind::Effect,
                computed(ComputedMeasure::LightSteps),
                IndicatorRole::Target,
                8_000,
                8_500,
                Cadence::Quarter,
            )?,
            0,
        ),
        (
            make(
                "Snel erop af",
                ComputedMeasure::DaysToFirstContact.how(),
                IndicatorKind::Effect,
                computed(ComputedMeasure::DaysToFirstContact),
                IndicatorRole::Target,
                500,
                300,
                Cadence::Quarter,
            )?,
            0,
        ),
        (
            make(
                "Niet binnen een jaar terug",
                ComputedMeasure::BackWithinYear.how(),
                IndicatorKind::Outcome { horizon_months: 24 },
                computed(ComputedMeasure::BackWithinYear),
                IndicatorRole::Target,
                1_500,
                1_000,
                Cadence::Year,
            )?,
            0,
        ),
    ])
}

/// Centrum households without casework, for the history.
async fn free_households(tx: &mut Tx, district: &str, n: usize) -> Result<Vec<HouseholdAt>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT h.id, h.postcode, h.house_number, h.house_letter, h.addition, h.team_id FROM households h \
         WHERE h.district_code = $1 AND h.team_id IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM cw_signals s WHERE s.postcode = h.postcode AND s.house_number = h.house_number) \
           AND NOT EXISTS (SELECT 1 FROM cw_plans p WHERE p.household_id = h.id) \
           AND NOT EXISTS (SELECT 1 FROM cw_measurements m WHERE m.household_id = h.id) \
         ORDER BY h.id LIMIT $2"
    )
    .bind(district)
    .bind(n as i64)
    .fetch_all(&mut *c)
    .await
    })?)
}

#[derive(sqlx::FromRow)]
struct HouseholdAt {
    id: i64,
    postcode: String,
    house_number: i64,
    house_letter: String,
    addition: String,
    team_id: Option<i64>,
}

/// One household's year: a signal, first contact, intake, a plan with one
/// goal and the provider's agreement, the evaluation, closing.
struct Story {
    reported: NaiveDate,
    days_to_contact: i64,
    provider: (i64, String),
    intake: i64,
    gain: i64,
    achieved: bool,
    step: u8,
    duration: i64,
}

async fn history(tx: &mut Tx, district: &str, welfare: i64, second: i64) -> cw::Result<()> {
    let names: Vec<(i64, String)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, name FROM providers WHERE id = $1 OR id = $2"
    )
    .bind(welfare)
    .bind(second)
    .fetch_all(&mut *c)
    .await)
    .map_err(StoreError::from)?;
    let name = |id: i64| {
        names
            .iter()
            .find(|n| n.0 == id)
            .map_or_else(String::new, |n| n.1.clone())
    };
    let households = free_households(tx, district, HISTORY + EARLIER).await?;
    // A small demo has fewer free households: spread those over the whole
    // period too.
    let spread = households.len().clamp(1, HISTORY) as i64;
    let start = date(2024, 10, 1)?;
    let earlier = date(2024, 1, 8)?;
    for (i, hh) in households.iter().enumerate() {
        let served_by_welfare = i % 2 == 0;
        let provider = if served_by_welfare { welfare } else { second };
        let story = if i < HISTORY {
            Story {
                // Spread from October 2024 to mid-December 2025, so every
                // quarter of 2025 has new signals, plans and evaluations.
                reported: days(start, (i as i64) * 435 / spread),
                days_to_contact: if served_by_welfare {
                    1 + (i as i64 % 4)
                } else {
                    2 + (i as i64 % 6)
                },
                provider: (provider, name(provider)),
                intake: 1 + (i as i64 / 2) % 4,
                gain: if (i / 2) % 4 <= 1 {
                    1 + (i as i64 / 3) % 2
                } else {
                    (i as i64 / 5) % 2
                },
                achieved: (i / 2) % 5 != 4,
                step: if i % 7 == 3 { 2 } else { 3 },
                duration: 90,
            }
        } else {
            Story {
                reported: days(earlier, (i - HISTORY) as i64 * 9),
                days_to_contact: 3,
                provider: (welfare, name(welfare)),
                intake: 2,
                gain: 1,
                achieved: true,
                step: 3,
                duration: 120,
            }
        };
        tell(tx, hh, &story).await?;
    }
    products(tx, district, &households[..households.len().min(HISTORY)]).await?;
    // Two households of 2024 come back in 2025: a second, short plan.
    for hh in households.iter().skip(HISTORY).take(2) {
        let story = Story {
            reported: date(2025, 3, 3)?,
            days_to_contact: 2,
            provider: (welfare, name(welfare)),
            intake: 2,
            gain: 0,
            achieved: false,
            step: 3,
            duration: 60,
        };
        tell(tx, hh, &story).await?;
    }
    Ok(())
}

async fn tell(tx: &mut Tx, hh: &HouseholdAt, story: &Story) -> cw::Result<()> {
    let (Some((g_id, g_name)), Some((t_id, _))) = (
        cw::first_user(tx, "generalist", hh.team_id).await?,
        cw::first_user(tx, "teamleider", hh.team_id).await?,
    ) else {
        return Ok(());
    };
    let gen = Who {
        user_id: g_id,
        username: g_name,
        role: Role::Generalist,
    };
    let reported = story.reported;
    let signal_id = cw::create_signal(
        tx,
        &NewSignal {
            reported_on: reported,
            category: SignalCategory::ALL[0],
            urgency: Urgency::ALL[Urgency::ALL.len() - 1],
            description: "Zorgen over dit adres: woont alleen en komt de deur niet meer uit."
                .into(),
            source: "Buurtbewoner".into(),
            reported_by: None,
            postcode: hh.postcode.clone(),
            house_number: hh.house_number,
            house_letter: hh.house_letter.clone(),
            addition: hh.addition.clone(),
            place: None,
            callback_phone: None,
        },
    )
    .await?;
    cw::triage(
        tx,
        &TriageRequest {
            signal_id,
            household_id: hh.id,
            generalist: Some(g_id),
            hand_over_reason: "",
            by_user: t_id,
            on: reported,
        },
    )
    .await?;
    let contact = days(reported, story.days_to_contact);
    cw::record_first_contact(
        tx,
        signal_id,
        contact,
        ContactMethod::Huisbezoek,
        "Kennisgemaakt.",
        contact,
    )
    .await?;
    let held = days(contact, 3);
    let mut conv = Conversation::new(held, "Zou graag meer mensen zien", held)?;
    let scores = |level: i64| -> cw::Result<Scores> {
        let mut s = Scores::default();
        for (n, d) in LifeDomain::ALL.iter().enumerate().take(6) {
            let v = (level + (n as i64 % 2)).clamp(1, 5);
            if let Some(e) = ScoreEntry::parse(*d, &v.to_string())? {
                s.0.insert(*d, e);
            }
        }
        Ok(s)
    };
    conv.scores = scores(story.intake)?;
    conv.add_consent(
        &story.provider.1,
        Some(story.provider.0),
        "Ondersteuning en afstemming in het plan",
        days(held, 365),
    )?;
    cw::create_conversation(tx, hh.id, &conv, g_id).await?;
    let opened = days(held, 7);
    let plan_id = cw::open_plan(tx, hh.id, opened, opened, &gen).await?;
    let v = cw::plan_version(tx, plan_id).await?;
    let goal = cw::add_goal(
        tx,
        plan_id,
        v,
        &NewGoal {
            domain: LifeDomain::SociaalNetwerk,
            description: "Weer mensen om zich heen".into(),
            measure: "Twee keer per week contact met iemand uit de buurt".into(),
            target_date: days(opened, story.duration),
            term: Term::Short,
        },
        &gen,
    )
    .await?;
    let v = cw::plan_version(tx, plan_id).await?;
    cw::add_agreement(
        tx,
        plan_id,
        v,
        &NewAgreement {
            goal_id: goal,
            actor: AgreementActor::SocialMapService,
            actor_name: story.provider.1.clone(),
            provider_id: Some(story.provider.0),
            description: "Maatje en de inloop in het buurthuis".into(),
            step: LadderStep::new(story.step).map_err(|e| corrupt(e.to_string()))?,
            form: SupportForm::Faciliteren,
            frequency: "wekelijks".into(),
            start: opened,
            end_date: Some(days(opened, story.duration)),
            own_contribution: "Helpt zelf mee bij de koffie in de inloop".into(),
            justification: None,
            referral_id: None,
        },
        &gen,
    )
    .await?;
    let on = days(opened, story.duration);
    let case = cw::load_case(tx, hh.id).await?;
    let decisions: Vec<(i64, AgreementDecision)> = case
        .open_plan()
        .map(|p| {
            p.agreements()
                .iter()
                .filter(|a| a.is_running())
                .map(|a| (a.id(), AgreementDecision::End))
                .collect()
        })
        .unwrap_or_default();
    let v = cw::plan_version(tx, plan_id).await?;
    let outcome = if story.achieved {
        GoalOutcome::Achieved
    } else {
        GoalOutcome::Partly
    };
    cw::record_evaluation(
        tx,
        plan_id,
        v,
        &Evaluation {
            on,
            outcomes: vec![(goal, outcome, "Besproken met de bewoner".into())],
            agreements: decisions,
        },
        &scores(story.intake + story.gain)?,
        None,
        "Evaluatie met de bewoner en de aanbieder.",
        on,
        &gen,
    )
    .await?;
    let v = cw::plan_version(tx, plan_id).await?;
    let closed = days(on, 2);
    cw::close_plan(
        tx,
        plan_id,
        v,
        closed,
        "Doel besproken; plan afgerond",
        closed,
        &gen,
    )
    .await?;
    Ok(())
}

/// The history's households also had individual support (begeleiding,
/// product 02A01) from one of the first three licensed providers, so the
/// scorecard per product — what a resident sees when choosing a provider —
/// has results to show, even in a small demo. The toewijzingen run in the first half of 2026, the
/// contract's first months.
async fn products(tx: &mut Tx, district: &str, households: &[HouseholdAt]) -> cw::Result<()> {
    use crate::contracting as ct;
    use baken_domain::contracting::{
        Frequency, Scope as Volume, Toewijzing, ToewijzingNumber, Unit,
    };
    let Some(product) = ct::product_by_code(tx, "02", "02A01").await? else {
        return Ok(());
    };
    let begeleiding = product.product()?;
    let start = date(2026, 1, 5)?;
    let offers = ct::offers(tx, product.id, district, start).await?;
    if offers.is_empty() {
        return Ok(());
    }
    let providers = &offers[..offers.len().min(3)];
    for (i, hh) in households.iter().enumerate() {
        let resident: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
            "SELECT id FROM residents WHERE household_id = $1 ORDER BY id LIMIT 1"
        )
        .bind(hh.id)
        .fetch_optional(&mut *c)
        .await)
        .map_err(StoreError::from)?;
        let Some((resident,)) = resident else {
            continue;
        };
        let number = ct::next_toewijzing_number(tx).await?;
        // Spread over the licensed providers, so the choice compares them.
        let provider = &providers[i % providers.len()];
        let toewijzing = Toewijzing::new(
            ToewijzingNumber::new(number).map_err(corrupt)?,
            (product.id, &begeleiding),
            provider.provider_id,
            (start, Some(date(2026, 6, 30)?)),
            Volume::Volume {
                volume: 2,
                unit: Unit::Hour,
                frequency: Frequency::PerWeek,
            },
        )
        .map_err(corrupt)?;
        ct::create_toewijzing(
            tx,
            &ct::NewToewijzing {
                household_id: hh.id,
                resident_id: resident,
                referral_id: None,
                toewijzing: &toewijzing,
                choice: ct::Choice::Resident,
                choice_note: "Keuze van de inwoner",
            },
        )
        .await?;
    }
    Ok(())
}
