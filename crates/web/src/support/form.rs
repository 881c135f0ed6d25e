//! Small helpers for what arrives in a request: page numbers and path ids.

use super::error::AppError;

/// Parses a page number; anything else is page 1.
pub fn page_number(p: Option<&str>) -> i64 {
    p.and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|n| *n >= 1 && *n <= 1_000_000)
        .unwrap_or(1)
}

/// Parses a path id; anything else is a 404.
pub fn path_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound)
}
