//! Where to send someone after a form: only back into Baken itself.
//!
//! The login page takes `terug` from its query string, so anyone can make a link
//! that logs a person in and then sends them elsewhere. Browsers are generous in
//! what they read as "another site": `//evil.example`, `/\evil.example`, and
//! `/<TAB>/evil.example` (they drop tabs and newlines from URLs) all leave the
//! origin. So the rule is a whitelist, not a list of bad patterns: a path that
//! starts with exactly one `/`, followed by printable ASCII without a backslash.
//! Control characters and non-ASCII are refused too — they cannot go into a
//! `Location` header, and a refused value must never turn into a server error
//! after the session was already made.

/// Where to go when `back` is missing or not acceptable.
pub const DEFAULT_BACK: &str = "/start";

/// `back` when it is a same-origin path Baken may redirect to, else [`DEFAULT_BACK`].
pub fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(path) if is_same_origin_path(path) => path.to_owned(),
        _ => DEFAULT_BACK.to_owned(),
    }
}

/// A relative URL that a browser resolves on this origin: `/` and then a path
/// (and query) of printable ASCII, never `//` or `/\` at the start, no
/// backslash anywhere.
fn is_same_origin_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\')
        && path.len() <= 2048
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Known ways to leave the origin through a "local" redirect.
    const BYPASSES: &[&str] = &[
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\x0b/evil.example",
        "/\x0c/evil.example",
        "/\0/evil.example",
        "/ /evil.example",
        "/%09/evil.example\\x",
        "https://evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example",
        " /start",
        "/start\r\nSet-Cookie: x=1",
        "/start\n",
        "/\u{3000}/evil.example",
        "/é",
        "/\u{2028}/evil.example",
        "",
    ];

    #[test]
    fn known_bypasses_fall_back_to_the_start_page() {
        for b in BYPASSES {
            assert_eq!(safe_back(Some(b)), DEFAULT_BACK, "{b:?}");
        }
        assert_eq!(safe_back(None), DEFAULT_BACK);
    }

    #[test]
    fn local_paths_with_queries_are_kept() {
        for ok in [
            "/huishoudens",
            "/huishoudens/12?tab=plan",
            "/zoeken?q=de%20vries&pagina=2",
            "/",
            "/a/b/../c",
        ] {
            assert_eq!(safe_back(Some(ok)), ok);
        }
    }

    proptest! {
        #[test]
        fn whatever_is_kept_is_a_valid_location_on_this_origin(s in "\\PC{0,40}|[/\\\\\t\n\r\x0b ]{0,6}[a-z./\\\\]{0,10}") {
            let back = safe_back(Some(&s));
            prop_assert!(axum::http::HeaderValue::from_str(&back).is_ok());
            let base = url_base();
            let resolved = base.join(&back).unwrap();
            prop_assert_eq!(resolved.origin(), base.origin());
        }
    }

    fn url_base() -> url::Url {
        url::Url::parse("https://baken.example/inloggen").unwrap()
    }
}
