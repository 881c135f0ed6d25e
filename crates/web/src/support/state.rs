//! The application's state and configuration: what every handler is handed.

use super::audit_budget::AuditBudget;
use super::client::TrustedProxies;
use super::login_throttle::LoginThrottle;
use super::pre_csrf::PreLoginKey;
use axum::http::Method;
use baken_domain::cell_key::CellKeySecret;
use baken_domain::kaart::{RuleIndex, ServiceIndex};
use baken_domain::{Permission, Role};
use baken_monitor::DomainList;
use baken_store::Db;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (everywhere but plain-HTTP localhost).
    pub secure_cookies: bool,
    pub session_ttl: chrono::Duration,
    /// Show the "demo: all data is invented" banner. Set it from the database
    /// (`baken_store::demo::is_demo`), never from a flag alone.
    pub demo: bool,
    pub municipality: String,
    /// The stapelingsmonitor's upload: domains, size limit, where uploads wait.
    pub monitor: MonitorSettings,
    /// Single sign-on with the organisation's identity provider (`[oidc]`).
    pub oidc: Option<OidcSettings>,
    /// Notification e-mails (`[smtp]` in `baken.toml`); None: off.
    pub mail: Option<MailSettings>,
    /// Signs the pre-login CSRF token; the installation's secret from the
    /// database (`baken_store::meta::server_secret`), random when not set.
    pub pre_login_key: PreLoginKey,
    /// The secret behind every record's cell key (`baken_domain::cell_key`): the
    /// installation's, from the database (`server_secrets`, row `cell_key`), so
    /// every process publishes the same protected figures; random when not set.
    pub cell_key: CellKeySecret,
    /// Proxies whose `X-Forwarded-For` names the client (see `client_addr`).
    pub trusted_proxies: TrustedProxies,
    /// How a resident reaches the municipality's privacy contact (the
    /// functionaris gegevensbescherming), shown on the inzage page
    /// (`privacy_contact` in `baken.toml`).
    pub privacy_contact: String,
}

/// What the inzage page says when `privacy_contact` is not set.
pub const DEFAULT_PRIVACY_CONTACT: &str =
    "Bel of mail de gemeente en vraag naar de functionaris gegevensbescherming.";

/// How notification e-mails are sent: the relay, and the address Baken is
/// reached at (for the one link an e-mail carries).
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp: baken_mail::SmtpSettings,
    /// Baken's public address, e.g. `https://baken.gemeente.example`.
    pub public_url: String,
    /// Seconds between delivery rounds.
    pub every_secs: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_ttl: chrono::Duration::hours(8),
            demo: false,
            municipality: "Baken".to_owned(),
            privacy_contact: DEFAULT_PRIVACY_CONTACT.to_owned(),
            monitor: MonitorSettings::default(),
            oidc: None,
            mail: None,
            pre_login_key: PreLoginKey::random(),
            cell_key: CellKeySecret::new(baken_store::users::new_secret().as_bytes()),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Login with an OpenID Connect provider (`[oidc]` in `baken.toml`): the
/// authorization code flow with PKCE, state and nonce. Its Debug output never
/// shows the client secret.
#[derive(Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL (its discovery document is read from
    /// `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back: Baken's
    /// `https://HOST/inloggen/oidc/terug`, as registered at the provider.
    pub redirect_url: String,
    /// The ID token claim whose value is the Baken user name.
    pub claim: OidcClaim,
    /// Which provider logins count as two factors (none unless configured).
    pub trust: baken_domain::second_factor::FactorTrust,
    /// The login page's button ("Inloggen met …").
    pub label: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("redirect_url", &self.redirect_url)
            .field("claim", &self.claim)
            .field("trust", &self.trust)
            .finish()
    }
}

/// The claim that names the Baken account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcClaim {
    Email,
    PreferredUsername,
    Sub,
}

impl OidcClaim {
    pub fn parse(s: &str) -> Option<OidcClaim> {
        match s {
            "email" => Some(OidcClaim::Email),
            "preferred_username" => Some(OidcClaim::PreferredUsername),
            "sub" => Some(OidcClaim::Sub),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            OidcClaim::Email => "email",
            OidcClaim::PreferredUsername => "preferred_username",
            OidcClaim::Sub => "sub",
        }
    }
}

/// The rule for `Secure` cookies when nothing is configured: on, unless Baken
/// listens on a loopback address (plain-HTTP development on this machine).
/// Anywhere else there is a TLS proxy in front, and a cookie must never travel
/// over plain HTTP.
pub fn secure_cookies_by_default(listen: &SocketAddr) -> bool {
    !listen.ip().is_loopback()
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub(crate) templates: Arc<minijinja::Environment<'static>>,
    pub(crate) permissions: Arc<HashMap<(Method, &'static str), Permission>>,
    /// The menu for a role: every module's entries, gathered by `crate::routes`.
    pub(crate) nav: fn(Role) -> Vec<(&'static str, &'static str)>,
    /// The start page's cards for a role (link, title, text), gathered likewise.
    pub(crate) start_cards: fn(Role) -> Vec<(&'static str, &'static str, &'static str)>,
    /// The wijzer's search index with the fingerprint of the map it was built
    /// from; rebuilt when the map changes (see `kaart::wijzer`).
    pub(crate) wijzer_index: WijzerIndexCache,
    /// How many anonymous refusals per client address are audited (see `audit_budget`).
    pub(crate) anonymous_audit: Arc<AuditBudget>,
    /// The OIDC provider's discovery document and keys, read when first needed
    /// and again after an hour (see `signin::oidc`).
    pub(crate) oidc_provider: OidcProviderCache,
    /// Wrong passwords (and second-step codes) per address and per account name
    /// (see `login_throttle`).
    pub(crate) login_throttle: Arc<LoginThrottle>,
}

/// The identity provider's metadata (endpoints and signing keys) and when it
/// was read.
pub(crate) type OidcProviderCache = Arc<
    tokio::sync::Mutex<
        Option<(
            std::time::Instant,
            openidconnect::core::CoreProviderMetadata,
        )>,
    >,
>;

/// The most that one upload may hold, all files together (a configuration may lower
/// it, see [`MonitorSettings::max_upload_bytes`]).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

/// How the monitor page links uploads (from `[monitor]` in `baken.toml`).
#[derive(Debug, Clone)]
pub struct MonitorSettings {
    /// The domains the organisations' files may name (as `--domains` on the command
    /// line).
    pub domains: DomainList,
    /// The most one upload may hold, all files together; at most [`MAX_UPLOAD_BYTES`].
    pub max_upload_bytes: usize,
    /// Where uploaded files wait while they are linked (a fresh directory inside it,
    /// removed when linking is done); `None`: the system's temporary directory.
    pub upload_dir: Option<std::path::PathBuf>,
}

impl Default for MonitorSettings {
    fn default() -> Self {
        MonitorSettings {
            domains: DomainList::default(),
            max_upload_bytes: MAX_UPLOAD_BYTES,
            upload_dir: None,
        }
    }
}

impl MonitorSettings {
    pub(crate) fn limit(&self) -> usize {
        self.max_upload_bytes.clamp(1, MAX_UPLOAD_BYTES)
    }

    pub(crate) fn limit_mb(&self) -> String {
        let mb = self.limit() as f64 / (1024.0 * 1024.0);
        if mb >= 1.0 {
            format!("{mb:.0}")
        } else {
            format!("{mb:.2}").replace('.', ",")
        }
    }
}

/// The search index over the map and the wijzer's rules compiled against it,
/// kept between requests: the map's part is rebuilt only when the map's
/// fingerprint changes, the rules' part when the content differs from what it
/// was built from — so the suggestion step costs what the benchmark measures,
/// and a changed service or rule is used at once (see `kaart::wijzer`).
#[derive(Clone, Default)]
pub struct WijzerIndexCache(pub(crate) Arc<tokio::sync::RwLock<Option<CachedIndex>>>);

/// The map's index and the content compiled against it, with the map's
/// fingerprint they were built for.
#[derive(Clone)]
pub(crate) struct CachedIndex {
    pub(crate) fingerprint: (i64, i64, i64),
    pub(crate) map: Arc<ServiceIndex>,
    pub(crate) rules: Arc<RuleIndex>,
}
