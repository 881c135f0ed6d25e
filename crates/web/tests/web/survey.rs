//! The Wmo client survey on every backend: a team's round (letters with a
//! one-time code; e-mail through a real SMTP server), a resident answering
//! without logging in, the proof that no stored answer can be traced to a
//! person (every `sv_*` table read), the protected results for beleid, and the
//! commissioning "oordeel" indicator fed by the answers.

use crate::helpers::last_audit_row;
use crate::notifications::{smtp_server_or_skip, smtp_settings};
use baken_domain::survey::{Answer, Answers, InvitationCode};
use baken_store::survey::{self as sv, NewToken};
use baken_store::{with_conn, Backend};
use baken_web::testing::{apps, apps_with, As, TestApp};
use baken_web::{MailSettings, WebConfig};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

fn today() -> NaiveDate {
    baken_web::today()
}

fn this_quarter() -> String {
    baken_domain::period::Period::quarter_of(today()).code()
}

/// Ends, today, every provider agreement of Wijkteam Centrum (the team of
/// `generalist` and `teamleider`); returns (team id, households touched).
async fn end_team_agreements(app: &TestApp) -> (i64, i64) {
    let mut tx = app.db.begin().await.unwrap();
    let (team,): (i64,) = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
        "SELECT team_id FROM users WHERE username = 'generalist'"
    )
    .fetch_one(&mut *c)
    .await)
    .unwrap();
    baken_store::exec!(&mut tx, |c| baken_store::sqlx::query(
        "UPDATE cw_agreements SET ended_on = $1 WHERE provider_id IS NOT NULL AND plan_id IN \
         (SELECT p.id FROM cw_plans p JOIN households h ON h.id = p.household_id WHERE h.team_id = $2)"
    )
    .bind(today())
    .bind(team)
    .execute(&mut *c)
    .await)
    .unwrap();
    let (pairs,): (i64,) = with_conn!(&mut tx, |c| {
        baken_store::sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT DISTINCT p.household_id, a.provider_id FROM cw_agreements a \
         JOIN cw_plans p ON p.id = a.plan_id JOIN households h ON h.id = p.household_id \
         WHERE h.team_id = $1 AND a.provider_id IS NOT NULL) x"
    )
    .bind(team)
    .fetch_one(&mut *c)
    .await
    })
    .unwrap();
    tx.commit().await.unwrap();
    (team, pairs)
}

/// The codes on a letters page, in the order printed.
fn codes_in(page: &str) -> Vec<String> {
    page.split("<p class=\"letter__code\">")
        .skip(1)
        .filter_map(|s| s.split_once("</p>").map(|(c, _)| c.to_owned()))
        .collect()
}

/// Every column of every `sv_` table, from the database's own catalogue (so a
/// table or column a later migration adds is covered).
async fn survey_columns(app: &TestApp) -> BTreeSet<(String, String)> {
    let mut tx = app.db.read().await.unwrap();
    let rows: Vec<(String, String)> = match app.backend {
        Backend::Sqlite => with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name LIKE 'sv\\_%' ESCAPE '\\'"
        )
        .fetch_all(&mut *c)
        .await)
        .unwrap(),
        Backend::Postgres => with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name LIKE 'sv\\_%'"
        )
        .fetch_all(&mut *c)
        .await)
        .unwrap(),
    };
    rows.into_iter().collect()
}

async fn strings(app: &TestApp, sql: &'static str) -> Vec<String> {
    let mut tx = app.db.read().await.unwrap();
    let rows: Vec<(String,)> = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(sql)
        .fetch_all(&mut *c)
        .await)
    .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn numbers(app: &TestApp, sql: &'static str) -> Vec<i64> {
    let mut tx = app.db.read().await.unwrap();
    let rows: Vec<(i64,)> = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(sql)
        .fetch_all(&mut *c)
        .await)
    .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

fn full_answers(code: &str, value: &str) -> Vec<(String, String)> {
    let mut form = vec![("code".to_owned(), code.to_owned())];
    for i in 1..=9 {
        form.push((format!("q{i}"), value.to_owned()));
    }
    form
}

async fn post(
    app: &TestApp,
    path: &str,
    form: &[(String, String)],
) -> baken_web::testing::TestResponse {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(path, &As::Anonymous, &pairs).await
}

#[tokio::test]
async fn a_resident_answers_with_the_letters_code_and_no_answer_leads_back_to_a_person() {
    for app in apps(60).await {
        let (team, pairs) = end_team_agreements(&app).await;
        assert!(pairs >= 2, "the demo team has ended agreements: {pairs}");
        let gen = app.login_as("generalist").await;
        let page = app.get("/enquete", &gen).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Uitnodigingen maken"));
        // A quarter not in the list is refused, nothing is sent.
        let res = app
            .post_form("/enquete/ronde", &gen, &[("kwartaal", "2019-K1")])
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Kies een van de kwartalen in de lijst"));
        assert_eq!(app.count_rows("sv_invitations").await, 0);
        let audit_before = app.audit_count().await;

        // The round: no e-mail configured, so every invitation is a letter.
        let res = app
            .post_form("/enquete/ronde", &gen, &[("kwartaal", &this_quarter())])
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let codes = codes_in(&res.body);
        assert_eq!(
            codes.len() as i64,
            pairs,
            "one letter per household and provider"
        );
        assert!(res.body.contains("De codes worden niet bewaard"));
        assert_eq!(app.count_rows("sv_invitations").await, pairs);
        assert_eq!(app.count_rows("sv_tokens").await, pairs);
        // Each invitation audited, naming the household and never the code.
        let entries = app.audit_tail(pairs).await;
        assert_eq!(app.audit_count().await, audit_before + pairs);
        for entry in &entries {
            assert_eq!(entry.object_type.as_deref(), Some("household"));
            assert!(
                entry.detail.contains("uitnodiging per brief"),
                "{}",
                entry.detail
            );
            for code in &codes {
                assert!(!entry.detail.contains(code.as_str()));
                assert!(!entry.detail.contains(&code.replace('-', "")));
            }
        }
        // Nobody is invited twice for the quarter.
        let again = app
            .post_form("/enquete/ronde", &gen, &[("kwartaal", &this_quarter())])
            .await;
        assert!(codes_in(&again.body).is_empty());
        assert!(again
            .body
            .contains("Er zijn geen brieven om af te drukken."));
        let team_page = app.get("/enquete", &gen).await.body;
        assert!(team_page.contains("per brief"), "{team_page}");

        // The resident, not logged in: a wrong code, then the right one.
        let start = app.get("/vragenlijst", &As::Anonymous).await;
        assert_eq!(start.status, 200);
        let res = post(&app, "/vragenlijst", &[("code".into(), "12345".into())]).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("16 letters en cijfers"));
        assert!(res.body.contains("value=\"12345\""), "kept as typed");
        let unknown = InvitationCode::from_random([7; 10]).grouped();
        let res = post(&app, "/vragenlijst", &[("code".into(), unknown)]).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Deze code kennen wij niet"));
        let res = post(
            &app,
            "/vragenlijst",
            &[("code".into(), codes[0].to_lowercase())],
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.contains("Over de ondersteuning van <strong>"));
        assert!(res.body.contains("Ik werd snel geholpen."));
        assert!(res.body.contains("Weet ik niet / niet van toepassing"));
        // A question left open: named, the other choices kept, nothing written.
        let mut partial = full_answers(&codes[0], "4");
        partial.retain(|(k, _)| k != "q3");
        let res = post(&app, "/vragenlijst/antwoorden", &partial).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("id=\"q3-fout\""), "{}", res.body);
        assert!(res
            .body
            .contains("id=\"q1-4\" name=\"q1\" value=\"4\" checked"));
        assert_eq!(app.count_rows("sv_answers").await, 0);
        // Every resident answers; the answers vary.
        let audit_before_answers = app.audit_count().await;
        for (i, code) in codes.iter().enumerate() {
            let value = ["5", "4", "0", "2"][i % 4];
            let res = post(&app, "/vragenlijst/antwoorden", &full_answers(code, value)).await;
            assert_eq!(res.location(), Some("/vragenlijst/bedankt"), "{}", res.body);
        }
        let thanks = app.get("/vragenlijst/bedankt", &As::Anonymous).await;
        assert!(thanks.body.contains("Uw antwoorden zijn opgeslagen."));
        // A code works once.
        let res = post(
            &app,
            "/vragenlijst/antwoorden",
            &full_answers(&codes[0], "5"),
        )
        .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("al gebruikt"));
        assert_eq!(app.count_rows("sv_answers").await, pairs);
        assert_eq!(
            app.audit_count().await,
            audit_before_answers,
            "answering writes no audit entry (its time would date the answer)"
        );

        // Every table the survey writes, read from the catalogue.
        let columns = survey_columns(&app).await;
        let tables: BTreeSet<&str> = columns.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            tables,
            BTreeSet::from(["sv_answers", "sv_invitations", "sv_tokens"])
        );
        let of = |table: &str| -> BTreeSet<String> {
            columns
                .iter()
                .filter(|(t, _)| t == table)
                .map(|(_, c)| c.clone())
                .collect()
        };
        let mut answer_columns: BTreeSet<String> = ["id", "team_id", "provider_id", "year"]
            .map(String::from)
            .into();
        answer_columns.extend((1..=9).map(|i| format!("q{i}")));
        assert_eq!(
            of("sv_answers"),
            answer_columns,
            "only team, provider, year and the answers"
        );
        assert_eq!(
            of("sv_tokens"),
            ["token_hash", "team_id", "provider_id", "year", "used"]
                .map(String::from)
                .into(),
            "a code knows no household, no invitation and no time"
        );
        // The only columns answers share with the invitations are the team
        // and the provider (and the year, coarser than the invitation's quarter).
        let shared: BTreeSet<String> = of("sv_answers")
            .intersection(&of("sv_invitations"))
            .cloned()
            .collect();
        assert_eq!(shared, ["provider_id", "team_id"].map(String::from).into());
        let shared: BTreeSet<String> = of("sv_answers")
            .intersection(&of("sv_tokens"))
            .cloned()
            .collect();
        assert_eq!(
            shared,
            ["provider_id", "team_id", "year"].map(String::from).into()
        );
        // Answer ids are random, not a sequence: none is a small number, none
        // equals a household's or resident's id.
        let ids = numbers(&app, "SELECT id FROM sv_answers").await;
        let households: BTreeSet<i64> = numbers(&app, "SELECT id FROM households")
            .await
            .into_iter()
            .collect();
        let residents: BTreeSet<i64> = numbers(&app, "SELECT id FROM residents")
            .await
            .into_iter()
            .collect();
        for id in &ids {
            assert!(*id > 1 << 32, "answer id {id} looks like a sequence");
            assert!(!households.contains(id) && !residents.contains(id));
        }
        // Codes are stored only hashed, and not in the order of the letters
        // (the rows in storage order, as a database reader would see them).
        let stored = strings(&app, "SELECT token_hash FROM sv_tokens").await;
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| baken_store::users::secret_hash(InvitationCode::parse(c).unwrap().as_str()))
            .collect();
        assert_eq!(
            stored.iter().collect::<BTreeSet<_>>(),
            hashes.iter().collect::<BTreeSet<_>>()
        );
        if codes.len() >= 8 {
            assert_ne!(stored, hashes, "codes are stored shuffled");
        }
        for code in &codes {
            let plain = code.replace('-', "");
            assert!(!stored.contains(&plain), "no code in plain text");
        }
        // The years answers carry: only the quarter's year.
        let years = numbers(&app, "SELECT CAST(year AS BIGINT) FROM sv_answers").await;
        assert!(years.iter().all(|y| *y == i64::from(today().year())));
        let teams = numbers(&app, "SELECT team_id FROM sv_answers").await;
        assert!(teams.iter().all(|t| *t == team));
    }
}

/// Stores `n` answers about `provider` for `team` this year, all the same,
/// through the store (as a resident's submit would).
async fn answered(app: &TestApp, team: i64, provider: i64, n: usize, value: Answer) {
    let mut tx = app.db.begin().await.unwrap();
    let codes: Vec<InvitationCode> = (0..n)
        .map(|i| {
            InvitationCode::from_random([
                i as u8,
                (team % 256) as u8,
                (provider % 256) as u8,
                1,
                2,
                3,
                4,
                5,
                6,
                7,
            ])
        })
        .collect();
    let tokens: Vec<NewToken> = codes
        .iter()
        .map(|c| NewToken {
            hash: baken_store::users::secret_hash(c.as_str()),
            team_id: team,
            provider_id: provider,
            year: today().year(),
        })
        .collect();
    sv::insert_tokens(&mut tx, &tokens).await.unwrap();
    for (i, c) in codes.iter().enumerate() {
        let id = (1i64 << 40) + team * 1_000_000 + provider * 1000 + i as i64;
        let stored = sv::answer(
            &mut tx,
            &baken_store::users::secret_hash(c.as_str()),
            id,
            &Answers([value; 9]),
        )
        .await
        .unwrap();
        assert!(stored);
    }
    tx.commit().await.unwrap();
}

async fn first_two(app: &TestApp, sql: &'static str) -> (i64, String, i64, String) {
    let mut tx = app.db.read().await.unwrap();
    let rows: Vec<(i64, String)> = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(sql)
        .fetch_all(&mut *c)
        .await)
    .unwrap();
    (rows[0].0, rows[0].1.clone(), rows[1].0, rows[1].1.clone())
}

#[tokio::test]
async fn beleid_sees_protected_results_and_the_oordeel_indicator_reads_them() {
    for app in apps(10).await {
        let (team_a, team_a_name, team_b, team_b_name) =
            first_two(&app, "SELECT id, name FROM teams ORDER BY id").await;
        let (prov_a, prov_a_name, prov_b, prov_b_name) =
            first_two(&app, "SELECT id, name FROM providers ORDER BY id").await;
        answered(&app, team_a, prov_a, 30, Answer::StronglyAgree).await;
        answered(&app, team_b, prov_b, 3, Answer::Disagree).await;
        let beleid = app.login_as("beleid").await;
        let year = today().year();
        let page = app
            .get(&format!("/enquete/resultaten?jaar={year}"), &beleid)
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        let body = page.body;
        let row = |name: &str| -> String {
            let start = body
                .find(&format!("<th scope=\"row\">{name}</th>"))
                .unwrap_or_else(|| panic!("a row for {name}: {body}"));
            body[start..].split("</tr>").next().unwrap().to_owned()
        };
        // 30 who all agree: a percentage of 100 on every statement, about 30 respondents.
        let a = row(&prov_a_name);
        assert_eq!(a.matches("<td>100%</td>").count(), 9, "{a}");
        let team_row = row(&team_a_name);
        assert_eq!(team_row.matches("<td>100%</td>").count(), 9, "{team_row}");
        // 3 respondents: published as 0, and no percentage.
        let b = row(&prov_b_name);
        assert!(b.contains("<td>0</td>"), "{b}");
        assert_eq!(b.matches("te weinig antwoorden").count(), 9, "{b}");
        assert!(row(&team_b_name).contains("<td>0</td>"));
        for n in 1..=4 {
            assert!(
                !body.contains(&format!("<td>{n}</td>")),
                "no count of {n} published"
            );
        }
        let entry = last_audit_row(&app).await;
        assert_eq!(entry.action, "read");
        assert_eq!(entry.object_id, None, "an aggregate read names nobody");
        // The CSV has the same figures, for Dutch Excel.
        let csv = app
            .get(&format!("/enquete/resultaten.csv?jaar={year}"), &beleid)
            .await;
        assert!(csv.body.starts_with('\u{feff}'));
        assert!(csv
            .body
            .contains("jaar;groep;naam;respondenten;Weet waar hulp te vragen"));
        let line = csv
            .body
            .lines()
            .find(|l| l.contains(&prov_b_name))
            .unwrap()
            .to_owned();
        assert!(line.ends_with(";0;;;;;;;;;"), "{line}");
        // A year that is no year is refused.
        let bad = app.get("/enquete/resultaten?jaar=twintig", &beleid).await;
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("Kies een jaar"), "{}", bad.body);
        // Policy may not send invitations.
        assert_eq!(app.get("/enquete", &beleid).await.status, 403);

        // The commissioning "oordeel" indicator: 30 answers about provider A,
        // all agreeing that the support helped.
        let mut tx = app.db.read().await.unwrap();
        let scope = baken_store::commissioning::Scope {
            provider_id: prov_a,
            district: None,
            from: NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
            until: NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
        };
        let figure = baken_store::commissioning::compute(
            &mut tx,
            baken_domain::commissioning::ComputedMeasure::ResidentJudgement,
            &scope,
        )
        .await
        .unwrap();
        assert_eq!(figure.households, 30);
        assert_eq!(figure.value.map(|v| v.value()), Some(10_000), "100,00 %");
        let none = baken_store::commissioning::compute(
            &mut tx,
            baken_domain::commissioning::ComputedMeasure::ResidentJudgement,
            &baken_store::commissioning::Scope {
                provider_id: prov_b,
                from: NaiveDate::from_ymd_opt(year - 1, 1, 1).unwrap(),
                until: NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap(),
                district: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (none.households, none.value),
            (0, None),
            "no answers last year"
        );
    }
}

#[tokio::test]
async fn a_resident_with_an_address_gets_the_code_by_email_with_nothing_personal() {
    let Some(server) = smtp_server_or_skip() else {
        return;
    };
    let config = WebConfig {
        demo: true,
        mail: Some(MailSettings {
            smtp: smtp_settings(server.port, baken_mail::SmtpTls::None, None),
            public_url: "https://baken.proefstad.example/".into(),
            every_secs: 3600,
        }),
        ..WebConfig::default()
    };
    let mut backends = 0;
    let mut codes = Vec::new();
    for app in apps_with(60, config).await {
        backends += 1;
        let (_, pairs) = end_team_agreements(&app).await;
        {
            // The demo resident (household 1) has an account; give it an address.
            let mut tx = app.db.begin().await.unwrap();
            baken_store::exec!(&mut tx, |c| baken_store::sqlx::query(
                "UPDATE users SET email = 'inwoner@proefstad.example' WHERE username = 'inwoner'"
            )
            .execute(&mut *c)
            .await)
            .unwrap();
            tx.commit().await.unwrap();
        }
        let (mailable,): (i64,) = {
            let mut tx = app.db.read().await.unwrap();
            with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
                "SELECT COUNT(DISTINCT a.provider_id) FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
                 WHERE p.household_id = (SELECT household_id FROM users WHERE username = 'inwoner') \
                 AND a.provider_id IS NOT NULL AND a.ended_on IS NOT NULL"
            )
            .fetch_one(&mut *c)
            .await)
            .unwrap()
        };
        assert!(
            mailable >= 1,
            "the resident's household had support that ended"
        );
        let gen = app.login_as("generalist").await;
        let res = app
            .post_form("/enquete/ronde", &gen, &[("kwartaal", &this_quarter())])
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            res.body.contains(&format!("{mailable} e-mail")),
            "{}",
            res.body
        );
        assert_eq!(codes_in(&res.body).len() as i64, pairs - mailable);
        let by_mail = app
            .audit_tail(pairs)
            .await
            .iter()
            .filter(|e| e.detail.contains("uitnodiging per e-mail"))
            .count() as i64;
        assert_eq!(by_mail, mailable, "each e-mail invitation audited");
        codes.push(app);
    }
    let received = server.received();
    assert_eq!(
        received
            .matches("Subject: Wat vond u van de ondersteuning?")
            .count(),
        backends,
        "{received}"
    );
    assert!(received.contains("To: inwoner@proefstad.example"));
    assert!(received.contains("https://baken.proefstad.example/vragenlijst"));
    // No name, no address, no provider in the e-mail.
    for personal in ["Proefstad Zorg", "straat", "laan", "Wijkteam", "Demo"] {
        assert!(!received.contains(personal), "{personal} in: {received}");
    }
    // The code in the e-mail opens the questionnaire on its backend.
    let mailed: Vec<String> = received
        .lines()
        .filter_map(|l| l.strip_prefix("Vul daar deze code in: "))
        .map(|c| c.trim().to_owned())
        .collect();
    assert_eq!(mailed.len(), backends);
    for (app, code) in codes.iter().zip(&mailed) {
        let res = post(app, "/vragenlijst", &[("code".into(), code.clone())]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.contains("Ik werd snel geholpen."));
    }
}
