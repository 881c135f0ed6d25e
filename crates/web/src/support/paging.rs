//! Paged API lists (NL API Design Rules): the strict `page`/`pageSize` query —
//! any other parameter is a 400 that names it — and the `_links` and `page`
//! members of the answer.

use crate::support::error::AppError;
use serde_json::{json, Value};

/// The largest `pageSize` a list accepts.
pub const MAX_PAGE_SIZE: usize = 100;

/// A page of a list: which one, and how many items on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    pub page: usize,
    pub page_size: usize,
}

impl PageQuery {
    /// Parses `page` and `pageSize`; anything else, or a bad value, is a 400 whose
    /// `invalidParams[0].name` is the parameter.
    pub fn parse(raw: Option<&str>) -> Result<PageQuery, AppError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| {
                AppError::invalid("query", "the query string is not valid URL encoding")
            })?;
        let mut q = PageQuery {
            page: 1,
            page_size: 20,
        };
        for (key, value) in pairs {
            let shown: String = value.chars().take(40).collect();
            match key.as_str() {
                "page" => {
                    q.page = value.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        AppError::invalid(
                            "page",
                            format!("query parameter 'page' must be a whole number of at least 1; got '{shown}'"),
                        )
                    })?
                }
                "pageSize" => {
                    q.page_size = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                        .ok_or_else(|| {
                            AppError::invalid(
                                "pageSize",
                                format!("query parameter 'pageSize' must be a whole number from 1 to {MAX_PAGE_SIZE}; got '{shown}'"),
                            )
                        })?
                }
                other => {
                    let name: String = other.chars().take(40).collect();
                    return Err(AppError::invalid(
                        name.clone(),
                        format!("unknown query parameter '{name}'; allowed are page, pageSize"),
                    ));
                }
            }
        }
        Ok(q)
    }

    /// This page's items out of all of them, with the `_links` (to `base`) and
    /// `page` members of the answer.
    pub fn cut<T>(&self, items: Vec<T>, base: &str) -> (Vec<T>, Value, Value) {
        let total = items.len();
        let pages = total.div_ceil(self.page_size).max(1);
        let shown: Vec<T> = items
            .into_iter()
            .skip((self.page - 1).saturating_mul(self.page_size))
            .take(self.page_size)
            .collect();
        let link =
            |p: usize| json!({ "href": format!("{base}?page={p}&pageSize={}", self.page_size) });
        let mut links = json!({ "self": link(self.page), "first": link(1), "last": link(pages) });
        if self.page > 1 {
            links["prev"] = link((self.page - 1).min(pages));
        }
        if self.page < pages {
            links["next"] = link(self.page + 1);
        }
        let page = json!({ "number": self.page, "size": self.page_size, "totalElements": total, "totalPages": pages });
        (shown, links, page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_bad_parameters_are_refused_by_name() {
        for (raw, name) in [
            ("status=open", "status"),
            ("page=0", "page"),
            ("pageSize=101", "pageSize"),
            ("per_page=5", "per_page"),
        ] {
            match PageQuery::parse(Some(raw)) {
                Err(AppError::InvalidParam { name: got, .. }) => assert_eq!(got, name, "{raw}"),
                other => panic!("{raw}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_page_cuts_the_list_and_links_its_neighbours() {
        let q = PageQuery::parse(Some("page=2&pageSize=3")).unwrap();
        let (items, links, page) = q.cut((1..=7).collect::<Vec<_>>(), "/api/v1/signals");
        assert_eq!(items, [4, 5, 6]);
        assert_eq!(links["next"]["href"], "/api/v1/signals?page=3&pageSize=3");
        assert_eq!(links["prev"]["href"], "/api/v1/signals?page=1&pageSize=3");
        assert_eq!(page["totalElements"], 7);
        assert_eq!(page["totalPages"], 3);
        let (items, links, _) = PageQuery::parse(None).unwrap().cut(Vec::<u8>::new(), "/x");
        assert!(items.is_empty());
        assert!(links.get("next").is_none() && links.get("prev").is_none());
    }
}
