//! `baken serve` as it runs: the log line per request, the demo banner, and
//! Secure cookies outside localhost. Each test starts the real binary on a free
//! port and talks plain HTTP to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(args: &[&str], dir: &std::path::Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baken"));
    cmd.args(args).current_dir(dir);
    for var in [
        "BAKEN_DB",
        "BAKEN_CONFIG",
        "BAKEN_ADDR",
        "BAKEN_LOG",
        "BAKEN_LOG_FORMAT",
        "BAKEN_SECURE_COOKIES",
        "BAKEN_DEMO_HOUSEHOLDS",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Waits (without a time limit that matters: two minutes) until `done` holds.
fn wait_for(what: &str, log: &Arc<Mutex<String>>, done: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let text = log.lock().map(|l| l.clone()).unwrap_or_default();
        if done(&text) {
            return;
        }
        assert!(Instant::now() < deadline, "no {what} in:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `baken serve ARGS` and waits until it listens.
fn serve(args: &[&str], dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = command(&[&["serve"], args].concat(), dir, env);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("baken runs");
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("stderr");
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut l) = sink.lock() {
                l.push_str(&line);
                l.push('\n');
            }
        }
    });
    wait_for("'running at'", &log, |t| {
        t.contains("running at http://") || t.contains("error:")
    });
    let text = log.lock().map(|l| l.clone()).unwrap_or_default();
    let port = text
        .split("running at http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|hostport| hostport.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("baken did not start:\n{text}"));
    Server { child, port, log }
}

struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Vec<String> {
        self.head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }
}

fn get(server: &Server, path: &str) -> Response {
    get_with(server, path, "")
}

/// `GET path` with extra header lines (each ending in `\r\n`).
fn get_with(server: &Server, path: &str, headers: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

fn sqlite(dir: &std::path::Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

fn run(args: &[&str], dir: &std::path::Path, stdin: Option<&str>) -> String {
    let mut child = command(args, dir, &[("BAKEN_LOG", "warn")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("baken runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).expect("stdin");
    }
    drop(input);
    let out = child.wait_with_output().expect("baken finishes");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{args:?}: {text}");
    text
}

#[test]
fn each_request_is_one_json_log_line_with_its_id_and_route_template_never_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "log.db");
    // No BAKEN_LOG: the default filter must show the line.
    let server = serve(
        &["--db", &db, "--addr", "127.0.0.1:0", "--log-format", "json"],
        dir.path(),
        &[],
    );
    let res = get(&server, "/huishoudens/geheim-kenmerk-77?bsn=zzz");
    assert_eq!(res.status, 303, "anonymous: to the login page");
    let id = res.header("x-request-id").pop().expect("a request id");
    wait_for("log line for the request", &server.log, |t| {
        t.lines()
            .any(|l| l.contains(&id) && l.contains("\"request\""))
    });
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    let line = log
        .lines()
        .find(|l| l.contains(&id) && l.contains("\"message\":\"request\""))
        .unwrap_or_else(|| panic!("no request line for {id} in:\n{log}"));
    let json: serde_json::Value = serde_json::from_str(line).expect("the line is JSON");
    assert_eq!(json["level"], "INFO", "{line}");
    assert_eq!(json["target"], "baken::request", "{line}");
    let f = &json["fields"];
    assert_eq!(f["request_id"], id.as_str(), "{line}");
    assert_eq!(f["route"], "/huishoudens/{id}", "{line}");
    assert_eq!(f["method"], "GET", "{line}");
    assert_eq!(f["status"], 303, "{line}");
    assert!(f["latency_ms"].is_number(), "{line}");
    for secret in ["geheim-kenmerk-77", "bsn=zzz"] {
        assert!(!log.contains(secret), "'{secret}' is in the log:\n{log}");
    }
    // A path that matches no route is logged without it, too.
    // (Letters that are not hex digits: a random request id cannot contain them.)
    let res = get(&server, "/bestaat-niet-zwqx");
    assert_eq!(res.status, 404);
    let id = res.header("x-request-id").pop().expect("a request id");
    wait_for("log line for the 404", &server.log, |t| t.contains(&id));
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(!log.contains("zwqx"), "{log}");
}

#[test]
fn the_human_log_line_carries_the_same_fields() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        &[
            "--db",
            &sqlite(dir.path(), "log.db"),
            "--addr",
            "127.0.0.1:0",
        ],
        dir.path(),
        &[],
    );
    let res = get(&server, "/huishoudens/geheim-kenmerk-77");
    let id = res.header("x-request-id").pop().expect("a request id");
    wait_for("log line", &server.log, |t| {
        t.lines()
            .any(|l| l.contains(&format!("request_id={id}")) && l.contains("status=303"))
    });
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    let line = log
        .lines()
        .find(|l| l.contains(&format!("request_id={id}")) && l.contains("status=303"))
        .unwrap_or_default();
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains("route=/huishoudens/{id}"), "{line}");
    assert!(line.contains("method=GET"), "{line}");
    assert!(line.contains("latency_ms="), "{line}");
    assert!(!log.contains("geheim-kenmerk-77"), "{log}");
}

const BANNER: &str = "Demo-omgeving: alle personen";

#[test]
fn the_demo_banner_shows_only_when_the_database_holds_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    // A database with real (non-demo) data: --demo leaves it alone, and says so.
    let own = sqlite(dir.path(), "own.db");
    run(
        &[
            "user",
            "add",
            "--db",
            &own,
            "--username",
            "anna",
            "--role",
            "beleid",
        ],
        dir.path(),
        Some("een goed lang wachtwoord\n"),
    );
    let server = serve(
        &[
            "--db",
            &own,
            "--addr",
            "127.0.0.1:0",
            "--demo",
            "--households",
            "100",
        ],
        dir.path(),
        &[("BAKEN_LOG", "warn")],
    );
    let page = get(&server, "/inloggen");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(BANNER), "no banner on real data");
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(log.contains("not the demo"), "{log}");
    assert!(
        !log.contains("proefstad-demo-2026"),
        "no demo accounts: {log}"
    );
    drop(server);

    // A database that holds the demo shows the banner, with or without --demo.
    let demo = sqlite(dir.path(), "demo.db");
    run(
        &["demo", "--db", &demo, "--households", "100"],
        dir.path(),
        None,
    );
    let server = serve(
        &["--db", &demo, "--addr", "127.0.0.1:0"],
        dir.path(),
        &[("BAKEN_LOG", "warn")],
    );
    assert!(get(&server, "/inloggen").body.contains(BANNER));
    drop(server);
    let server = serve(
        &["--db", &demo, "--addr", "127.0.0.1:0", "--demo"],
        dir.path(),
        &[("BAKEN_LOG", "warn")],
    );
    assert!(get(&server, "/inloggen").body.contains(BANNER));
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(
        log.contains("already holds the synthetic municipality"),
        "{log}"
    );
    assert!(log.contains("proefstad-demo-2026"), "{log}");
    drop(server);

    // An empty database without --demo: no banner.
    let server = serve(
        &[
            "--db",
            &sqlite(dir.path(), "empty.db"),
            "--addr",
            "127.0.0.1:0",
        ],
        dir.path(),
        &[("BAKEN_LOG", "warn")],
    );
    assert!(!get(&server, "/inloggen").body.contains(BANNER));
}

/// The `Set-Cookie` headers of the login page (it always sets the pre-login token).
fn cookies(server: &Server) -> Vec<String> {
    let res = get(server, "/inloggen");
    assert_eq!(res.status, 200);
    let c = res.header("set-cookie");
    assert!(!c.is_empty(), "the login page sets a cookie");
    c
}

#[test]
fn cookies_are_secure_unless_baken_listens_on_localhost() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "c.db");
    let env = [("BAKEN_LOG", "warn")];
    let local = serve(&["--db", &db, "--addr", "127.0.0.1:0"], dir.path(), &env);
    assert!(
        cookies(&local).iter().all(|c| !c.contains("Secure")),
        "loopback: plain HTTP works"
    );
    drop(local);
    // Listening on every address: the cookie must never travel without TLS.
    let public = serve(&["--db", &db, "--addr", "0.0.0.0:0"], dir.path(), &env);
    assert!(cookies(&public).iter().all(|c| c.contains("; Secure")));
    drop(public);
    // Both ways can be overridden, by flag and by variable.
    let forced = serve(
        &[
            "--db",
            &db,
            "--addr",
            "0.0.0.0:0",
            "--secure-cookies",
            "false",
        ],
        dir.path(),
        &env,
    );
    assert!(cookies(&forced).iter().all(|c| !c.contains("Secure")));
    drop(forced);
    let forced = serve(
        &["--db", &db, "--addr", "127.0.0.1:0"],
        dir.path(),
        &[("BAKEN_LOG", "warn"), ("BAKEN_SECURE_COOKIES", "true")],
    );
    assert!(cookies(&forced).iter().all(|c| c.contains("; Secure")));
}

/// Reads until the server closes the connection (or `limit` passes: then None).
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).expect("read timeout");
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(started.elapsed())
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn a_half_sent_request_holds_neither_its_connection_nor_the_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("baken.toml"),
        "header_timeout_secs = 1\nshutdown_deadline_secs = 2\n",
    )
    .unwrap();
    let db = sqlite(dir.path(), "slow.db");
    let mut server = serve(
        &["--db", &db, "--addr", "127.0.0.1:0"],
        dir.path(),
        &[("BAKEN_LOG", "info")],
    );

    // Half the headers, and then nothing: the connection is closed after the
    // header-read timeout (1 s here), not kept open.
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    write!(half, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ").expect("send");
    let closed = closed_within(&mut half, Duration::from_secs(10))
        .expect("the server closes a connection whose headers never complete");
    assert!(closed < Duration::from_secs(5), "closed after {closed:?}");

    // A request whose headers are complete but whose body stops halfway holds
    // its connection in a handler; SIGTERM must still end the process within
    // the shutdown deadline (2 s here).
    let mut slow = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    write!(
        slow,
        "POST /inloggen HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngebruikersnaam="
    )
    .expect("send");
    let mut half_again = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    write!(half_again, "GET /health HTTP/1.1\r\nHo").expect("send");
    std::thread::sleep(Duration::from_millis(300));
    let term = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let signalled = Instant::now();
    let exited = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break (status, signalled.elapsed());
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(15),
            "still running 15 s after SIGTERM:\n{}",
            server.log.lock().map(|l| l.clone()).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exited.0.success(), "exit status {:?}", exited.0);
    assert!(
        exited.1 < Duration::from_secs(6),
        "exited {:?} after SIGTERM",
        exited.1
    );
    assert!(closed_within(&mut slow, Duration::from_secs(1)).is_some());
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(log.contains("shutdown deadline passed"), "{log}");
}

#[test]
fn a_method_a_route_does_not_have_is_405_and_no_error_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "methods.db");
    let server = serve(
        &["--db", &db, "--addr", "127.0.0.1:0"],
        dir.path(),
        &[("BAKEN_LOG", "info")],
    );
    for _ in 0..3 {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        write!(
            s,
            "DELETE /kaart HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut raw = String::new();
        s.read_to_string(&mut raw).expect("read");
        assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");
        assert!(
            raw.to_ascii_lowercase()
                .contains("\r\nallow: get, head\r\n"),
            "{raw}"
        );
    }
    wait_for("three request lines", &server.log, |t| {
        t.matches("status=405").count() >= 3
    });
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(!log.contains("ERROR"), "{log}");
}

/// `GET path` with a bearer token.
fn get_with_token(server: &Server, path: &str, token: &str) -> Response {
    get_with(server, path, &format!("Authorization: Bearer {token}\r\n"))
}

/// A small tmpfs, unmounted (lazily, in case a process still holds a file) when
/// dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// `None` when this machine cannot mount one (not root, no tmpfs): the caller
    /// skips, except under CI, where that is a failure.
    fn mount(dir: &std::path::Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir.to_owned())),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                    Err(e) => e.to_string(),
                };
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "CI must be able to mount a tmpfs for the disk-full test: {why}"
                );
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs here ({why}); run as root to test a full disk"
                );
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros to `path` until the file system refuses (ENOSPC).
fn fill_disk(path: &std::path::Path) {
    let mut f = std::fs::File::create(path).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = f.write_all(&chunk) {
            assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
            break;
        }
    }
    let _ = f.sync_all();
}

#[test]
fn a_full_disk_is_a_clear_503_and_not_ready_and_the_server_recovers_once_space_is_freed() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), "24m") else {
        return;
    };
    let db = sqlite(&disk.0, "full.db");
    run(
        &["demo", "--db", &db, "--households", "50"],
        dir.path(),
        None,
    );
    let token = run(
        &[
            "token",
            "create",
            "--db",
            &db,
            "--username",
            "generalist",
            "--ttl",
            "1h",
        ],
        dir.path(),
        None,
    );
    let token = token
        .lines()
        .find(|l| l.starts_with("bkn_"))
        .expect("a token")
        .trim()
        .to_owned();
    let server = serve(
        &["--db", &db, "--addr", "127.0.0.1:0"],
        dir.path(),
        &[("BAKEN_LOG", "warn")],
    );
    // Every households list is an audited read: it writes an audit entry.
    let list = "/api/v1/households?pageSize=5";
    assert_eq!(get_with_token(&server, list, &token).status, 200);
    assert_eq!(get(&server, "/ready").status, 200);

    let filler = disk.0.join("filler");
    fill_disk(&filler);
    let mut refused = 0;
    for _ in 0..12 {
        let res = get_with_token(&server, list, &token);
        assert!(
            res.status == 200 || res.status == 503,
            "only 200 (while the WAL still had room) or 503, got {}: {}",
            res.status,
            res.body
        );
        if res.status == 503 {
            refused += 1;
            assert!(res.body.contains("disk is full"), "{}", res.body);
            assert!(
                !res.body.contains("\"pageSize\""),
                "no data without its audit entry"
            );
            assert_eq!(res.header("retry-after"), ["60"]);
            assert_eq!(res.header("content-type"), ["application/problem+json"]);
        }
    }
    assert!(
        refused >= 10,
        "a full disk refuses audited reads ({refused} of 12)"
    );
    let ready = get(&server, "/ready");
    assert_eq!(
        ready.status, 503,
        "not ready while the database cannot write"
    );
    assert!(ready.body.contains("disk full"), "{}", ready.body);

    std::fs::remove_file(&filler).expect("free the space");
    for i in 0..30 {
        let res = get_with_token(&server, list, &token);
        assert_eq!(
            res.status, 200,
            "read {i} after space was freed: {}",
            res.body
        );
    }
    assert_eq!(get(&server, "/ready").status, 200);
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(!log.contains("non-zero transaction depth"), "{log}");
    drop(server);
    drop(disk);
}

#[test]
fn an_upload_dir_that_does_not_exist_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "upload.db");
    std::fs::write(
        dir.path().join("baken.toml"),
        "[monitor]\nupload_dir = \"/bestaat/niet/baken-uploads\"\n",
    )
    .unwrap();
    let out = command(
        &["serve", "--db", &db, "--addr", "127.0.0.1:0"],
        dir.path(),
        &[],
    )
    .stdin(Stdio::null())
    .output()
    .expect("baken runs");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "refused: {text}");
    assert!(
        text.contains("upload_dir") && text.contains("/bestaat/niet/baken-uploads"),
        "{text}"
    );
    assert!(
        !dir.path().join("upload.db").exists(),
        "checked before the database is opened"
    );
}

#[test]
fn trusted_proxies_in_baken_toml_are_checked_when_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("baken.toml"),
        "trusted_proxies = [\"proxy\"]\n",
    )
    .unwrap();
    let db = sqlite(dir.path(), "p.db");
    let out = command(
        &["serve", "--db", &db, "--addr", "127.0.0.1:0"],
        dir.path(),
        &[],
    )
    .stdin(Stdio::null())
    .output()
    .expect("baken runs");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        text.contains("baken.toml:1") && text.contains("trusted_proxies"),
        "{text}"
    );
}
