//! The monitor does not trust its own intermediate files (issue 16, item 13):
//!
//! - `link` refuses the same file given twice (by content: two inputs with the same
//!   SHA-256), and an organisation that appears in two files ([`crate::Linker`]);
//! - `link` writes the SHA-256 of the linked Parquet file next to it
//!   (`linked.parquet.sha256`, in the format of `sha256sum`), and `report` refuses a
//!   linked file whose content does not match it, or that has none: a flipped bit on a
//!   disk or in a copy would otherwise publish different counts without an error.
//!
//! Only files of equal length can have equal content, so `link` hashes an input only
//! when another input has its length; nothing is hashed in the usual case. The linked
//! file is hashed while it is written, and read once more by `report` before it is
//! used (streamed, in blocks of 1 MiB).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::MonitorError;
use crate::link::LinkedDataset;

/// The checksum file's name: the linked file's with this appended.
pub const CHECKSUM_SUFFIX: &str = ".sha256";

/// The checksum file that belongs to a linked file.
pub fn checksum_path(linked: &Path) -> PathBuf {
    let mut name = linked.as_os_str().to_owned();
    name.push(CHECKSUM_SUFFIX);
    PathBuf::from(name)
}

fn read_err(path: &Path, e: std::io::Error) -> MonitorError {
    MonitorError::Read {
        file: path.display().to_string(),
        message: e.to_string(),
    }
}

/// SHA-256 of everything `input` yields, in lower-case hex.
fn sha256_of(mut input: impl Read, path: &Path) -> Result<String, MonitorError> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_err(path, e)),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Refuses inputs with the same content (the same file named twice, or a copy of it),
/// naming both. Files are hashed only when another file has the same length.
pub fn refuse_duplicate_files(paths: &[PathBuf]) -> Result<(), MonitorError> {
    let mut lengths = Vec::with_capacity(paths.len());
    for p in paths {
        let len = std::fs::metadata(p).map_err(|e| read_err(p, e))?.len();
        lengths.push(len);
    }
    let mut hashes: Vec<Option<String>> = vec![None; paths.len()];
    for second in 0..paths.len() {
        for first in 0..second {
            if lengths[first] != lengths[second] {
                continue;
            }
            for i in [first, second] {
                if hashes[i].is_none() {
                    let file = File::open(&paths[i]).map_err(|e| read_err(&paths[i], e))?;
                    hashes[i] = Some(sha256_of(file, &paths[i])?);
                }
            }
            if hashes[first] == hashes[second] {
                return Err(MonitorError::DuplicateInput {
                    first: paths[first].display().to_string(),
                    second: paths[second].display().to_string(),
                    sha256: hashes[second].clone().unwrap_or_default(),
                });
            }
        }
    }
    Ok(())
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the linked file to `path` and its SHA-256 to `path.sha256`, each
/// atomically (the checksum last, so that a linked file is never newer than its
/// checksum).
pub fn write_linked_file(dataset: &LinkedDataset, path: &Path) -> Result<(), MonitorError> {
    let mut digest = String::new();
    crate::output::write_atomically(path, false, |w| {
        let mut hashing = Hashing {
            inner: w,
            hasher: Sha256::new(),
        };
        dataset.write_parquet(&mut hashing)?;
        digest = hex::encode(hashing.hasher.finalize());
        Ok(())
    })?;
    let sums = checksum_path(path);
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    crate::output::write_atomically(&sums, false, |w| {
        writeln!(w, "{digest}  {name}").map_err(|source| MonitorError::Write {
            path: sums.display().to_string(),
            source,
        })
    })
}

/// Checks a linked file against the checksum `link` wrote next to it; refuses a file
/// without one or whose content differs.
pub fn verify_linked_file(path: &Path) -> Result<(), MonitorError> {
    let sums = checksum_path(path);
    let refuse = |reason: String| MonitorError::Checksum {
        file: path.display().to_string(),
        reason,
    };
    let expected = match std::fs::read_to_string(&sums) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse(format!(
                "its checksum file {} is missing; `baken monitor link` writes it next to the linked file, and a linked file without one cannot be checked (link the files again, or copy the .sha256 file along)",
                sums.display()
            )))
        }
        Err(e) => return Err(read_err(&sums, e)),
    };
    let expected = expected
        .split_whitespace()
        .next()
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            refuse(format!(
                "{} is not a checksum file: expected a SHA-256 in hexadecimal, as `link` writes it",
                sums.display()
            ))
        })?
        .to_ascii_lowercase();
    let file = File::open(path).map_err(|e| read_err(path, e))?;
    let actual = sha256_of(file, path)?;
    if actual != expected {
        return Err(refuse(format!(
            "its content does not match its checksum in {} (SHA-256 {actual}, expected {expected}): the file changed after `link` wrote it (a damaged disk or copy, or an edit); nothing was reported — link the organisations' files again",
            sums.display()
        )));
    }
    Ok(())
}
