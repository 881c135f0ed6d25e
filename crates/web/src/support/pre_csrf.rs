//! The CSRF token of forms shown before login (the login form, the public
//! report and help-request forms): a double-submit cookie (`baken_pre`) whose
//! value the form repeats.
//!
//! A plain random value would let anyone who can set a cookie for the site
//! (a sibling subdomain, a proxy on plain HTTP) pick a value and submit forms
//! with it. So the value is made by this server: a random nonce and an
//! HMAC-SHA256 of it under the installation's `pre_login` secret, which a
//! migration makes once in the database, so every process serving that
//! database accepts the same tokens. A value that does not verify is replaced
//! by a fresh one, and a form that carries it is refused.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key that signs pre-login tokens. Its Debug output never shows it.
#[derive(Clone)]
pub struct PreLoginKey(Hmac<Sha256>);

impl std::fmt::Debug for PreLoginKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreLoginKey(***)")
    }
}

impl PreLoginKey {
    /// A key from the installation's secret (any bytes; the stored hex string).
    pub fn new(secret: &[u8]) -> PreLoginKey {
        // HMAC takes keys of any length; this cannot fail.
        PreLoginKey(Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!()))
    }

    /// A key of this process alone (when no installation secret is configured):
    /// fine for one process, refused by any other.
    pub fn random() -> PreLoginKey {
        PreLoginKey::new(baken_store::users::new_secret().as_bytes())
    }

    /// A fresh token: `nonce.tag`, both hex.
    pub fn issue(&self) -> String {
        let nonce = &baken_store::users::new_secret()[..32];
        format!("{nonce}.{}", self.tag(nonce))
    }

    /// Whether this server made `token`.
    pub fn verify(&self, token: &str) -> bool {
        let Some((nonce, tag)) = token.split_once('.') else {
            return false;
        };
        let Ok(tag) = hex::decode(tag) else {
            return false;
        };
        nonce.len() == 32
            && nonce.bytes().all(|b| b.is_ascii_hexdigit())
            && self.mac(nonce).verify_slice(&tag).is_ok()
    }

    fn mac(&self, nonce: &str) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(b"baken_pre:");
        mac.update(nonce.as_bytes());
        mac
    }

    fn tag(&self, nonce: &str) -> String {
        hex::encode(self.mac(nonce).finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_this_key_made_verify() {
        let key = PreLoginKey::new(b"secret of this installation");
        let token = key.issue();
        assert!(key.verify(&token));
        assert!(PreLoginKey::new(b"secret of this installation").verify(&token));
        assert!(!PreLoginKey::new(b"another installation").verify(&token));
        assert!(!key.verify(&"0".repeat(64)), "any 64 characters");
        assert!(!key.verify(""));
        let (nonce, tag) = token.split_once('.').unwrap();
        let mut forged = nonce.to_owned();
        let last = if forged.ends_with('0') { '1' } else { '0' };
        forged.pop();
        forged.push(last);
        assert!(!key.verify(&format!("{forged}.{tag}")), "another nonce");
        assert!(!key.verify(&format!("{nonce}.{}", "0".repeat(64))));
    }
}
