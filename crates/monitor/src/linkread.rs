//! Reading a pseudonymised file in blocks of whole records, so that several threads
//! can parse one file at once (see [`crate::link`]).
//!
//! One reader hands out blocks in order (under a lock): it reads about a megabyte,
//! cuts it after the last complete record and keeps the rest for the next block. Where
//! a record ends is exact, also with quoted fields that hold delimiters, quotes or line
//! breaks: a block without any quote ends after its last line break; otherwise the
//! block is walked with the same rules the record parser follows
//! ([`crate::records`]): a quote opens a quoted field only at the start of a field.

use std::io::Read;

/// Bytes after a block's records that are no input (zeros), so that the row splitter
/// can read 16 bytes at a time past any position in it.
pub(crate) const BLOCK_PADDING: usize = 64;

/// A block of whole records.
pub(crate) struct Block {
    /// Its position among the file's blocks (0, 1, …).
    pub(crate) seq: u64,
    /// The records, then [`BLOCK_PADDING`] zeros.
    pub(crate) bytes: Vec<u8>,
    /// The records' length.
    pub(crate) len: usize,
}

/// Hands out a file's blocks in order.
pub(crate) struct BlockReader<R> {
    input: R,
    /// Bytes after the last block's records: the start of the next record.
    carry: Vec<u8>,
    eof: bool,
    seq: u64,
    delimiter: u8,
    block_size: usize,
}

impl<R: Read> BlockReader<R> {
    /// A reader that starts with `start` (bytes read before, beginning with a record)
    /// and goes on with `input`.
    pub(crate) fn new(
        start: Vec<u8>,
        input: R,
        eof: bool,
        delimiter: u8,
        block_size: usize,
    ) -> BlockReader<R> {
        BlockReader {
            input,
            carry: start,
            eof,
            seq: 0,
            delimiter,
            block_size: block_size.max(1),
        }
    }

    /// The next block, read into `buf` (a recycled buffer); `None` at the end.
    pub(crate) fn next(&mut self, mut buf: Vec<u8>) -> std::io::Result<Option<Block>> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut want = self.block_size;
        loop {
            while buf.len() < want && !self.eof {
                let len = buf.len();
                buf.resize(want, 0);
                match self.input.read(&mut buf[len..]) {
                    Ok(0) => {
                        self.eof = true;
                        buf.truncate(len);
                    }
                    Ok(n) => buf.truncate(len + n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(len),
                    Err(e) => return Err(e),
                }
            }
            if buf.is_empty() {
                return Ok(None);
            }
            let end = if self.eof {
                Some(buf.len())
            } else {
                last_record_end(&buf, self.delimiter)
            };
            match end {
                Some(end) => {
                    self.carry.extend_from_slice(&buf[end..]);
                    buf.truncate(end);
                    let len = buf.len();
                    buf.resize(len + BLOCK_PADDING, 0);
                    let seq = self.seq;
                    self.seq += 1;
                    return Ok(Some(Block {
                        seq,
                        bytes: buf,
                        len,
                    }));
                }
                // One record longer than the block: read on, up to the longest
                // record allowed beyond the block.
                None => {
                    if buf.len() >= self.block_size + crate::records::MAX_RECORD_BYTES {
                        return Err(crate::records::record_too_long(None));
                    }
                    want = (buf.len() * 2).min(self.block_size + crate::records::MAX_RECORD_BYTES);
                }
            }
        }
    }
}

/// Where the last complete record in `bytes` ends (just after its line break), if
/// any; `bytes` starts with a record.
pub(crate) fn last_record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    if memchr::memchr(b'"', bytes).is_none() {
        return memchr::memrchr(b'\n', bytes).map(|i| i + 1);
    }
    let mut last = None;
    let mut p = 0;
    // At the start of a field.
    loop {
        if bytes.get(p) == Some(&b'"') {
            p += 1;
            loop {
                let Some(q) = bytes.get(p..).and_then(|rest| memchr::memchr(b'"', rest)) else {
                    return last;
                };
                p += q + 1;
                match bytes.get(p) {
                    Some(b'"') => p += 1,
                    // The closing quote; whether a quote follows is not known yet.
                    None => return last,
                    Some(_) => break,
                }
            }
        }
        match bytes
            .get(p..)
            .and_then(|rest| memchr::memchr2(delimiter, b'\n', rest))
        {
            None => return last,
            Some(k) => {
                p += k;
                if bytes[p] == b'\n' {
                    last = Some(p + 1);
                }
                p += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{parse_whole, Record};
    use proptest::prelude::*;

    fn records(bytes: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        let mut at = 0;
        let mut line = 1;
        let mut r = Record::new();
        while let Some((consumed, lines)) = parse_whole(&bytes[at..], b',', line, &mut r) {
            out.push((r.line(), r.iter().map(<[u8]>::to_vec).collect()));
            at += consumed;
            line += lines;
        }
        out
    }

    #[test]
    fn a_block_ends_after_its_last_whole_record() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny\"\nc,\"d\n", b','), Some(8));
        assert_eq!(
            last_record_end(b"a,b\"c\nd,e", b','),
            Some(6),
            "a quote inside a field is text"
        );
        assert_eq!(
            last_record_end(b"a,\"b\"", b','),
            None,
            "a quote may follow"
        );
        assert_eq!(last_record_end(b"abc", b','), None);
    }

    proptest! {
        #[test]
        fn cutting_at_the_last_record_end_changes_no_record(
            text in "[ab,\"\n]{0,60}", block in 1usize..40,
        ) {
            let bytes = text.as_bytes();
            if let Some(end) = last_record_end(bytes, b',') {
                let mut glued = records(&bytes[..end]);
                let n = bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64;
                glued.extend(records(&bytes[end..]).into_iter().map(|(l, f)| (l + n, f)));
                prop_assert_eq!(glued, records(bytes));
            }
            // Block by block, whatever the block size, the records are the file's.
            let mut reader = BlockReader::new(Vec::new(), bytes, false, b',', block);
            let (mut all, mut lines) = (Vec::new(), 0u64);
            while let Some(b) = reader.next(Vec::new()).unwrap() {
                prop_assert!(b.bytes[b.len..].iter().all(|&x| x == 0));
                let part = &b.bytes[..b.len];
                all.extend(records(part).into_iter().map(|(l, f)| (l + lines, f)));
                lines += part.iter().filter(|&&x| x == b'\n').count() as u64;
            }
            prop_assert_eq!(all, records(bytes));
        }
    }
}
