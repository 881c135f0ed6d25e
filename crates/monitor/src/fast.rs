//! The hot path of `pseudonymise`: a row in its usual form — one line of at most 63
//! bytes, plain ASCII without quotes or control characters — split and checked
//! straight from the reader's buffer, a machine word at a time, with no trimming, no
//! intermediate types and no error values.
//!
//! Everything here accepts a subset of what the general path accepts ([`crate::records`]
//! for splitting, [`crate::input`] for the values) and gives the same result; for
//! anything else (a quoted field, a long line, surrounding spaces, leading zeros, a
//! postcode spelled `12 34ab`, …) it returns `None` and the caller takes the general
//! path, which decides and words the problem. Property tests below check that
//! agreement, with random bytes after every field (the words read past a field's end
//! must not matter).
//!
//! A [`Window`] is the buffer from a row's first byte on: [`WINDOW`] bytes are always
//! readable (the reader keeps that much padding after its data), of which `valid` are
//! the input's; a fast row ends within the first [`LINE`] of them.

use crate::input::MAX_DOMAIN_NAME;

/// A fast row's line break is among its first `LINE` bytes.
pub(crate) const LINE: usize = 64;
/// Bytes readable from a row's start: a field starts within the first `LINE` bytes and
/// up to 64 bytes are read from a field's start.
pub(crate) const WINDOW: usize = LINE + 64;

/// The buffer from a row's first byte, `valid` of its bytes being input.
pub(crate) type Window = [u8; WINDOW];

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;

/// The eight bytes at `at` as a little-endian word (`at < LINE`).
#[inline(always)]
fn word(w: &Window, at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&w[at..at + 8]);
    u64::from_le_bytes(b)
}

/// A mask of the low `n` bytes of a word (`n <= 8`).
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// Whether every byte of `x` under `mask` is an ASCII digit.
#[inline(always)]
fn digits(x: u64, mask: u64) -> bool {
    let t = (x ^ (ONES * u64::from(b'0'))) & mask;
    // A digit is 0x00-0x09 after the xor: high nibble zero, and adding 6 does not
    // carry into it. (A carry out of a failing byte can only make the test fail.)
    (t & HIGH_NIBBLES) | (t.wrapping_add(ONES * 6) & HIGH_NIBBLES & mask) == 0
}

/// Whether some byte of `x` under `mask` equals `b`.
#[inline(always)]
fn has_byte(x: u64, mask: u64, b: u8) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let t = x ^ (ONES * u64::from(b));
    // The high bit of each zero byte of `t` (exact: no carries between bytes).
    let zero = !(((t & LOW7).wrapping_add(LOW7)) | t | LOW7);
    zero & mask != 0
}

/// `b` upper-cased if it is an ASCII letter.
#[inline(always)]
fn upper_letter(b: u8) -> Option<u8> {
    // `b & !0x20` lands on A..=Z exactly for a..=z and A..=Z.
    let u = b & !0x20;
    u.is_ascii_uppercase().then_some(u)
}

/// Where a row's bytes of interest are, one bit per byte of the first [`LINE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Masks {
    newline: u64,
    delimiter: u64,
    /// A quote, a control character, DEL or a byte of a multi-byte character: the
    /// general path decides.
    unusual: u64,
}

/// The masks of `w[..LINE]`.
#[inline(always)]
fn classify(w: &Window, delimiter: u8) -> Masks {
    #[cfg(target_arch = "x86_64")]
    {
        classify_sse2(w, delimiter)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classify_bytes(w, delimiter)
    }
}

/// Sixteen bytes at a time with SSE2 (part of every x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify_sse2(w: &Window, delimiter: u8) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let mut m = Masks {
        newline: 0,
        delimiter: 0,
        unusual: 0,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline; each load reads 16 bytes of
    // `w[..LINE]`, inside the array.
    unsafe {
        let nl = _mm_set1_epi8(b'\n' as i8);
        let delim = _mm_set1_epi8(delimiter as i8);
        let quote = _mm_set1_epi8(b'"' as i8);
        let del = _mm_set1_epi8(0x7f);
        let space = _mm_set1_epi8(0x20);
        for k in 0..LINE / 16 {
            let v = _mm_loadu_si128(w.as_ptr().add(16 * k) as *const __m128i);
            // Signed: below 0x20 are the control characters and, as negative
            // numbers, the bytes from 0x80 on.
            let unusual = _mm_or_si128(
                _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quote)),
                _mm_cmpeq_epi8(v, del),
            );
            let shift = 16 * k;
            m.newline |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u16 as u64) << shift;
            m.delimiter |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, delim)) as u16 as u64) << shift;
            m.unusual |= (_mm_movemask_epi8(unusual) as u16 as u64) << shift;
        }
    }
    m
}

/// One byte at a time: the reference, and the path on other architectures.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytes(w: &Window, delimiter: u8) -> Masks {
    let mut m = Masks {
        newline: 0,
        delimiter: 0,
        unusual: 0,
    };
    for (i, &b) in w[..LINE].iter().enumerate() {
        let bit = 1u64 << i;
        if b == b'\n' {
            m.newline |= bit;
        }
        if b == delimiter {
            m.delimiter |= bit;
        }
        if b < 0x20 || b == b'"' || b >= 0x7f {
            m.unusual |= bit;
        }
    }
    m
}

/// A row split into fields: field `i` is `w[start[i]..start[i + 1] - 1]`.
pub(crate) struct Split {
    start: [u8; LINE + 1],
    /// The line's length including its line break.
    pub(crate) consumed: usize,
}

impl Split {
    pub(crate) fn new() -> Split {
        Split {
            start: [0; LINE + 1],
            consumed: 0,
        }
    }

    /// Field `i`'s start and length (`i` below the number of fields).
    #[inline(always)]
    pub(crate) fn field(&self, i: usize) -> (usize, usize) {
        let s = usize::from(self.start[i]);
        (s, usize::from(self.start[i + 1]) - 1 - s)
    }
}

/// Splits the row at the start of `w` if it is a usual one: a line of `fields` fields
/// that ends (with LF or CRLF) within the first [`LINE`] of the `valid` bytes, with no
/// quote, control character or non-ASCII byte in it, and not blank. `None`: let the
/// general reader take it.
#[inline(always)]
pub(crate) fn split_line(
    w: &Window,
    valid: usize,
    delimiter: u8,
    fields: usize,
    out: &mut Split,
) -> Option<()> {
    let m = classify(w, delimiter);
    let newline = m.newline & low_bytes_bits(valid);
    if newline == 0 {
        return None;
    }
    let nl = newline.trailing_zeros() as usize;
    let end = if nl > 0 && w[nl - 1] == b'\r' {
        nl - 1
    } else {
        nl
    };
    // A blank line is skipped by the general reader.
    let before_end = (1u64 << end) - 1;
    if end == 0 || m.unusual & before_end != 0 {
        return None;
    }
    let mut d = m.delimiter & before_end;
    if d.count_ones() as usize + 1 != fields {
        return None;
    }
    let mut i = 1;
    while d != 0 {
        out.start[i] = d.trailing_zeros() as u8 + 1;
        d &= d - 1;
        i += 1;
    }
    out.start[0] = 0;
    out.start[fields] = end as u8 + 1;
    out.consumed = nl + 1;
    Some(())
}

/// A mask of the low `n` bits (`n` is capped at 64).
#[inline(always)]
fn low_bytes_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// A field of the row: start and length; `(0, 0)` stands for an absent column.
pub(crate) type Field = (usize, usize);

/// Writes the normalised address `POSTCODE|NUMBER|LETTER|ADDITION` (see
/// [`crate::input::Address::normalised`]) into the start of `block` (zeros after it)
/// and returns its length, for the usual spellings: postcode `1234AB` or `1234 AB` (any
/// case), a house number without leading zeros or spaces, an empty or one-letter house
/// letter, an addition of up to four letters or digits.
#[inline(always)]
pub(crate) fn address(
    w: &Window,
    (pc, pc_len): Field,
    (nr, nr_len): Field,
    (hl, hl_len): Field,
    (tv, tv_len): Field,
    block: &mut [u8; 64],
) -> Option<usize> {
    let x = word(w, pc);
    let letters = match pc_len {
        6 => x >> 32,
        7 if (x >> 32) & 0xff == u64::from(b' ') => x >> 40,
        _ => return None,
    };
    let four = x & 0xFFFF_FFFF;
    let (l1, l2) = (
        upper_letter(letters as u8)?,
        upper_letter((letters >> 8) as u8)?,
    );
    if !digits(four, 0xFFFF_FFFF)
        || four as u8 == b'0'
        || (l1 == b'S' && matches!(l2, b'A' | b'D' | b'S'))
    {
        return None;
    }
    let postcode = four | u64::from(l1) << 32 | u64::from(l2) << 40 | u64::from(b'|') << 48;

    // 1 to 99999 without leading zeros: the digits are the normalised number.
    let number = word(w, nr) & low_bytes(nr_len);
    if !(1..=5).contains(&nr_len) || !digits(number, low_bytes(nr_len)) || number as u8 == b'0' {
        return None;
    }
    let number = number | u64::from(b'|') << (8 * nr_len);

    let (letter, letter_len) = match hl_len {
        0 => (u64::from(b'|'), 1),
        1 => (u64::from(upper_letter(w[hl])?) | u64::from(b'|') << 8, 2),
        _ => return None,
    };
    if tv_len > 4 {
        return None;
    }
    let mut addition = 0u64;
    for (k, &b) in w[tv..tv + tv_len].iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            return None;
        }
        addition |= u64::from(b.to_ascii_uppercase()) << (8 * k);
    }

    // Each piece is stored as a whole word; its high bytes are zeros that the next
    // piece overwrites or that stay as the zeros after the address.
    let mut at = 0;
    for (piece, len) in [
        (postcode, 7),
        (number, nr_len + 1),
        (letter, letter_len),
        (addition, tv_len),
    ] {
        block[at..at + 8].copy_from_slice(&piece.to_le_bytes());
        at += len;
    }
    Some(at)
}

/// A neighbourhood code `BU` + 8 digits (any case): its ten bytes, upper-cased, as a
/// word (`BU` and six digits) and the last two digits.
#[inline(always)]
pub(crate) fn buurtcode(w: &Window, (s, len): Field) -> Option<(u64, u16)> {
    if len != 10 {
        return None;
    }
    let x = word(w, s);
    let tail = u16::from_le_bytes([w[s + 8], w[s + 9]]);
    let bu = u64::from(u16::from_le_bytes(*b"BU"));
    if x & 0xDFDF != bu || !digits(x, !0xFFFF) || !digits(u64::from(tail), 0xFFFF) {
        return None;
    }
    Some(((x & !0xFFFF) | bu, tail))
}

/// A provision code in its usual form: not empty, no surrounding space, and (in a row
/// without quotes, control or non-ASCII bytes) so no other rule to break. Returns
/// whether it needs quotes in the comma-separated output: it holds `other`, the
/// delimiter that did not split the input (`,` or `;`).
#[inline(always)]
pub(crate) fn free_text(w: &Window, (s, len): Field, other: u8) -> Option<bool> {
    if len == 0 || w[s] == b' ' || w[s + len - 1] == b' ' {
        return None;
    }
    let mut quote = false;
    let mut k = 0;
    while k < len {
        quote |= has_byte(word(w, s + k), low_bytes(len - k), other);
        k += 8;
    }
    Some(quote)
}

/// A period: empty, `YYYY` or `YYYY-MM` (year 1900-2199, month 01-12). Returns the
/// value as a word (zeros after it) and its length.
#[inline(always)]
pub(crate) fn periode(w: &Window, (s, len): Field) -> Option<(u64, usize)> {
    if len == 0 {
        return Some((0, 0));
    }
    let x = word(w, s) & low_bytes(len);
    let century = x as u16;
    let year_ok = digits(x, 0xFFFF_FFFF)
        && (century == u16::from_le_bytes(*b"19")
            || century == u16::from_le_bytes(*b"20")
            || century == u16::from_le_bytes(*b"21"));
    match len {
        4 if year_ok => Some((x, 4)),
        7 if year_ok && (x >> 32) as u8 == b'-' && digits(x, 0xFFFF << 40) => {
            let (tens, ones) = (((x >> 40) as u8 - b'0'), ((x >> 48) as u8 - b'0'));
            let month = tens * 10 + ones;
            (1..=12).contains(&month).then_some((x, 7))
        }
        _ => None,
    }
}

/// A domain value as a 16-byte word (zeros after it), if at most 16 bytes long.
#[inline(always)]
pub(crate) fn short_value(w: &Window, (s, len): Field) -> Option<u128> {
    if len > 16 {
        return None;
    }
    let mut b = [0u8; 16];
    b.copy_from_slice(&w[s..s + 16]);
    let mask = if len == 16 {
        u128::MAX
    } else {
        (1u128 << (8 * len)) - 1
    };
    Some(u128::from_le_bytes(b) & mask)
}

/// A domain's canonical name padded with zeros, for copying as whole words.
pub(crate) const DOMAIN_BYTES: usize = MAX_DOMAIN_NAME.next_multiple_of(16);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{
        free_text as reference_text, Addition, Address, BuurtCode, HouseLetter, HouseNumber,
        Periode, Postcode,
    };
    use proptest::prelude::*;

    /// `fields` joined by `delimiter` at the start of a window, then `rest` (random
    /// bytes the checks must not look at).
    fn window(fields: &[&[u8]], rest: &[u8]) -> (Window, Vec<Field>) {
        let mut w = [0u8; WINDOW];
        for (i, b) in w.iter_mut().enumerate() {
            *b = rest.get(i % rest.len().max(1)).copied().unwrap_or(b'x');
        }
        let mut at = 0;
        let mut out = Vec::new();
        for f in fields {
            w[at..at + f.len()].copy_from_slice(f);
            out.push((at, f.len()));
            at += f.len() + 1;
            if at > 0 {
                w[at - 1] = b',';
            }
        }
        (w, out)
    }

    fn reference_address(p: &[u8], n: &[u8], l: &[u8], a: &[u8]) -> Option<Vec<u8>> {
        let address = Address {
            postcode: Postcode::parse_bytes(p).ok()?,
            number: HouseNumber::parse_bytes(n).ok()?,
            letter: HouseLetter::parse_bytes(l).ok()?,
            addition: Addition::parse_bytes(a).ok()?,
        };
        Some(address.normalised().as_bytes().to_vec())
    }

    fn fast_address(p: &[u8], n: &[u8], l: &[u8], a: &[u8], rest: &[u8]) -> Option<Vec<u8>> {
        let (w, f) = window(&[p, n, l, a], rest);
        let mut block = [0xAAu8; 64];
        block[..32].fill(0);
        let len = address(&w, f[0], f[1], f[2], f[3], &mut block)?;
        assert!(block[len..32].iter().all(|&b| b == 0), "zeros after it");
        Some(block[..len].to_vec())
    }

    #[test]
    fn usual_spellings_take_the_fast_path() {
        let rest = b"9x;,\"";
        assert_eq!(
            fast_address(b"1234ab", b"12", b"a", b"2hg", rest).unwrap(),
            b"1234AB|12|A|2HG"
        );
        assert_eq!(
            fast_address(b"9999 ZZ", b"99999", b"", b"", rest).unwrap(),
            b"9999ZZ|99999||"
        );
        for (p, n) in [
            ("0123AB", "1"),
            ("1234SA", "1"),
            ("1234AB", "0"),
            ("1234AB", "012"),
            ("1234AB", "123456"),
        ] {
            assert!(
                fast_address(p.as_bytes(), n.as_bytes(), b"", b"", rest).is_none(),
                "{p} {n}"
            );
        }
        let (w, f) = window(&[b"bu99990101", b"WMO-HV", b"a;b", b"2025-03", b""], rest);
        let (head, tail) = buurtcode(&w, f[0]).unwrap();
        assert_eq!(&head.to_le_bytes(), b"BU999901");
        assert_eq!(&tail.to_le_bytes(), b"01");
        assert_eq!(free_text(&w, f[1], b';'), Some(false));
        assert_eq!(free_text(&w, f[2], b';'), Some(true));
        assert_eq!(
            periode(&w, f[3]),
            Some((u64::from_le_bytes(*b"2025-03\0"), 7))
        );
        assert_eq!(periode(&w, f[4]), Some((0, 0)));
    }

    #[test]
    fn a_usual_line_is_split_like_the_general_reader_does() {
        let mut w = [b'z'; WINDOW];
        let line = b"1,1234AB,,BU99990101\r\nnext";
        w[..line.len()].copy_from_slice(line);
        let mut s = Split::new();
        split_line(&w, line.len(), b',', 4, &mut s).unwrap();
        assert_eq!(s.consumed, 22);
        assert_eq!(
            (0..4).map(|i| s.field(i)).collect::<Vec<_>>(),
            vec![(0, 1), (2, 6), (9, 0), (10, 10)]
        );
        for refused in [
            &b"1,\"1234AB\",,BU99990101\n"[..],
            b"1,1234\tAB,,BU99990101\n",
            b"1,1234\xC2\xA0AB,,BU99990101\n",
            b"1,1234AB,BU99990101\n",
            b"\r\n",
            b"1,1234AB,,BU99990101",
        ] {
            let mut w = [b'z'; WINDOW];
            w[..refused.len()].copy_from_slice(refused);
            assert!(split_line(&w, refused.len(), b',', 4, &mut s).is_none());
        }
    }

    proptest! {
        #[test]
        fn the_fast_classifier_agrees_with_the_byte_loop(bytes in proptest::collection::vec(any::<u8>(), WINDOW)) {
            let mut w = [0u8; WINDOW];
            w.copy_from_slice(&bytes);
            for d in [b',', b';'] {
                prop_assert_eq!(classify(&w, d), classify_bytes(&w, d));
            }
        }

        #[test]
        fn the_fast_split_agrees_with_the_general_reader(
            line in "[a-c,;\" \t\r\u{e9}]{0,70}\n[a-c,]{0,70}",
            fields in 1usize..8,
        ) {
            let bytes = line.as_bytes();
            let mut w = [b'q'; WINDOW];
            let n = bytes.len().min(WINDOW);
            w[..n].copy_from_slice(&bytes[..n]);
            let mut s = Split::new();
            if split_line(&w, n, b',', fields, &mut s).is_some() {
                let mut r = crate::records::RecordReader::new(bytes, b',', 256);
                let mut rec = crate::records::Record::new();
                prop_assert!(r.read(&mut rec).unwrap());
                prop_assert_eq!(rec.line(), 1, "not a blank line");
                prop_assert_eq!(rec.len(), fields);
                for i in 0..fields {
                    let (st, len) = s.field(i);
                    prop_assert_eq!(&w[st..st + len], &rec[i]);
                }
                let consumed = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
                prop_assert_eq!(s.consumed, consumed);
            }
        }

        #[test]
        fn the_fast_address_agrees_with_the_parsers(
            p in "[0-9]{4}[ ]?[a-zA-Z]{2}|[0-9 a-zA-Z]{0,9}",
            n in "[0-9]{1,6}|[0-9 a]{0,7}",
            l in "[a-zA-Z]?|[a-z 1]{0,2}",
            a in "[a-zA-Z0-9]{0,5}|[a-z1 -]{0,6}",
            rest in proptest::collection::vec(any::<u8>(), 1..16),
        ) {
            if let Some(m) = fast_address(p.as_bytes(), n.as_bytes(), l.as_bytes(), a.as_bytes(), &rest) {
                let expected = reference_address(p.as_bytes(), n.as_bytes(), l.as_bytes(), a.as_bytes());
                prop_assert_eq!(Some(m), expected);
            }
        }

        #[test]
        fn the_fast_buurtcode_agrees_with_the_parser(
            s in "[bBuU]{2}[0-9]{8}|[bBuUwW 0-9a]{0,12}",
            rest in proptest::collection::vec(any::<u8>(), 1..16),
        ) {
            let (w, f) = window(&[s.as_bytes()], &rest);
            if let Some((head, tail)) = buurtcode(&w, f[0]) {
                let mut got = head.to_le_bytes().to_vec();
                got.extend_from_slice(&tail.to_le_bytes());
                let expected = BuurtCode::parse_bytes(s.as_bytes()).map(|b| b.as_bytes().to_vec());
                prop_assert_eq!(Ok(got), expected);
            }
        }

        #[test]
        fn the_fast_text_agrees_with_the_parser(
            s in "[A-Z,; -]{0,20}|[ !#-~]{0,60}",
            other in prop_oneof![Just(b','), Just(b';')],
            rest in proptest::collection::vec(any::<u8>(), 1..16),
        ) {
            // As in a row the fast split took: no quote (by the generator), and not
            // the delimiter that split the row.
            let delimiter = if other == b',' { b';' } else { b',' };
            prop_assume!(!s.as_bytes().contains(&delimiter));
            let (w, f) = window(&[s.as_bytes()], &rest);
            if let Some(quote) = free_text(&w, f[0], other) {
                prop_assert_eq!(reference_text(s.as_bytes()), Ok(s.as_bytes()));
                prop_assert_eq!(quote, crate::csvio::needs_quotes(s.as_bytes()));
            }
        }

        #[test]
        fn the_fast_periode_agrees_with_the_parser(
            s in "(19|20|21|22|18)[0-9]{2}(-[0-1][0-9])?|[0-9 -]{0,8}",
            rest in proptest::collection::vec(any::<u8>(), 1..16),
        ) {
            let (w, f) = window(&[s.as_bytes()], &rest);
            if let Some((word, len)) = periode(&w, f[0]) {
                let expected = Periode::parse_bytes(s.as_bytes()).map(|p| p.map(|p| p.as_str().to_owned()));
                let got = (len > 0).then(|| String::from_utf8_lossy(&word.to_le_bytes()[..len]).into_owned());
                prop_assert_eq!(Ok(got), expected);
                prop_assert!(word.to_le_bytes()[len..].iter().all(|&b| b == 0));
            }
        }
    }
}
