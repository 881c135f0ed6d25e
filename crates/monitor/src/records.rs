//! A small, fast CSV record reader (RFC 4180: quoted fields with `""` escapes and line
//! breaks inside quotes; LF or CRLF; blank lines skipped) that knows the exact line on
//! which every record starts.
//!
//! Why not the `csv` crate: pseudonymising must run at a good fraction of raw
//! HMAC-SHA256 speed, and most rows hold no quotes, so a byte loop that only splits on
//! the delimiter and the line end is several times faster than a general DFA. (It also
//! reports line numbers right for CRLF files, which `csv` 1.4 reports one too low.)

use std::io::Read;

use crate::fast::{Window, LINE, WINDOW};

/// Bytes kept after the buffer's usable part, so that a [`Window`] can be read from
/// any position in it.
const PAD: usize = WINDOW;

/// One record: its fields' bytes back to back, and where each field ends.
#[derive(Debug, Default, Clone)]
pub(crate) struct Record {
    /// Either the fields back to back (`dense`), or the raw line with its delimiters,
    /// in which case field `i` starts one byte after field `i - 1` ends.
    data: Vec<u8>,
    ends: Vec<usize>,
    dense: bool,
    line: u64,
}

impl Record {
    pub(crate) fn new() -> Record {
        Record::default()
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The 1-based line on which the record starts.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// All fields' bytes (with the delimiters between them if the line had no quotes).
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.ends.len()).map(move |i| &self[i])
    }

    fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }
}

/// Field access shared by [`Record`] (an owned copy) and [`RowView`] (borrowed from the
/// reader's buffer).
pub(crate) trait Fields {
    /// The number of fields.
    fn count(&self) -> usize;
    /// All fields' bytes (with the delimiters between them if the line had no quotes).
    fn bytes(&self) -> &[u8];
    /// Field `i` (`i < count()`).
    fn field(&self, i: usize) -> &[u8];
    /// True if every byte is known to be ASCII; false if not known.
    fn known_ascii(&self) -> bool {
        false
    }
}

impl Fields for Record {
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        self.as_slice()
    }

    #[inline]
    fn field(&self, i: usize) -> &[u8] {
        &self[i]
    }
}

/// One record, borrowed: for a line without quotes (nearly all), the line itself in the
/// reader's buffer and the positions of its delimiters, so reading a row copies nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowView<'a> {
    data: &'a [u8],
    ends: &'a [usize],
    dense: bool,
    /// Every byte is known to be ASCII (false: not known).
    ascii: bool,
    line: u64,
}

impl RowView<'_> {
    /// The 1-based line on which the record starts.
    #[inline]
    pub(crate) fn line(&self) -> u64 {
        self.line
    }
}

impl Fields for RowView<'_> {
    #[inline(always)]
    fn count(&self) -> usize {
        self.ends.len()
    }

    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        self.data
    }

    #[inline(always)]
    fn known_ascii(&self) -> bool {
        self.ascii
    }

    #[inline(always)]
    fn field(&self, i: usize) -> &[u8] {
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] + usize::from(!self.dense),
        };
        &self.data[start..self.ends[i]]
    }
}

impl std::ops::Index<usize> for Record {
    type Output = [u8];

    #[inline]
    fn index(&self, i: usize) -> &[u8] {
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] + usize::from(!self.dense),
        };
        &self.data[start..self.ends[i]]
    }
}

/// The longest record (line, or lines of one quoted record) a reader accepts: 1 MiB. A
/// monitor row is at most a few hundred bytes; this bounds the reading buffers, so that
/// a file with an endless line is refused instead of read into memory whole.
pub(crate) const MAX_RECORD_BYTES: usize = 1 << 20;

/// The error for a record longer than [`MAX_RECORD_BYTES`], at `line` if known.
pub(crate) fn record_too_long(line: Option<u64>) -> std::io::Error {
    let at = line.map_or(String::new(), |l| format!("line {l}: "));
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "{at}a row is longer than 1 MiB ({MAX_RECORD_BYTES} bytes) without ending; not a monitor file (is a line break or a closing quote missing?)"
        ),
    )
}

/// Reads records from a byte stream.
pub(crate) struct RecordReader<R> {
    input: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    delimiter: u8,
    /// The line number at `start`.
    line: u64,
    /// For [`RecordReader::next_row`]: the delimiters of the current plain line, and
    /// the current record when its line has quotes.
    ends: Vec<usize>,
    quoted: Record,
}

/// Where [`RecordReader::next_row`] found the record.
enum Found {
    /// A plain line at `buf[start..start + len]`, its delimiters in `ends`.
    Plain {
        start: usize,
        len: usize,
        ascii: bool,
    },
    /// A line with quotes, parsed into `quoted`.
    Quoted,
}

enum Parsed {
    /// A record ended after this many bytes, spanning this many line breaks.
    Done { consumed: usize, lines: u64 },
    /// The buffer ends inside the record.
    NeedMore,
}

impl<R: Read> RecordReader<R> {
    pub(crate) fn new(input: R, delimiter: u8, capacity: usize) -> Self {
        RecordReader {
            input,
            buf: vec![0; capacity.max(64) + PAD],
            start: 0,
            end: 0,
            eof: false,
            delimiter,
            line: 1,
            ends: Vec::with_capacity(64),
            quoted: Record::new(),
        }
    }

    /// Starts with bytes already read from the input (after a BOM, say).
    pub(crate) fn with_prefix(input: R, delimiter: u8, capacity: usize, prefix: &[u8]) -> Self {
        let mut r = RecordReader::new(input, delimiter, capacity.max(prefix.len() * 2));
        r.buf[..prefix.len()].copy_from_slice(prefix);
        r.end = prefix.len();
        r
    }

    /// The delimiter the reader splits fields on.
    pub(crate) fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The usable part of the buffer (the rest is padding for windows).
    fn capacity(&self) -> usize {
        self.buf.len() - PAD
    }

    fn fill(&mut self) -> std::io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.capacity() {
            // One record fills the whole buffer: grow it, up to the longest record
            // allowed (so that one endless line cannot take all memory).
            if self.capacity() >= MAX_RECORD_BYTES {
                return Err(record_too_long(Some(self.line)));
            }
            let grown = (self.capacity() * 2).min(MAX_RECORD_BYTES) + PAD;
            self.buf.resize(grown, 0);
        }
        let usable = self.capacity();
        loop {
            match self.input.read(&mut self.buf[self.end..usable]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Skips blank lines, reading more input as needed. Returns `false` at the end of
    /// the input, `true` when `buf[start..end]` begins a record.
    #[inline]
    fn skip_blank_lines(&mut self) -> std::io::Result<bool> {
        loop {
            while self.start < self.end {
                match self.buf[self.start] {
                    b'\n' => {
                        self.start += 1;
                        self.line += 1;
                    }
                    b'\r' if self.start + 1 < self.end && self.buf[self.start + 1] == b'\n' => {
                        self.start += 2;
                        self.line += 1;
                    }
                    _ => break,
                }
            }
            if self.start == self.end
                || (self.start + 1 == self.end && self.buf[self.start] == b'\r' && !self.eof)
            {
                if self.eof {
                    return Ok(false);
                }
                self.fill()?;
                continue;
            }
            return Ok(true);
        }
    }

    /// For the fast path ([`crate::fast::split_line`]): the buffer from the current
    /// position ([`WINDOW`] readable bytes) and how many of them are input, after
    /// reading more if fewer than [`LINE`] are buffered; `None` at the end of the
    /// input. A record taken from the window is passed with [`RecordReader::advance_line`].
    #[inline(always)]
    pub(crate) fn window(&mut self) -> std::io::Result<Option<(&Window, usize)>> {
        while self.end - self.start < LINE && !self.eof {
            self.fill()?;
        }
        if self.start == self.end {
            return Ok(None);
        }
        let window = self.buf[self.start..self.start + WINDOW]
            .first_chunk::<WINDOW>()
            .ok_or_else(|| std::io::Error::other("the record buffer lost its padding"))?;
        Ok(Some((window, self.end - self.start)))
    }

    /// Passes one line of `consumed` bytes (its line break included) of the window.
    #[inline(always)]
    pub(crate) fn advance_line(&mut self, consumed: usize) {
        self.start = (self.start + consumed).min(self.end);
        self.line += 1;
    }

    /// Reads the next record without copying it (unless its line has quotes); `None` at
    /// the end of the input. The view lives until the next call.
    #[inline]
    pub(crate) fn next_row(&mut self) -> std::io::Result<Option<RowView<'_>>> {
        let mut ascii = false;
        let found = loop {
            if !self.skip_blank_lines()? {
                return Ok(None);
            }
            let bytes = &self.buf[self.start..self.end];
            self.ends.clear();
            if let Some(nl) = scan_plain_line(bytes, self.delimiter, &mut self.ends, &mut ascii) {
                let len = if nl > 0 && bytes[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                self.ends.push(len);
                let start = self.start;
                self.start += nl + 1;
                self.line += 1;
                break Found::Plain { start, len, ascii };
            }
            self.ends.clear();
            self.quoted.clear();
            self.quoted.line = self.line;
            match parse_general(bytes, self.delimiter, self.eof, &mut self.quoted) {
                Parsed::Done { consumed, lines } => {
                    self.start += consumed;
                    self.line += lines;
                    break Found::Quoted;
                }
                Parsed::NeedMore => self.fill()?,
            }
        };
        Ok(Some(match found {
            Found::Plain { start, len, ascii } => RowView {
                data: &self.buf[start..start + len],
                ends: &self.ends,
                dense: false,
                ascii,
                line: self.line - 1,
            },
            Found::Quoted => RowView {
                data: &self.quoted.data,
                ends: &self.quoted.ends,
                dense: self.quoted.dense,
                ascii: false,
                line: self.quoted.line,
            },
        }))
    }

    /// The bytes read but not yet parsed, the input (positioned after them), the line
    /// number at their start, and whether the input has ended: for readers that go on
    /// in blocks of their own ([`crate::linkread`]).
    pub(crate) fn into_remaining(self) -> (Vec<u8>, R, u64, bool) {
        let mut buf = self.buf;
        buf.truncate(self.end);
        buf.drain(..self.start);
        (buf, self.input, self.line, self.eof)
    }

    /// Reads the next record; `false` at the end of the input.
    pub(crate) fn read(&mut self, record: &mut Record) -> std::io::Result<bool> {
        loop {
            if !self.skip_blank_lines()? {
                return Ok(false);
            }
            record.clear();
            record.line = self.line;
            match parse(
                &self.buf[self.start..self.end],
                self.delimiter,
                self.eof,
                record,
            ) {
                Parsed::Done { consumed, lines } => {
                    self.start += consumed;
                    self.line += lines;
                    return Ok(true);
                }
                Parsed::NeedMore => self.fill()?,
            }
        }
    }
}

#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn splat(b: u8) -> u64 {
    u64::from(b) * 0x0101_0101_0101_0101
}

/// The high bit of each byte of `x` that is zero (exact, no false positives).
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn zero_bytes(x: u64) -> u64 {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LO7).wrapping_add(LO7)) | x | LO7)
}

/// Scans one line for the line end, quotes and delimiters. Returns the index of the
/// line end, having pushed the delimiters' indices, or `None` if the line holds a quote
/// or the line end is not in `bytes`. `ascii` is set if every byte of the line is known
/// to be ASCII (it may stay false for an ASCII line).
#[inline]
fn scan_plain_line(
    bytes: &[u8],
    delimiter: u8,
    ends: &mut Vec<usize>,
    ascii: &mut bool,
) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        scan_plain_line_sse2(bytes, delimiter, ends, ascii)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        *ascii = false;
        scan_plain_line_swar(bytes, delimiter, ends)
    }
}

/// What to do with a byte of interest at index `j`.
#[inline(always)]
fn hit(bytes: &[u8], j: usize, ends: &mut Vec<usize>) -> Option<Option<usize>> {
    match bytes[j] {
        b'\n' => Some(Some(j)),
        b'"' => Some(None),
        _ => {
            ends.push(j);
            None
        }
    }
}

/// Sixteen bytes at a time with SSE2 (part of every x86-64 CPU): one mask each for
/// line ends, quotes, delimiters and non-ASCII bytes per block.
#[cfg(target_arch = "x86_64")]
#[inline]
fn scan_plain_line_sse2(
    bytes: &[u8],
    delimiter: u8,
    ends: &mut Vec<usize>,
    ascii: &mut bool,
) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut base = 0;
    let mut high = 0u32;
    // SAFETY: SSE2 is part of the x86-64 baseline; every load reads 16 bytes within
    // `bytes` (`base + 16 <= bytes.len()`).
    unsafe {
        let (nl, quote, delim) = (
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'"' as i8),
            _mm_set1_epi8(delimiter as i8),
        );
        while base + 16 <= bytes.len() {
            let v = _mm_loadu_si128(bytes.as_ptr().add(base) as *const __m128i);
            let n = _mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u32;
            let q = _mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u32;
            let mut d = _mm_movemask_epi8(_mm_cmpeq_epi8(v, delim)) as u32;
            // Bytes from 0x80 up have their high bit set.
            high |= _mm_movemask_epi8(v) as u32 & (n & n.wrapping_neg()).wrapping_sub(1);
            if n != 0 {
                if q != 0 && q.trailing_zeros() < n.trailing_zeros() {
                    return None;
                }
                d &= (n & n.wrapping_neg()) - 1;
                while d != 0 {
                    ends.push(base + d.trailing_zeros() as usize);
                    d &= d - 1;
                }
                *ascii = high == 0;
                return Some(base + n.trailing_zeros() as usize);
            }
            if q != 0 {
                return None;
            }
            while d != 0 {
                ends.push(base + d.trailing_zeros() as usize);
                d &= d - 1;
            }
            base += 16;
        }
    }
    *ascii = false;
    scan_tail(bytes, base, delimiter, ends)
}

/// The bytes from `base` on, one at a time.
#[inline]
fn scan_tail(bytes: &[u8], base: usize, delimiter: u8, ends: &mut Vec<usize>) -> Option<usize> {
    for (k, &b) in bytes[base..].iter().enumerate() {
        if b == b'\n' || b == b'"' || b == delimiter {
            if let Some(done) = hit(bytes, base + k, ends) {
                return done;
            }
        }
    }
    None
}

/// Eight bytes at a time in a `u64`, for other architectures.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn scan_plain_line_swar(bytes: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<usize> {
    let (nl, quote, delim) = (splat(b'\n'), splat(b'"'), splat(delimiter));
    let mut base = 0;
    while base + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[base..base + 8]);
        let w = u64::from_le_bytes(word);
        let mut hits = zero_bytes(w ^ nl) | zero_bytes(w ^ quote) | zero_bytes(w ^ delim);
        while hits != 0 {
            let j = base + (hits.trailing_zeros() / 8) as usize;
            if let Some(done) = hit(bytes, j, ends) {
                return done;
            }
            hits &= hits - 1;
        }
        base += 8;
    }
    scan_tail(bytes, base, delimiter, ends)
}

/// Parses the one record at the start of `bytes`, which holds whole records only (so a
/// record may end without a line break at its end), skipping blank lines first.
/// Returns the bytes and lines it took (the record's line is `line` plus the blank
/// lines), or `None` if only blank lines were left.
pub(crate) fn parse_whole(
    bytes: &[u8],
    delimiter: u8,
    line: u64,
    record: &mut Record,
) -> Option<(usize, u64)> {
    let mut at = 0;
    let mut blank = 0;
    loop {
        match bytes.get(at..) {
            Some([b'\n', ..]) => at += 1,
            Some([b'\r', b'\n', ..]) => at += 2,
            Some([]) | None => return None,
            Some(_) => break,
        }
        blank += 1;
    }
    record.clear();
    record.line = line + blank;
    match parse(&bytes[at..], delimiter, true, record) {
        Parsed::Done { consumed, lines } => Some((at + consumed, blank + lines)),
        // With `eof`, the parser always ends a record at the end of the bytes.
        Parsed::NeedMore => Some((bytes.len(), blank + 1)),
    }
}

/// Parses one record from the start of `bytes`: a fast path for lines without quotes
/// (nearly all), the general parser otherwise.
#[inline]
fn parse(bytes: &[u8], delimiter: u8, eof: bool, record: &mut Record) -> Parsed {
    let mut ascii = false;
    let Some(nl) = scan_plain_line(bytes, delimiter, &mut record.ends, &mut ascii) else {
        record.ends.clear();
        return parse_general(bytes, delimiter, eof, record);
    };
    let mut line = &bytes[..nl];
    if let [rest @ .., b'\r'] = line {
        line = rest;
    }
    record.data.extend_from_slice(line);
    record.ends.push(line.len());
    record.dense = false;
    Parsed::Done {
        consumed: nl + 1,
        lines: 1,
    }
}

/// Parses one record from the start of `bytes`. At the end of the input (`eof`), the
/// record may end without a line break.
fn parse_general(bytes: &[u8], delimiter: u8, eof: bool, record: &mut Record) -> Parsed {
    record.dense = true;
    let mut p = 0;
    let mut lines = 0u64;
    loop {
        // One field.
        if p < bytes.len() && bytes[p] == b'"' {
            p += 1;
            loop {
                let Some(q) = bytes[p..].iter().position(|&b| b == b'"') else {
                    if eof {
                        // An unterminated quote: take the rest as the field.
                        lines += bytes[p..].iter().filter(|&&b| b == b'\n').count() as u64;
                        record.data.extend_from_slice(&bytes[p..]);
                        record.ends.push(record.data.len());
                        return Parsed::Done {
                            consumed: bytes.len(),
                            lines,
                        };
                    }
                    return Parsed::NeedMore;
                };
                let chunk = &bytes[p..p + q];
                lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
                record.data.extend_from_slice(chunk);
                p += q + 1;
                if p < bytes.len() && bytes[p] == b'"' {
                    record.data.push(b'"');
                    p += 1;
                    continue;
                }
                if p == bytes.len() && !eof {
                    return Parsed::NeedMore;
                }
                break;
            }
            // After the closing quote, anything up to the delimiter is kept as text
            // (as spreadsheets do with `"a"b`).
        }
        let field_start = p;
        while p < bytes.len() {
            let b = bytes[p];
            if b == delimiter || b == b'\n' {
                break;
            }
            p += 1;
        }
        if p == bytes.len() && !eof {
            return Parsed::NeedMore;
        }
        let mut field_end = p;
        let at_line_end = p == bytes.len() || bytes[p] == b'\n';
        if at_line_end && field_end > field_start && bytes[field_end - 1] == b'\r' {
            field_end -= 1;
        }
        record
            .data
            .extend_from_slice(&bytes[field_start..field_end]);
        record.ends.push(record.data.len());
        if p == bytes.len() {
            return Parsed::Done {
                consumed: p,
                lines: lines + 1,
            };
        }
        p += 1;
        if at_line_end {
            return Parsed::Done {
                consumed: p,
                lines: lines + 1,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_all(input: &[u8], capacity: usize) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(input, b',', capacity);
        let mut rec = Record::new();
        let mut out = Vec::new();
        while r.read(&mut rec).unwrap() {
            out.push((
                rec.line(),
                rec.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            ));
        }
        out
    }

    #[test]
    fn lf_crlf_quotes_and_blank_lines() {
        let input = b"a,b\r\n1,\"x,y\"\r\n\r\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\n5";
        let got = read_all(input, 64);
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["1".into(), "x,y".into()]),
                (4, vec!["2".into(), "say \"hi\"".into()]),
                (5, vec!["3".into(), "two\nlines".into()]),
                (7, vec!["4".into(), "".into()]),
                (8, vec!["5".into()]),
            ]
        );
    }

    fn view_all(input: &[u8], capacity: usize) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(input, b',', capacity);
        let mut out = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            out.push((
                row.line(),
                (0..row.count())
                    .map(|i| String::from_utf8_lossy(row.field(i)).into_owned())
                    .collect(),
            ));
        }
        out
    }

    #[test]
    fn views_give_the_same_records_as_copies() {
        let input = b"a,b\r\n1,\"x,y\"\r\n\r\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\n5";
        for capacity in [1, 7, 64, 4096] {
            assert_eq!(view_all(input, capacity), read_all(input, 64), "{capacity}");
        }
    }

    #[test]
    fn a_tiny_buffer_gives_the_same_records() {
        let input = b"a,b\r\n1,\"x,y\"\r\n\r\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\n5";
        assert_eq!(read_all(input, 64), read_all(input, 1));
    }

    proptest! {
        #[test]
        fn the_portable_line_scan_agrees_with_the_one_in_use(line in "[a-c,;\"\né]{0,40}") {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut ascii = false;
            let x = scan_plain_line(line.as_bytes(), b',', &mut a, &mut ascii);
            let y = scan_plain_line_swar(line.as_bytes(), b',', &mut b);
            prop_assert_eq!(x, y);
            if let Some(end) = x {
                prop_assert_eq!(a, b);
                if ascii {
                    prop_assert!(line.as_bytes()[..end].is_ascii());
                }
            }
        }

        #[test]
        fn matches_the_csv_crate_on_random_input(
            rows in proptest::collection::vec(proptest::collection::vec("[a-c,\"\n ]{0,6}", 1..4), 1..8),
            crlf in any::<bool>(),
        ) {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
                .from_writer(Vec::new());
            for r in &rows {
                w.write_record(r).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let mut expected = Vec::new();
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&bytes[..]);
            for rec in reader.byte_records() {
                expected.push(rec.unwrap().iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>());
            }
            let got: Vec<Vec<String>> = read_all(&bytes, 7).into_iter().map(|r| r.1).collect();
            prop_assert_eq!(&got, &expected);
            let viewed: Vec<Vec<String>> = view_all(&bytes, 7).into_iter().map(|r| r.1).collect();
            prop_assert_eq!(viewed, expected);
        }
    }
}
