//! Reading the CSV files organisations produce: UTF-8 with or without a BOM, `,` or
//! `;` (Dutch Excel writes `;`), CRLF or LF, columns found by name.

use std::io::Read;

use crate::error::{MonitorError, Problem, RowError, RowErrors};
use crate::records::{Fields, Record, RecordReader};

const BUFFER: usize = 1 << 20;

/// An opened CSV file: the reader positioned after the header, and the header.
pub(crate) struct CsvInput<R: Read> {
    pub(crate) reader: RecordReader<R>,
    pub(crate) header: Header,
}

/// A file's name (for messages) and its header's column names (trimmed, lower-cased).
pub(crate) struct Header {
    pub(crate) names: Vec<String>,
    pub(crate) file: String,
}

/// Opens a CSV file. `expected` names the required columns for the empty-file message.
pub(crate) fn open<R: Read>(
    mut input: R,
    file: &str,
    expected: &str,
) -> Result<CsvInput<R>, MonitorError> {
    let read_err = |e: std::io::Error| MonitorError::Read {
        file: file.to_owned(),
        message: e.to_string(),
    };
    let empty = || MonitorError::EmptyFile {
        file: file.to_owned(),
        expected: expected.to_owned(),
    };
    // Read until the first line is complete (or 64 KiB, or the end) to find the BOM
    // and the delimiter.
    let mut start = Vec::with_capacity(1 << 16);
    let mut chunk = [0u8; 8192];
    while start.len() < 1 << 16 && !start.contains(&b'\n') {
        let n = loop {
            match input.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_err(e)),
            }
        };
        if n == 0 {
            break;
        }
        start.extend_from_slice(&chunk[..n]);
    }
    let bom = if start.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let start = &start[bom..];
    if start.iter().all(u8::is_ascii_whitespace) {
        return Err(empty());
    }
    let delimiter = detect_delimiter(start);
    let mut reader = RecordReader::with_prefix(input, delimiter, BUFFER, start);
    let mut raw = Record::new();
    if !reader.read(&mut raw).map_err(read_err)? {
        return Err(empty());
    }
    let line = raw.line();
    let mut header = Vec::with_capacity(raw.len());
    for field in raw.iter() {
        let name = std::str::from_utf8(field).map_err(|_| MonitorError::HeaderNotUtf8 {
            file: file.to_owned(),
            line,
        })?;
        let name = name.trim().to_lowercase();
        if !name.is_empty() && header.contains(&name) {
            return Err(MonitorError::DuplicateColumn {
                file: file.to_owned(),
                line,
                column: name,
            });
        }
        header.push(name);
    }
    if header.iter().all(String::is_empty) {
        return Err(empty());
    }
    Ok(CsvInput {
        reader,
        header: Header {
            names: header,
            file: file.to_owned(),
        },
    })
}

/// `;` if the first line has more semicolons than commas outside quotes, else `,`.
fn detect_delimiter(start: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for &b in start {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

pub(crate) fn read_error(file: &str, e: std::io::Error) -> MonitorError {
    MonitorError::Read {
        file: file.to_owned(),
        message: e.to_string(),
    }
}

impl<R: Read> CsvInput<R> {
    pub(crate) fn find(&self, column: &str) -> Option<usize> {
        self.header.find(column)
    }

    pub(crate) fn require(&self, column: &'static str) -> Result<usize, MonitorError> {
        self.header.require(column)
    }
}

impl Header {
    pub(crate) fn find(&self, column: &str) -> Option<usize> {
        self.names.iter().position(|h| h == column)
    }

    pub(crate) fn require(&self, column: &'static str) -> Result<usize, MonitorError> {
        self.find(column)
            .ok_or_else(|| MonitorError::MissingColumn {
                file: self.file.clone(),
                line: 1,
                column,
                found: self
                    .names
                    .iter()
                    .map(|h| crate::error::shown_value(h))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Checks the row's shape and encoding. Returns false (after recording the
    /// problem) if the row cannot be read field by field.
    #[inline]
    pub(crate) fn check_row<F: Fields>(
        &self,
        record: &F,
        line: u64,
        errors: &mut RowErrors,
        limit: usize,
    ) -> bool {
        if record.count() != self.names.len() {
            errors.push(
                limit,
                RowError {
                    file: self.file.clone(),
                    line,
                    column: "row".into(),
                    problem: Problem::Ragged {
                        found: record.count(),
                        expected: self.names.len(),
                    },
                },
            );
            return false;
        }
        if !record.known_ascii()
            && !record.bytes().is_ascii()
            && std::str::from_utf8(record.bytes()).is_err()
        {
            let column = (0..record.count())
                .position(|i| std::str::from_utf8(record.field(i)).is_err())
                .map(|i| self.names[i].clone())
                .unwrap_or_else(|| "row".into());
            errors.push(
                limit,
                RowError {
                    file: self.file.clone(),
                    line,
                    column,
                    problem: Problem::NotUtf8,
                },
            );
            return false;
        }
        true
    }

    pub(crate) fn row_error(&self, line: u64, column: usize, problem: Problem) -> RowError {
        RowError {
            file: self.file.clone(),
            line,
            column: self.names[column].clone(),
            problem,
        }
    }
}

/// Whether a CSV field must be quoted: it holds a delimiter (`,` or `;`), a quote or a
/// line break, or starts or ends with white space.
#[inline]
pub(crate) fn needs_quotes(value: &[u8]) -> bool {
    value
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r' | b';'))
        || value.first().is_some_and(u8::is_ascii_whitespace)
        || value.last().is_some_and(u8::is_ascii_whitespace)
}

/// Writes one CSV field, quoting it when needed.
pub(crate) fn csv_field(value: &[u8]) -> Vec<u8> {
    if needs_quotes(value) {
        let mut out = Vec::with_capacity(value.len() + 2);
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
        out
    } else {
        value.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_win_when_there_are_more_of_them() {
        assert_eq!(
            detect_delimiter(b"postcode;huisnummer;buurtcode\n1,2,3,4,5"),
            b';'
        );
        assert_eq!(detect_delimiter(b"postcode,huisnummer;x,y\n"), b',');
        assert_eq!(detect_delimiter(b"\"a;b;c\",d\n"), b',');
    }

    #[test]
    fn fields_with_delimiters_or_quotes_are_quoted() {
        assert_eq!(csv_field(b"WMO-HV"), b"WMO-HV".to_vec());
        assert_eq!(csv_field(b"a,b"), b"\"a,b\"".to_vec());
        assert_eq!(csv_field(b"say \"hi\""), b"\"say \"\"hi\"\"\"".to_vec());
    }
}
