//! The buurtmarktplaats's storage on both backends: proxy participants and the
//! audit of reading them, e-mail verification, listings and search, matches
//! (one place, one match — also under 100 simultaneous accepts), contact
//! details only after both agree, moderation, and retention.

use baken_domain::audit::Actor;
use baken_domain::market::{
    Area, CategoryName, Direction, DisplayName, GroupSize, Listing, ListingError, ListingText,
    ListingTitle, MatchState, ModerationAction, ModerationReason, NewListing, PartOfDay,
    ParticipantError, PhoneNumber, Recurrence, Side,
};
use baken_domain::{
    AuditAction, AuditEntry, AuditOutcome, DistrictCode, EmailAddress, Role, Username,
};
use baken_store::market::{self as mk, ListingFilter, MarketError, Proposal, Reported};
use baken_store::testing::{self, TestDb};
use baken_store::{audit, demo, exec, users, Tx};
use chrono::NaiveDate;

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
        // These tests start from an empty marketplace; the demo's own is
        // checked in `the_demo_holds_a_marketplace`.
        let mut tx = t.db.begin().await.unwrap();
        for table in [
            "mk_messages",
            "mk_reports",
            "mk_matches",
            "mk_listings",
            "mk_verifications",
            "mk_participants",
            "mk_neighbours",
        ] {
            let sql = format!("DELETE FROM {table}");
            exec!(&mut tx, |c| sqlx::query(&sql).execute(&mut *c).await).unwrap();
        }
        tx.commit().await.unwrap();
    }
    dbs
}

#[tokio::test]
async fn the_demo_holds_a_marketplace() {
    for t in testing::all().await {
        demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(5, 3),
            "x",
            |_| {},
        )
        .await
        .expect("demo load");
        let mut tx = t.db.begin().await.unwrap();
        let figures = mk::figures(&mut tx).await.unwrap();
        assert!(figures.joined.len() >= 30, "{}", t.url);
        assert!(figures.matches.len() >= 5);
        let urgent = mk::urgent_asks(&mut tx).await.unwrap();
        assert_eq!(urgent.len(), 1, "one urgent ask waits past the norm");
        let all = mk::search(
            &mut tx,
            &ListingFilter {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(all
            .iter()
            .any(|l| l.public_name == "Basisschool De Vlinder" && l.is_group));
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

fn entry(user_id: i64) -> AuditEntry {
    AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: Some(user_id),
            username: Some("makelaar".into()),
            role: Some("makelaar".into()),
            client_addr: "127.0.0.1".into(),
        },
        route: "/buurtmarktplaats/makelaar".into(),
        action: AuditAction::Read,
        outcome: AuditOutcome::Success,
        object_type: None,
        object_id: None,
        detail: String::new(),
    }
}

async fn districts(tx: &mut Tx) -> Vec<DistrictCode> {
    baken_store::areas::districts(tx)
        .await
        .unwrap()
        .into_iter()
        .map(|d| DistrictCode::parse(&d.code).unwrap())
        .collect()
}

async fn makelaar_id(tx: &mut Tx) -> i64 {
    users::by_username(tx, "makelaar")
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn category(tx: &mut Tx, name: &str) -> i64 {
    mk::categories(tx, true)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap()
        .id
}

fn listing(
    direction: Direction,
    title: &str,
    area: Area,
    urgent: bool,
    group: Option<u16>,
) -> Listing {
    Listing::new(
        NewListing {
            direction,
            category: CategoryName::parse("Boodschappen").unwrap(),
            title: ListingTitle::parse(title).unwrap(),
            text: ListingText::parse("").unwrap(),
            area,
            recurrence: Recurrence::Once,
            date: None,
            part_of_day: PartOfDay::Flexible,
            urgent,
            group: group.map(|n| GroupSize::new(n).unwrap()),
        },
        today(),
    )
    .unwrap()
}

async fn proxy(tx: &mut Tx, name: &str, district: &DistrictCode) -> i64 {
    let makelaar = makelaar_id(tx).await;
    mk::create_proxy(
        tx,
        makelaar,
        &DisplayName::parse(name).unwrap(),
        district,
        true,
        Some(&PhoneNumber::parse("0612345678").unwrap()),
    )
    .await
    .unwrap()
}

/// A verified self-registered participant with an account.
async fn resident(tx: &mut Tx, name: &str, district: &DistrictCode) -> i64 {
    let username = Username::parse(&format!("{}@example.nl", name.to_lowercase())).unwrap();
    let user_id = users::create(
        tx,
        &users::NewUser {
            username: &username,
            display_name: name,
            role: Role::Vrijwilliger,
            team_id: None,
            provider_id: None,
            household_id: None,
            password_hash: "x",
        },
    )
    .await
    .unwrap();
    let id = mk::create_account_participant(
        tx,
        user_id,
        &DisplayName::parse(name).unwrap(),
        district,
        &EmailAddress::parse(username.as_str()).unwrap(),
    )
    .await
    .unwrap();
    let token = mk::create_verification(tx, id, 24).await.unwrap();
    assert_eq!(mk::verify_email(tx, &token).await.unwrap(), Some(id));
    id
}

#[tokio::test]
async fn the_default_categories_are_there_and_editable() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let all = mk::categories(&mut tx, false).await.unwrap();
        assert_eq!(all.len(), CategoryName::DEFAULTS.len(), "{:?}", t.backend());
        let c = &all[0];
        let v = mk::update_category(
            &mut tx,
            c.id,
            c.version,
            &CategoryName::parse("Anders").unwrap(),
            false,
        )
        .await
        .unwrap();
        assert_eq!(v, c.version + 1);
        assert_eq!(
            mk::categories(&mut tx, true).await.unwrap().len(),
            all.len() - 1
        );
        let stale = mk::update_category(
            &mut tx,
            c.id,
            c.version,
            &CategoryName::parse("Weer").unwrap(),
            true,
        )
        .await;
        assert!(matches!(
            stale,
            Err(baken_store::StoreError::Conflict { .. })
        ));
    }
}

#[tokio::test]
async fn reading_a_proxy_participant_is_audited_and_others_see_only_a_public_name() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        let ans = proxy(&mut tx, "Ans de Vries", &d[0]).await;
        let cat = category(&mut tx, "Boodschappen").await;
        let makelaar = makelaar_id(&mut tx).await;
        let id = mk::create_listing(
            &mut tx,
            ans,
            cat,
            &listing(
                Direction::Ask,
                "Boodschappen doen",
                Area::District(d[0].clone()),
                true,
                None,
            ),
            makelaar,
            today(),
        )
        .await
        .unwrap();
        let row = mk::listing(&mut tx, id).await.unwrap().unwrap();
        assert_eq!(
            row.public_name,
            "Buurtbewoner (anoniem)",
            "{:?}",
            t.backend()
        );
        assert!(row.proxy && row.urgent);

        let before = audit::count(&mut tx).await.unwrap();
        let record = mk::participant_record(&mut tx, ans, &entry(makelaar))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.phone.as_deref(), Some("0612345678"));
        let listed = mk::proxies_of(&mut tx, &entry(makelaar)).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            audit::count(&mut tx).await.unwrap(),
            before + 2,
            "one entry per read"
        );
        let found = audit::search(
            &mut tx,
            &audit::AuditFilter {
                object_type: Some("market_participant".into()),
                object_id: Some(ans.to_string()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(
            found.items.len(),
            2,
            "the record and the list both name her"
        );
    }
}

#[tokio::test]
async fn an_unverified_account_cannot_post_and_a_token_verifies_once() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        let username = Username::parse("nieuw@example.nl").unwrap();
        let user_id = users::create(
            &mut tx,
            &users::NewUser {
                username: &username,
                display_name: "Nieuw",
                role: Role::Vrijwilliger,
                team_id: None,
                provider_id: None,
                household_id: None,
                password_hash: "x",
            },
        )
        .await
        .unwrap();
        let p = mk::create_account_participant(
            &mut tx,
            user_id,
            &DisplayName::parse("Nieuw").unwrap(),
            &d[0],
            &EmailAddress::parse("nieuw@example.nl").unwrap(),
        )
        .await
        .unwrap();
        let cat = category(&mut tx, "Tuin").await;
        let refused = mk::create_listing(
            &mut tx,
            p,
            cat,
            &listing(
                Direction::Offer,
                "Tuin snoeien",
                Area::WholeTown,
                false,
                None,
            ),
            user_id,
            today(),
        )
        .await;
        assert!(
            matches!(
                refused,
                Err(MarketError::Participant(ParticipantError::Unverified))
            ),
            "{refused:?}"
        );
        let token = mk::create_verification(&mut tx, p, 24).await.unwrap();
        assert_eq!(
            mk::verify_email(&mut tx, "not-the-token").await.unwrap(),
            None
        );
        assert_eq!(mk::verify_email(&mut tx, &token).await.unwrap(), Some(p));
        assert_eq!(
            mk::verify_email(&mut tx, &token).await.unwrap(),
            None,
            "once"
        );
        assert!(mk::create_listing(
            &mut tx,
            p,
            cat,
            &listing(
                Direction::Offer,
                "Tuin snoeien",
                Area::WholeTown,
                false,
                None
            ),
            user_id,
            today()
        )
        .await
        .is_ok());
    }
}

#[tokio::test]
async fn contact_details_stay_hidden_until_both_agree() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        let asker = resident(&mut tx, "Bep", &d[0]).await;
        let helper = resident(&mut tx, "Kees", &d[0]).await;
        let cat = category(&mut tx, "Boodschappen").await;
        let ask = mk::create_listing(
            &mut tx,
            asker,
            cat,
            &listing(
                Direction::Ask,
                "Boodschappen doen",
                Area::WholeTown,
                false,
                None,
            ),
            1,
            today(),
        )
        .await
        .unwrap();
        let m = mk::propose(
            &mut tx,
            &Proposal {
                listing_id: ask,
                responder_id: helper,
                via_listing_id: None,
                proposed_by: Side::Offer,
                made_by_user_id: None,
            },
        )
        .await
        .unwrap();
        let row = mk::listing(&mut tx, ask).await.unwrap().unwrap();
        assert!(
            row.first_reply_at.is_some(),
            "an offer of help is the first reply"
        );
        assert!(matches!(
            mk::propose(
                &mut tx,
                &Proposal {
                    listing_id: ask,
                    responder_id: asker,
                    via_listing_id: None,
                    proposed_by: Side::Ask,
                    made_by_user_id: None
                }
            )
            .await,
            Err(MarketError::OwnListing)
        ));
        assert!(
            matches!(
                mk::accept(&mut tx, m, Side::Offer).await,
                Err(MarketError::Match(_))
            ),
            "not by the proposer"
        );
        mk::accept(&mut tx, m, Side::Ask).await.unwrap();
        mk::send_message(&mut tx, m, helper, "Ik kan dinsdag")
            .await
            .unwrap();
        assert_eq!(mk::messages(&mut tx, m).await.unwrap().len(), 1);
        let e = entry(1);
        assert_eq!(
            mk::contact_of_other(&mut tx, m, asker, &e).await.unwrap(),
            None
        );
        assert!(!mk::agree_to_share(&mut tx, m, Side::Ask).await.unwrap());
        assert_eq!(
            mk::contact_of_other(&mut tx, m, asker, &e).await.unwrap(),
            None
        );
        assert!(mk::agree_to_share(&mut tx, m, Side::Offer).await.unwrap());
        let shown = mk::contact_of_other(&mut tx, m, asker, &e)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(shown.email.as_deref(), Some("kees@example.nl"));
        let stranger = resident(&mut tx, "Truus", &d[1]).await;
        assert_eq!(
            mk::contact_of_other(&mut tx, m, stranger, &e)
                .await
                .unwrap(),
            None,
            "{:?}",
            t.backend()
        );
        mk::close_match(&mut tx, m).await.unwrap();
        assert_eq!(
            mk::match_row(&mut tx, m).await.unwrap().unwrap().state,
            MatchState::Closed.as_str()
        );
        assert!(mk::send_message(&mut tx, m, helper, "nog iets")
            .await
            .is_err());
    }
}

#[tokio::test]
async fn a_hundred_simultaneous_accepts_on_one_listing_leave_exactly_one_match() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        let asker = proxy(&mut tx, "Ans", &d[0]).await;
        let cat = category(&mut tx, "Boodschappen").await;
        let ask = mk::create_listing(
            &mut tx,
            asker,
            cat,
            &listing(
                Direction::Ask,
                "Boodschappen doen",
                Area::WholeTown,
                true,
                None,
            ),
            1,
            today(),
        )
        .await
        .unwrap();
        let makelaar = makelaar_id(&mut tx).await;
        let mut proposals = Vec::new();
        for i in 0..100 {
            let helper = resident(&mut tx, &format!("Helper{i}"), &d[0]).await;
            // The makelaar proposes the ask to a hundred helpers at once.
            let id = mk::propose(
                &mut tx,
                &Proposal {
                    listing_id: ask,
                    responder_id: helper,
                    via_listing_id: None,
                    proposed_by: Side::Ask,
                    made_by_user_id: Some(makelaar),
                },
            )
            .await
            .unwrap();
            proposals.push(id);
        }
        tx.commit().await.unwrap();

        let tasks: Vec<_> = proposals
            .iter()
            .map(|&m| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let mut tx = db.begin().await?;
                    match mk::accept(&mut tx, m, Side::Offer).await {
                        Ok(()) => {
                            tx.commit().await?;
                            Ok(true)
                        }
                        Err(MarketError::Listing(ListingError::Full)) => Ok(false),
                        Err(e) => Err(e),
                    }
                })
            })
            .collect();
        let mut won = 0;
        for task in tasks {
            if task
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{:?}: {e}", t.backend()))
            {
                won += 1;
            }
        }
        assert_eq!(won, 1, "{:?}", t.backend());
        let mut tx = t.db.read().await.unwrap();
        let accepted = mk::matches_on(&mut tx, ask)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.state == MatchState::Accepted.as_str())
            .count();
        assert_eq!(accepted, 1, "{:?}", t.backend());
        let row = mk::listing(&mut tx, ask).await.unwrap().unwrap();
        assert_eq!((row.taken, row.state.as_str()), (1, "vol"));
    }
}

#[tokio::test]
async fn a_group_listing_takes_as_many_as_it_has_places() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        let host = resident(&mut tx, "Gastvrouw", &d[0]).await;
        let cat = category(&mut tx, "Samen activiteit").await;
        let walk = mk::create_listing(
            &mut tx,
            host,
            cat,
            &listing(
                Direction::Offer,
                "Samen wandelen",
                Area::WholeTown,
                false,
                Some(2),
            ),
            1,
            today(),
        )
        .await
        .unwrap();
        let mut results = Vec::new();
        for i in 0..3 {
            let p = resident(&mut tx, &format!("Loper{i}"), &d[0]).await;
            let proposal = Proposal {
                listing_id: walk,
                responder_id: p,
                via_listing_id: None,
                proposed_by: Side::Offer,
                made_by_user_id: None,
            };
            results.push(match mk::propose(&mut tx, &proposal).await {
                Ok(m) => mk::accept(&mut tx, m, Side::Ask).await.is_ok(),
                Err(MarketError::Listing(ListingError::Full)) => false,
                Err(e) => panic!("{e}"),
            });
        }
        assert_eq!(results, vec![true, true, false], "{:?}", t.backend());
    }
}

#[tokio::test]
async fn search_filters_and_suggestions_say_why() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        mk::add_neighbours(&mut tx, &d[0], &d[1]).await.unwrap();
        let asker = proxy(&mut tx, "Ans", &d[0]).await;
        let helper = resident(&mut tx, "Kees", &d[1]).await;
        let far = resident(&mut tx, "Piet", &d[2]).await;
        let shopping = category(&mut tx, "Boodschappen").await;
        let garden = category(&mut tx, "Tuin").await;
        let ask = mk::create_listing(
            &mut tx,
            asker,
            shopping,
            &listing(
                Direction::Ask,
                "Boodschappen doen bij de supermarkt",
                Area::District(d[0].clone()),
                true,
                None,
            ),
            1,
            today(),
        )
        .await
        .unwrap();
        let offer = mk::create_listing(
            &mut tx,
            helper,
            shopping,
            &listing(
                Direction::Offer,
                "Ik doe boodschappen",
                Area::District(d[1].clone()),
                false,
                None,
            ),
            1,
            today(),
        )
        .await
        .unwrap();
        mk::create_listing(
            &mut tx,
            far,
            garden,
            &listing(
                Direction::Offer,
                "Tuin onderhoud",
                Area::District(d[2].clone()),
                false,
                None,
            ),
            1,
            today(),
        )
        .await
        .unwrap();

        let urgent = mk::search(
            &mut tx,
            &ListingFilter {
                urgent_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(urgent.iter().map(|r| r.id).collect::<Vec<_>>(), vec![ask]);
        let offers_in_d1 = mk::search(
            &mut tx,
            &ListingFilter {
                direction: Some(Direction::Offer),
                district: Some(d[1].clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            offers_in_d1.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![offer]
        );

        let row = mk::listing(&mut tx, ask).await.unwrap().unwrap();
        let suggestions = mk::suggestions(&mut tx, &row, 5).await.unwrap();
        assert_eq!(suggestions.len(), 1, "{:?}", t.backend());
        assert_eq!(suggestions[0].0.id, offer);
        let why: Vec<String> = suggestions[0].1.reasons.iter().map(|r| r.label()).collect();
        assert!(why.contains(&"in een wijk ernaast".to_owned()), "{why:?}");
        assert!(
            why.iter().any(|w| w.starts_with("zelfde woorden")),
            "{why:?}"
        );

        let queue = mk::urgent_asks(&mut tx).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(mk::norm(&mut tx).await.unwrap().urgent_days(), 1);
    }
}

#[tokio::test]
async fn moderation_hides_and_blocks_with_a_reason() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        let spammer = resident(&mut tx, "Reclame", &d[0]).await;
        let reader = resident(&mut tx, "Lezer", &d[0]).await;
        let cat = category(&mut tx, "Technologie").await;
        let l = mk::create_listing(
            &mut tx,
            spammer,
            cat,
            &listing(
                Direction::Offer,
                "Koop mijn telefoons",
                Area::WholeTown,
                false,
                None,
            ),
            1,
            today(),
        )
        .await
        .unwrap();
        let reason = ModerationReason::parse("Dit is reclame").unwrap();
        let report = mk::report(&mut tx, Reported::Listing(l), Some(reader), &reason)
            .await
            .unwrap();
        assert_eq!(mk::open_reports(&mut tx).await.unwrap().len(), 1);
        let makelaar = makelaar_id(&mut tx).await;
        mk::decide_report(
            &mut tx,
            report,
            ModerationAction::Block,
            &ModerationReason::parse("Herhaalde reclame").unwrap(),
            makelaar,
        )
        .await
        .unwrap();
        assert!(mk::open_reports(&mut tx).await.unwrap().is_empty());
        assert!(
            mk::search(&mut tx, &ListingFilter::default())
                .await
                .unwrap()
                .iter()
                .all(|r| r.id != l),
            "{:?}",
            t.backend()
        );
        let cat2 = category(&mut tx, "Tuin").await;
        let again = mk::create_listing(
            &mut tx,
            spammer,
            cat2,
            &listing(
                Direction::Offer,
                "Nog meer reclame",
                Area::WholeTown,
                false,
                None,
            ),
            1,
            today(),
        )
        .await;
        assert!(matches!(
            again,
            Err(MarketError::Participant(ParticipantError::Blocked))
        ));
    }
}

#[tokio::test]
async fn retention_deletes_old_messages_and_closed_listings_only() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        let a = resident(&mut tx, "Oud", &d[0]).await;
        let b = resident(&mut tx, "Nieuw", &d[0]).await;
        let cat = category(&mut tx, "Koken").await;
        let closed = mk::create_listing(
            &mut tx,
            a,
            cat,
            &listing(Direction::Offer, "Soep koken", Area::WholeTown, false, None),
            1,
            today(),
        )
        .await
        .unwrap();
        let open = mk::create_listing(
            &mut tx,
            a,
            cat,
            &listing(
                Direction::Offer,
                "Taart bakken",
                Area::WholeTown,
                false,
                None,
            ),
            1,
            today(),
        )
        .await
        .unwrap();
        let m = mk::propose(
            &mut tx,
            &Proposal {
                listing_id: closed,
                responder_id: b,
                via_listing_id: None,
                proposed_by: Side::Ask,
                made_by_user_id: None,
            },
        )
        .await
        .unwrap();
        mk::send_message(&mut tx, m, b, "Graag!").await.unwrap();
        mk::close_listing(&mut tx, closed).await.unwrap();
        // Nothing is old yet.
        let none = mk::purge(&mut tx, baken_store::now() - chrono::Duration::days(365))
            .await
            .unwrap();
        assert_eq!((none.messages, none.listings), (0, 0));
        assert_eq!(mk::retention(&mut tx).await.unwrap().get(), 12);
        // The period set in beheer, applied on a later day, with its audit entry.
        let now = baken_store::now().date_naive();
        let before = audit::count(&mut tx).await.unwrap();
        let kept = mk::purge_expired(&mut tx, now).await.unwrap();
        assert_eq!((kept.messages, kept.listings), (0, 0));
        baken_store::settings::set(&mut tx, mk::SETTING_RETENTION_MONTHS, "1")
            .await
            .unwrap();
        let all = mk::purge_expired(&mut tx, now + chrono::Days::new(40))
            .await
            .unwrap();
        assert_eq!((all.messages, all.listings), (1, 1), "{:?}", t.backend());
        assert_eq!(audit::count(&mut tx).await.unwrap(), before + 2);
        assert!(mk::listing(&mut tx, closed).await.unwrap().is_none());
        assert!(mk::listing(&mut tx, open).await.unwrap().is_some());
    }
}

/// Words for the listings of the equivalence test: shared words, compounds
/// ("buurtmaaltijd" holds "maaltijd"), negations and inabilities.
const WORDS: &[&str] = &[
    "boodschappen",
    "supermarkt",
    "maaltijd",
    "buurtmaaltijd",
    "koken",
    "kok",
    "buurtkok",
    "tuin",
    "tuinieren",
    "snoeien",
    "heg",
    "lamp",
    "lampen",
    "ophangen",
    "tablet",
    "telefoon",
    "videobellen",
    "wandelen",
    "koffie",
    "praatje",
    "scootmobiel",
    "scootmobielpool",
    "niet",
    "geen",
    "kan",
    "graag",
    "hond",
    "uitlaten",
    "post",
    "formulieren",
    ",",
];

/// A small deterministic generator (no dependency needed for a test's spread).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// The term index gives what analysing every open listing gave: for each of
/// 120 listings of mixed categories, districts, days, words, states and one
/// blocked participant, the same suggestions in the same order with the same
/// reasons as `market::suggest` over all open listings of the other side.
#[tokio::test]
async fn indexed_suggestions_equal_analysing_every_open_listing() {
    use baken_domain::market::{self as dm, Candidate};
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let d = districts(&mut tx).await;
        mk::add_neighbours(&mut tx, &d[0], &d[1]).await.unwrap();
        mk::add_neighbours(&mut tx, &d[1], &d[2]).await.unwrap();
        let cats: Vec<(i64, String)> = mk::categories(&mut tx, true)
            .await
            .unwrap()
            .into_iter()
            .take(4)
            .map(|c| (c.id, c.name))
            .collect();
        let mut people = Vec::new();
        for i in 0..8 {
            people.push(proxy(&mut tx, &format!("Buur {i}"), &d[i % 3]).await);
        }
        let mut rng = Lcg(7);
        let mut ids = Vec::new();
        for _ in 0..120 {
            let (cat_id, cat_name) = cats[rng.next(cats.len())].clone();
            let words: Vec<&str> = (0..1 + rng.next(6))
                .map(|_| WORDS[rng.next(WORDS.len())])
                .collect();
            let title = format!("Hulp {}", words.join(" "));
            let area = match rng.next(5) {
                0 => Area::WholeTown,
                n => Area::District(d[(n - 1) % 4].clone()),
            };
            let direction = if rng.next(2) == 0 {
                Direction::Ask
            } else {
                Direction::Offer
            };
            let part = [PartOfDay::Flexible, PartOfDay::Morning, PartOfDay::Evening][rng.next(3)];
            let date = [None, Some(today()), Some(today().succ_opt().unwrap())][rng.next(3)];
            let l = Listing::new(
                NewListing {
                    direction,
                    category: CategoryName::parse(&cat_name).unwrap(),
                    title: ListingTitle::parse(&title).unwrap(),
                    text: ListingText::parse(&words[..words.len() / 2].join(" ")).unwrap(),
                    area,
                    recurrence: Recurrence::Once,
                    date,
                    part_of_day: part,
                    urgent: false,
                    group: None,
                },
                today(),
            )
            .unwrap();
            let who = people[rng.next(people.len())];
            ids.push(
                mk::create_listing(&mut tx, who, cat_id, &l, 1, today())
                    .await
                    .unwrap(),
            );
        }
        mk::close_listing(&mut tx, ids[3]).await.unwrap();
        exec!(&mut tx, |c| sqlx::query(
            "UPDATE mk_participants SET blocked = TRUE WHERE id = $1"
        )
        .bind(people[5])
        .execute(&mut *c)
        .await)
        .unwrap();
        let neighbours = mk::neighbours(&mut tx).await.unwrap();
        let mut compared = 0;
        for id in &ids {
            let row = mk::listing(&mut tx, *id).await.unwrap().unwrap();
            let indexed = mk::suggestions(&mut tx, &row, 8).await.unwrap();
            let others = mk::open_listings(&mut tx, row.direction().opposite())
                .await
                .unwrap();
            let all: Vec<Candidate> = others.iter().map(|r| r.candidate()).collect();
            let query = format!("{} {}", row.title, row.body);
            let expected = dm::suggest(&row.candidate(), &query, &all, &neighbours, 8);
            let got: Vec<dm::Fit> = indexed.into_iter().map(|(_, f)| f).collect();
            assert_eq!(
                got,
                expected,
                "listing {id} ({:?}) on {:?}",
                row.title,
                t.backend()
            );
            compared += expected.len();
        }
        assert!(
            compared > 300,
            "the listings fit each other often enough to compare: {compared}"
        );

        // A listing indexed with an older analysis (or before the index
        // existed) is indexed again after migrating.
        let row = mk::listing(&mut tx, ids[0]).await.unwrap().unwrap();
        let before = mk::suggestions(&mut tx, &row, 8).await.unwrap();
        exec!(&mut tx, |c| sqlx::query("DELETE FROM mk_listing_terms")
            .execute(&mut *c)
            .await)
        .unwrap();
        exec!(&mut tx, |c| sqlx::query(
            "UPDATE mk_listings SET terms_version = 0"
        )
        .execute(&mut *c)
        .await)
        .unwrap();
        tx.commit().await.unwrap();
        t.db.migrate().await.unwrap();
        let mut tx = t.db.begin().await.unwrap();
        let after = mk::suggestions(&mut tx, &row, 8).await.unwrap();
        let ids_of =
            |v: &[(mk::ListingRow, dm::Fit)]| v.iter().map(|(r, _)| r.id).collect::<Vec<_>>();
        assert_eq!(ids_of(&after), ids_of(&before));
    }
}
