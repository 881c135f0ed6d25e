//! Commissioning's storage on both backends: products, contracts with tariff
//! versions, licences, who is offered, toewijzingen with start and stop, a
//! provider's verzoek and its answer. Each test builds its own contract data
//! (product codes in category 10, which the demo does not use).

use baken_domain::contracting::{
    Cents, Contract, Evidence, ExecutionVariant, Frequency, Licence, LicenceApplication, Product,
    ProductCategory, ProductCode, Scope, StopReason, TeamMandate, Toewijzing, ToewijzingNumber,
    Unit,
};
use baken_domain::{LadderStep, MunicipalityCode};
use baken_store::contracting::{self as ct, Choice, NewRequest, NewToewijzing, RequestAnswer};
use baken_store::testing::{self, TestDb};
use baken_store::{areas, demo, StoreError, Tx};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn dbs() -> Vec<TestDb> {
    let dbs = testing::all().await;
    for t in &dbs {
        demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(5, 3),
            "x",
            |_| {},
        )
        .await
        .expect("demo load");
    }
    dbs
}

const EFFORT: ExecutionVariant = ExecutionVariant::Effort {
    unit: Unit::Hour,
    frequency: Frequency::PerWeek,
};

/// A begeleiding-like product in a contract for 2026–2027 with a tariff from
/// 2026-01-01 and a raised one from 2026-07-01. Returns (product, contract,
/// old tariff, new tariff).
async fn contract_with_two_tariffs(tx: &mut Tx) -> (i64, i64, i64, i64) {
    let product = Product::new(
        ProductCategory::parse("10").unwrap(),
        ProductCode::parse("T0001").unwrap(),
        "Begeleiding proef",
        LadderStep::new(5).unwrap(),
        EFFORT,
    )
    .unwrap();
    let product_id = ct::create_product(tx, &product).await.unwrap();
    let contract = Contract::new(
        0,
        "Perceel proef",
        vec![MunicipalityCode::parse("GM9999").unwrap()],
        d("2026-01-01"),
        d("2027-12-31"),
    )
    .unwrap();
    let contract_id =
        ct::create_contract(tx, &contract, &[product_id], &["HKZ-certificaat".into()])
            .await
            .unwrap();
    let old = ct::set_tariff(
        tx,
        contract_id,
        product_id,
        Cents::new(6000).unwrap(),
        d("2026-01-01"),
    )
    .await
    .unwrap()
    .unwrap();
    let new = ct::set_tariff(
        tx,
        contract_id,
        product_id,
        Cents::new(6400).unwrap(),
        d("2026-07-01"),
    )
    .await
    .unwrap()
    .unwrap();
    (product_id, contract_id, old, new)
}

/// A provider that applied with evidence and the given tariffs; accepted
/// when `accept`.
async fn provider(tx: &mut Tx, name: &str, contract_id: i64, tariffs: &[i64], accept: bool) -> i64 {
    let provider_id = areas::create_provider(tx, name, "wmo").await.unwrap();
    let contract = ct::contract(tx, contract_id).await.unwrap().unwrap();
    let requirement = contract.requirements()[0].id;
    let evidence: BTreeMap<i64, Evidence> = [(
        requirement,
        Evidence::statement("HKZ-certificaat nr. 42", d("2026-01-01")).unwrap(),
    )]
    .into();
    // Applied before the new tariff existed: only the tariffs named count.
    let accepted: BTreeSet<i64> = tariffs.iter().copied().collect();
    let application = LicenceApplication::new(
        &contract.without_tariffs(),
        evidence,
        accepted,
        d("2026-01-02"),
    )
    .unwrap();
    let licence_id =
        ct::apply_for_licence(tx, provider_id, &contract, &application, d("2026-01-02"))
            .await
            .unwrap();
    if accept {
        let row = ct::licence(tx, licence_id).await.unwrap().unwrap();
        let mut licence: Licence = row.licence().unwrap();
        licence.decide(true, "", d("2026-01-03")).unwrap();
        ct::store_licence_decision(tx, &licence, row.version)
            .await
            .unwrap();
    }
    provider_id
}

#[tokio::test]
async fn only_licensed_providers_that_accepted_the_days_tariff_are_offered() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let (product, contract, old, new) = contract_with_two_tariffs(&mut tx).await;
        let both = provider(&mut tx, "Zorg Beide", contract, &[old, new], true).await;
        let only_old = provider(&mut tx, "Zorg Oud", contract, &[old], true).await;
        let _unlicensed = provider(&mut tx, "Zorg Aangevraagd", contract, &[old, new], false).await;
        ct::report_waiting_time(&mut tx, both, product, 3, d("2026-05-01"))
            .await
            .unwrap();
        let names = |offers: Vec<ct::Offer>| offers.into_iter().map(|o| o.name).collect::<Vec<_>>();
        let before = ct::offers(&mut tx, product, "WK999901", d("2026-06-30"))
            .await
            .unwrap();
        assert_eq!(
            before[0].waiting,
            Some((3, d("2026-05-01"))),
            "{:?}",
            t.backend()
        );
        assert_eq!(
            names(before),
            ["Zorg Beide", "Zorg Oud"],
            "{:?}",
            t.backend()
        );
        let after = ct::offers(&mut tx, product, "WK999901", d("2026-07-01"))
            .await
            .unwrap();
        assert_eq!(names(after), ["Zorg Beide"], "{:?}", t.backend());
        // Accepting the new tariff later brings the provider back.
        ct::accept_tariffs(&mut tx, only_old, &[new].into(), d("2026-07-02"))
            .await
            .unwrap();
        let later = ct::offers(&mut tx, product, "WK999901", d("2026-07-03"))
            .await
            .unwrap();
        assert_eq!(later.len(), 2, "{:?}", t.backend());
        // A provider that works elsewhere is not offered in this district.
        ct::set_provider_districts(&mut tx, only_old, &["WK999902".into()])
            .await
            .unwrap();
        let here = ct::offers(&mut tx, product, "WK999901", d("2026-07-03"))
            .await
            .unwrap();
        assert_eq!(names(here), ["Zorg Beide"], "{:?}", t.backend());
        // Tariff versions are kept: the old one ends the day before the new.
        let c = ct::contract(&mut tx, contract).await.unwrap().unwrap();
        assert_eq!(c.tariffs().len(), 2);
        assert_eq!(c.tariff_on(product, d("2026-06-30")).unwrap().id, old);
        assert_eq!(c.tariff_on(product, d("2026-07-01")).unwrap().id, new);
    }
}

#[tokio::test]
async fn a_rejected_licence_keeps_its_reason_and_a_stale_decision_is_refused() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let (_, contract, old, new) = contract_with_two_tariffs(&mut tx).await;
        let p = provider(&mut tx, "Zorg Afgewezen", contract, &[old, new], false).await;
        let row = ct::licences(&mut tx, Some(p)).await.unwrap().remove(0);
        let mut licence = row.licence().unwrap();
        licence
            .decide(false, "Geen VOG voor het personeel", d("2026-01-05"))
            .unwrap();
        ct::store_licence_decision(&mut tx, &licence, row.version)
            .await
            .unwrap();
        let stored = ct::licence(&mut tx, row.id).await.unwrap().unwrap();
        assert_eq!(stored.status, "afgewezen");
        assert_eq!(
            stored.reason.as_deref(),
            Some("Geen VOG voor het personeel")
        );
        let err = ct::store_licence_decision(&mut tx, &licence, row.version)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        let evidence = ct::licence_evidence(&mut tx, row.id).await.unwrap();
        assert_eq!(evidence[0].1, "HKZ-certificaat");
    }
}

async fn first_resident(tx: &mut Tx) -> (i64, i64, String) {
    baken_store::with_conn!(tx, |c| {
        baken_store::sqlx::query_as::<_, (i64, i64, String)>(
            "SELECT id, household_id, bsn FROM residents ORDER BY id LIMIT 1",
        )
        .fetch_one(&mut *c)
        .await
    })
    .unwrap()
}

#[tokio::test]
async fn a_toewijzing_is_exported_started_and_stopped_by_its_own_provider_only() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let (product_id, contract, old, new) = contract_with_two_tariffs(&mut tx).await;
        let p = provider(&mut tx, "Zorg Start", contract, &[old, new], true).await;
        let other = provider(&mut tx, "Zorg Ander", contract, &[old, new], true).await;
        ct::set_agb_code(&mut tx, p, "42429901").await.unwrap();
        let (resident, household, bsn) = first_resident(&mut tx).await;
        let product = ct::product_row(&mut tx, product_id)
            .await
            .unwrap()
            .unwrap()
            .product()
            .unwrap();
        let number = ct::next_toewijzing_number(&mut tx).await.unwrap();
        let toewijzing = Toewijzing::new(
            ToewijzingNumber::new(number).unwrap(),
            (product_id, &product),
            p,
            (d("2026-08-01"), Some(d("2027-07-31"))),
            Scope::Volume {
                volume: 3,
                unit: Unit::Hour,
                frequency: Frequency::PerWeek,
            },
        )
        .unwrap();
        let id = ct::create_toewijzing(
            &mut tx,
            &NewToewijzing {
                household_id: household,
                resident_id: resident,
                referral_id: None,
                toewijzing: &toewijzing,
                choice: Choice::Resident,
                choice_note: "Dichtbij huis",
            },
        )
        .await
        .unwrap();
        let export = ct::toewijzingen_for_export(&mut tx, None).await.unwrap();
        assert_eq!(export.len(), 1);
        // The same row on its own (the WMO301 that answers a verzoek).
        let one = ct::toewijzing_for_export(&mut tx, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((one.number, &one.bsn), (export[0].number, &export[0].bsn));
        assert!(ct::toewijzing_for_export(&mut tx, id + 1000)
            .await
            .unwrap()
            .is_none());
        assert_eq!(export[0].agb_code.as_deref(), Some("42429901"));
        assert_eq!(export[0].bsn, bsn);
        let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
        assert!(ct::toewijzingen_for_export(&mut tx, Some(tomorrow))
            .await
            .unwrap()
            .is_empty());

        let err = ct::record_start(&mut tx, other, number, d("2026-08-03"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err}");
        ct::record_start(&mut tx, p, number, d("2026-08-03"))
            .await
            .unwrap();
        let rows = ct::household_toewijzingen(&mut tx, household)
            .await
            .unwrap();
        assert_eq!(rows[0].delivery().as_deref(), Some("gestart op 03-08-2026"));
        assert_eq!(rows[0].scope_text(), "3 uur per week");
        ct::record_stop(
            &mut tx,
            p,
            number,
            d("2027-01-15"),
            StopReason::parse("31").unwrap(),
        )
        .await
        .unwrap();
        let rows = ct::household_toewijzingen(&mut tx, household)
            .await
            .unwrap();
        assert_eq!(
            rows[0].delivery().as_deref(),
            Some("gestopt op 15-01-2027, reden verhuizing naar een andere gemeente")
        );
        ct::record_message(&mut tx, "in", "WMO305", "42429901", "1")
            .await
            .unwrap();
        let again = ct::record_message(&mut tx, "in", "WMO305", "42429901", "1")
            .await
            .unwrap_err();
        assert!(matches!(again, StoreError::Duplicate(_)), "{again}");
    }
}

#[tokio::test]
async fn a_verzoek_is_answered_once_and_a_mandate_is_kept_per_team() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let (product_id, contract, old, new) = contract_with_two_tariffs(&mut tx).await;
        let p = provider(&mut tx, "Zorg Verzoek", contract, &[old, new], true).await;
        let (_, _, bsn) = first_resident(&mut tx).await;
        let resident = ct::resident_by_bsn(&mut tx, &bsn).await.unwrap();
        assert!(resident.is_some());
        let id = ct::create_request(
            &mut tx,
            &NewRequest {
                provider_id: p,
                message_id: "123",
                reference: "REF-1",
                resident,
                product_id: Some(product_id),
                start: d("2026-09-01"),
                end: Some(d("2026-12-31")),
                volume: Some((4, "04", "2")),
                received_on: d("2026-08-20"),
                deadline: d("2026-08-27"),
            },
        )
        .await
        .unwrap();
        let team = resident.unwrap().2;
        let open = ct::requests(&mut tx, team, true).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].deadline, d("2026-08-27"));
        let answer = RequestAnswer {
            granted: false,
            reason_code: Some("7"),
            note: "Past niet bij de vraag",
            on: d("2026-08-21"),
            toewijzing_id: None,
            answer_message_id: "900",
            answer_xml: Some("<wmo319/>"),
        };
        ct::answer_request(&mut tx, id, &answer).await.unwrap();
        assert!(ct::requests(&mut tx, team, true).await.unwrap().is_empty());
        assert!(matches!(
            ct::answer_request(&mut tx, id, &answer).await,
            Err(StoreError::Conflict { .. })
        ));

        let team_id = areas::teams(&mut tx).await.unwrap()[0].id;
        let demo = ct::team_mandate(&mut tx, team_id).await.unwrap().unwrap();
        assert_eq!(demo.yearly_budget.value(), 50_000);
        let mandate = TeamMandate {
            highest_step: LadderStep::new(3).unwrap(),
            yearly_budget: Cents::new(20_000).unwrap(),
        };
        ct::set_team_mandate(&mut tx, team_id, &mandate)
            .await
            .unwrap();
        ct::set_team_mandate(&mut tx, team_id, &mandate)
            .await
            .unwrap();
        assert_eq!(
            ct::team_mandate(&mut tx, team_id).await.unwrap(),
            Some(mandate)
        );
    }
}

#[tokio::test]
async fn the_demo_offers_three_providers_for_begeleiding_once_the_new_tariff_applies() {
    for t in dbs().await {
        let mut tx = t.db.read().await.unwrap();
        let begeleiding = ct::product_by_code(&mut tx, "02", "02A01")
            .await
            .unwrap()
            .unwrap();
        let names = |offers: Vec<ct::Offer>| offers.into_iter().map(|o| o.name).collect::<Vec<_>>();
        let now = ct::offers(&mut tx, begeleiding.id, "WK999901", d("2026-11-01"))
            .await
            .unwrap();
        assert!(now.iter().all(|o| o.waiting.is_some()));
        assert_eq!(
            names(now),
            [
                "Stichting Op Eigen Kracht",
                "Begeleiding Dichtbij",
                "Zorggroep De Linde"
            ],
            "{:?}",
            t.backend()
        );
        // The day before the new tariff, the provider that accepted only the
        // old one is still offered; the one without a licence never is.
        let before = names(
            ct::offers(&mut tx, begeleiding.id, "WK999901", d("2026-10-31"))
                .await
                .unwrap(),
        );
        assert_eq!(before.len(), 4);
        assert!(before.contains(&"Zorg op Maat Proefland".to_owned()));
        assert!(!before.contains(&"Thuiszorg Noorderlicht".to_owned()));
        assert_eq!(
            baken_store::settings::get(&mut tx, ct::SETTING_GEMEENTECODE)
                .await
                .unwrap()
                .as_deref(),
            Some("9999")
        );
    }
}

#[tokio::test]
async fn an_evidence_document_is_stored_with_its_application_and_read_back_byte_for_byte() {
    let pdf = b"%PDF-1.4\n\x00\xff binary \x01 content\n%%EOF\n".to_vec();
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let (_, contract_id, old, new) = contract_with_two_tariffs(&mut tx).await;
        let contract = ct::contract(&mut tx, contract_id).await.unwrap().unwrap();
        let requirement = contract.requirements()[0].id;
        let provider_id = areas::create_provider(&mut tx, "Zorg Met Document", "wmo")
            .await
            .unwrap();
        let file = baken_domain::contracting::EvidenceFile::new("VOG.pdf", pdf.clone()).unwrap();
        let mut evidence: BTreeMap<i64, Evidence> = [(
            requirement,
            Evidence::Document {
                file,
                dated: d("2026-01-02"),
            },
        )]
        .into();
        for r in &contract.requirements()[1..] {
            evidence.insert(
                r.id,
                Evidence::statement("Verklaring", d("2026-01-02")).unwrap(),
            );
        }
        let application = LicenceApplication::new(
            &contract.without_tariffs(),
            evidence,
            [old, new].into(),
            d("2026-01-02"),
        )
        .unwrap();
        let licence = ct::apply_for_licence(
            &mut tx,
            provider_id,
            &contract,
            &application,
            d("2026-01-02"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.db.read().await.unwrap();
        let doc = ct::evidence_document(&mut tx, licence, requirement)
            .await
            .unwrap()
            .expect("the document");
        assert_eq!(doc.file_name, "VOG.pdf", "{}", t.url);
        assert_eq!(doc.content_type, "application/pdf");
        assert_eq!(doc.content, pdf, "byte for byte");
        assert_eq!(doc.sha256.len(), 64);
        let listed = ct::licence_evidence(&mut tx, licence).await.unwrap();
        assert!(listed
            .iter()
            .any(|(rid, _, kind, text, _)| *rid == requirement
                && kind == "document"
                && text == "VOG.pdf"));
        // A statement has no document.
        if let Some(r) = contract.requirements().get(1) {
            assert!(ct::evidence_document(&mut tx, licence, r.id)
                .await
                .unwrap()
                .is_none());
        }
    }
}
