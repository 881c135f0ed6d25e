//! The `baken` command as a user runs it: exit codes, messages, and that bad
//! input changes nothing.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn baken(args: &[&str], stdin: Option<&str>, dir: &std::path::Path) -> Output {
    baken_env(args, stdin, dir, &[])
}

/// The `BAKEN_*` variables a developer may have set are cleared; `env` sets some.
fn command(args: &[&str], dir: &std::path::Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baken"));
    cmd.args(args).current_dir(dir);
    for var in [
        "BAKEN_DB",
        "BAKEN_CONFIG",
        "BAKEN_ADDR",
        "BAKEN_LOG_FORMAT",
        "BAKEN_SECURE_COOKIES",
        "BAKEN_DEMO_HOUSEHOLDS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("BAKEN_LOG", "warn");
    for (k, v) in env {
        // An empty value removes the variable.
        if v.is_empty() {
            cmd.env_remove(k);
        } else {
            cmd.env(k, v);
        }
    }
    cmd
}

fn baken_env(
    args: &[&str],
    stdin: Option<&str>,
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = command(args, dir, env);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("baken runs");
    if let Some(input) = stdin {
        // A command that refuses its flags exits before it reads the password:
        // then the pipe is closed, which is not the test's failure.
        match child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
        {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
            _ => {}
        }
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
        text(&url).contains("--db 'mysql://x' is not a database URL"),
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

fn sqlite(dir: &std::path::Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

#[test]
fn environment_wins_over_the_file_and_flags_win_over_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("baken.toml"),
        format!(
            "db = \"{}\"\n[demo]\nhouseholds = 110\n",
            sqlite(dir.path(), "file.db")
        ),
    )
    .unwrap();
    let env_db = sqlite(dir.path(), "env.db");
    let env = [
        ("BAKEN_DB", env_db.as_str()),
        ("BAKEN_DEMO_HOUSEHOLDS", "105"),
    ];
    let o = baken_env(&["demo"], None, dir.path(), &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("105 households"), "{}", text(&o));
    assert!(
        dir.path().join("env.db").exists(),
        "BAKEN_DB wins over the file"
    );
    assert!(!dir.path().join("file.db").exists());

    let flag_db = sqlite(dir.path(), "flag.db");
    let o = baken_env(
        &["demo", "--db", &flag_db, "--households", "101"],
        None,
        dir.path(),
        &env,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("101 households"), "{}", text(&o));
    assert!(
        dir.path().join("flag.db").exists(),
        "--db wins over BAKEN_DB"
    );
    assert!(!dir.path().join("file.db").exists());
}

#[test]
fn bad_settings_name_the_flag_the_variable_or_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "nothing.db");
    for (args, env, needle, not) in [
        (
            vec!["serve", "--db", &db, "--addr", "localhost"],
            vec![],
            "--addr 'localhost' is not HOST:PORT",
            "BAKEN_ADDR",
        ),
        (
            vec!["serve", "--db", &db],
            vec![("BAKEN_ADDR", "localhost:80")],
            "BAKEN_ADDR 'localhost:80' is not HOST:PORT",
            "--addr",
        ),
        (
            vec!["serve", "--db", &db],
            vec![("BAKEN_SECURE_COOKIES", "yes")],
            "BAKEN_SECURE_COOKIES must be true or false; got 'yes'",
            "--secure-cookies",
        ),
        (
            vec!["serve", "--db", &db, "--secure-cookies", "ja"],
            vec![],
            "--secure-cookies must be true or false",
            "BAKEN_",
        ),
        (
            vec!["audit", "verify", "--db", &db],
            vec![("BAKEN_LOG_FORMAT", "xml")],
            "BAKEN_LOG_FORMAT must be \"human\" or \"json\"",
            "--log-format",
        ),
        (
            vec!["audit", "verify"],
            vec![("BAKEN_DB", "mysql://db")],
            "BAKEN_DB 'mysql://db' is not a database URL",
            "--db",
        ),
    ] {
        let o = baken_env(&args, None, dir.path(), &env);
        let t = text(&o);
        assert!(!o.status.success(), "{args:?} {env:?}");
        assert!(t.contains(needle), "{args:?} {env:?}: {t}");
        assert!(!t.contains(not), "{args:?} {env:?}: names {not}: {t}");
    }
    for (file, needle) in [
        (
            "db = \"sqlite://x.db\"\naddr = \"localhost\"\n",
            "baken.toml:2: addr:",
        ),
        ("log_format = \"xml\"\n", "baken.toml:1: log_format must be"),
        (
            "\nsession_hours = 0\n",
            "baken.toml:2: session_hours must be",
        ),
        (
            "secure_cookies = \"ja\"\n",
            "baken.toml:1: secure_cookies must be true or false",
        ),
        (
            "db = \"mysql://x\"\n",
            "baken.toml:1: db: 'mysql://x' is not a database URL",
        ),
        (
            "[demo]\nhouseholds = 0\n",
            "baken.toml:2: households must be from 1 to 2,000,000",
        ),
    ] {
        std::fs::write(dir.path().join("baken.toml"), file).unwrap();
        let o = baken(&["serve", "--db", &db], None, dir.path());
        assert!(!o.status.success(), "{file}");
        assert!(text(&o).contains(needle), "{file}: {}", text(&o));
    }
    std::fs::remove_file(dir.path().join("baken.toml")).unwrap();
    assert!(
        !dir.path().join("nothing.db").exists(),
        "nothing was created"
    );
    assert!(!dir.path().join("x.db").exists(), "nothing was created");
}

#[test]
fn invalid_demo_flags_are_refused_before_the_database_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "demo.db");
    for (args, env, needle) in [
        (
            vec!["demo", "--db", &db, "--households", "0"],
            vec![],
            "--households must be from 1 to 2,000,000; got 0",
        ),
        (
            vec!["demo", "--db", &db, "--households", "2000001"],
            vec![],
            "--households must be from 1 to 2,000,000; got 2000001",
        ),
        (
            vec!["demo", "--db", &db, "--households", "veel"],
            vec![],
            "--households 'veel' is not a whole number",
        ),
        (
            vec!["demo", "--db", &db],
            vec![("BAKEN_DEMO_HOUSEHOLDS", "0")],
            "BAKEN_DEMO_HOUSEHOLDS must be from 1",
        ),
        (vec!["demo", "--db", &db, "--seed", "abc"], vec![], "--seed"),
        (
            vec!["serve", "--demo", "--db", &db, "--households", "0"],
            vec![],
            "--households must be from 1",
        ),
    ] {
        let o = baken_env(&args, None, dir.path(), &env);
        assert!(!o.status.success(), "{args:?}");
        assert!(text(&o).contains(needle), "{args:?}: {}", text(&o));
        assert!(
            !dir.path().join("demo.db").exists(),
            "{args:?}: the database file was created"
        );
    }
}

#[test]
fn demo_help_states_the_range_the_code_accepts() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["demo", "serve"] {
        let help = baken(&[command, "--help"], None, dir.path());
        assert!(
            text(&help).contains("(1 to 2,000,000)"),
            "{command} --help: {}",
            text(&help)
        );
    }
    // The lower end of that range works; one past the upper end does not.
    let o = baken(
        &[
            "demo",
            "--db",
            &sqlite(dir.path(), "one.db"),
            "--households",
            "1",
        ],
        None,
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(": 1 households"), "{}", text(&o));
    let o = baken(
        &[
            "demo",
            "--db",
            &sqlite(dir.path(), "big.db"),
            "--households",
            "2000001",
        ],
        None,
        dir.path(),
    );
    assert!(!o.status.success());
}

#[test]
fn user_add_links_each_role_to_what_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_url(dir.path());
    assert!(baken(
        &["demo", "--db", &db, "--households", "100"],
        None,
        dir.path()
    )
    .status
    .success());
    let pw = Some("een goed lang wachtwoord\n");
    let add = |extra: &[&str]| {
        let mut args = vec!["user", "add", "--db", db.as_str()];
        args.extend_from_slice(extra);
        baken(&args, pw, dir.path())
    };
    for (extra, needle) in [
        (
            vec!["--username", "inw.een", "--role", "inwoner"],
            "--household: an account with role inwoner must be linked to a household",
        ),
        (
            vec!["--username", "aan.een", "--role", "aanbieder"],
            "--provider: an account with role aanbieder must be linked to a provider",
        ),
        (
            vec!["--username", "gen.een", "--role", "generalist"],
            "--team: an account with role generalist must be linked to a team",
        ),
        (
            vec![
                "--username",
                "bel.een",
                "--role",
                "beleid",
                "--team",
                "Wijkteam Noord",
            ],
            "--team: an account with role beleid is not linked to a team; leave it out",
        ),
        (
            vec![
                "--username",
                "inw.twee",
                "--role",
                "inwoner",
                "--household",
                "99999",
            ],
            "--household: there is no household with number 99999",
        ),
        (
            vec![
                "--username",
                "aan.twee",
                "--role",
                "aanbieder",
                "--provider",
                "Bestaat Niet BV",
            ],
            "--provider: there is no provider named 'Bestaat Niet BV'",
        ),
    ] {
        let o = add(&extra);
        assert!(!o.status.success(), "{extra:?}");
        assert!(text(&o).contains(needle), "{extra:?}: {}", text(&o));
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let provider: String = rt.block_on(async {
        let store = baken_store::Db::connect(&db).await.unwrap();
        let mut tx = store.read().await.unwrap();
        let p = baken_store::areas::providers(&mut tx).await.unwrap();
        p[0].name.clone()
    });
    for extra in [
        vec![
            "--username",
            "nieuwe.inwoner",
            "--role",
            "inwoner",
            "--household",
            "7",
        ],
        vec![
            "--username",
            "nieuwe.aanbieder",
            "--role",
            "aanbieder",
            "--provider",
            &provider,
        ],
        vec![
            "--username",
            "nieuwe.generalist",
            "--role",
            "generalist",
            "--team",
            "Wijkteam Oost",
        ],
    ] {
        let o = add(&extra);
        assert!(o.status.success(), "{extra:?}: {}", text(&o));
    }
    rt.block_on(async {
        let store = baken_store::Db::connect(&db).await.unwrap();
        let mut tx = store.read().await.unwrap();
        let i = baken_store::users::by_username(&mut tx, "nieuwe.inwoner")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (i.household_id, i.team_id, i.provider_id),
            (Some(7), None, None)
        );
        let a = baken_store::users::by_username(&mut tx, "nieuwe.aanbieder")
            .await
            .unwrap()
            .unwrap();
        assert!(a.provider_id.is_some() && a.team_id.is_none());
        let g = baken_store::users::by_username(&mut tx, "nieuwe.generalist")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.team_id, Some(3));
        let log = baken_store::audit::search(&mut tx, &Default::default(), 1, 3)
            .await
            .unwrap();
        assert!(log
            .items
            .iter()
            .any(|r| r.detail == "rol inwoner, huishouden 7"));
    });
}

/// One audit entry, as a writer other than the backup appends it.
fn cli_write(n: u64) -> baken_domain::AuditEntry {
    baken_domain::AuditEntry {
        at: baken_store::now(),
        actor: baken_domain::audit::Actor {
            user_id: None,
            username: Some("cli:writer".into()),
            role: Some("cli".into()),
            client_addr: "lokaal".into(),
        },
        route: "cli: test writer".into(),
        action: baken_domain::AuditAction::Create,
        outcome: baken_domain::AuditOutcome::Success,
        object_type: Some("test".into()),
        object_id: Some(n.to_string()),
        detail: String::new(),
    }
}

/// "intact: N entries" → N.
fn intact_entries(o: &Output) -> u64 {
    let t = text(o);
    let rest = t
        .split("intact: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no count in {t}"));
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn backup_while_another_task_writes_restores_to_a_log_that_verifies() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let live = sqlite(dir.path(), "live.db");
    let demo = baken(
        &["demo", "--db", &live, "--households", "500"],
        None,
        dir.path(),
    );
    assert!(demo.status.success(), "{}", text(&demo));

    // Another task appends to the audit log, one transaction per entry, all along.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(baken_store::Db::connect(&live)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = rt.spawn({
        let (store, stop, written) = (store.clone(), stop.clone(), written.clone());
        async move {
            while !stop.load(Ordering::SeqCst) {
                let n = written.load(Ordering::SeqCst);
                let mut tx = store.begin().await.unwrap();
                baken_store::audit::append(&mut tx, &cli_write(n))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                written.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    while written.load(Ordering::SeqCst) < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let before = written.load(Ordering::SeqCst);
    let copy = dir.path().join("backup.db");
    let backup = baken(
        &["backup", "--db", &live, "--out", copy.to_str().unwrap()],
        None,
        dir.path(),
    );
    let after = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    rt.block_on(writer).unwrap();
    rt.block_on(store.close());
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(after > before, "the writer kept writing during the backup");

    // Restore: the copy takes the place of the database file.
    let restored = dir.path().join("restored.db");
    std::fs::copy(&copy, &restored).unwrap();
    let url = format!("sqlite://{}", restored.display());
    let verify = baken(&["audit", "verify", "--db", &url], None, dir.path());
    assert!(verify.status.success(), "{}", text(&verify));
    let entries = intact_entries(&verify);
    assert!(
        (before..=after).contains(&entries),
        "the copy holds the {entries} entries committed when it was taken ({before}..={after})"
    );
    let migrated = baken(&["migrate", "--db", &url], None, dir.path());
    assert!(migrated.status.success(), "{}", text(&migrated));

    // A backup never overwrites a file, and leaves none half-written.
    let again = baken(
        &["backup", "--db", &live, "--out", copy.to_str().unwrap()],
        None,
        dir.path(),
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    let missing = baken(
        &[
            "backup",
            "--db",
            &sqlite(dir.path(), "typo.db"),
            "--out",
            dir.path().join("typo-copy.db").to_str().unwrap(),
        ],
        None,
        dir.path(),
    );
    assert!(!missing.status.success(), "{}", text(&missing));
    assert!(
        !dir.path().join("typo.db").exists(),
        "no empty database was created"
    );
    assert!(!dir.path().join("typo-copy.db").exists());
}

#[test]
fn backup_of_postgres_points_at_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let out = baken(
        &[
            "backup",
            "--db",
            "postgres://baken@127.0.0.1:1/baken",
            "--out",
            dir.path().join("baken.dump").to_str().unwrap(),
        ],
        None,
        dir.path(),
    );
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains("pg_dump -Fc") && t.contains("pg_restore"), "{t}");
    assert!(!dir.path().join("baken.dump").exists());
}

#[test]
fn migrate_is_a_command_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "new.db");
    for _ in 0..2 {
        let out = baken(&["migrate", "--db", &db], None, dir.path());
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            text(&out).contains("is up to date (schema version 30)"),
            "{}",
            text(&out)
        );
    }
    // The migrated database is ready for the demo and verifies.
    let demo = baken(
        &["demo", "--db", &db, "--households", "5"],
        None,
        dir.path(),
    );
    assert!(demo.status.success(), "{}", text(&demo));
}

/// Appends `n` entries to the log of the database at `url`.
fn append_entries(rt: &tokio::runtime::Runtime, url: &str, n: u64) {
    rt.block_on(async {
        let store = baken_store::Db::connect(url).await.unwrap();
        for i in 0..n {
            let mut tx = store.begin().await.unwrap();
            baken_store::audit::append(&mut tx, &cli_write(i))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        store.close().await;
    });
}

/// What someone with write access to the database can do unnoticed by the
/// chain alone: remove the last entries and set the head back to the last one left.
fn cut_the_tail(rt: &tokio::runtime::Runtime, url: &str, keep: i64) {
    rt.block_on(async {
        let store = baken_store::Db::connect(url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let guards: &[&str] = match store.backend() {
            baken_store::Backend::Sqlite => &["DROP TRIGGER audit_log_no_delete"],
            baken_store::Backend::Postgres => &["DROP TRIGGER audit_log_no_change ON audit_log"],
        };
        for sql in guards.iter().copied().chain([
            "DELETE FROM audit_log WHERE seq > $1",
            "UPDATE audit_head SET seq = $1, hash = (SELECT hash FROM audit_log WHERE seq = $1) WHERE id = 1",
        ]) {
            baken_store::exec!(&mut tx, |c| sqlx::query(sql).bind(keep).execute(&mut *c).await)
                .unwrap();
        }
        tx.commit().await.unwrap();
        store.close().await;
    });
}

#[test]
fn signed_checkpoints_catch_a_log_whose_tail_was_cut() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for test_db in rt.block_on(baken_store::testing::all()) {
        let dir = tempfile::tempdir().unwrap();
        let db = test_db.url.as_str();
        let key = dir.path().join("audit.key");
        let key_arg = key.to_str().unwrap();
        let public = format!("{key_arg}.pub");
        let checkpoints = dir.path().join("checkpoints.txt");
        let cps = checkpoints.to_str().unwrap();

        let keygen = baken(&["audit", "keygen", "--out", key_arg], None, dir.path());
        assert!(keygen.status.success(), "{}", text(&keygen));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the secret key is for its owner only");
        }
        let again = baken(&["audit", "keygen", "--out", key_arg], None, dir.path());
        assert!(!again.status.success(), "a key is never overwritten");

        // Two checkpoints: at entry 10 and at entry 15.
        for n in [10, 5] {
            append_entries(&rt, db, n);
            let cp = baken(
                &[
                    "audit",
                    "checkpoint",
                    "--db",
                    db,
                    "--key",
                    key_arg,
                    "--out",
                    cps,
                ],
                None,
                dir.path(),
            );
            assert!(cp.status.success(), "{}", text(&cp));
        }
        assert_eq!(
            std::fs::read_to_string(&checkpoints)
                .unwrap()
                .lines()
                .count(),
            2
        );
        append_entries(&rt, db, 3);

        // Untouched: both ways of naming the key pass.
        for key_flag in [["--public-key", public.as_str()], ["--key", key_arg]] {
            let args = [
                &["audit", "verify", "--db", db, "--checkpoints", cps][..],
                &key_flag[..],
            ]
            .concat();
            let ok = baken(&args, None, dir.path());
            assert!(
                ok.status.success(),
                "{:?}: {}",
                test_db.backend(),
                text(&ok)
            );
            assert!(
                text(&ok).contains("all 2 signed checkpoints"),
                "{}",
                text(&ok)
            );
        }

        // A checkpoint edited by hand does not verify, and is named by its line.
        let forged = dir.path().join("forged.txt");
        let edited = std::fs::read_to_string(&checkpoints)
            .unwrap()
            .replace("seq=15 ", "seq=14 ");
        std::fs::write(&forged, edited).unwrap();
        let bad = baken(
            &[
                "audit",
                "verify",
                "--db",
                db,
                "--checkpoints",
                forged.to_str().unwrap(),
                "--public-key",
                &public,
            ],
            None,
            dir.path(),
        );
        assert!(!bad.status.success());
        assert!(
            text(&bad).contains("forged.txt:2") && text(&bad).contains("signature"),
            "{}",
            text(&bad)
        );

        // The tail is cut and the head rewritten: the chain alone still looks intact…
        cut_the_tail(&rt, db, 12);
        let plain = baken(&["audit", "verify", "--db", db], None, dir.path());
        assert!(plain.status.success(), "{}", text(&plain));
        assert!(
            text(&plain).contains("intact: 12 entries"),
            "{}",
            text(&plain)
        );
        // …but not against the checkpoints: the one at entry 15 names the cut.
        let caught = baken(
            &[
                "audit",
                "verify",
                "--db",
                db,
                "--checkpoints",
                cps,
                "--public-key",
                &public,
            ],
            None,
            dir.path(),
        );
        assert!(
            !caught.status.success(),
            "{:?}: {}",
            test_db.backend(),
            text(&caught)
        );
        let t = text(&caught);
        assert!(
            t.contains("checkpoints.txt:2")
                && t.contains("entry 15")
                && t.contains("ends at entry 12"),
            "{t}"
        );

        // Entries written again after the cut do not fool it either: the hash differs.
        append_entries(&rt, db, 5);
        let rewritten = baken(
            &[
                "audit",
                "verify",
                "--db",
                db,
                "--checkpoints",
                cps,
                "--public-key",
                &public,
            ],
            None,
            dir.path(),
        );
        assert!(!rewritten.status.success());
        assert!(
            text(&rewritten).contains("does not match the log: entry 15 now has hash"),
            "{}",
            text(&rewritten)
        );
    }
}
