//! A running app on a fresh database, for the web crate's integration tests
//! (and those of later modules). Requests go through the whole middleware stack
//! without a socket. Compiled only with the cargo feature `testing` (it loads
//! the synthetic municipality, so it needs `baken_synth`); a crate whose tests
//! use it turns the feature on in its dev-dependencies.

use crate::{app, AppState, WebConfig, PRE_CSRF_COOKIE, SESSION_COOKIE};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use baken_store::testing::{self, TestDb};
use baken_store::{audit, users, Db};
use tower::ServiceExt;

pub struct TestApp {
    pub db: Db,
    /// A pre-login CSRF token this app made (cookie and form field of anonymous forms).
    pub pre: String,
    pub router: Router,
    pub backend: baken_store::Backend,
    _keep: TestDb,
}

/// A response, read completely.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Who sends a request.
#[derive(Clone, Debug)]
pub enum As {
    Anonymous,
    /// A session cookie (and its CSRF token).
    Session {
        cookie: String,
        csrf: String,
    },
    Bearer(String),
}

/// The same app on every backend available (SQLite; PostgreSQL when configured),
/// each with the synthetic municipality of `households` households.
pub async fn apps(households: u64) -> Vec<TestApp> {
    apps_with(
        households,
        WebConfig {
            demo: true,
            ..WebConfig::default()
        },
    )
    .await
}

/// [`apps`] with a configuration of the test's choosing.
pub async fn apps_with(households: u64, config: WebConfig) -> Vec<TestApp> {
    let mut out = Vec::new();
    for t in testing::all().await {
        baken_store::demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(households, 42),
            &crate::support::password::hash_password(baken_synth::DEMO_PASSWORD)
                .unwrap_or_default(),
            |_| {},
        )
        .await
        .expect("demo data loads");
        let mut config = config.clone();
        let mut tx = t.db.read().await.expect("tx");
        let secret = baken_store::meta::server_secret(&mut tx, "pre_login")
            .await
            .expect("query")
            .expect("a migration made the pre-login secret");
        let cell_key = baken_store::meta::server_secret(&mut tx, "cell_key")
            .await
            .expect("query")
            .expect("a migration made the cell-key secret");
        drop(tx);
        config.pre_login_key = crate::PreLoginKey::new(secret.as_bytes());
        config.cell_key = baken_domain::cell_key::CellKeySecret::new(cell_key.as_bytes());
        let pre = config.pre_login_key.issue();
        let state = AppState::new(t.db.clone(), config);
        out.push(TestApp {
            db: t.db.clone(),
            pre,
            router: app(state),
            backend: t.backend(),
            _keep: t,
        });
    }
    out
}

/// A pre-login token no Baken made: sent with sessions, where it is not used.
pub const PRE: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl TestApp {
    /// A session for a demo user, made directly in the store (no password hashing).
    pub async fn login_as(&self, username: &str) -> As {
        let mut tx = self.db.begin().await.expect("tx");
        let user = users::by_username(&mut tx, username)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no user {username}"));
        let (cookie, csrf) = users::create_session(&mut tx, user.id, chrono::Duration::hours(1))
            .await
            .expect("session");
        tx.commit().await.expect("commit");
        As::Session { cookie, csrf }
    }

    pub async fn token_for(&self, username: &str) -> As {
        let mut tx = self.db.begin().await.expect("tx");
        let user = users::by_username(&mut tx, username)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no user {username}"));
        let (_, secret, _) = users::create_token(&mut tx, user.id, chrono::Duration::hours(1))
            .await
            .expect("token");
        tx.commit().await.expect("commit");
        As::Bearer(secret)
    }

    pub async fn get(&self, path: &str, who: &As) -> TestResponse {
        self.send("GET", path, who, None).await
    }

    /// Posts a form; the CSRF token of the session (or the pre-login token) is added
    /// unless the form already has a `csrf` field.
    pub async fn post_form(&self, path: &str, who: &As, form: &[(&str, &str)]) -> TestResponse {
        let body = self.form_body(who, form);
        self.send("POST", path, who, Some(body)).await
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        who: &As,
        form: Option<String>,
    ) -> TestResponse {
        self.send_from(None, method, path, who, form).await
    }

    /// [`TestApp::send`] as if from the client address `client` (as a socket
    /// connection would report it); without one the address is unknown.
    pub async fn send_from(
        &self,
        client: Option<std::net::IpAddr>,
        method: &str,
        path: &str,
        who: &As,
        form: Option<String>,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(ip) = client {
            req = req.extension(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                ip, 50_000,
            )));
        }
        match who {
            As::Anonymous => {
                req = req.header(header::COOKIE, format!("{PRE_CSRF_COOKIE}={}", self.pre))
            }
            As::Session { cookie, .. } => {
                req = req.header(
                    header::COOKIE,
                    format!("{SESSION_COOKIE}={cookie}; {PRE_CSRF_COOKIE}={PRE}"),
                )
            }
            As::Bearer(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
        let body = match form {
            Some(f) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f)
            }
            None => Body::empty(),
        };
        let res = self
            .router
            .clone()
            .oneshot(req.body(body).expect("request"))
            .await
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .expect("body");
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A form as [`TestApp::post_form`] builds it (with the CSRF token added).
    pub fn form_body(&self, who: &As, form: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !pairs.iter().any(|(k, _)| k == "csrf") {
            let csrf = match who {
                As::Session { csrf, .. } => csrf.clone(),
                _ => self.pre.clone(),
            };
            pairs.push(("csrf".into(), csrf));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// Posts a JSON body (for the API).
    pub async fn post_json(&self, path: &str, who: &As, body: &str) -> TestResponse {
        let mut req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let As::Bearer(t) = who {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body.to_owned())).expect("request"))
            .await
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .expect("body");
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The number of rows in `table` (a fixed name from the test, never input).
    pub async fn count_rows(&self, table: &'static str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let mut tx = self.db.read().await.expect("tx");
        let (n,): (i64,) = baken_store::with_conn!(&mut tx, |c| {
            baken_store::sqlx::query_as(&sql).fetch_one(&mut *c).await
        })
        .expect("count");
        n
    }

    /// The newest audit entries, newest first.
    pub async fn audit_tail(&self, n: i64) -> Vec<audit::AuditRow> {
        let mut tx = self.db.read().await.expect("tx");
        audit::search(&mut tx, &audit::AuditFilter::default(), 1, n)
            .await
            .expect("audit")
            .items
    }

    pub async fn audit_count(&self) -> i64 {
        let mut tx = self.db.read().await.expect("tx");
        audit::count(&mut tx).await.expect("count")
    }
}
