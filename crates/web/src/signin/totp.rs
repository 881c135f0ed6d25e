//! TOTP codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits — what every
//! authenticator app reads from a QR code), the enrolment QR code as inline
//! SVG, and fresh recovery codes.

use crate::support::error::AppError;
use baken_domain::second_factor::{RecoveryCode, RECOVERY_CODES, TOTP_SKEW_STEPS};
use rand::RngCore;
use totp_rs::{Secret, Totp};

/// The name the authenticator app shows above the code.
pub const ISSUER: &str = "Baken";

/// A fresh secret: 160 random bits (RFC 4226's recommendation), base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

fn totp(secret_base32: &str, account: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|e| AppError::internal("reading a stored TOTP secret")(e))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_skew(TOTP_SKEW_STEPS)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(AppError::internal("building a TOTP"))
}

/// Seconds since the epoch, now.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The time step (within the allowed drift) whose code this is, if any.
pub fn matching_step(secret_base32: &str, code: &str, now: u64) -> Result<Option<u64>, AppError> {
    Ok(totp(secret_base32, "baken")?.check(code, now))
}

/// The code for a moment (tests and the demo's documentation use it).
pub fn code_at(secret_base32: &str, unix: u64) -> Result<String, AppError> {
    Ok(totp(secret_base32, "baken")?.generate(unix).to_string())
}

/// The `otpauth://totp/…` URL an authenticator app reads from the QR code.
pub fn otpauth_url(secret_base32: &str, username: &str) -> Result<String, AppError> {
    totp(secret_base32, username)?
        .to_url()
        .map_err(AppError::internal("writing the otpauth URL"))
}

/// The QR code of `data` as an inline SVG element (no XML declaration), with
/// a text alternative; black on white with a quiet zone, as scanners need.
pub fn qr_svg(data: &str) -> Result<String, AppError> {
    let code =
        qrcode::QrCode::new(data.as_bytes()).map_err(AppError::internal("making a QR code"))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..].replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"QR-code om Baken aan uw authenticator-app toe te voegen\" class=\"qr\"",
        1,
    ))
}

/// The secret in groups of four, for typing it into an app by hand.
pub fn grouped(secret_base32: &str) -> String {
    secret_base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fresh set of recovery codes.
pub fn new_recovery_codes() -> Vec<RecoveryCode> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            RecoveryCode::from_random(bytes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the secret "12345678901234567890".
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = Secret::from(*b"12345678901234567890").to_base32();
        // The RFC lists 8 digits; the 6-digit code is their last six.
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(code_at(&secret, 1111111109).unwrap(), "081804");
        assert_eq!(code_at(&secret, 2000000000).unwrap(), "279037");
    }

    #[test]
    fn a_code_matches_within_one_step_only() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now - 30).unwrap();
        assert_eq!(
            matching_step(&secret, &code, now).unwrap(),
            Some(now / 30 - 1)
        );
        assert_eq!(matching_step(&secret, &code, now + 60).unwrap(), None);
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_with_a_text_alternative() {
        let url = otpauth_url(&new_secret(), "generalist").unwrap();
        assert!(url.starts_with("otpauth://totp/Baken:generalist?"), "{url}");
        let svg = qr_svg(&url).unwrap();
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label="),
            "{svg:.80}"
        );
        assert!(!svg.contains("<?xml"));
    }
}
