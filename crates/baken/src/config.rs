//! Configuration: flags, then `BAKEN_*` environment variables (both handled by
//! clap), then an optional `baken.toml`, then defaults.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings file. Unknown keys are an error, so a typo never passes silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub db: Option<String>,
    pub addr: Option<String>,
    pub log_format: Option<String>,
    pub secure_cookies: Option<bool>,
    pub session_hours: Option<u32>,
    pub municipality: Option<String>,
    pub demo: Option<DemoFileConfig>,
    pub monitor: Option<MonitorFileConfig>,
}

/// `[monitor]`: the stapelingsmonitor's settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorFileConfig {
    /// The domains organisations' files may name (web upload, and `baken monitor …`
    /// without `--domains`).
    pub domains: Option<Vec<String>>,
    /// The most one web upload may hold, in MB (1 to 256).
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
    pub households: Option<u64>,
    pub seed: Option<u64>,
}

pub const DEFAULT_DB: &str = "sqlite://baken.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "baken.toml";

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

    pub fn parse(text: &str, path: &Path) -> anyhow::Result<FileConfig> {
        let cfg: FileConfig = toml::from_str(text).map_err(|e| {
            let location = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            anyhow::anyhow!("{}{location}: {}", path.display(), e.message())
        })?;
        if let Some(f) = &cfg.log_format {
            if f != "human" && f != "json" {
                bail!(
                    "{}: log_format must be \"human\" or \"json\"; got \"{f}\"",
                    path.display()
                );
            }
        }
        if let Some(m) = &cfg.monitor {
            if let Some(d) = &m.domains {
                if let Err(e) = baken_monitor::DomainList::new(d) {
                    bail!("{}: [monitor] domains: {e}", path.display());
                }
            }
            if let Some(mb) = m.max_upload_mb {
                if !(1..=256).contains(&mb) {
                    bail!(
                        "{}: [monitor] max_upload_mb must be from 1 to 256; got {mb}",
                        path.display()
                    );
                }
            }
        }
        if let Some(h) = cfg.session_hours {
            if !(1..=24).contains(&h) {
                bail!(
                    "{}: session_hours must be from 1 to 24; got {h}",
                    path.display()
                );
            }
        }
        Ok(cfg)
    }
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

    #[test]
    fn unknown_keys_name_file_and_line() {
        let err = FileConfig::parse(
            "db = \"sqlite://x.db\"\nadress = \"x\"\n",
            Path::new("baken.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("baken.toml:2:"), "{err}");
        assert!(err.contains("adress"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let err = FileConfig::parse("log_format = \"xml\"\n", Path::new("b.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("log_format"), "{err}");
        let err = FileConfig::parse("session_hours = 48\n", Path::new("b.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("session_hours"), "{err}");
    }

    #[test]
    fn a_full_file_parses() {
        let cfg = FileConfig::parse(
            "db = \"postgres://u@h/db\"\naddr = \"0.0.0.0:80\"\nlog_format = \"json\"\nsecure_cookies = true\n[demo]\nhouseholds = 500\nseed = 7\n",
            Path::new("baken.toml"),
        )
        .unwrap();
        assert_eq!(cfg.demo.unwrap().households, Some(500));
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
        assert!(err.contains("baken.toml: [monitor] domains"), "{err}");
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
