//! Signed checkpoints of the audit log's head.
//!
//! The hash chain shows that no entry was changed or removed *in the middle*,
//! but someone who can write to the database can cut the end of the log and set
//! the head back to the last entry left: the chain is then intact and shorter.
//! A checkpoint is the head's sequence number and hash at a moment, signed with
//! an Ed25519 key that is kept outside the database, and written where that
//! person cannot reach (a file elsewhere, syslog). A log that is shorter than a
//! checkpoint, or whose entry at that sequence number has another hash, is
//! caught; a checkpoint that was forged or edited does not verify.
//!
//! One checkpoint is one line of text:
//!
//! ```text
//! baken-audit-checkpoint v1 seq=42 hash=<64 hex> at=2026-12-07T02:40:00.000000Z sig=<128 hex>
//! ```
//!
//! The signature covers everything before ` sig=`. No randomness or clock here:
//! the caller hands in the key's seed and the time.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use std::fmt;

const PREFIX: &str = "baken-audit-checkpoint v1";

/// The head of the audit log at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// The secret half: signs checkpoints. Its text form is one line of 64 hex
/// digits (the Ed25519 seed), after optional `#` comment lines.
pub struct CheckpointKey(SigningKey);

/// The public half: verifies checkpoints. Text form as for [`CheckpointKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointPublicKey(VerifyingKey);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("expected one line of 64 hexadecimal digits (a key written by `baken audit keygen`)")]
    Malformed,
    #[error("not a valid Ed25519 public key")]
    NotAPublicKey,
}

impl CheckpointKey {
    /// The key for a 32-byte seed (from the operating system's random source).
    pub fn from_seed(seed: [u8; 32]) -> CheckpointKey {
        CheckpointKey(SigningKey::from_bytes(&seed))
    }

    pub fn parse(text: &str) -> Result<CheckpointKey, KeyError> {
        Ok(CheckpointKey::from_seed(key_bytes(text)?))
    }

    /// The file's content, with a comment that says what it is.
    pub fn to_text(&self) -> String {
        format!(
            "# Baken audit checkpoint key (Ed25519, secret). Keep it away from the database and its backups.\n{}\n",
            hex::encode(self.0.to_bytes())
        )
    }

    pub fn public(&self) -> CheckpointPublicKey {
        CheckpointPublicKey(self.0.verifying_key())
    }

    /// The checkpoint as one signed line (without a line end).
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        let body = checkpoint.body();
        let signature = self.0.sign(body.as_bytes());
        format!("{body} sig={}", hex::encode(signature.to_bytes()))
    }
}

impl fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CheckpointKey(…)")
    }
}

impl CheckpointPublicKey {
    pub fn parse(text: &str) -> Result<CheckpointPublicKey, KeyError> {
        VerifyingKey::from_bytes(&key_bytes(text)?)
            .map(CheckpointPublicKey)
            .map_err(|_| KeyError::NotAPublicKey)
    }

    pub fn to_text(&self) -> String {
        format!(
            "# Baken audit checkpoint key (Ed25519, public): verifies checkpoints.\n{}\n",
            hex::encode(self.0.to_bytes())
        )
    }
}

/// The 32 bytes of a key file: the one line that is not a comment.
fn key_bytes(text: &str) -> Result<[u8; 32], KeyError> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return Err(KeyError::Malformed);
    };
    let bytes = hex::decode(line).map_err(|_| KeyError::Malformed)?;
    bytes.try_into().map_err(|_| KeyError::Malformed)
}

impl Checkpoint {
    /// What is signed: the line before ` sig=`.
    fn body(&self) -> String {
        format!(
            "{PREFIX} seq={} hash={} at={}",
            self.seq,
            self.hash,
            crate::audit::canonical_time(&self.at)
        )
    }
}

/// A checkpoint read back from its line, with its signature (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    body: String,
    signature: Signature,
}

/// Why a checkpoint does not hold. Each names what the reader must look at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("is not a checkpoint line ({0})")]
    Malformed(&'static str),
    #[error("(entry {seq}) has a signature that does not verify with this public key: the line was changed or not signed with this key")]
    BadSignature { seq: i64 },
    #[error("(entry {seq}, taken {at}) lies beyond the end of the log, which ends at entry {last}: entries were removed from the end")]
    LogShorter { seq: i64, at: String, last: i64 },
    #[error("(entry {seq}, taken {at}) does not match the log: entry {seq} now has hash {found}, the checkpoint says {expected}")]
    HashDiffers {
        seq: i64,
        at: String,
        expected: String,
        found: String,
    },
}

impl SignedCheckpoint {
    pub fn parse(line: &str) -> Result<SignedCheckpoint, CheckpointError> {
        let line = line.trim();
        let (body, sig) = line
            .rsplit_once(" sig=")
            .ok_or(CheckpointError::Malformed("no sig="))?;
        let rest = body.strip_prefix(PREFIX).ok_or(CheckpointError::Malformed(
            "it does not start with 'baken-audit-checkpoint v1'",
        ))?;
        let mut seq = None;
        let mut hash = None;
        let mut at = None;
        for field in rest.split_whitespace() {
            match field.split_once('=') {
                Some(("seq", v)) => seq = v.parse::<i64>().ok().filter(|s| *s >= 0),
                Some(("hash", v)) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    hash = Some(v.to_owned())
                }
                Some(("at", v)) => {
                    at = DateTime::parse_from_rfc3339(v)
                        .ok()
                        .map(|t| t.with_timezone(&Utc))
                }
                _ => return Err(CheckpointError::Malformed("an unknown or malformed field")),
            }
        }
        let (Some(seq), Some(hash), Some(at)) = (seq, hash, at) else {
            return Err(CheckpointError::Malformed("seq, hash and at are needed"));
        };
        let signature = hex::decode(sig)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| Signature::from_bytes(&b))
            .ok_or(CheckpointError::Malformed(
                "the signature is not 128 hex digits",
            ))?;
        Ok(SignedCheckpoint {
            checkpoint: Checkpoint { seq, hash, at },
            body: body.to_owned(),
            signature,
        })
    }

    /// Is the line exactly what the key's holder signed?
    pub fn verify_signature(&self, key: &CheckpointPublicKey) -> Result<(), CheckpointError> {
        key.0
            .verify_strict(self.body.as_bytes(), &self.signature)
            .map_err(|_| CheckpointError::BadSignature {
                seq: self.checkpoint.seq,
            })
    }

    /// Does the log still hold the checkpointed entry? `found` is the hash of
    /// the log's entry at the checkpoint's sequence number (None when there is
    /// none), `last` the log's last sequence number. Sequence 0 is the empty log,
    /// which every log extends.
    pub fn check_log(&self, found: Option<&str>, last: i64) -> Result<(), CheckpointError> {
        let c = &self.checkpoint;
        let at = crate::audit::canonical_time(&c.at);
        if c.seq == 0 {
            return Ok(());
        }
        match found {
            None => Err(CheckpointError::LogShorter {
                seq: c.seq,
                at,
                last,
            }),
            Some(found) if found != c.hash => Err(CheckpointError::HashDiffers {
                seq: c.seq,
                at,
                expected: c.hash.clone(),
                found: found.to_owned(),
            }),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CheckpointKey {
        CheckpointKey::from_seed([7; 32])
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            seq: 42,
            hash: "ab".repeat(32),
            at: DateTime::parse_from_rfc3339("2026-12-07T02:40:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn a_signed_line_reads_back_and_verifies() {
        let line = key().sign(&checkpoint());
        let read = SignedCheckpoint::parse(&line).unwrap();
        assert_eq!(read.checkpoint, checkpoint());
        read.verify_signature(&key().public()).unwrap();
        read.check_log(Some(&"ab".repeat(32)), 50).unwrap();
    }

    #[test]
    fn a_changed_line_does_not_verify() {
        let line = key().sign(&checkpoint()).replace("seq=42", "seq=41");
        let read = SignedCheckpoint::parse(&line).unwrap();
        assert_eq!(
            read.verify_signature(&key().public()),
            Err(CheckpointError::BadSignature { seq: 41 })
        );
    }

    #[test]
    fn another_key_does_not_verify() {
        let line = key().sign(&checkpoint());
        let other = CheckpointKey::from_seed([8; 32]).public();
        assert!(SignedCheckpoint::parse(&line)
            .unwrap()
            .verify_signature(&other)
            .is_err());
    }

    #[test]
    fn a_log_shorter_than_the_checkpoint_is_caught() {
        let read = SignedCheckpoint::parse(&key().sign(&checkpoint())).unwrap();
        assert!(matches!(
            read.check_log(None, 30),
            Err(CheckpointError::LogShorter {
                seq: 42,
                last: 30,
                ..
            })
        ));
        assert!(matches!(
            read.check_log(Some(&"cd".repeat(32)), 60),
            Err(CheckpointError::HashDiffers { seq: 42, .. })
        ));
    }

    #[test]
    fn keys_survive_their_text_form() {
        let k = CheckpointKey::parse(&key().to_text()).unwrap();
        assert_eq!(k.public(), key().public());
        let p = CheckpointPublicKey::parse(&key().public().to_text()).unwrap();
        assert_eq!(p, key().public());
        assert_eq!(
            CheckpointKey::parse("abc").unwrap_err(),
            KeyError::Malformed
        );
    }

    #[test]
    fn garbage_is_not_a_checkpoint() {
        for line in ["", "hello", "baken-audit-checkpoint v1 seq=1 sig=00"] {
            assert!(SignedCheckpoint::parse(line).is_err(), "{line}");
        }
    }
}
