//! The sociale kaart's storage on every backend.

use baken_store::{demo, kaart, testing, StoreError};

async fn demo_dbs() -> Vec<testing::TestDb> {
    let mut out = Vec::new();
    for t in testing::all().await {
        demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(20, 1),
            "x",
            |_| {},
        )
        .await
        .expect("demo loads");
        out.push(t);
    }
    out
}

#[tokio::test]
async fn the_demo_map_is_stored_with_locations_and_wijzer_content() {
    for t in demo_dbs().await {
        let mut tx = t.db.read().await.unwrap();
        let all = kaart::services(&mut tx, None).await.unwrap();
        assert!(all.len() >= 280, "{:?}: {}", t.backend(), all.len());
        assert!(
            all.iter().all(|s| !s.locations.is_empty()),
            "every demo service has a place"
        );
        let meal = all
            .iter()
            .find(|s| s.service.name.starts_with("Buurtmaaltijd"))
            .unwrap();
        assert_eq!(meal.service.cost_cents, Some(450));
        let content = kaart::wijzer_content(&mut tx).await.unwrap();
        assert_eq!(content, baken_synth::kaart::wijzer(), "{:?}", t.backend());
        let own = kaart::services(&mut tx, Some(meal.provider_id))
            .await
            .unwrap();
        assert!(own.iter().all(|s| s.provider_id == meal.provider_id));
        assert!(own.len() < all.len());
    }
}

#[tokio::test]
async fn a_stale_service_edit_is_refused_and_changes_nothing() {
    for t in demo_dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let s = kaart::services(&mut tx, None).await.unwrap().remove(0);
        let mut changed = s.service.clone();
        changed.name = "Nieuwe naam".into();
        let v = kaart::update_service(&mut tx, s.id, s.version, &changed)
            .await
            .unwrap();
        assert_eq!(v, s.version + 1);
        let err = kaart::update_service(&mut tx, s.id, s.version, &s.service)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        tx.rollback().await.unwrap();
        let mut tx = t.db.read().await.unwrap();
        assert_eq!(
            kaart::service(&mut tx, s.id)
                .await
                .unwrap()
                .unwrap()
                .service
                .name,
            s.service.name
        );
    }
}

#[test]
fn uuids_are_version_4() {
    let u = kaart::new_uuid();
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "4");
    assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
}

#[tokio::test]
async fn changing_a_services_places_touches_only_what_is_named() {
    for t in demo_dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let all = kaart::services(&mut tx, None).await.unwrap();
        let several = all
            .iter()
            .find(|s| s.locations.len() > 2)
            .expect("a demo service at several places");
        let ids: Vec<i64> = several.locations.iter().map(|l| l.location.id).collect();
        let new = kaart::create_location(
            &mut tx,
            &baken_domain::kaart::LocationDraft {
                name: "Speeltuingebouw".into(),
                address: "Akkerweg 3".into(),
                postcode: "1015 bc".into(),
                city: "Proefstad".into(),
                district: "WK999902".into(),
            }
            .parse()
            .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(new.postcode, "1015BC");
        let change = kaart::change_locations(&mut tx, several.id, &[new.id], &[ids[0]])
            .await
            .unwrap();
        assert_eq!((change.linked, change.unlinked), (1, 1));
        let now = kaart::service(&mut tx, several.id).await.unwrap().unwrap();
        let now_ids: Vec<i64> = now.locations.iter().map(|l| l.location.id).collect();
        assert_eq!(now_ids.len(), ids.len(), "one out, one in, the rest kept");
        assert!(!now_ids.contains(&ids[0]) && now_ids.contains(&new.id));
        assert!(ids[1..].iter().all(|i| now_ids.contains(i)));
        let err = kaart::change_locations(&mut tx, several.id, &[999_999], &[])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err}");
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn a_provider_rename_to_a_name_in_use_is_refused() {
    for t in demo_dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let orgs = kaart::organizations(&mut tx).await.unwrap();
        kaart::rename_provider(&mut tx, orgs[0].provider_id, "Een nieuwe naam")
            .await
            .unwrap();
        let err = kaart::rename_provider(&mut tx, orgs[1].provider_id, "Een nieuwe naam")
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Duplicate(_)),
            "{:?}: {err}",
            t.backend()
        );
    }
}
