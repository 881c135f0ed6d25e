//! What arrives in a request, parsed at the edge: typed HTML forms, the field
//! errors of a refused form, page numbers and path ids.
//!
//! The pattern (zero2prod's `TryFrom<FormData> for NewSubscriber`): a handler
//! takes `HtmlForm<SomeForm>` — a serde struct with one `String` (or
//! `Vec<String>` for a repeated field) per form control, all `#[serde(default)]`
//! so a missing control is an empty value, not a rejection — and converts it once
//! with `TryFrom<SomeForm>` into the domain's input type, collecting a Dutch
//! message per field in [`FieldErrors`]. Nothing deeper looks a field up by name.

use super::error::{AppError, Failure};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A form body (`application/x-www-form-urlencoded`) as the typed struct `T`.
/// A repeated field (a group of checkboxes) deserialises into a `Vec<String>`.
#[derive(Debug, Clone)]
pub struct HtmlForm<T>(pub T);

impl<T, S> FromRequest<S> for HtmlForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Failure> {
        let unreadable = || {
            AppError::BadRequest(
                "Het formulier kon niet worden gelezen. Laad de pagina opnieuw en probeer het nog eens."
                    .into(),
            )
        };
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| unreadable())?;
        serde_html_form::from_bytes(&bytes)
            .map(HtmlForm)
            .map_err(|e| {
                tracing::debug!(error = %e, "unreadable form");
                unreadable().into()
            })
    }
}

/// The Dutch message per field of a refused form (`_form` for the form as a
/// whole), in a fixed order; templates read it as a map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    /// A form refused for one reason, found after its fields were checked (a
    /// name already taken, a version gone stale).
    pub fn only(field: impl Into<String>, message: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        errors
    }

    /// Records a message for `field`; the first message for a field is kept.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// `Ok(value)` when no field was refused.
    pub fn or_ok<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The query of a page a saved form redirects to (`?opgeslagen=…`): which
/// confirmation the page shows.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    pub opgeslagen: Option<String>,
}

/// What a page of forms shows above and next to them: nothing, the
/// confirmation after a saved form (`?opgeslagen=…`), or one refusal next to
/// its field with a 400. A module's page function takes one of these, so its
/// handlers differ only in which they pass.
#[derive(Debug)]
pub struct Shown {
    pub saved: &'static str,
    pub errors: FieldErrors,
    pub status: StatusCode,
}

impl Shown {
    /// After a redirect: `saved` when the query says a form was saved.
    pub fn after(query: &SavedQuery, saved: &'static str) -> Shown {
        Shown {
            saved: if query.opgeslagen.is_some() {
                saved
            } else {
                ""
            },
            errors: FieldErrors::new(),
            status: StatusCode::OK,
        }
    }

    /// A refused form: `message` next to `field`, with a 400.
    pub fn refused(field: impl Into<String>, message: impl Into<String>) -> Shown {
        Shown {
            saved: "",
            errors: FieldErrors::only(field, message),
            status: StatusCode::BAD_REQUEST,
        }
    }
}

/// Parses the hidden `versie` field of an edit form (the version of the
/// record it was filled in from). Missing or garbled, the form cannot be
/// trusted: a 400 asking to reload, before any field is looked at.
pub fn form_version(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse::<i64>().map_err(|_| {
        AppError::BadRequest(
            "Het formulier mist de versie van de gegevens. Laad de pagina opnieuw.".into(),
        )
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Checkboxes {
        #[serde(default)]
        naam: String,
        #[serde(default)]
        wijk: Vec<String>,
    }

    async fn parse(body: &'static str) -> Result<Checkboxes, Failure> {
        let req = Request::builder()
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .expect("a request");
        HtmlForm::<Checkboxes>::from_request(req, &())
            .await
            .map(|f| f.0)
    }

    #[tokio::test]
    async fn a_repeated_field_fills_a_list_and_a_missing_one_is_empty() {
        let f = parse("wijk=WK999901&wijk=WK999902").await.expect("parses");
        assert_eq!(f.wijk, ["WK999901", "WK999902"]);
        assert_eq!(f.naam, "");
    }

    #[tokio::test]
    async fn a_repeated_single_field_is_refused_in_dutch() {
        let Err(Failure(AppError::BadRequest(msg))) = parse("naam=a&naam=b").await else {
            panic!("a second value for a single field is refused");
        };
        assert!(
            msg.starts_with("Het formulier kon niet worden gelezen"),
            "{msg}"
        );
    }

    #[test]
    fn the_first_message_for_a_field_is_kept() {
        let mut errors = FieldErrors::new();
        errors.add("datum", "Vul een datum in.");
        errors.add("datum", "Tweede melding.");
        assert_eq!(errors.get("datum"), Some("Vul een datum in."));
        assert!(errors.or_ok(()).is_err());
        assert_eq!(FieldErrors::new().or_ok(7), Ok(7));
    }
}
