//! Configuration: flags, then `BAKEN_*` environment variables (both read by
//! clap), then an optional `baken.toml`, then defaults.
//!
//! Every value is checked where it is read, so an error can say where it came
//! from: the flag (`--addr`), the variable (`BAKEN_ADDR`) or the file and line
//! (`baken.toml:3`).

use anyhow::Context;
use serde::{Deserialize, Deserializer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The settings file. Unknown keys are an error, so a typo never passes silently.
/// Values are checked while the file is read, so an error names its line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default, deserialize_with = "file_db")]
    pub db: Option<String>,
    #[serde(default, deserialize_with = "file_addr")]
    pub addr: Option<SocketAddr>,
    #[serde(default, deserialize_with = "file_log_format")]
    pub log_format: Option<LogFormat>,
    #[serde(default, deserialize_with = "file_secure_cookies")]
    pub secure_cookies: Option<bool>,
    #[serde(default, deserialize_with = "file_session_hours")]
    pub session_hours: Option<u32>,
    /// Seconds a client may take to send a request's headers (1 to 300).
    #[serde(default, deserialize_with = "file_header_timeout")]
    pub header_timeout_secs: Option<u64>,
    /// Seconds open connections get to finish after SIGTERM or Ctrl-C (1 to 600).
    #[serde(default, deserialize_with = "file_shutdown_deadline")]
    pub shutdown_deadline_secs: Option<u64>,
    pub municipality: Option<String>,
    /// How residents reach the municipality's privacy contact, shown on the
    /// inzage page: "Mail privacy@gemeente.example of bel 14 0123".
    #[serde(default, deserialize_with = "file_privacy_contact")]
    pub privacy_contact: Option<String>,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the
    /// client, for rate limits, login throttling and the audit log. None by default.
    #[serde(default, deserialize_with = "file_trusted_proxies")]
    pub trusted_proxies: Option<baken_web::TrustedProxies>,
    pub demo: Option<DemoFileConfig>,
    pub monitor: Option<MonitorFileConfig>,
    pub oidc: Option<OidcFileConfig>,
    /// Notification e-mails; without this section Baken sends none.
    pub smtp: Option<SmtpFileConfig>,
}

/// `[oidc]`: login with the organisation's OpenID Connect provider. Its
/// Debug output never shows the client secret.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFileConfig {
    /// The provider's issuer URL (discovery at `{issuer}/.well-known/openid-configuration`).
    #[serde(deserialize_with = "file_oidc_url")]
    pub issuer: String,
    pub client_id: String,
    /// The client secret; `BAKEN_OIDC_CLIENT_SECRET` wins, so it can stay out of the file.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Baken's callback as registered at the provider: `https://HOST/inloggen/oidc/terug`.
    #[serde(deserialize_with = "file_oidc_url")]
    pub redirect_url: String,
    /// The ID token claim that holds the Baken user name: `preferred_username`
    /// (default), `email` (only when `email_verified`) or `sub`.
    #[serde(default, deserialize_with = "file_oidc_claim")]
    pub claim: Option<baken_web::OidcClaim>,
    /// The login page's button.
    #[serde(default)]
    pub label: Option<String>,
    /// `acr` values whose logins count as two factors (none by default).
    #[serde(default)]
    pub trusted_acr: Vec<String>,
    /// `amr` values (e.g. "mfa", "otp", "hwk") whose logins count as two factors.
    #[serde(default)]
    pub trusted_amr: Vec<String>,
}

impl std::fmt::Debug for OidcFileConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcFileConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

impl OidcFileConfig {
    /// The web app's settings; the secret from `BAKEN_OIDC_CLIENT_SECRET` or the file.
    pub fn settings(&self, env_secret: Option<String>) -> anyhow::Result<baken_web::OidcSettings> {
        let client_secret = env_secret
            .or_else(|| self.client_secret.clone())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "[oidc] client_secret: missing; set it in the file or in BAKEN_OIDC_CLIENT_SECRET"
                )
            })?;
        Ok(baken_web::OidcSettings {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret,
            redirect_url: self.redirect_url.clone(),
            claim: self
                .claim
                .unwrap_or(baken_web::OidcClaim::PreferredUsername),
            trust: baken_domain::second_factor::FactorTrust {
                acr: self.trusted_acr.clone(),
                amr: self.trusted_amr.clone(),
            },
            label: self
                .label
                .clone()
                .unwrap_or_else(|| "Inloggen via uw organisatie".to_owned()),
        })
    }
}

/// `[smtp]`: the relay notification e-mails go through. Off unless present.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFileConfig {
    /// The relay's host name or address.
    pub host: String,
    /// The relay's port (default 25).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// How the connection is protected: "starttls" (the default: the relay
    /// must offer STARTTLS), "tls" (implicit TLS, usually port 465), or "none"
    /// (plain text, for a relay on a trusted network only).
    #[serde(default, deserialize_with = "file_smtp_tls")]
    pub tls: baken_mail::SmtpTls,
    /// A PEM file with the CA certificate(s) of a relay whose certificate is
    /// not from a public CA (the municipality's own CA).
    pub ca_file: Option<PathBuf>,
    /// The sender, e.g. "Baken <baken@gemeente.example>".
    pub from: String,
    /// Baken's public address, for the one link an e-mail carries.
    #[serde(deserialize_with = "file_public_url")]
    pub public_url: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Seconds between delivery rounds (5 to 3600; default 60).
    #[serde(default = "default_smtp_every", deserialize_with = "file_smtp_every")]
    pub every_secs: u64,
}

fn file_privacy_contact<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 500 {
        return Err(serde::de::Error::custom(
            "privacy_contact must say in 1 to 500 characters how residents reach the privacy contact",
        ));
    }
    Ok(Some(t.to_owned()))
}

fn file_smtp_tls<'de, D: Deserializer<'de>>(d: D) -> Result<baken_mail::SmtpTls, D::Error> {
    let s = String::deserialize(d)?;
    baken_mail::SmtpTls::parse(s.trim()).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "tls must be \"starttls\", \"tls\" or \"none\"; got \"{s}\""
        ))
    })
}

fn default_smtp_port() -> u16 {
    25
}

fn default_smtp_every() -> u64 {
    60
}

fn file_public_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let t = s.trim().trim_end_matches('/');
    if t.starts_with("https://") || t.starts_with("http://") {
        Ok(t.to_owned())
    } else {
        Err(serde::de::Error::custom(format!(
            "public_url must start with https:// (or http://); got \"{s}\""
        )))
    }
}

fn file_smtp_every<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if (5..=3600).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "every_secs must be between 5 and 3600; got {n}"
        )))
    }
}

/// `[monitor]`: the stapelingsmonitor's settings, checked while the file is read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorFileConfig {
    /// The domains organisations' files may name (web upload, and `baken monitor …`
    /// without `--domains`).
    #[serde(default, deserialize_with = "file_domains")]
    pub domains: Option<Vec<String>>,
    /// The most one web upload may hold, in MB (1 to 256).
    #[serde(default, deserialize_with = "file_max_upload_mb")]
    pub max_upload_mb: Option<u64>,
    /// Where web uploads wait while they are linked (an existing directory).
    pub upload_dir: Option<PathBuf>,
}

impl MonitorFileConfig {
    /// The domain list, if configured (checked when the file is read).
    pub fn domain_list(&self) -> Option<baken_monitor::DomainList> {
        self.domains
            .as_ref()
            .and_then(|d| baken_monitor::DomainList::new(d).ok())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoFileConfig {
    #[serde(default, deserialize_with = "file_households")]
    pub households: Option<u64>,
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

pub const DEFAULT_DB: &str = "sqlite://baken.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "baken.toml";
pub const DEFAULT_HOUSEHOLDS: u64 = 2_000;
pub const DEFAULT_SEED: u64 = 2026;
pub const SESSION_HOURS: std::ops::RangeInclusive<u32> = 1..=24;

impl FileConfig {
    /// Reads `path` if given (it must exist), else `./baken.toml` if present.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let (path, required): (PathBuf, bool) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(FileConfig::default())
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read configuration file {}", path.display()))
            }
        };
        Self::parse(&text, &path)
    }

    /// Parses the file; an error starts with `FILE:LINE:`.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<FileConfig> {
        toml::from_str(text).map_err(|e| {
            let location = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            anyhow::anyhow!("{}{location}: {}", path.display(), e.message())
        })
    }
}

// Each value's own check, shared by the file, the flags and the variables.
// The messages start with the key's name; the caller adds where it came from.

pub fn parse_db(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.starts_with("sqlite:") || t.starts_with("postgres:") || t.starts_with("postgresql:") {
        Ok(t.to_owned())
    } else {
        Err(format!(
            "'{}' is not a database URL Baken can use: use sqlite://PATH or postgres://USER@HOST/DB",
            t.chars().take(60).collect::<String>()
        ))
    }
}

pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("'{s}' is not HOST:PORT with an IP address, like 127.0.0.1:8080"))
}

pub fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    match s.trim() {
        "human" => Ok(LogFormat::Human),
        "json" => Ok(LogFormat::Json),
        other => Err(format!("must be \"human\" or \"json\"; got \"{other}\"")),
    }
}

pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("must be true or false; got '{other}'")),
    }
}

pub fn check_households(n: u64) -> Result<u64, String> {
    if (1..=baken_synth::Config::MAX_HOUSEHOLDS).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "must be from 1 to {}; got {n}",
            thousands(baken_synth::Config::MAX_HOUSEHOLDS)
        ))
    }
}

pub fn parse_households(s: &str) -> Result<u64, String> {
    let n: u64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number"))?;
    check_households(n)
}

/// 2000000 → "2,000,000", as the help text writes it.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .filter_map(|g| std::str::from_utf8(g).ok())
        .collect();
    groups.join(",")
}

fn custom<E: serde::de::Error>(key: &str, msg: String) -> E {
    E::custom(format!("{key} {msg}"))
}

fn file_oidc_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let t = s.trim();
    let loopback = t.starts_with("http://127.0.0.1") || t.starts_with("http://localhost");
    if (t.starts_with("https://") || loopback) && t.len() > "https://".len() {
        Ok(t.to_owned())
    } else {
        Err(custom(
            "[oidc]:",
            format!(
                "'{}' is not an https:// URL (http:// only on loopback, for tests)",
                t.chars().take(60).collect::<String>()
            ),
        ))
    }
}

fn file_oidc_claim<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<baken_web::OidcClaim>, D::Error> {
    let s = String::deserialize(d)?;
    baken_web::OidcClaim::parse(s.trim())
        .map(Some)
        .ok_or_else(|| {
            custom(
                "[oidc] claim:",
                format!("must be \"preferred_username\", \"email\" or \"sub\"; got \"{s}\""),
            )
        })
}

fn file_db<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    parse_db(&s).map(Some).map_err(|m| custom("db:", m))
}

fn file_addr<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SocketAddr>, D::Error> {
    let s = String::deserialize(d)?;
    parse_addr(&s).map(Some).map_err(|m| custom("addr:", m))
}

fn file_log_format<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LogFormat>, D::Error> {
    let s = String::deserialize(d)
        .map_err(|_| custom::<D::Error>("log_format", "must be \"human\" or \"json\"".into()))?;
    parse_log_format(&s)
        .map(Some)
        .map_err(|m| custom("log_format", m))
}

fn file_secure_cookies<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    bool::deserialize(d).map(Some).map_err(|_| {
        custom(
            "secure_cookies",
            "must be true or false (without quotes)".into(),
        )
    })
}

fn file_session_hours<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let range = || {
        format!(
            "must be a whole number from {} to {}",
            SESSION_HOURS.start(),
            SESSION_HOURS.end()
        )
    };
    let h = i64::deserialize(d).map_err(|_| custom::<D::Error>("session_hours", range()))?;
    u32::try_from(h)
        .ok()
        .filter(|h| SESSION_HOURS.contains(h))
        .map(Some)
        .ok_or_else(|| custom("session_hours", format!("{}; got {h}", range())))
}

fn seconds_in<'de, D: Deserializer<'de>>(
    d: D,
    key: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, D::Error> {
    let message = format!(
        "must be a whole number of seconds from {} to {}",
        range.start(),
        range.end()
    );
    let n = i64::deserialize(d).map_err(|_| custom::<D::Error>(key, message.clone()))?;
    u64::try_from(n)
        .ok()
        .filter(|n| range.contains(n))
        .map(Some)
        .ok_or_else(|| custom(key, format!("{message}; got {n}")))
}

fn file_header_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    seconds_in(d, "header_timeout_secs", 1..=300)
}

fn file_shutdown_deadline<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    seconds_in(d, "shutdown_deadline_secs", 1..=600)
}

fn file_households<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let n = i64::deserialize(d)
        .map_err(|_| custom::<D::Error>("households", "must be a whole number".into()))?;
    u64::try_from(n)
        .map_err(|_| {
            format!(
                "must be from 1 to {}; got {n}",
                thousands(baken_synth::Config::MAX_HOUSEHOLDS)
            )
        })
        .and_then(check_households)
        .map(Some)
        .map_err(|m| custom("households", m))
}

fn file_domains<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let list = Vec::<String>::deserialize(d).map_err(|_| {
        custom::<D::Error>(
            "[monitor] domains",
            "must be a list of names, like [\"jeugd\", \"wmo\"]".into(),
        )
    })?;
    baken_monitor::DomainList::new(&list)
        .map(|_| Some(list))
        .map_err(|e| custom("[monitor] domains:", e.to_string()))
}

fn file_trusted_proxies<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<baken_web::TrustedProxies>, D::Error> {
    let list = Vec::<String>::deserialize(d).map_err(|_| {
        custom::<D::Error>(
            "trusted_proxies",
            "must be a list of addresses or CIDR ranges, like [\"127.0.0.1\", \"10.0.0.0/8\"]"
                .into(),
        )
    })?;
    baken_web::TrustedProxies::parse(&list)
        .map(Some)
        .map_err(|e| custom("trusted_proxies:", e.to_string()))
}

fn file_max_upload_mb<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let n = i64::deserialize(d).map_err(|_| {
        custom::<D::Error>(
            "[monitor] max_upload_mb",
            "must be a whole number from 1 to 256".into(),
        )
    })?;
    u64::try_from(n)
        .ok()
        .filter(|n| (1..=256).contains(n))
        .map(Some)
        .ok_or_else(|| {
            custom(
                "[monitor] max_upload_mb",
                format!("must be from 1 to 256; got {n}"),
            )
        })
}

/// Parses a duration like `30m`, `1h`, `7d` (at most 90 days).
pub fn parse_ttl(s: &str) -> Result<chrono::Duration, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: i64 = num.parse().map_err(|_| {
        format!("'{s}' is not a duration; use a number with m, h or d, like 30m, 1h or 7d")
    })?;
    let d = match unit {
        "m" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => {
            return Err(format!(
                "'{s}' has an unknown unit; use m (minutes), h (hours) or d (days)"
            ))
        }
    };
    if n < 1 || d > chrono::Duration::days(90) {
        return Err(format!(
            "'{s}' is out of range: a token lives from 1 minute to 90 days"
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        FileConfig::parse(text, Path::new("baken.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_keys_name_file_and_line() {
        let e = err("db = \"sqlite://x.db\"\nadress = \"x\"\n");
        assert!(e.starts_with("baken.toml:2:"), "{e}");
        assert!(e.contains("adress"), "{e}");
    }

    #[test]
    fn bad_values_name_file_line_and_key() {
        for (text, line, key) in [
            (
                "db = \"sqlite://x.db\"\nlog_format = \"xml\"\n",
                2,
                "log_format",
            ),
            ("log_format = 3\n", 1, "log_format"),
            ("\n\nsession_hours = 48\n", 3, "session_hours"),
            ("session_hours = \"acht\"\n", 1, "session_hours"),
            ("session_hours = -1\n", 1, "session_hours"),
            ("addr = \"localhost\"\n", 1, "addr"),
            ("addr = \"127.0.0.1\"\n", 1, "addr"),
            ("db = \"mysql://x\"\n", 1, "db"),
            ("secure_cookies = \"yes\"\n", 1, "secure_cookies"),
            ("[demo]\nhouseholds = 0\n", 2, "households"),
            ("[demo]\nhouseholds = 2000001\n", 2, "households"),
        ] {
            let e = err(text);
            assert!(
                e.starts_with(&format!("baken.toml:{line}:")),
                "{text:?} → {e}"
            );
            assert!(e.contains(key), "{text:?} → {e}");
        }
    }

    #[test]
    fn the_oidc_section_is_checked_where_it_is_read() {
        let head = "[oidc]\nissuer = \"https://login.example\"\nclient_id = \"baken\"\nredirect_url = \"https://baken.example/inloggen/oidc/terug\"\n";
        let cfg = FileConfig::parse(
            &format!("{head}claim = \"email\"\ntrusted_amr = [\"mfa\"]\nclient_secret = \"s\"\n"),
            Path::new("baken.toml"),
        )
        .unwrap();
        let oidc = cfg.oidc.unwrap();
        let settings = oidc.settings(None).unwrap();
        assert_eq!(settings.claim, baken_web::OidcClaim::Email);
        assert_eq!(settings.trust.amr, vec!["mfa".to_owned()]);
        // The environment's secret wins over the file's.
        assert_eq!(
            oidc.settings(Some("from-env".into()))
                .unwrap()
                .client_secret,
            "from-env"
        );
        let e = err(&format!("{head}claim = \"naam\"\n"));
        assert!(
            e.starts_with("baken.toml:5:") && e.contains("[oidc] claim"),
            "{e}"
        );
        let e = err("[oidc]\nissuer = \"http://login.example\"\n");
        assert!(e.starts_with("baken.toml:2:") && e.contains("https"), "{e}");
        let e = err(&format!("{head}scope = \"x\"\n"));
        assert!(e.contains("scope"), "unknown keys are refused: {e}");
        let no_secret = FileConfig::parse(head, Path::new("baken.toml"))
            .unwrap()
            .oidc
            .unwrap()
            .settings(None)
            .unwrap_err()
            .to_string();
        assert!(
            no_secret.contains("BAKEN_OIDC_CLIENT_SECRET"),
            "{no_secret}"
        );
    }

    #[test]
    fn a_full_file_parses() {
        let cfg = FileConfig::parse(
            "db = \"postgres://u@h/db\"\naddr = \"0.0.0.0:80\"\nlog_format = \"json\"\nsecure_cookies = true\nsession_hours = 12\n[demo]\nhouseholds = 500\nseed = 7\n",
            Path::new("baken.toml"),
        )
        .unwrap();
        assert_eq!(cfg.demo.unwrap().households, Some(500));
        assert_eq!(cfg.addr, Some("0.0.0.0:80".parse().unwrap()));
        assert_eq!(cfg.log_format, Some(LogFormat::Json));
        assert_eq!(cfg.session_hours, Some(12));
        assert_eq!(cfg.secure_cookies, Some(true));
    }

    #[test]
    fn households_limits_are_the_documented_ones() {
        assert!(check_households(0).is_err());
        assert!(check_households(1).is_ok());
        assert!(check_households(2_000_000).is_ok());
        assert!(check_households(2_000_001)
            .unwrap_err()
            .contains("from 1 to 2,000,000"));
        assert_eq!(thousands(2_000_000), "2,000,000");
        assert_eq!(thousands(100), "100");
    }

    #[test]
    fn the_monitor_section_is_checked() {
        let cfg = FileConfig::parse(
            "[monitor]\ndomains = [\"jeugd\", \"wmo\", \"sport\"]\nmax_upload_mb = 64\nupload_dir = \"/var/lib/baken/monitor\"\n",
            Path::new("baken.toml"),
        )
        .unwrap();
        let m = cfg.monitor.unwrap();
        assert_eq!(m.domain_list().unwrap().joined(), "jeugd, wmo, sport");
        assert_eq!(m.max_upload_mb, Some(64));
        let err = FileConfig::parse(
            "[monitor]\ndomains = [\"wmo\", \"wmo\"]\n",
            Path::new("baken.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("baken.toml:2:"), "{err}");
        assert!(err.contains("[monitor] domains"), "{err}");
        assert!(err.contains("listed twice"), "{err}");
        let err = FileConfig::parse("[monitor]\nmax_upload_mb = 0\n", Path::new("b.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("max_upload_mb"), "{err}");
        let err = FileConfig::parse("[monitor]\ndomein = []\n", Path::new("b.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("domein"), "{err}");
    }

    #[test]
    fn ttls() {
        assert_eq!(parse_ttl("1h").unwrap(), chrono::Duration::hours(1));
        assert_eq!(parse_ttl("30m").unwrap(), chrono::Duration::minutes(30));
        assert!(parse_ttl("0h").is_err());
        assert!(parse_ttl("100d").is_err());
        assert!(parse_ttl("1y").unwrap_err().contains("unknown unit"));
        assert!(parse_ttl("soon").is_err());
    }
}
