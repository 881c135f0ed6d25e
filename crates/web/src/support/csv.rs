//! CSV downloads for Dutch Excel: `;` between fields, UTF-8 with a byte-order
//! mark (without it Excel reads "ë" as "Ã«"), every field quoted when needed.

use super::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The byte-order mark Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

/// The CSV text: the BOM, the header row, then the rows.
pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> Result<String, AppError> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer
        .write_record(header)
        .map_err(AppError::internal("writing a CSV export"))?;
    for row in rows {
        writer
            .write_record(row)
            .map_err(AppError::internal("writing a CSV export"))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .map_err(AppError::internal("writing a CSV export"))?;
    let text =
        String::from_utf8(bytes).map_err(AppError::internal("a CSV export that is not UTF-8"))?;
    Ok(format!("{BOM}{text}"))
}

/// A download of `text` as `filename` (a plain ASCII name).
pub fn download(filename: &str, text: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_excel_gets_a_bom_semicolons_and_quoted_fields() {
        let text = to_csv(
            &["Naam", "Toelichting"],
            &[vec!["Zoë".into(), "a; b \"c\"".into()]],
        )
        .unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "Naam;Toelichting\r\nZoë;\"a; b \"\"c\"\"\"\r\n"
        );
    }
}
