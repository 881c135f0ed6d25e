//! Evidence documents a provider uploads with a licence application: reading
//! the multipart form (no JavaScript; the CSRF token travels in the action
//! URL, see `layers`), and downloading a document — by the municipality
//! (`ManageContracts`) for any licence, by a provider only for its own.
//! Every download, and every refused one, is audited.
//!
//! The files are kept in the database (`ct_evidence_files`), not in a
//! directory: written in the application's one transaction (so a refused
//! application leaves nothing behind), in every backup, on both backends, and
//! never served from a path a name could steer.

use crate::support::ctx::Ctx;
use crate::support::error::{AppError, Failure};
use crate::support::form::{path_id, HtmlForm};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use baken_domain::contracting::MAX_DOCUMENT_BYTES;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{audit, contracting as ct};
use std::collections::BTreeMap;

/// The body limit of the application form: one document per requirement, at
/// most [`MAX_DOCUMENT_BYTES`] each, for a contract of up to eight requirements.
pub const MAX_APPLICATION_BYTES: usize = 8 * MAX_DOCUMENT_BYTES + 64 * 1024;

/// A form's text fields and its files (field name → file name and bytes).
#[derive(Default)]
pub struct Uploaded {
    pub fields: BTreeMap<String, Vec<String>>,
    pub files: BTreeMap<String, (String, Vec<u8>)>,
}

/// Reads an application form: `multipart/form-data` (with documents) or a
/// plain form (statements only).
pub async fn read_form(state: &AppState, req: Request) -> Result<Uploaded, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let HtmlForm(fields) = HtmlForm::<BTreeMap<String, Vec<String>>>::from_request(req, state)
            .await
            .map_err(|Failure(e)| e)?;
        return Ok(Uploaded {
            fields,
            ..Uploaded::default()
        });
    }
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::BadRequest("Het formulier kon niet gelezen worden.".into()))?;
    let mut out = Uploaded::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(AppError::BadRequest(
                    "De upload is afgebroken of te groot. Kies kleinere bestanden (hoogstens 5 MB per bestand) en probeer het opnieuw.".into(),
                ))
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let mut field = field;
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                                // Keep one byte over the limit: the domain refuses it
                                // by its size, and nothing more is held in memory.
                                let room = MAX_DOCUMENT_BYTES + 1 - bytes.len();
                                bytes.extend_from_slice(&chunk[..room.min(chunk.len())]);
                                while let Ok(Some(_)) = field.chunk().await {}
                                break;
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(_) => {
                            return Err(AppError::BadRequest(
                                "De upload is afgebroken. Probeer het opnieuw.".into(),
                            ))
                        }
                    }
                }
                // The browser sends an empty part when no file was chosen.
                if !(file_name.is_empty() && bytes.is_empty()) {
                    out.files.insert(name, (file_name, bytes));
                }
            }
            None => {
                let text = field.text().await.unwrap_or_default();
                if text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
                {
                    return Err(AppError::BadRequest(
                        "Het formulier bevat tekens die niet toegestaan zijn.".into(),
                    ));
                }
                out.fields.entry(name).or_default().push(text);
            }
        }
    }
    Ok(out)
}

/// The municipality downloads a licence's evidence document.
pub async fn beheer_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((licence, requirement)): Path<(String, String)>,
) -> PageResult {
    download(&state, &ctx, &licence, &requirement, None).await
}

/// A provider downloads a document of its own application.
pub async fn provider_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((licence, requirement)): Path<(String, String)>,
) -> PageResult {
    let provider = ctx.user()?.user.provider_id.ok_or(AppError::NotFound)?;
    download(&state, &ctx, &licence, &requirement, Some(provider)).await
}

async fn download(
    state: &AppState,
    ctx: &Ctx,
    licence: &str,
    requirement: &str,
    own_provider: Option<i64>,
) -> PageResult {
    let licence_id = path_id(licence)?;
    let requirement_id = path_id(requirement)?;
    let object = Some(("licence", licence_id.to_string()));
    let mut tx = state.db.begin().await?;
    let row = ct::licence(&mut tx, licence_id).await?;
    let allowed = row
        .as_ref()
        .is_some_and(|l| own_provider.is_none_or(|p| p == l.provider_id));
    let document = if allowed {
        ct::evidence_document(&mut tx, licence_id, requirement_id).await?
    } else {
        None
    };
    let Some(document) = document else {
        // Another provider's licence is "not found", like one that does not
        // exist; the attempt is recorded.
        let outcome = if row.is_some() && !allowed {
            AuditOutcome::Denied
        } else {
            AuditOutcome::NotFound
        };
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Read,
                outcome,
                object,
                format!("bewijsdocument (eis {requirement_id}) niet gegeven"),
            ),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound.into());
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Export,
            AuditOutcome::Success,
            object,
            format!(
                "bewijsdocument '{}' (eis {requirement_id}, sha256 {}) gedownload",
                document.file_name,
                &document.sha256[..16.min(document.sha256.len())]
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    // An ASCII name in the header; the stored name may hold anything printable.
    let safe: String = document
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, document.content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".into(),
            ),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
        document.content,
    )
        .into_response())
}
