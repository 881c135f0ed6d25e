//! A provider's own commissioning (aanbieder): its licences and their status
//! with the municipality's reason, applying for a contract (evidence per
//! requirement, accepting the tariffs), accepting a new tariff, and reporting
//! its waiting time per product.

use super::evidence::{self, Uploaded};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, HtmlForm, SavedQuery, Shown};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use baken_domain::contracting::{Evidence, EvidenceFile, LicenceApplication, LicenceError};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{audit, contracting as ct};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

fn provider_of(ctx: &Ctx) -> Result<i64, AppError> {
    ctx.user()?.user.provider_id.ok_or(AppError::NotFound)
}

async fn overview_page(state: &AppState, ctx: &Ctx, shown: Shown) -> PageResult {
    let Shown {
        saved,
        errors,
        status,
    } = shown;
    let provider = provider_of(ctx)?;
    let today = today();
    let mut tx = state.db.read().await?;
    let licences = ct::licences(&mut tx, Some(provider)).await?;
    let accepted = ct::accepted_tariffs(&mut tx, provider).await?;
    let products = ct::products(&mut tx).await?;
    let mut contracts = Vec::new();
    for c in ct::contracts(&mut tx).await? {
        let Some(contract) = ct::contract(&mut tx, c.id).await? else {
            continue;
        };
        let has_licence = licences
            .iter()
            .any(|l| l.contract_id == c.id && l.status != "afgewezen");
        let open_tariffs: Vec<_> = contract
            .tariffs()
            .iter()
            .filter(|t| t.valid_until.is_none_or(|u| u >= today))
            .map(|t| {
                let name = products
                    .iter()
                    .find(|p| p.id == t.product_id)
                    .map_or_else(String::new, |p| p.name.clone());
                context! {
                    id => t.id, product => name, amount => t.cents.to_string(),
                    from => nl_date(t.valid_from), accepted => accepted.contains(&t.id),
                }
            })
            .collect();
        contracts.push(context! {
            id => c.id, lot => c.lot, until => nl_date(c.valid_until), has_licence => has_licence,
            requirements => contract.requirements().iter().map(|r| context! { id => r.id, name => r.name.clone() }).collect::<Vec<_>>(),
            tariffs => open_tariffs,
        });
    }
    let mut evidence = Vec::new();
    for l in &licences {
        evidence.push(
            super::beheer::evidence_views(&mut tx, l.id, "/aanbod/contracten/licenties").await?,
        );
    }
    drop(tx);
    let licences: Vec<_> = licences
        .iter()
        .zip(evidence)
        .map(|(l, evidence)| {
            let renewal = l.licence().map(|x| x.renewal_due(today)).unwrap_or(false);
            context! {
                lot => l.lot, status => l.status, reason => l.reason, until => nl_date(l.valid_until),
                renewal_due => renewal, evidence => evidence,
            }
        })
        .collect();
    let html = render(
        state,
        ctx,
        "contracting/provider.html",
        "Contracten",
        Value::from_serialize(context! {
            licences => licences, contracts => contracts, products => products,
            saved => saved, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    overview_page(&state, &ctx, Shown::after(&q, "Opgeslagen.")).await
}

async fn refused(state: &AppState, ctx: &Ctx, field: &str, message: &str) -> PageResult {
    overview_page(state, ctx, Shown::refused(field, message)).await
}

/// Applying: per requirement (`{id}`) a document (`bestand_{id}`: PDF, PNG or
/// JPEG, at most 5 MB) or a statement (`bewijs_{id}`), and the tariffs
/// accepted. A multipart form (documents) or a plain one (statements only);
/// anything refused writes nothing.
pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> PageResult {
    let contract_id = path_id(&id)?;
    let provider = provider_of(&ctx)?;
    let today = today();
    let Uploaded {
        fields: form,
        mut files,
        ..
    } = evidence::read_form(&state, req).await?;
    let mut tx = state.db.begin().await?;
    let contract = ct::contract(&mut tx, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut evidence = BTreeMap::new();
    for r in contract.requirements() {
        let field = format!("bestand_{}", r.id);
        if let Some((file_name, bytes)) = files.remove(&field) {
            match EvidenceFile::new(&file_name, bytes) {
                Ok(file) => {
                    evidence.insert(r.id, Evidence::Document { file, dated: today });
                    continue;
                }
                Err(e) => {
                    drop(tx);
                    let message = match e {
                        LicenceError::DocumentTooLarge => format!(
                            "Het bestand voor '{}' is groter dan 5 MB. Kies een kleiner bestand.",
                            r.name
                        ),
                        LicenceError::DocumentEmpty => {
                            format!("Het bestand voor '{}' is leeg. Kies een ander bestand.", r.name)
                        }
                        _ => format!(
                            "Het bestand voor '{}' is geen PDF, PNG of JPEG. Kies een PDF, PNG of JPEG (de inhoud telt, niet alleen de naam).",
                            r.name
                        ),
                    };
                    return refused(&state, &ctx, &format!("bewijs_{contract_id}"), &message).await;
                }
            }
        }
        let text = form
            .get(&format!("bewijs_{}", r.id))
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("");
        match Evidence::statement(text, today) {
            Ok(e) => {
                evidence.insert(r.id, e);
            }
            Err(_) => {
                drop(tx);
                let message = format!(
                    "Beschrijf het bewijs voor '{}' (minstens 5 tekens), of kies een document.",
                    r.name
                );
                return refused(&state, &ctx, &format!("bewijs_{contract_id}"), &message).await;
            }
        }
    }
    let accepted: BTreeSet<i64> = form
        .get("tarief")
        .into_iter()
        .flatten()
        .filter_map(|t| t.parse().ok())
        .collect();
    let application = match LicenceApplication::new(&contract, evidence, accepted, today) {
        Ok(a) => a,
        Err(e) => {
            drop(tx);
            let message = match e.field() {
                "tarieven" => {
                    "Accepteer alle tarieven van het contract om een licentie aan te vragen."
                }
                _ => "Dit contract loopt niet meer.",
            };
            return refused(&state, &ctx, &format!("bewijs_{contract_id}"), message).await;
        }
    };
    let documents: Vec<String> = application
        .evidence()
        .iter()
        .filter_map(|(rid, e)| match e {
            Evidence::Document { file, .. } => Some(format!(
                "eis {rid}: '{}' ({} bytes, {})",
                file.name(),
                file.bytes().len(),
                file.kind().mime()
            )),
            Evidence::Statement { .. } => None,
        })
        .collect();
    let id = ct::apply_for_licence(&mut tx, provider, &contract, &application, today).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("licence", id.to_string())),
            if documents.is_empty() {
                format!("licentie aangevraagd voor {}", contract.lot())
            } else {
                format!(
                    "licentie aangevraagd voor {}; bewijsdocumenten geüpload: {}",
                    contract.lot(),
                    documents.join("; ")
                )
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/aanbod/contracten?opgeslagen=1").into_response())
}

/// The change's audit entry in its transaction, commit, and back to the page.
async fn saved(mut tx: baken_store::Tx, ctx: &Ctx, provider: i64, detail: String) -> PageResult {
    let object = Some(("provider", provider.to_string()));
    audit::append(
        &mut tx,
        &ctx.audit(AuditAction::Update, AuditOutcome::Success, object, detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/aanbod/contracten?opgeslagen=1").into_response())
}

#[derive(Deserialize, Default)]
pub struct TariffsForm {
    #[serde(default)]
    tarief: Vec<String>,
}

pub async fn accept_tariffs(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<TariffsForm>,
) -> PageResult {
    let provider = provider_of(&ctx)?;
    let tariffs: BTreeSet<i64> = form.tarief.iter().filter_map(|t| t.parse().ok()).collect();
    if tariffs.is_empty() {
        return refused(
            &state,
            &ctx,
            "tarieven",
            "Kies de tarieven die u accepteert.",
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    ct::accept_tariffs(&mut tx, provider, &tariffs, today()).await?;
    saved(
        tx,
        &ctx,
        provider,
        format!("tarieven geaccepteerd: {tariffs:?}"),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct WaitingForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    weken: String,
}

pub async fn report_waiting_time(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<WaitingForm>,
) -> PageResult {
    let provider = provider_of(&ctx)?;
    let Ok(product) = form.product.parse::<i64>() else {
        return refused(&state, &ctx, "wachttijd", "Kies een product.").await;
    };
    let Some(weeks) = form
        .weken
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|w| (0..=104).contains(w))
    else {
        return refused(
            &state,
            &ctx,
            "wachttijd",
            "Vul de wachttijd in weken in: 0 tot en met 104.",
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    if ct::product_row(&mut tx, product).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    ct::report_waiting_time(&mut tx, provider, product, weeks, today()).await?;
    saved(
        tx,
        &ctx,
        provider,
        format!("wachttijd product {product}: {weeks} weken"),
    )
    .await
}
