//! Text as it enters Baken: no control characters.
//!
//! A NUL in a name was stored by SQLite and refused by PostgreSQL with a
//! server error, so the same input behaved differently per backend. Control
//! characters have no place in anything a person types, and several (NUL, ESC,
//! the C1 range) can break storage, logs or terminals. So every edge where text
//! comes in — forms and query strings, API bodies, HSDS imports — checks it
//! here, once, before anything is written. Tab, line feed and carriage return
//! are the exception: multi-line fields (notes, descriptions) need them.

/// The first control character found, with its place (counted in characters, from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("contains the control character U+{code:04X} at character {position}; remove it")]
pub struct ControlCharacter {
    pub code: u32,
    pub position: usize,
}

/// Whether `c` is refused in text input: C0 controls except tab, line feed and
/// carriage return; DEL; the C1 controls.
/// A code in groups of four joined by dashes (`abcd-efgh-…`), as printed for
/// a person to type: recovery codes and survey invitation codes.
pub fn grouped_by_four(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

pub fn is_refused_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// `text` unchanged, or the first control character it holds.
pub fn check_text(text: &str) -> Result<&str, ControlCharacter> {
    match text
        .chars()
        .enumerate()
        .find(|(_, c)| is_refused_control(*c))
    {
        Some((i, c)) => Err(ControlCharacter {
            code: u32::from(c),
            position: i + 1,
        }),
        None => Ok(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nul_and_other_controls_are_refused_with_their_place() {
        assert_eq!(
            check_text("a\u{0}b"),
            Err(ControlCharacter {
                code: 0,
                position: 2
            })
        );
        for bad in ["\u{1b}[31m", "x\u{7f}", "\u{85}", "\u{b}", "\u{c}"] {
            assert!(check_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tabs_newlines_and_ordinary_text_pass() {
        for ok in [
            "Jan de Vries",
            "regel 1\r\nregel 2\tmet tab",
            "één — €5 ✓",
            "",
        ] {
            assert_eq!(check_text(ok), Ok(ok));
        }
    }

    proptest! {
        #[test]
        fn text_without_controls_always_passes(s in "[^\\p{Cc}]{0,60}") {
            prop_assert_eq!(check_text(&s), Ok(s.as_str()));
        }

        #[test]
        fn any_refused_control_is_found_wherever_it_is(
            before in "[a-z ]{0,20}",
            c in prop::sample::select(vec!['\u{0}', '\u{1}', '\u{1f}', '\u{7f}', '\u{9f}']),
            after in "[a-z ]{0,20}",
        ) {
            let text = format!("{before}{c}{after}");
            let e = check_text(&text).unwrap_err();
            prop_assert_eq!(e.code, u32::from(c));
            prop_assert_eq!(e.position, before.chars().count() + 1);
        }
    }
}
