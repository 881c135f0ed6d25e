//! The storage suite. Every test runs on SQLite and, when configured, on
//! PostgreSQL (see `baken_store::testing`): one suite, two backends.

use baken_domain::audit::{Actor, ChainBreakReason};
use baken_domain::{AuditAction, AuditEntry, AuditOutcome, HouseholdScope, Role, Username};
use baken_store::households::HouseholdFilter;
use baken_store::testing::{self, TestDb};
use baken_store::{audit, demo, households, users, Backend, Db, StoreError};
use baken_synth::{municipality, Config};

async fn with_demo(n: u64) -> Vec<TestDb> {
    let dbs = testing::all().await;
    for t in &dbs {
        demo::load(
            &t.db,
            &municipality(),
            &Config::new(n, 42),
            "not-a-real-hash",
            |_| {},
        )
        .await
        .expect("demo load");
    }
    dbs
}

fn entry(detail: &str) -> AuditEntry {
    AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: Some(1),
            username: Some("generalist".into()),
            role: Some("generalist".into()),
            client_addr: "127.0.0.1".into(),
        },
        route: "/huishoudens/{id}".into(),
        action: AuditAction::Read,
        outcome: AuditOutcome::Success,
        object_type: Some("household".into()),
        object_id: Some("1".into()),
        detail: detail.into(),
    }
}

#[tokio::test]
async fn demo_fills_an_empty_database_and_refuses_a_second_time() {
    for t in with_demo(150).await {
        let mut tx = t.db.read().await.unwrap();
        assert_eq!(
            households::count(&mut tx).await.unwrap(),
            150,
            "{:?}",
            t.backend()
        );
        let user_count = users::count(&mut tx).await.unwrap();
        drop(tx);
        let err = demo::load(&t.db, &municipality(), &Config::new(10, 1), "x", |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotEmpty(_)), "{err}");
        let mut tx = t.db.read().await.unwrap();
        assert_eq!(
            households::count(&mut tx).await.unwrap(),
            150,
            "nothing changed"
        );
        assert_eq!(users::count(&mut tx).await.unwrap(), user_count);
    }
}

/// What a database might hold without any user, household, district or team:
/// a map imported with `baken kaart import`, a CLI action's audit entry, the
/// wijzer's content.
#[derive(Debug, Clone, Copy)]
enum OnlyData {
    MapLocation,
    AuditEntry,
    WijzerItem,
}

async fn write_only(db: &Db, data: OnlyData) {
    let mut tx = db.begin().await.unwrap();
    match data {
        OnlyData::MapLocation => {
            baken_store::kaart::upsert_location(
                &mut tx,
                &baken_store::kaart::Location {
                    id: 0,
                    uuid: "5f1e1a52-0b1c-4c7e-9d0a-2b8f3c4d5e6f".into(),
                    name: "Buurthuis De Schakel".into(),
                    address: "Dorpsstraat 1".into(),
                    postcode: "9999 AA".into(),
                    city: "Echtstad".into(),
                    district_code: None,
                },
            )
            .await
            .unwrap();
        }
        OnlyData::AuditEntry => {
            audit::append(&mut tx, &entry("kaart import"))
                .await
                .unwrap();
        }
        OnlyData::WijzerItem => {
            baken_store::kaart::save_wijzer_item(&mut tx, "topic", "eenzaam", 1, "{}", None)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn demo_refuses_a_database_that_holds_any_data() {
    for data in [
        OnlyData::MapLocation,
        OnlyData::AuditEntry,
        OnlyData::WijzerItem,
    ] {
        for t in testing::all().await {
            write_only(&t.db, data).await;
            let err = demo::load(&t.db, &municipality(), &Config::new(5, 1), "x", |_| {})
                .await
                .expect_err(&format!(
                    "{data:?} on {:?} must refuse the demo",
                    t.backend()
                ));
            assert!(matches!(err, StoreError::NotEmpty(_)), "{err}");
            let mut tx = t.db.read().await.unwrap();
            assert_eq!(
                users::count(&mut tx).await.unwrap(),
                0,
                "nothing was written"
            );
            assert!(!demo::is_demo(&t.db).await.unwrap());
        }
    }
}

#[tokio::test]
async fn the_audit_chain_verifies_and_names_a_changed_entry() {
    for t in testing::all().await {
        for i in 0..5 {
            let mut tx = t.db.begin().await.unwrap();
            audit::append(&mut tx, &entry(&format!("entry {i}")))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let mut tx = t.db.read().await.unwrap();
        match audit::verify(&mut tx).await.unwrap() {
            audit::Verification::Intact { entries } => assert_eq!(entries, 5),
            audit::Verification::Broken(b) => panic!("unexpected break: {b}"),
        }
        drop(tx);

        // The log refuses changes through SQL...
        let mut tx = t.db.begin().await.unwrap();
        let refused = baken_store::exec!(&mut tx, |c| {
            sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 3")
                .execute(&mut *c)
                .await
        });
        assert!(refused.is_err(), "append-only trigger must refuse updates");
        drop(tx);

        // ...and a determined editor who drops the guard is caught by the chain.
        tamper(&t.db, 3).await;
        let mut tx = t.db.read().await.unwrap();
        match audit::verify(&mut tx).await.unwrap() {
            audit::Verification::Broken(b) => {
                assert_eq!(b.seq, 3);
                assert_eq!(b.reason, ChainBreakReason::ContentChanged);
            }
            audit::Verification::Intact { .. } => panic!("tampering not detected"),
        }
    }
}

async fn tamper(db: &Db, seq: i64) {
    let mut tx = db.begin().await.unwrap();
    match db.backend() {
        Backend::Sqlite => {
            baken_store::exec!(&mut tx, |c| sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(&mut *c)
                .await)
            .unwrap();
        }
        Backend::Postgres => {
            baken_store::exec!(&mut tx, |c| sqlx::query(
                "DROP TRIGGER audit_log_no_change ON audit_log"
            )
            .execute(&mut *c)
            .await)
            .unwrap();
        }
    }
    baken_store::exec!(&mut tx, |c| {
        sqlx::query("UPDATE audit_log SET username = 'someone-else' WHERE seq = $1")
            .bind(seq)
            .execute(&mut *c)
            .await
    })
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    for t in testing::all().await {
        let mut tasks = Vec::new();
        for i in 0..20 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                audit::append(&mut tx, &entry(&format!("task {i}")))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let mut tx = t.db.read().await.unwrap();
        assert!(matches!(
            audit::verify(&mut tx).await.unwrap(),
            audit::Verification::Intact { entries: 20 }
        ));
    }
}

/// Audited reads share transactions (group commit): many at once, interleaved
/// with ordinary writers, each gets its value only with its entry committed, and
/// the chain stays one unbroken line.
#[tokio::test]
async fn audited_reads_share_transactions_and_keep_the_chain() {
    for t in with_demo(30).await {
        let before = {
            let mut tx = t.db.read().await.unwrap();
            match audit::verify(&mut tx).await.unwrap() {
                audit::Verification::Intact { entries } => entries,
                audit::Verification::Broken(b) => panic!("{b:?}"),
            }
        };
        let mut tasks = Vec::new();
        for i in 0..120i64 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                if i % 10 == 0 {
                    // An ordinary writer in between, with its own transaction.
                    let mut tx = db.begin().await.unwrap();
                    audit::append(&mut tx, &entry(&format!("writer {i}")))
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                    return None;
                }
                let id = 1 + i % 30;
                let read = db
                    .audited(move |tx| {
                        Box::pin(async move {
                            let h = households::get(tx, id).await?;
                            let e = entry(&format!("read {i}"));
                            Ok::<_, StoreError>((h.map(|h| h.id), vec![e]))
                        })
                    })
                    .await
                    .unwrap();
                Some((id, read))
            }));
        }
        for task in tasks {
            if let Some((id, read)) = task.await.unwrap() {
                assert_eq!(read, Some(id), "{:?}", t.backend());
            }
        }
        let mut tx = t.db.read().await.unwrap();
        match audit::verify(&mut tx).await.unwrap() {
            audit::Verification::Intact { entries } => {
                assert_eq!(entries, before + 120, "{:?}", t.backend())
            }
            audit::Verification::Broken(b) => panic!("{:?}: {b:?}", t.backend()),
        }
        let page = audit::search(&mut tx, &audit::AuditFilter::default(), 1, 500)
            .await
            .unwrap();
        for i in 0..120 {
            let want = if i % 10 == 0 {
                format!("writer {i}")
            } else {
                format!("read {i}")
            };
            assert_eq!(
                page.items.iter().filter(|r| r.detail == want).count(),
                1,
                "{want} on {:?}",
                t.backend()
            );
        }
    }
}

/// A read that fails in a shared transaction is undone alone: what it wrote is
/// rolled back, it leaves no entry, and the reads beside it still commit.
#[tokio::test]
async fn a_failing_read_is_rolled_back_alone() {
    for t in with_demo(10).await {
        let count = |db: Db| async move {
            let mut tx = db.read().await.unwrap();
            let page = audit::search(&mut tx, &audit::AuditFilter::default(), 1, 1000)
                .await
                .unwrap();
            page.total
        };
        let before = count(t.db.clone()).await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                db.audited(move |tx| {
                    Box::pin(async move {
                        if i % 4 == 0 {
                            // Writes an entry inside the read, then fails: both must vanish.
                            audit::append(tx, &entry(&format!("undone {i}"))).await?;
                            households::get(tx, 1).await?;
                            return Err(StoreError::NotFound(format!("read {i}")));
                        }
                        if i % 8 == 1 {
                            // Writes, then a statement the database refuses: on
                            // PostgreSQL that aborts the shared transaction unless
                            // the job's savepoint rescues it.
                            audit::append(tx, &entry(&format!("undone {i}"))).await?;
                            let sql = "SELECT no_such_column FROM households";
                            match tx.conn() {
                                baken_store::Conn::Sqlite(c) => {
                                    sqlx::query(sql).execute(&mut *c).await?;
                                }
                                baken_store::Conn::Postgres(c) => {
                                    sqlx::query(sql).execute(&mut *c).await?;
                                }
                            }
                            return Ok((i, vec![entry("unreachable")]));
                        }
                        Ok((i, vec![entry(&format!("kept {i}"))]))
                    })
                })
                .await
            }));
        }
        for (i, task) in tasks.into_iter().enumerate() {
            match task.await.unwrap() {
                Ok(v) => assert_eq!(v, i, "{:?}", t.backend()),
                Err(StoreError::NotFound(what)) => {
                    assert_eq!(i % 4, 0);
                    assert_eq!(what, format!("read {i}"));
                }
                Err(StoreError::Db(e)) => {
                    assert_eq!(i % 8, 1, "{:?}: {e}", t.backend());
                    assert!(e.to_string().contains("no_such_column"), "{e}");
                }
                Err(e) => panic!("{:?}: {e}", t.backend()),
            }
        }
        // 40 reads: 10 fail on their own (i % 4 == 0), 5 on a refused statement
        // (i % 8 == 1); the other 25 keep their entries.
        assert_eq!(count(t.db.clone()).await, before + 25, "{:?}", t.backend());
        let mut tx = t.db.read().await.unwrap();
        let page = audit::search(&mut tx, &audit::AuditFilter::default(), 1, 1000)
            .await
            .unwrap();
        assert!(page.items.iter().all(|r| !r.detail.starts_with("undone")));
        assert!(matches!(
            audit::verify(&mut tx).await.unwrap(),
            audit::Verification::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn two_concurrent_updates_give_one_success_and_one_conflict() {
    for t in with_demo(20).await {
        let mut tx = t.db.read().await.unwrap();
        let user = users::by_username(&mut tx, "generalist")
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        let mut tasks = Vec::new();
        for name in ["Eerste wijziging", "Tweede wijziging"] {
            let db = t.db.clone();
            let (id, version, team) = (user.id, user.version, user.team_id);
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let change = users::UserChange {
                    display_name: name,
                    role: Role::Generalist,
                    team_id: team,
                    provider_id: None,
                    household_id: None,
                    active: true,
                };
                let r = users::update(&mut tx, id, version, &change).await;
                if r.is_ok() {
                    tx.commit().await.unwrap();
                }
                r
            }));
        }
        let mut ok = 0;
        let mut conflicts = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(v) => {
                    assert_eq!(v, user.version + 1);
                    ok += 1
                }
                Err(StoreError::Conflict { .. }) => conflicts += 1,
                Err(e) => panic!("unexpected error on {:?}: {e}", t.backend()),
            }
        }
        assert_eq!((ok, conflicts), (1, 1), "{:?}", t.backend());
        let mut tx = t.db.read().await.unwrap();
        let after = users::by_username(&mut tx, "generalist")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.version, user.version + 1);
    }
}

#[tokio::test]
async fn household_scope_limits_the_list() {
    for t in with_demo(300).await {
        let mut tx = t.db.read().await.unwrap();
        let g = users::by_username(&mut tx, "generalist")
            .await
            .unwrap()
            .unwrap();
        let scope = HouseholdScope::for_user(g.role, g.team_id, g.household_id);
        let page = households::list(&mut tx, scope, &HouseholdFilter::default(), 1, 1000)
            .await
            .unwrap();
        assert!(
            page.total > 0 && page.total < 300,
            "team sees part: {}",
            page.total
        );
        assert!(page.items.iter().all(|h| h.team_id == g.team_id));

        let inwoner = users::by_username(&mut tx, "inwoner")
            .await
            .unwrap()
            .unwrap();
        let own = HouseholdScope::for_user(inwoner.role, None, inwoner.household_id);
        let page = households::list(&mut tx, own, &HouseholdFilter::default(), 1, 50)
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(Some(page.items[0].id), inwoner.household_id);

        let none = households::list(
            &mut tx,
            HouseholdScope::Nothing,
            &HouseholdFilter::default(),
            1,
            50,
        )
        .await
        .unwrap();
        assert_eq!(none.total, 0);
    }
}

#[tokio::test]
async fn sessions_tokens_and_lockout() {
    for t in testing::all().await {
        let mut tx = t.db.begin().await.unwrap();
        let name = Username::parse("tester").unwrap();
        let id = users::create(
            &mut tx,
            &users::NewUser {
                username: &name,
                display_name: "Tester",
                role: Role::Beleid,
                team_id: None,
                provider_id: None,
                household_id: None,
                password_hash: "h",
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // A failed statement spoils a PostgreSQL transaction: try the duplicate in its own.
        let mut tx = t.db.begin().await.unwrap();
        let dup = users::create(
            &mut tx,
            &users::NewUser {
                username: &name,
                display_name: "Tester",
                role: Role::Beleid,
                team_id: None,
                provider_id: None,
                household_id: None,
                password_hash: "h",
            },
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))));
        tx.rollback().await.unwrap();

        let mut tx = t.db.begin().await.unwrap();
        let (secret, csrf) = users::create_session(&mut tx, id, chrono::Duration::hours(1))
            .await
            .unwrap();
        let s = users::session(&mut tx, &secret)
            .await
            .unwrap()
            .expect("live session");
        assert_eq!((s.user.id, s.csrf_token), (id, csrf));
        assert!(users::session(&mut tx, "wrong").await.unwrap().is_none());
        let (_, expired, _) = users::create_token(&mut tx, id, chrono::Duration::seconds(-1))
            .await
            .unwrap();
        assert!(
            users::user_for_token(&mut tx, &expired)
                .await
                .unwrap()
                .is_none(),
            "expired token refused"
        );
        let (tid, token, _) = users::create_token(&mut tx, id, chrono::Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(
            users::user_for_token(&mut tx, &token)
                .await
                .unwrap()
                .map(|u| u.id),
            Some(id)
        );
        users::revoke_token(&mut tx, tid).await.unwrap();
        assert!(
            users::user_for_token(&mut tx, &token)
                .await
                .unwrap()
                .is_none(),
            "revoked token refused"
        );
        assert!(matches!(
            users::revoke_token(&mut tx, tid).await,
            Err(StoreError::NotFound(_))
        ));

        for i in 1..=7 {
            assert_eq!(users::record_failed_login(&mut tx, id).await.unwrap(), i);
        }
        let u = users::by_id(&mut tx, id).await.unwrap().unwrap();
        assert_eq!(
            u.locked_until, None,
            "wrong passwords never lock an account"
        );
        assert_eq!(
            users::record_successful_login(&mut tx, id).await.unwrap(),
            7
        );
        let u = users::by_id(&mut tx, id).await.unwrap().unwrap();
        assert_eq!((u.failed_logins, u.locked_until), (0, None));
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn the_database_records_that_it_holds_the_demo() {
    for t in testing::all().await {
        assert!(
            !demo::is_demo(&t.db).await.unwrap(),
            "{:?}: empty",
            t.backend()
        );
        // Other data is not the demo.
        let mut tx = t.db.begin().await.unwrap();
        baken_store::areas::create_team(&mut tx, "Eigen team", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(!demo::is_demo(&t.db).await.unwrap());
    }
    for t in with_demo(100).await {
        assert!(demo::is_demo(&t.db).await.unwrap(), "{:?}", t.backend());
        let mut tx = t.db.read().await.unwrap();
        let what = baken_store::meta::get(&mut tx, baken_store::meta::DEMO)
            .await
            .unwrap()
            .unwrap_or_default();
        assert_eq!(what, "GM9999 Proefstad (fictief): 100 households, seed 42");
    }
}

#[tokio::test]
async fn teams_and_districts_change_only_at_the_version_they_were_read() {
    use baken_store::areas::{self, TeamChange};
    for t in with_demo(20).await {
        let mut tx = t.db.begin().await.unwrap();
        let change = TeamChange {
            name: "Wijkteam Hart",
            district_code: Some("WK999901"),
            active: true,
            phone: Some("020 123 4567"),
            email: Some("hart@proefstad.example"),
        };
        assert_eq!(areas::update_team(&mut tx, 1, 1, &change).await.unwrap(), 2);
        let team = areas::team(&mut tx, 1).await.unwrap().unwrap();
        assert_eq!(
            (team.phone.as_deref(), team.email.as_deref()),
            (Some("020 123 4567"), Some("hart@proefstad.example"))
        );
        assert!(matches!(
            areas::update_team(&mut tx, 1, 1, &change).await,
            Err(StoreError::Conflict { expected: 1, .. })
        ));
        assert!(matches!(
            areas::update_team(&mut tx, 999, 1, &change).await,
            Err(StoreError::NotFound(_))
        ));
        let dup = TeamChange {
            name: "Wijkteam Noord",
            ..change
        };
        assert!(matches!(
            areas::update_team(&mut tx, 1, 2, &dup).await,
            Err(StoreError::Duplicate(_))
        ));
        tx.rollback().await.unwrap();
        let mut tx = t.db.begin().await.unwrap();
        assert_eq!(
            areas::rename_district(&mut tx, "WK999901", 1, "Hart")
                .await
                .unwrap(),
            2
        );
        assert!(matches!(
            areas::rename_district(&mut tx, "WK999901", 1, "Kern").await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            areas::rename_district(&mut tx, "WK999999", 1, "Niets").await,
            Err(StoreError::NotFound(_))
        ));
        let d = areas::district(&mut tx, "WK999901").await.unwrap().unwrap();
        assert_eq!((d.name.as_str(), d.version), ("Hart", 2));
        tx.commit().await.unwrap();
    }
}

async fn new_user(db: &Db, name: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let name = Username::parse(name).unwrap();
    let id = users::create(
        &mut tx,
        &users::NewUser {
            username: &name,
            display_name: "Tester",
            role: Role::Beleid,
            team_id: None,
            provider_id: None,
            household_id: None,
            password_hash: "h",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn a_password_change_ends_the_owners_api_tokens() {
    for t in testing::all().await {
        let id = new_user(&t.db, "tokenhouder").await;
        let other = new_user(&t.db, "iemand.anders").await;
        let mut tx = t.db.begin().await.unwrap();
        let (_, token, _) = users::create_token(&mut tx, id, chrono::Duration::hours(1))
            .await
            .unwrap();
        let (_, others, _) = users::create_token(&mut tx, other, chrono::Duration::hours(1))
            .await
            .unwrap();
        users::set_password(&mut tx, id, "nieuwe-hash")
            .await
            .unwrap();
        assert!(
            users::user_for_token(&mut tx, &token)
                .await
                .unwrap()
                .is_none(),
            "{:?}: the token ended with the old password",
            t.backend()
        );
        assert!(
            users::user_for_token(&mut tx, &others)
                .await
                .unwrap()
                .is_some(),
            "someone else's token lives on"
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn reactivating_an_account_does_not_revive_its_old_tokens_or_sessions() {
    for t in testing::all().await {
        let id = new_user(&t.db, "wisselaar").await;
        let mut tx = t.db.begin().await.unwrap();
        let (_, token, _) = users::create_token(&mut tx, id, chrono::Duration::hours(1))
            .await
            .unwrap();
        let (session, _) = users::create_session(&mut tx, id, chrono::Duration::hours(1))
            .await
            .unwrap();
        let change = |active| users::UserChange {
            display_name: "Tester",
            role: Role::Beleid,
            team_id: None,
            provider_id: None,
            household_id: None,
            active,
        };
        let v = users::update(&mut tx, id, 1, &change(false)).await.unwrap();
        users::update(&mut tx, id, v, &change(true)).await.unwrap();
        assert!(
            users::user_for_token(&mut tx, &token)
                .await
                .unwrap()
                .is_none(),
            "{:?}: token from before the deactivation",
            t.backend()
        );
        assert!(
            users::session(&mut tx, &session).await.unwrap().is_none(),
            "session from before the deactivation"
        );
        let (_, fresh, _) = users::create_token(&mut tx, id, chrono::Duration::hours(1))
            .await
            .unwrap();
        assert!(users::user_for_token(&mut tx, &fresh)
            .await
            .unwrap()
            .is_some());
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn two_processes_migrating_one_new_sqlite_file_both_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("nieuw.db").display());
        let start = || async {
            let db = Db::connect(&url).await?;
            db.migrate().await?;
            Ok::<_, StoreError>(db)
        };
        let (a, b) = tokio::join!(start(), start());
        assert!(a.is_ok(), "round {round}: {:?}", a.err());
        assert!(b.is_ok(), "round {round}: {:?}", b.err());
    }
}
