//! Validation against the official XSDs with libxml2's `xmllint --schema`
//! (Debian package `libxml2-utils`). The XSDs are compiled into the binary and
//! written once per process to a private temporary directory, because a message
//! schema imports `basisschema.xsd` by a relative path.

use crate::MessageKind;
use quick_xml::events::Event;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const XSDS: [(&str, &str); 6] = [
    ("basisschema.xsd", include_str!("../xsd/basisschema.xsd")),
    ("WMO301.xsd", include_str!("../xsd/WMO301.xsd")),
    ("WMO305.xsd", include_str!("../xsd/WMO305.xsd")),
    ("WMO307.xsd", include_str!("../xsd/WMO307.xsd")),
    ("WMO315.xsd", include_str!("../xsd/WMO315.xsd")),
    ("WMO319.xsd", include_str!("../xsd/WMO319.xsd")),
];

/// One problem the validator found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line in the message (1-based), when the validator names one.
    pub line: Option<u32>,
    /// The element's path, e.g. `/Bericht/Client/StartProducten/StartProduct/Begindatum`.
    pub path: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, &self.path) {
            (Some(line), Some(path)) => write!(f, "line {line}, {path}: {}", self.message),
            (Some(line), None) => write!(f, "line {line}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// A message that does not validate: every problem the validator reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} does not validate against {kind}.xsd: {}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
pub struct Invalid {
    pub kind: &'static str,
    pub problems: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("cannot run xmllint (install the Debian package libxml2-utils): {0}")]
    Xmllint(std::io::Error),
    #[error("cannot write the XSDs to a temporary directory: {0}")]
    Xsds(String),
    #[error("xmllint failed without naming a problem (exit code {code:?}): {stderr}")]
    Failed { code: Option<i32>, stderr: String },
}

/// The directory holding the XSDs for this process.
pub fn xsd_dir() -> Result<&'static Path, SchemaError> {
    static DIR: OnceLock<Result<tempfile::TempDir, String>> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("baken-iwmo-xsd")
            .tempdir()
            .map_err(|e| e.to_string())?;
        for (name, text) in XSDS {
            std::fs::write(dir.path().join(name), text).map_err(|e| e.to_string())?;
        }
        Ok(dir)
    });
    match dir {
        Ok(d) => Ok(d.path()),
        Err(e) => Err(SchemaError::Xsds(e.clone())),
    }
}

/// The path of a message kind's XSD (written on first use).
pub fn xsd_path(kind: MessageKind) -> Result<PathBuf, SchemaError> {
    Ok(xsd_dir()?.join(format!("{}.xsd", kind.name())))
}

/// Validates one message against its kind's XSD.
pub fn validate(kind: MessageKind, xml: &[u8]) -> Result<(), SchemaError> {
    let xsd = xsd_path(kind)?;
    let mut child = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&xsd)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(SchemaError::Xmllint)?;
    if let Some(mut stdin) = child.stdin.take() {
        // A broken pipe means xmllint stopped early; its verdict follows below.
        let _ = stdin.write_all(xml);
    }
    let out = child.wait_with_output().map_err(SchemaError::Xmllint)?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let problems = problems(&stderr, xml);
    if problems.is_empty() {
        return Err(SchemaError::Failed {
            code: out.status.code(),
            stderr: stderr.trim().chars().take(500).collect(),
        });
    }
    Err(Invalid {
        kind: kind.name(),
        problems,
    }
    .into())
}

/// Validates files against one XSD in a single xmllint run (the schema is
/// parsed once); returns the problems per file that failed.
pub fn validate_files(
    kind: MessageKind,
    files: &[PathBuf],
) -> Result<Vec<(PathBuf, String)>, SchemaError> {
    let xsd = xsd_path(kind)?;
    let mut failed = Vec::new();
    // Bounded argument lists; xmllint reads each file itself.
    for chunk in files.chunks(2000) {
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(&xsd)
            .args(chunk)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(SchemaError::Xmllint)?;
        if out.status.success() {
            continue;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        for line in stderr.lines() {
            if let Some(file) = line.strip_suffix(" fails to validate") {
                failed.push((PathBuf::from(file), stderr.to_string()));
            }
        }
        if failed.is_empty() {
            return Err(SchemaError::Failed {
                code: out.status.code(),
                stderr: stderr.trim().chars().take(500).collect(),
            });
        }
    }
    Ok(failed)
}

/// Parses xmllint's report (`-:12: element Begindatum: Schemas validity error : …`,
/// `-:3: parser error : …`) into problems with the element's path.
fn problems(stderr: &str, xml: &[u8]) -> Vec<Problem> {
    let mut out = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("-:") else {
            continue;
        };
        let Some((number, rest)) = rest.split_once(':') else {
            continue;
        };
        let Ok(number) = number.parse::<u32>() else {
            continue;
        };
        let rest = rest.trim();
        let (element, message) = match rest.strip_prefix("element ") {
            Some(r) => match r.split_once(": ") {
                Some((name, msg)) => (Some(name), msg),
                None => (None, r),
            },
            None => (None, rest),
        };
        let message = message
            .split_once(" : ")
            .map_or(message, |(_, m)| m)
            .trim()
            .to_owned();
        out.push(Problem {
            line: Some(number),
            path: element.and_then(|name| path_at(xml, number, name)),
            message,
        });
    }
    out
}

/// The path of the element called `name` whose start tag is on `line`.
fn path_at(xml: &[u8], line: u32, name: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let before = usize::try_from(reader.buffer_position()).ok()?;
        let event = reader.read_event_into(&mut buf).ok()?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name().into_inner().to_owned();
                // The tag starts after any whitespace the reader skipped.
                let skipped = xml[before..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
                let at = 1 + xml[..before + skipped]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                let is_empty = matches!(event, Event::Empty(_));
                stack.push(local.clone());
                if at as u32 == line && local == name {
                    return Some(format!("/{}", stack.join("/")));
                }
                if is_empty {
                    stack.pop();
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}
