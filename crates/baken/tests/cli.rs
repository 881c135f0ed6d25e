//! The `baken` command as a user runs it: exit codes, messages, and that bad
//! input changes nothing.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn baken(args: &[&str], stdin: Option<&str>, dir: &std::path::Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baken"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("BAKEN_DB")
        .env_remove("BAKEN_CONFIG")
        .env("BAKEN_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("baken runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("baken finishes")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn db_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("cli.db").display())
}

#[test]
fn demo_fills_once_and_then_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_url(dir.path());
    let first = baken(
        &["demo", "--db", &db, "--households", "120", "--seed", "3"],
        None,
        dir.path(),
    );
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("120 households"), "{}", text(&first));
    assert!(
        text(&first).contains("proefstad-demo-2026"),
        "prints the demo accounts"
    );
    let second = baken(
        &["demo", "--db", &db, "--households", "50"],
        None,
        dir.path(),
    );
    assert!(!second.status.success());
    assert!(
        text(&second).contains("already holds data"),
        "{}",
        text(&second)
    );
}

#[test]
fn user_add_reads_the_password_from_stdin_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_url(dir.path());
    assert!(baken(
        &["demo", "--db", &db, "--households", "100"],
        None,
        dir.path()
    )
    .status
    .success());

    let ok = baken(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "anna",
            "--role",
            "beleid",
        ],
        Some("een goed lang wachtwoord\n"),
        dir.path(),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("Created user 'anna'"));

    let dup = baken(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "anna",
            "--role",
            "beleid",
        ],
        Some("een goed lang wachtwoord\n"),
        dir.path(),
    );
    assert!(!dup.status.success());
    assert!(
        text(&dup).contains("--username: the user 'anna' already exists"),
        "{}",
        text(&dup)
    );

    let short = baken(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "bob",
            "--role",
            "beleid",
        ],
        Some("kort\n"),
        dir.path(),
    );
    assert!(!short.status.success());
    assert!(
        text(&short).contains("password: a password has at least 12"),
        "{}",
        text(&short)
    );

    let role = baken(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "carl",
            "--role",
            "admin",
        ],
        Some("een goed lang wachtwoord\n"),
        dir.path(),
    );
    assert!(
        text(&role).contains("--role: unknown role 'admin'"),
        "{}",
        text(&role)
    );

    let team = baken(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "dora",
            "--role",
            "generalist",
            "--team",
            "Wijkteam Nergens",
        ],
        Some("een goed lang wachtwoord\n"),
        dir.path(),
    );
    assert!(
        text(&team).contains("--team: there is no team named 'Wijkteam Nergens'"),
        "{}",
        text(&team)
    );

    // the password is never accepted on the command line
    let argv = baken(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "eve",
            "--role",
            "beleid",
            "--password",
            "x",
        ],
        None,
        dir.path(),
    );
    assert!(!argv.status.success());
}

#[test]
fn tokens_are_created_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_url(dir.path());
    assert!(baken(
        &["demo", "--db", &db, "--households", "100"],
        None,
        dir.path()
    )
    .status
    .success());
    let created = baken(
        &[
            "token",
            "create",
            "--db",
            &db,
            "--username",
            "generalist",
            "--ttl",
            "2h",
        ],
        None,
        dir.path(),
    );
    assert!(created.status.success(), "{}", text(&created));
    let token = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(token.starts_with("bkn_") && token.len() == 68, "{token}");
    let err = String::from_utf8_lossy(&created.stderr).to_string();
    let id = err.split_whitespace().nth(1).unwrap_or("").to_owned();
    let revoked = baken(
        &["token", "revoke", "--db", &db, "--id", &id],
        None,
        dir.path(),
    );
    assert!(revoked.status.success(), "{}", text(&revoked));
    let again = baken(
        &["token", "revoke", "--db", &db, "--id", &id],
        None,
        dir.path(),
    );
    assert!(text(&again).contains("no active token"), "{}", text(&again));
    let bad_ttl = baken(
        &[
            "token",
            "create",
            "--db",
            &db,
            "--username",
            "generalist",
            "--ttl",
            "1y",
        ],
        None,
        dir.path(),
    );
    assert!(!bad_ttl.status.success());
    assert!(
        text(&bad_ttl).contains("unknown unit"),
        "{}",
        text(&bad_ttl)
    );
}

#[test]
fn audit_verify_passes_and_names_an_entry_edited_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_url(dir.path());
    assert!(baken(
        &["demo", "--db", &db, "--households", "100"],
        None,
        dir.path()
    )
    .status
    .success());
    for name in ["ann", "ben", "cas"] {
        let o = baken(
            &[
                "user",
                "add",
                "--db",
                &db,
                "--username",
                name,
                "--role",
                "beleid",
            ],
            Some("een goed lang wachtwoord\n"),
            dir.path(),
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let ok = baken(&["audit", "verify", "--db", &db], None, dir.path());
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("intact: 3 entries"), "{}", text(&ok));

    // Someone with database access edits entry 2 by hand (after removing the guard).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = baken_store::Db::connect(&db).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        baken_store::exec!(&mut tx, |c| sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&mut *c)
            .await)
        .unwrap();
        baken_store::exec!(&mut tx, |c| sqlx::query(
            "UPDATE audit_log SET detail = 'rol beheerder' WHERE seq = 2"
        )
        .execute(&mut *c)
        .await)
        .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
    });
    let broken = baken(&["audit", "verify", "--db", &db], None, dir.path());
    assert!(!broken.status.success());
    assert!(
        text(&broken).contains("broken at entry 2"),
        "{}",
        text(&broken)
    );
}

#[test]
fn bad_flags_and_config_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let addr = baken(
        &["serve", "--db", &db_url(dir.path()), "--addr", "localhost"],
        None,
        dir.path(),
    );
    assert!(!addr.status.success());
    assert!(
        text(&addr).contains("--addr 'localhost'"),
        "{}",
        text(&addr)
    );

    let url = baken(&["demo", "--db", "mysql://x"], None, dir.path());
    assert!(
        text(&url).contains("unsupported database URL"),
        "{}",
        text(&url)
    );

    std::fs::write(
        dir.path().join("baken.toml"),
        "db = \"sqlite://x.db\"\nport = 8080\n",
    )
    .unwrap();
    let cfg = baken(&["audit", "verify"], None, dir.path());
    assert!(!cfg.status.success());
    assert!(text(&cfg).contains("baken.toml:2"), "{}", text(&cfg));
    assert!(text(&cfg).contains("port"), "{}", text(&cfg));
    assert!(!dir.path().join("x.db").exists(), "nothing was created");
    std::fs::remove_file(dir.path().join("baken.toml")).unwrap();

    let households = baken(
        &["demo", "--db", &db_url(dir.path()), "--households", "0"],
        None,
        dir.path(),
    );
    assert!(
        text(&households).contains("--households must be from 1"),
        "{}",
        text(&households)
    );
}

#[test]
fn configuration_file_sets_the_database_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("baken.toml"),
        "db = \"sqlite://from-file.db\"\n[demo]\nhouseholds = 110\nseed = 5\n",
    )
    .unwrap();
    let o = baken(&["demo"], None, dir.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("110 households"));
    assert!(dir.path().join("from-file.db").exists());
    let o = baken(
        &[
            "demo",
            "--db",
            &format!("sqlite://{}", dir.path().join("flag.db").display()),
            "--households",
            "100",
        ],
        None,
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        dir.path().join("flag.db").exists(),
        "the flag wins over the file"
    );
}
