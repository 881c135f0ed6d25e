//! The stapelingsmonitor for beleid: upload pseudonymised files, link and report
//! on the server, read the protected reports (the latest one, with its charts, on the
//! page itself). Aggregates only: the uploaded files live in a temporary directory
//! that is deleted as soon as linking is done, and only the protected report is kept.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use baken_domain::{AuditAction, AuditOutcome};
use baken_monitor::{InputConfig, Protection, Report};
const MAX_FILES: usize = 60;
use baken_store::{audit, monitor};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::io::Write;

#[derive(Serialize)]
struct ReportView {
    id: i64,
    when: String,
    files: i64,
    protection: String,
    households: String,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    problems: Vec<String>,
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let reports = monitor::list(&mut tx, 50).await?;
    let latest_json = match reports.first() {
        Some(r) => monitor::json(&mut tx, r.id).await?,
        None => None,
    };
    drop(tx);
    // The latest report on the page itself: its figures, charts and tables, rendered
    // from the stored (protected) report.json.
    let latest = latest_json
        .and_then(|json| serde_json::from_str::<Report>(&json).ok())
        .map(|report| Value::from_safe_string(report.to_html_fragment(3)));
    let reports: Vec<ReportView> = reports
        .into_iter()
        .map(|r| ReportView {
            id: r.id,
            when: nl_local(r.created_at).format("%d-%m-%Y %H:%M").to_string(),
            files: r.files,
            protection: r.protection,
            households: r.households,
        })
        .collect();
    let html = render(
        state,
        ctx,
        "foundation/monitor.html",
        "Stapelingsmonitor",
        Value::from_serialize(context! {
            reports => reports, problems => problems, saved => saved,
            max_mb => state.config.monitor.limit_mb(), latest => latest,
            domains => state.config.monitor.domains.joined(),
        }),
    )?;
    Ok((status, html).into_response())
}

/// The query of `/monitor`: `?gemaakt=1` after a report was made.
#[derive(Deserialize, Default)]
pub struct IndexQuery {
    #[serde(default)]
    gemaakt: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<IndexQuery>,
) -> PageResult {
    page(
        &state,
        &ctx,
        Vec::new(),
        q.gemaakt.is_some(),
        StatusCode::OK,
    )
    .await
}

/// Only the last path component, printable, at most 80 characters.
fn clean_name(raw: Option<&str>, n: usize) -> String {
    let base = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(80).collect();
    if clean.is_empty() {
        format!("bestand-{n}.csv")
    } else {
        clean
    }
}

pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let user = ctx.user()?.clone();
    // Not a file upload at all (the form always sends one): a Dutch 400.
    let mut multipart = multipart.map_err(|_| {
        AppError::BadRequest(
            "Er zijn geen bestanden meegestuurd. Kies de bestanden en verstuur het formulier opnieuw.".into(),
        )
    })?;
    let settings = state.config.monitor.clone();
    let limit = settings.limit();
    let dir = match &settings.upload_dir {
        Some(d) => tempfile::Builder::new().prefix("upload-").tempdir_in(d),
        None => tempfile::Builder::new().prefix("baken-monitor-").tempdir(),
    }
    .map_err(AppError::internal("temp dir"))?;
    let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
    let mut protection = "cbs".to_owned();
    let mut threshold = String::new();
    let mut problems: Vec<String> = Vec::new();
    let mut total = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                problems.push(format!(
                    "De upload is afgebroken of te groot (hoogstens {} MB): {e}",
                    settings.limit_mb()
                ));
                break;
            }
        };
        match field.name().unwrap_or("") {
            "bestanden" => {
                if files.len() >= MAX_FILES {
                    problems.push(format!("Kies hoogstens {MAX_FILES} bestanden tegelijk."));
                    break;
                }
                let name = clean_name(field.file_name(), files.len() + 1);
                if field.file_name().unwrap_or("").is_empty() {
                    continue; // the browser sends an empty part when no file was chosen
                }
                let path = dir.path().join(format!("{}.csv", files.len()));
                let mut out =
                    std::fs::File::create(&path).map_err(AppError::internal("temp file"))?;
                let mut field = field;
                let mut too_big = false;
                loop {
                    match field.chunk().await {
                        Ok(Some(bytes)) => {
                            total += bytes.len();
                            if total > limit {
                                problems.push(format!(
                                    "De bestanden zijn samen groter dan {} MB. Er is niets bewaard; kies minder of kleinere bestanden.",
                                    settings.limit_mb()
                                ));
                                too_big = true;
                                break;
                            }
                            out.write_all(&bytes)
                                .map_err(AppError::internal("temp file"))?;
                        }
                        Ok(None) => break,
                        Err(e) => {
                            problems.push(format!("De upload van {name} is afgebroken: {e}"));
                            break;
                        }
                    }
                }
                files.push((name, path));
                if too_big {
                    break;
                }
            }
            "bescherming" => protection = field.text().await.unwrap_or_default(),
            "drempel" => threshold = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let protection = match (protection.as_str(), threshold.trim()) {
        ("cbs", _) => Some(Protection::Cbs),
        ("suppress", t) => match t.parse::<u64>() {
            Ok(t) if (3..=1000).contains(&t) => Some(Protection::Suppress { threshold: t }),
            _ => {
                problems
                    .push("Vul bij ‘onderdrukken’ een drempel in van 3 tot en met 1000.".into());
                None
            }
        },
        _ => {
            problems.push("Kies een manier van beschermen.".into());
            None
        }
    };
    if files.is_empty() && problems.is_empty() {
        problems.push("Kies één of meer gepseudonimiseerde bestanden (CSV).".into());
    }
    let Some(protection) = protection.filter(|_| problems.is_empty()) else {
        drop(dir);
        return page(&state, &ctx, problems, false, StatusCode::BAD_REQUEST).await;
    };

    let n_files = files.len();
    let job = tokio::task::spawn_blocking(move || {
        let opened: Result<Vec<(String, std::fs::File)>, Vec<String>> = files
            .iter()
            .map(|(name, path)| {
                std::fs::File::open(path)
                    .map(|f| (name.clone(), f))
                    .map_err(|e| vec![format!("{name}: kan het bestand niet lezen ({e}).")])
            })
            .collect();
        let result = opened.and_then(|inputs| {
            use rand::SeedableRng;
            let mut rng = rand::rngs::StdRng::from_entropy();
            let config = InputConfig {
                domains: settings.domains.clone(),
                ..InputConfig::default()
            };
            let linked =
                baken_monitor::link(inputs, &config, &mut rng).map_err(|e| dutch_problems(&e))?;
            let report = baken_monitor::report(&linked, &protection);
            Ok(report)
        });
        // The linking party's files are deleted as soon as linking is done.
        drop(dir);
        result
    });
    let outcome = job.await.map_err(AppError::internal("linking task"))?;
    let mut tx = state.db.begin().await?;
    match outcome {
        Ok(report) => {
            let households = report
                .totals
                .households
                .map_or_else(|| "geheim".to_owned(), |n| n.to_string());
            let protection_label = match protection {
                Protection::Cbs => "CBS (afronden op 5, geheim onder 8)".to_owned(),
                Protection::Suppress { threshold } => format!("onderdrukken onder {threshold}"),
            };
            let id = monitor::create(
                &mut tx,
                &monitor::NewReport {
                    created_by: user.user.id,
                    files: n_files as i64,
                    protection: &protection_label,
                    households: &households,
                    report_json: &report.to_json(),
                    report_html: &report.to_html(),
                },
            )
            .await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("monitor_report", id.to_string())),
                    format!("{n_files} bestanden gekoppeld; bestanden verwijderd"),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/monitor?gemaakt=1").into_response())
        }
        Err(problems) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Failed,
                    Some(("monitor_report", "-".into())),
                    format!("{n_files} bestanden geweigerd"),
                ),
            )
            .await?;
            tx.commit().await?;
            page(&state, &ctx, problems, false, StatusCode::BAD_REQUEST).await
        }
    }
}

/// A report's self-contained page (inline SVG and style, no script).
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let _ = ctx.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.read().await?;
    let html = monitor::html(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(tx);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
        ],
        html,
    )
        .into_response())
}

/// `report.json`, as a download (audited as an export of aggregates).
pub async fn json(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let json = monitor::json(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Export,
            AuditOutcome::Success,
            Some(("monitor_report", id.to_string())),
            "report.json",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"report.json\"",
            ),
        ],
        json,
    )
        .into_response())
}

/// The monitor's problems in plain Dutch, each naming file, line and column.
fn dutch_problems(err: &baken_monitor::MonitorError) -> Vec<String> {
    use baken_monitor::{MonitorError as E, Problem as P};
    match err {
        E::InvalidRows(rows) => {
            let mut out: Vec<String> = rows
                .shown
                .iter()
                .map(|r| {
                    let what = match &r.problem {
                        P::NotUtf8 => "de tekst is geen UTF-8; sla het bestand op als UTF-8".to_owned(),
                        P::Ragged { found, expected } => format!("de regel heeft {found} velden, de kopregel {expected}"),
                        P::Empty => "is leeg, maar moet ingevuld zijn".to_owned(),
                        P::Postcode => "is geen postcode (vier cijfers en twee letters)".to_owned(),
                        P::Huisnummer => "is geen huisnummer van 1 tot en met 99999".to_owned(),
                        P::Huisletter => "is geen huisletter (één letter)".to_owned(),
                        P::Toevoeging => "is geen toevoeging (hoogstens 4 letters of cijfers)".to_owned(),
                        P::Buurtcode(v) => format!("“{v}” is geen CBS-buurtcode (BU en 8 cijfers)"),
                        P::Domein { value, allowed } => format!("“{value}” is geen bekend domein; kies uit {allowed}"),
                        P::TooLong { max } => format!("is langer dan {max} tekens"),
                        P::ControlCharacter => "bevat een tab of regelovergang".to_owned(),
                        P::Periode(v) => format!("“{v}” is geen periode (jjjj of jjjj-mm)"),
                        P::Pseudoniem => "is geen pseudoniem (64 hexadecimale tekens)".to_owned(),
                    };
                    format!("{}, regel {}, kolom {}: {what}", r.file, r.line, r.column)
                })
                .collect();
            let more = rows.total.saturating_sub(rows.shown.len() as u64);
            if more > 0 {
                out.push(format!("en nog {more} fouten"));
            }
            out
        }
        E::EmptyFile { file, .. } => vec![format!("{file}: het bestand is leeg.")],
        E::NoRows { file } => vec![format!("{file}: het bestand heeft een kopregel maar geen gegevens.")],
        E::MissingColumn { file, column, .. } => vec![format!("{file}, regel 1: de kolom “{column}” ontbreekt.")],
        E::DuplicateColumn { file, column, .. } => vec![format!("{file}, regel 1: de kolom “{column}” staat er twee keer in.")],
        E::HeaderNotUtf8 { file, .. } => vec![format!("{file}, regel 1: de kopregel is geen UTF-8; sla het bestand op als UTF-8.")],
        E::NotPseudonymised { file, .. } => vec![format!(
            "{file}: dit bestand is niet gepseudonimiseerd. Laat de organisatie het eerst omzetten met baken monitor pseudonymise; stuur nooit adressen."
        )],
        other => vec![other.to_string()],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_lose_their_path() {
        assert_eq!(
            super::clean_name(Some("C:\\data\\jeugd.csv"), 1),
            "jeugd.csv"
        );
        assert_eq!(super::clean_name(Some("../../etc/passwd"), 1), "passwd");
        assert_eq!(super::clean_name(None, 3), "bestand-3.csv");
    }
}
