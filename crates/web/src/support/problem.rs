//! `application/problem+json` (RFC 9457), as the NL API Design Rules ask: the one
//! builder for every problem the API answers, and the API's version header.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// The version of the JSON API, sent in every `/api/v1` response's `API-Version`.
pub const API_VERSION: &str = "1.0.0";

/// A problem+json body under construction.
#[derive(Debug, Clone)]
pub struct Problem {
    status: StatusCode,
    body: Map<String, Value>,
}

impl Problem {
    /// `type`, `title`, `status`, `detail` and `instance` (the request's path).
    pub fn new(status: StatusCode, title: &str, detail: &str, instance: &str) -> Problem {
        let mut body = Map::new();
        body.insert("type".into(), json!("about:blank"));
        body.insert("title".into(), json!(title));
        body.insert("status".into(), json!(status.as_u16()));
        body.insert("detail".into(), json!(detail));
        body.insert("instance".into(), json!(instance));
        Problem { status, body }
    }

    /// The NL API Design Rules' `invalidParams` member for a 400 that concerns one
    /// field: `[{"name": …, "code": "invalid", "reason": …}]`.
    pub fn invalid_param(self, name: &str, reason: &str) -> Problem {
        self.member(
            "invalidParams",
            json!([{ "name": name, "code": "invalid", "reason": reason }]),
        )
    }

    /// An extension member (e.g. casework's `field` and `nlDetail`).
    pub fn member(mut self, key: &str, value: Value) -> Problem {
        self.body.insert(key.to_owned(), value);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut res = (self.status, Value::Object(self.body).to_string()).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"baken\""),
            );
        }
        res
    }
}
