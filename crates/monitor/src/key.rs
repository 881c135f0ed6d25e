//! The pseudonymisation key and its file.
//!
//! The key is 256 random bits. Its file has two lines: a format line that names the
//! key version (`baken-monitor-key v1`), so that a later normalisation or algorithm
//! gets a new version instead of silently producing other pseudonyms, and the key as
//! 64 hexadecimal characters. The file is created with mode 0600 and is never
//! overwritten.
//!
//! Architecture invariant: the key's bytes leave this module only as HMAC state.
//! `MonitorKey` has no accessor for them, its `Debug` shows the key id, and no error
//! repeats anything read from a key file.

use std::fs;
use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};
use rand::{CryptoRng, RngCore};
use sha2::digest::generic_array::GenericArray;
use sha2::digest::typenum::U64;
use sha2::Sha256;

use crate::error::KeyError;
use crate::input::NormalisedAddress;

/// The first line of a key file; the version names the pseudonym scheme:
/// HMAC-SHA256 over the normalised address `POSTCODE|NUMBER|LETTER|ADDITION`.
pub const KEY_FORMAT_LINE: &str = "baken-monitor-key v1";

const KEY_ID_LABEL: &[u8] = b"baken-monitor key id v1";

/// A 256-bit pseudonymisation key.
pub struct MonitorKey {
    bytes: [u8; 32],
}

/// A short public fingerprint of a key (HMAC of a fixed label, 64 bits, hex).
/// Organisations compare it to check that they all use the same key; it reveals
/// nothing about the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyId(pub String);

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl MonitorKey {
    /// A fresh key from a cryptographic random number generator.
    pub fn generate<G: RngCore + CryptoRng>(rng: &mut G) -> MonitorKey {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        MonitorKey { bytes }
    }

    /// A key from its raw bytes (for tests and for callers that keep keys elsewhere).
    pub fn from_bytes(bytes: [u8; 32]) -> MonitorKey {
        MonitorKey { bytes }
    }

    /// The public fingerprint of this key.
    pub fn id(&self) -> KeyId {
        let mut mac = self.hmac();
        mac.update(KEY_ID_LABEL);
        let tag = mac.finalize().into_bytes();
        KeyId(hex::encode(&tag[..8]))
    }

    /// A keyed HMAC-SHA256 state; clone it per message instead of re-keying.
    pub(crate) fn hmac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so this cannot fail for 32 bytes.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
    }

    /// The key as two SHA-256 states (HMAC's inner and outer key blocks, already
    /// compressed), for pseudonymising millions of addresses; see [`AddressMac`].
    pub(crate) fn address_mac(&self) -> AddressMac {
        let keyed = |pad: u8| {
            let mut block = GenericArray::<u8, U64>::default();
            for (b, k) in block
                .iter_mut()
                .zip(self.bytes.iter().chain(std::iter::repeat(&0)))
            {
                *b = k ^ pad;
            }
            let mut state = SHA256_IV;
            sha2::compress256(&mut state, std::slice::from_ref(&block));
            wipe(&mut block);
            state
        };
        AddressMac {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    fn file_contents(&self) -> String {
        format!("{KEY_FORMAT_LINE}\n{}\n", hex::encode(self.bytes))
    }

    /// Parses the contents of a key file. `path` is only used in error messages.
    pub fn parse(path: &str, contents: &[u8]) -> Result<MonitorKey, KeyError> {
        let text = std::str::from_utf8(contents).map_err(|_| KeyError::Format {
            path: path.to_owned(),
        })?;
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(KEY_FORMAT_LINE) {
            return Err(KeyError::Format {
                path: path.to_owned(),
            });
        }
        let key_line = lines.next().map(str::trim).unwrap_or("");
        let mut bytes = [0u8; 32];
        if key_line.len() != 64 || hex::decode_to_slice(key_line, &mut bytes).is_err() {
            return Err(KeyError::KeyLine {
                path: path.to_owned(),
            });
        }
        if lines.any(|l| !l.trim().is_empty()) {
            return Err(KeyError::Format {
                path: path.to_owned(),
            });
        }
        Ok(MonitorKey { bytes })
    }
}

impl std::fmt::Debug for MonitorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MonitorKey(id {})", self.id())
    }
}

impl Drop for MonitorKey {
    fn drop(&mut self) {
        for b in self.bytes.iter_mut() {
            // Volatile so the wipe is not optimised away.
            // SAFETY: `b` is a valid, aligned, exclusive reference to a u8.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// HMAC-SHA256 (RFC 2104) under a [`MonitorKey`], for messages that fit in one SHA-256
/// block, as normalised addresses (at most 19 bytes) do: exactly two compressions per
/// message and no buffering, which is what makes pseudonymising run near raw SHA-256
/// speed. Equal to `Hmac<Sha256>` (a test checks it). Holds key-derived state only;
/// wiped on drop, and its `Debug` shows nothing.
pub(crate) struct AddressMac {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl AddressMac {
    /// The pseudonym of a normalised address: HMAC-SHA256(key, address).
    #[inline]
    pub(crate) fn pseudonym(&self, address: &NormalisedAddress) -> [u8; 32] {
        let (padded, len) = address.padded();
        self.mac_block(padded, len)
    }

    /// The pseudonym of an address the fast path wrote into the start of `block`
    /// (`len` bytes, zeros after them up to byte 56).
    #[inline]
    pub(crate) fn pseudonym_of_block(&self, block: &mut [u8; 64], len: usize) -> [u8; 32] {
        // `len` is at most 19 (the longest normalised address); `min` keeps the index
        // in range anyway.
        let len = len.min(55);
        block[len] = 0x80;
        block[56..].copy_from_slice(&((64 + len) as u64 * 8).to_be_bytes());
        self.mac_prepared(GenericArray::from_slice(block))
    }

    /// HMAC-SHA256 of `message[..len]`, where `message` holds zeros after `len`.
    #[inline]
    fn mac_block<const N: usize>(&self, message: &[u8; N], len: usize) -> [u8; 32] {
        const { assert!(N <= 55, "one SHA-256 block holds at most 55 message bytes") };
        let mut block = GenericArray::<u8, U64>::default();
        block[..N].copy_from_slice(message);
        // `len <= N <= 55` by the caller's type; `min` keeps the index in range anyway.
        block[len.min(N)] = 0x80;
        block[56..].copy_from_slice(&((64 + len.min(N)) as u64 * 8).to_be_bytes());
        self.mac_prepared(&block)
    }

    /// The inner compression of a padded one-block message, then the outer one.
    #[inline(always)]
    fn mac_prepared(&self, block: &GenericArray<u8, U64>) -> [u8; 32] {
        let mut state = self.inner;
        sha2::compress256(&mut state, std::slice::from_ref(block));

        let mut outer = GenericArray::<u8, U64>::default();
        for (chunk, word) in outer[..32].chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        outer[32] = 0x80;
        outer[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
        let mut state = self.outer;
        sha2::compress256(&mut state, std::slice::from_ref(&outer));
        let mut tag = [0u8; 32];
        for (chunk, word) in tag.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        tag
    }
}

impl std::fmt::Debug for AddressMac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressMac(..)")
    }
}

impl Drop for AddressMac {
    fn drop(&mut self) {
        for w in self.inner.iter_mut().chain(self.outer.iter_mut()) {
            // SAFETY: `w` is a valid, aligned, exclusive reference to a u32.
            unsafe { std::ptr::write_volatile(w, 0) };
        }
    }
}

fn wipe(bytes: &mut [u8]) {
    for b in bytes.iter_mut() {
        // SAFETY: as in `Drop for MonitorKey`.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
}

/// Writes a new key file with mode 0600, atomically, refusing to overwrite anything.
pub fn write_key_file(path: &Path, key: &MonitorKey) -> Result<KeyId, KeyError> {
    let shown = path.display().to_string();
    if path.exists() {
        return Err(KeyError::Exists { path: shown });
    }
    let write_err = |source| KeyError::Write {
        path: shown.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".baken-key-")
        .tempfile_in(dir)
        .map_err(write_err)?;
    restrict_permissions(tmp.path()).map_err(write_err)?;
    let mut contents = key.file_contents();
    let written = tmp
        .write_all(contents.as_bytes())
        .and_then(|_| tmp.as_file().sync_all());
    wipe_string(&mut contents);
    written.map_err(write_err)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists {
                path: shown.clone(),
            }
        } else {
            write_err(e.error)
        }
    })?;
    Ok(key.id())
}

/// Reads a key file, refusing one that other users can read.
pub fn read_key_file(path: &Path) -> Result<MonitorKey, KeyError> {
    let shown = path.display().to_string();
    let mut contents = fs::read(path).map_err(|source| KeyError::Read {
        path: shown.clone(),
        source,
    })?;
    check_permissions(path, &shown)?;
    let key = MonitorKey::parse(&shown, &contents);
    for b in contents.iter_mut() {
        // SAFETY: as in `Drop for MonitorKey`.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    key
}

fn wipe_string(s: &mut str) {
    // SAFETY: zero bytes are valid UTF-8, so the string stays valid.
    for b in unsafe { s.as_bytes_mut() } {
        // SAFETY: as in `Drop for MonitorKey`.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn check_permissions(path: &Path, shown: &str) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::metadata(path).map_err(|source| KeyError::Read {
        path: shown.to_owned(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions {
            path: shown.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _shown: &str) -> Result<(), KeyError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn key() -> MonitorKey {
        MonitorKey::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(7))
    }

    #[test]
    fn key_file_round_trips() {
        let k = key();
        let parsed = MonitorKey::parse("k", k.file_contents().as_bytes()).unwrap();
        assert_eq!(parsed.bytes, k.bytes);
    }

    #[test]
    fn a_file_without_the_format_line_is_refused_without_echoing_it() {
        let k = key();
        let raw = hex::encode(k.bytes);
        let err = MonitorKey::parse("k", raw.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a Baken monitor key file"), "{err}");
        assert!(!err.contains(&raw));
    }

    #[test]
    fn a_short_key_is_refused() {
        let text = format!("{KEY_FORMAT_LINE}\nabcdef\n");
        let err = MonitorKey::parse("k", text.as_bytes()).unwrap_err();
        assert!(matches!(err, KeyError::KeyLine { .. }));
    }

    #[test]
    fn debug_shows_the_id_not_the_key() {
        let k = key();
        let shown = format!("{k:?}");
        assert!(shown.contains(&k.id().0));
        assert!(!shown.contains(&hex::encode(k.bytes)));
    }

    #[test]
    fn the_address_mac_equals_hmac_sha256() {
        use crate::input::{Addition, Address, HouseLetter, HouseNumber, Postcode};
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        for i in 0..200u32 {
            let k = MonitorKey::generate(&mut rng);
            let address = Address {
                postcode: Postcode::parse(["1234AB", "9999ZZ", "1000aa"][i as usize % 3]).unwrap(),
                number: HouseNumber::parse(&(1 + i * 499 % 99_999).to_string()).unwrap(),
                letter: HouseLetter::parse(["", "a", "Z"][i as usize % 3]).unwrap(),
                addition: Addition::parse(["", "1", "2HG", "ABCD"][i as usize % 4]).unwrap(),
            }
            .normalised();
            let mut mac = k.hmac();
            mac.update(address.as_bytes());
            let expected: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(k.address_mac().pseudonym(&address), expected);
        }
    }

    #[test]
    fn the_one_block_mac_equals_hmac_sha256_for_every_length() {
        let k = key();
        let m = k.address_mac();
        let mut message = [0u8; 55];
        for len in 0..=55 {
            for (i, b) in message.iter_mut().enumerate() {
                *b = if i < len { (i * 7 + len) as u8 } else { 0 };
            }
            let mut mac = k.hmac();
            mac.update(&message[..len]);
            let expected: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(m.mac_block(&message, len), expected, "length {len}");
            let mut block = [0u8; 64];
            block[..55].copy_from_slice(&message);
            assert_eq!(
                m.pseudonym_of_block(&mut block, len),
                expected,
                "length {len}"
            );
        }
        assert!(!format!("{m:?}").contains(&hex::encode(k.bytes)));
    }

    #[test]
    fn keys_from_different_seeds_have_different_ids() {
        let a = MonitorKey::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(1));
        let b = MonitorKey::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(2));
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().0.len(), 16);
    }
}
