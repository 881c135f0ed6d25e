//! Notifications: in the app (the menu's count, `/meldingen`) and by e-mail
//! through a real SMTP server on loopback (Python's aiosmtpd), on every backend.

use crate::helpers::{first_between, last_audit_row, user_id};
use baken_web::testing::apps;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

#[tokio::test]
async fn a_waiting_referral_and_its_decision_are_told_in_the_app() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let lead = app.login_as("teamleider").await;
        let page = app.get("/start", &lead).await.body;
        assert!(
            page.contains("href=\"&#x2f;meldingen\""),
            "in the menu: {page}"
        );
        assert!(!page.contains("ongelezen"), "nothing waits yet");
        // The generalist asks for a referral on household 1's plan.
        let body = app.get("/dossier/1", &gen).await.body;
        let plan = first_between(&body, "action=\"/plannen/", "/")
            .unwrap()
            .to_owned();
        let version = first_between(&body, "name=\"versie\" value=\"", "\"")
            .unwrap()
            .to_owned();
        let res = app
            .post_form(
                &format!("/plannen/{plan}/verwijzingen"),
                &gen,
                &[
                    ("versie", &version),
                    ("zorg", "Ambulante begeleiding thuis"),
                    ("reden1", "Karel kan het niet alleen"),
                    ("reden2", "De familie kan dit niet dragen"),
                    ("reden3", "Geen passende algemene voorziening"),
                    ("reden4", "Lichte hulp hielp niet"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        // The team lead sees a count in the menu and the referral in the list.
        let page = app.get("/start", &lead).await.body;
        assert!(
            page.contains(
                "<span class=\"badge\">1<span class=\"visually-hidden\"> ongelezen</span>"
            ),
            "{page}"
        );
        let list = app.get("/meldingen", &lead).await.body;
        assert!(list.contains("Een verwijzing (Ambulante begeleiding thuis) wacht op uw besluit."));
        assert!(list.contains("href=\"&#x2f;teamoverzicht\""));
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.detail.as_str()),
            ("read", "meldingen: 1")
        );
        // The decision is told to the generalist who asked.
        let team = app.get("/teamoverzicht", &lead).await.body;
        let rid = first_between(&team, "Ambulante begeleiding thuis", "/besluit")
            .and_then(|s| s.rsplit("/verwijzingen/").next())
            .unwrap()
            .to_owned();
        let res = app
            .post_form(
                &format!("/verwijzingen/{rid}/besluit"),
                &lead,
                &[
                    ("besluit", "afwijzen"),
                    ("reden", "Eerst de dagbesteding afwachten"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        let list = app.get("/meldingen", &gen).await.body;
        assert!(
            list.contains(
                "De teamleider heeft uw verwijzing (Ambulante begeleiding thuis) afgewezen."
            ),
            "{list}"
        );
        assert!(list.contains("href=\"&#x2f;dossier&#x2f;1#verwijzingen\""));
        // Marking read empties the count, with a confirmation.
        let res = app.post_form("/meldingen/gelezen", &gen, &[]).await;
        assert_eq!(res.location(), Some("/meldingen?opgeslagen=gelezen"));
        let list = app.get("/meldingen?opgeslagen=gelezen", &gen).await.body;
        assert!(list.contains("Alle meldingen zijn als gelezen gemarkeerd."));
        assert!(!list.contains("ongelezen"));
        // The generalist sets an address for the e-mail; a bad one is refused.
        let res = app
            .post_form("/meldingen/email", &gen, &[("email", "geen adres")])
            .await;
        assert_eq!(res.status, 400);
        assert!(res
            .body
            .contains("Vul een e-mailadres in zoals naam@gemeente.nl"));
        assert!(res.body.contains("value=\"geen adres\""), "kept as typed");
        let res = app
            .post_form(
                "/meldingen/email",
                &gen,
                &[("email", "An@Proefstad.example")],
            )
            .await;
        assert_eq!(res.location(), Some("/meldingen?opgeslagen=email"));
        let page = app.get("/meldingen?opgeslagen=email", &gen).await.body;
        assert!(page.contains("Uw e-mailadres voor meldingen is opgeslagen."));
        assert!(page.contains("value=\"an@proefstad.example\""));
        let tail = app.audit_tail(2).await;
        assert!(tail
            .iter()
            .any(|a| a.detail == "e-mailadres voor meldingen gezet"));
        // A resident has no menu entry; the page is theirs alone and empty.
        let resident = app.login_as("inwoner").await;
        let page = app.get("/meldingen", &resident).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Er zijn geen meldingen."));
    }
}

/// The Python with aiosmtpd that `.ci/run` installs (or `BAKEN_TEST_SMTP_PYTHON`).
pub(crate) fn smtp_python() -> Option<PathBuf> {
    let python = std::env::var_os("BAKEN_TEST_SMTP_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/baken-smtp-venv/bin/python"))
        })?;
    let ok = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(python)
}

/// A running aiosmtpd, or None (and a note) when no Python with aiosmtpd is
/// installed — which fails under `CI=true`, where `.ci/run` installs it.
pub(crate) fn smtp_server_or_skip() -> Option<SmtpServer> {
    let Some(python) = smtp_python() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but aiosmtpd is missing: .ci/run installs it in ~/.cache/baken-smtp-venv"
        );
        eprintln!("skipped: no Python with aiosmtpd (set BAKEN_TEST_SMTP_PYTHON or run .ci/run)");
        return None;
    };
    Some(SmtpServer::start(&python))
}

/// aiosmtpd on a free loopback port, printing every message it receives.
pub(crate) struct SmtpServer {
    child: Child,
    pub(crate) port: u16,
}

impl SmtpServer {
    pub(crate) fn start(python: &PathBuf) -> SmtpServer {
        SmtpServer::start_with(python, &[])
    }

    /// aiosmtpd with extra options (`--tlscert`/`--tlskey` for STARTTLS,
    /// `--smtpscert`/`--smtpskey` for implicit TLS).
    fn start_with(python: &PathBuf, extra: &[&str]) -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(python)
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpServer { child, port };
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not listen on port {port}");
    }

    /// Stops the server and returns what it printed: the messages it received.
    pub(crate) fn received(mut self) -> String {
        let _ = self.child.kill();
        let mut out = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            stdout.read_to_string(&mut out).unwrap();
        }
        let _ = self.child.wait();
        out
    }
}

#[tokio::test]
async fn the_email_says_only_that_something_waits_and_links_to_baken() {
    let Some(server) = smtp_server_or_skip() else {
        return;
    };
    let mailer = tls_mailer(server.port, baken_mail::SmtpTls::None, None);
    let mut backends = 0;
    for app in apps(10).await {
        backends += 1;
        let me = user_id(&app, "generalist").await;
        let nobody = user_id(&app, "teamleider").await;
        {
            let mut tx = app.db.begin().await.unwrap();
            let email =
                baken_domain::EmailAddress::parse("an.generalist@proefstad.example").unwrap();
            baken_store::notifications::set_email(&mut tx, me, Some(&email))
                .await
                .unwrap();
            for text in [
                "Huishouden Lindelaan 12A is aan u overgedragen.",
                "Verwijzing Ambulante begeleiding afgewezen.",
            ] {
                baken_store::notifications::notify(
                    &mut tx,
                    &baken_store::notifications::NewNotification {
                        user_id: me,
                        kind: baken_domain::NotificationKind::HandedOver,
                        text,
                        link: "/dossier/1",
                    },
                )
                .await
                .unwrap();
            }
            // A user without an address gets no e-mail.
            baken_store::notifications::notify(
                &mut tx,
                &baken_store::notifications::NewNotification {
                    user_id: nobody,
                    kind: baken_domain::NotificationKind::ReferralWaiting,
                    text: "Wacht",
                    link: "/teamoverzicht",
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let sent = baken_web::notifications::mail::deliver_due(
            &app.db,
            &mailer,
            "https://baken.proefstad.example/",
        )
        .await
        .unwrap();
        assert_eq!(
            sent, 1,
            "one e-mail for two notifications, none without an address"
        );
        let again = baken_web::notifications::mail::deliver_due(
            &app.db,
            &mailer,
            "https://baken.proefstad.example",
        )
        .await
        .unwrap();
        assert_eq!(again, 0, "nothing is mailed twice");
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.outcome.as_str()),
            ("export", "success")
        );
        assert_eq!(entry.object_id.as_deref(), Some(me.to_string().as_str()));
    }
    let received = server.received();
    assert_eq!(
        received
            .matches("Subject: Er wacht iets op u in Baken")
            .count(),
        backends,
        "{received}"
    );
    assert!(
        received.contains("To: an.generalist@proefstad.example"),
        "{received}"
    );
    assert!(
        received.contains("From: \"Baken Proefstad\" <baken@proefstad.example>")
            || received.contains("From: Baken Proefstad <baken@proefstad.example>"),
        "{received}"
    );
    assert!(received.contains("Er wacht iets op u in Baken. Log in om te zien wat het is:"));
    assert!(received.contains("https://baken.proefstad.example/meldingen"));
    // No personal data: not the notification's text, not an address, not a name.
    for personal in [
        "Lindelaan",
        "12A",
        "overgedragen",
        "Ambulante",
        "afgewezen",
        "Demo Generalist",
        "/dossier",
    ] {
        assert!(
            !received.contains(personal),
            "{personal} in the e-mail: {received}"
        );
    }
}

/// A self-signed certificate for 127.0.0.1 made for this test (openssl), in
/// a temporary directory: (dir, cert path, key path).
fn self_signed() -> Option<(tempfile::TempDir, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem").display().to_string();
    let key = dir.path().join("key.pem").display().to_string();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "extendedKeyUsage=serverAuth",
            "-keyout",
            &key,
            "-out",
            &cert,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    made.then_some((dir, cert, key))
}

/// The settings of a relay on loopback `port` (the test's aiosmtpd), with a
/// CA file to trust for TLS.
pub(crate) fn smtp_settings(
    port: u16,
    tls: baken_mail::SmtpTls,
    ca: Option<&str>,
) -> baken_mail::SmtpSettings {
    baken_mail::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls,
        ca_pem: ca.map(|path| std::fs::read(path).unwrap()),
        from: "Baken Proefstad <baken@proefstad.example>".into(),
        username: None,
        password: None,
        timeout_secs: 10,
    }
}

fn tls_mailer(port: u16, tls: baken_mail::SmtpTls, ca: Option<&str>) -> baken_mail::Mailer {
    baken_mail::Mailer::new(&smtp_settings(port, tls, ca)).unwrap()
}

const TLS_MAIL: baken_mail::Mail<'static> = baken_mail::Mail {
    to: "an@proefstad.example",
    subject: "Er wacht iets op u in Baken",
    body: "Versleuteld verstuurd.",
};

#[tokio::test]
async fn mail_goes_over_starttls_or_implicit_tls_and_never_falls_back_to_plain_text() {
    let (Some(python), Some((_dir, cert, key))) = (smtp_python(), self_signed()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but aiosmtpd or openssl is missing"
        );
        eprintln!("skipped: no Python with aiosmtpd, or no openssl");
        return;
    };
    use baken_mail::SmtpTls;
    // STARTTLS, the certificate trusted through `ca_pem`: delivered.
    let server = SmtpServer::start_with(&python, &["--tlscert", &cert, "--tlskey", &key]);
    tls_mailer(server.port, SmtpTls::StartTls, Some(&cert))
        .send(&TLS_MAIL)
        .await
        .expect("sent over STARTTLS");
    let got = server.received();
    assert!(got.contains("Versleuteld verstuurd."), "{got}");

    // Implicit TLS (SMTPS): delivered.
    let server = SmtpServer::start_with(&python, &["--smtpscert", &cert, "--smtpskey", &key]);
    tls_mailer(server.port, SmtpTls::Implicit, Some(&cert))
        .send(&TLS_MAIL)
        .await
        .expect("sent over implicit TLS");
    assert!(server.received().contains("Versleuteld verstuurd."));

    // A certificate nobody trusts: refused, nothing delivered.
    let server = SmtpServer::start_with(&python, &["--tlscert", &cert, "--tlskey", &key]);
    let err = tls_mailer(server.port, SmtpTls::StartTls, None)
        .send(&TLS_MAIL)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
    assert!(!server.received().contains("Versleuteld verstuurd."));

    // A relay without STARTTLS: no fallback to plain text.
    let server = SmtpServer::start(&python);
    assert!(tls_mailer(server.port, SmtpTls::StartTls, Some(&cert))
        .send(&TLS_MAIL)
        .await
        .is_err());
    assert!(!server.received().contains("Versleuteld verstuurd."));
}

/// A licence that ends within 60 days: its provider's users get a reminder in
/// the app and, through the same round, the e-mail (once per licence), on
/// every backend, through the real SMTP server.
#[tokio::test]
async fn a_licence_to_renew_is_mailed_to_its_provider_once() {
    let Some(python) = smtp_python() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but aiosmtpd is missing: .ci/run installs it in ~/.cache/baken-smtp-venv"
        );
        eprintln!("skipped: no Python with aiosmtpd (set BAKEN_TEST_SMTP_PYTHON or run .ci/run)");
        return;
    };
    let server = SmtpServer::start(&python);
    let mailer = tls_mailer(server.port, baken_mail::SmtpTls::None, None);
    let mut backends = 0;
    for app in apps(10).await {
        backends += 1;
        let provider_user = user_id(&app, "aanbieder").await;
        let ends = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
        let licence = {
            let mut tx = app.db.begin().await.unwrap();
            // The demo aanbieder works for a licensed provider whose licence
            // ends in 30 days; no other licence is due.
            let (licence, provider): (i64, i64) = baken_store::with_conn!(&mut tx, |c| {
                baken_store::sqlx::query_as(
                    "SELECT id, provider_id FROM ct_licences WHERE status = 'verleend' ORDER BY id LIMIT 1",
                )
                .fetch_one(&mut *c)
                .await
            })
            .unwrap();
            baken_store::exec!(&mut tx, |c| {
                baken_store::sqlx::query("UPDATE ct_licences SET renewal_reminded_on = valid_until")
                    .execute(&mut *c)
                    .await
            })
            .unwrap();
            baken_store::exec!(&mut tx, |c| {
                baken_store::sqlx::query(
                    "UPDATE ct_licences SET valid_until = $1, renewal_reminded_on = NULL WHERE id = $2",
                )
                .bind(ends)
                .bind(licence)
                .execute(&mut *c)
                .await
            })
            .unwrap();
            baken_store::exec!(&mut tx, |c| {
                baken_store::sqlx::query("UPDATE users SET provider_id = $1 WHERE id = $2")
                    .bind(provider)
                    .bind(provider_user)
                    .execute(&mut *c)
                    .await
            })
            .unwrap();
            let email = baken_domain::EmailAddress::parse("planning@aanbieder.example").unwrap();
            baken_store::notifications::set_email(&mut tx, provider_user, Some(&email))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            licence
        };
        let sent = baken_web::notifications::mail::deliver_due(
            &app.db,
            &mailer,
            "https://baken.proefstad.example",
        )
        .await
        .unwrap();
        assert_eq!(sent, 1, "the provider's user is mailed");
        let aanbieder = app.login_as("aanbieder").await;
        let page = app.get("/meldingen", &aanbieder).await.body;
        let expected = format!("loopt af op {}", ends.format("%d-%m-%Y"));
        assert_eq!(page.matches(&expected).count(), 1, "{page}");
        assert!(page.contains("Licentie verloopt binnenkort"), "{page}");
        let reminded = app
            .audit_tail(20)
            .await
            .into_iter()
            .find(|e| e.detail == "herinnering: licentie verlengen")
            .expect("the reminder is audited");
        assert_eq!(reminded.object_id, Some(licence.to_string()));
        // Once per licence: the next round reminds and mails nothing.
        let again = baken_web::notifications::mail::deliver_due(
            &app.db,
            &mailer,
            "https://baken.proefstad.example",
        )
        .await
        .unwrap();
        assert_eq!(again, 0);
        let page = app.get("/meldingen", &aanbieder).await.body;
        assert_eq!(page.matches(&expected).count(), 1, "reminded once");
    }
    let received = server.received();
    assert_eq!(
        received.matches("To: planning@aanbieder.example").count(),
        backends,
        "{received}"
    );
    assert!(received.contains("Subject: Er wacht iets op u in Baken"));
    assert!(
        !received.contains("licentie"),
        "no details in the e-mail: {received}"
    );
}
