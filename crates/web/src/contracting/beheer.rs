//! Beheer of commissioning (beheerder): the products and the contract with its
//! tariff versions, the providers' licence applications (accept, or reject
//! with a reason), the team mandates, and the iWmo codes (the municipality's
//! gemeentecode, each provider's AGB code, the answer period for verzoeken).

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, HtmlForm, SavedQuery, Shown};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, parse_date, today};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use baken_domain::contracting::{Cents, TeamMandate};
use baken_domain::{AuditAction, LadderStep};
use baken_store::{areas, contracting as ct, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct TariffView {
    product: String,
    amount: String,
    from: String,
    until: String,
}

#[derive(Serialize)]
struct LicenceView {
    id: i64,
    version: i64,
    provider: String,
    lot: String,
    applied: String,
    until: String,
    status: String,
    reason: String,
    evidence: Vec<EvidenceView>,
    renewal_due: bool,
}

/// One requirement's evidence: a statement, or a document to download.
#[derive(Serialize)]
pub struct EvidenceView {
    pub text: String,
    /// The download's address, for a document.
    pub href: Option<String>,
}

/// A licence's evidence as the pages show it; `base` is the download path's
/// start (beheer's or the provider's own).
pub async fn evidence_views(
    tx: &mut baken_store::Tx,
    licence: i64,
    base: &str,
) -> Result<Vec<EvidenceView>, AppError> {
    Ok(ct::licence_evidence(tx, licence)
        .await?
        .into_iter()
        .map(|(rid, req, kind, text, dated)| {
            let document = kind == "document";
            EvidenceView {
                text: if document {
                    format!("{req}: document {text} ({})", nl_date(dated))
                } else {
                    format!("{req}: {text} ({})", nl_date(dated))
                },
                href: document.then(|| format!("{base}/{licence}/bewijs/{rid}")),
            }
        })
        .collect())
}

async fn overview_page(state: &AppState, ctx: &Ctx, shown: Shown) -> PageResult {
    let Shown {
        saved,
        errors,
        status,
    } = shown;
    let mut tx = state.db.read().await?;
    let products = ct::products(&mut tx).await?;
    let contracts = ct::contracts(&mut tx).await?;
    let mut tariffs = Vec::new();
    for c in &contracts {
        if let Some(contract) = ct::contract(&mut tx, c.id).await? {
            for t in contract.tariffs() {
                let name = products
                    .iter()
                    .find(|p| p.id == t.product_id)
                    .map_or_else(String::new, |p| p.name.clone());
                tariffs.push(TariffView {
                    product: name,
                    amount: t.cents.to_string(),
                    from: nl_date(t.valid_from),
                    until: t.valid_until.map(nl_date).unwrap_or_default(),
                });
            }
        }
    }
    let today = today();
    let mut licences = Vec::new();
    for l in ct::licences(&mut tx, None).await? {
        let evidence = evidence_views(&mut tx, l.id, "/beheer/inkoop/licenties").await?;
        let renewal_due = l.licence().map(|x| x.renewal_due(today)).unwrap_or(false);
        licences.push(LicenceView {
            id: l.id,
            version: l.version,
            provider: l.provider_name,
            lot: l.lot,
            applied: nl_date(l.applied_on),
            until: nl_date(l.valid_until),
            status: l.status,
            reason: l.reason.unwrap_or_default(),
            evidence,
            renewal_due,
        });
    }
    let teams = areas::teams(&mut tx).await?;
    let mut mandates = Vec::new();
    for t in &teams {
        let m = ct::team_mandate(&mut tx, t.id).await?;
        mandates.push(context! {
            id => t.id, name => t.name.clone(),
            mandate => m.map(|m| format!("tot en met trede {}, {} per huishouden per jaar", m.highest_step.value(), m.yearly_budget)),
        });
    }
    let providers = areas::providers(&mut tx).await?;
    let mut codes = Vec::new();
    for p in &providers {
        codes.push(context! { id => p.id, name => p.name.clone(), agb => ct::agb_code(&mut tx, p.id).await? });
    }
    let gemeentecode = baken_store::settings::get(&mut tx, ct::SETTING_GEMEENTECODE).await?;
    let answer_days = ct::answer_days(&mut tx).await?;
    drop(tx);
    let html = render(
        state,
        ctx,
        "contracting/beheer.html",
        "Inkoop",
        Value::from_serialize(context! {
            products => products, contracts => contracts, tariffs => tariffs,
            licences => licences, mandates => mandates, providers => codes,
            gemeentecode => gemeentecode, answer_days => answer_days,
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
    overview_page(
        &state,
        &ctx,
        Shown::after(&q, "De wijziging is opgeslagen."),
    )
    .await
}

async fn refused(state: &AppState, ctx: &Ctx, field: &str, message: &str) -> PageResult {
    overview_page(state, ctx, Shown::refused(field, message)).await
}

fn saved() -> PageResult {
    Ok(Redirect::to("/beheer/inkoop?opgeslagen=1").into_response())
}

#[derive(Deserialize, Default)]
pub struct TariffForm {
    #[serde(default)]
    contract: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    bedrag: String,
    #[serde(default)]
    ingang: String,
}

/// A new tariff version for a product from a date.
pub async fn add_tariff(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<TariffForm>,
) -> PageResult {
    let (Ok(contract), Ok(product)) = (form.contract.parse::<i64>(), form.product.parse::<i64>())
    else {
        return refused(
            &state,
            &ctx,
            "tarief_product",
            "Kies een contract en een product.",
        )
        .await;
    };
    let Ok(cents) = Cents::parse_euros(&form.bedrag) else {
        return refused(
            &state,
            &ctx,
            "tarief_bedrag",
            "Vul het tarief in euro in, zoals 63,40.",
        )
        .await;
    };
    let Some(from) = parse_date(&form.ingang) else {
        return refused(
            &state,
            &ctx,
            "tarief_ingang",
            "Vul een ingangsdatum in, zoals 01-01-2027.",
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    match ct::set_tariff(&mut tx, contract, product, cents, from).await {
        Ok(Ok(id)) => {
            crate::support::audit::commit_audited(
                tx,
                &ctx,
                AuditAction::Create,
                ("tariff", id.to_string()),
                format!("tarief product {product}: {cents} vanaf {from}"),
            )
            .await?;
            saved()
        }
        Ok(Err(e)) => {
            drop(tx);
            let message = match e.field() {
                "ingangsdatum" => "De ingangsdatum moet na het huidige tarief en binnen de contractperiode liggen.",
                _ => "Dit product hoort niet bij het contract.",
            };
            refused(&state, &ctx, "tarief_ingang", message).await
        }
        Err(StoreError::NotFound(_)) => Err(AppError::NotFound.into()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    besluit: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    versie: String,
}

/// Accept a licence application, or reject it with a reason.
pub async fn decide_licence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<DecisionForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let field = format!("licentie_{id}");
    let accept = match form.besluit.as_str() {
        "verlenen" => true,
        "afwijzen" => false,
        _ => return refused(&state, &ctx, &field, "Kies: verlenen of afwijzen.").await,
    };
    let version: i64 = form.versie.parse().map_err(|_| {
        AppError::BadRequest("Het formulier mist de versie van de gegevens.".into())
    })?;
    let mut tx = state.db.begin().await?;
    let row = ct::licence(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut licence = row.licence()?;
    if let Err(e) = licence.decide(accept, &form.reden, today()) {
        drop(tx);
        let message = match e.field() {
            "reden" => "Schrijf de reden van de afwijzing op (minstens 5 tekens): de aanbieder krijgt die te zien.",
            _ => "Over deze aanvraag is al besloten.",
        };
        return refused(&state, &ctx, &field, message).await;
    }
    match ct::store_licence_decision(&mut tx, &licence, version).await {
        Ok(_) => {
            crate::support::audit::commit_audited(
                tx,
                &ctx,
                AuditAction::Update,
                ("licence", id.to_string()),
                format!("licentie {}: {}", row.provider_name, licence.status.code()),
            )
            .await?;
            saved()
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            refused(
                &state,
                &ctx,
                &field,
                "Iemand anders heeft intussen over deze aanvraag besloten.",
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct MandateForm {
    #[serde(default)]
    team: String,
    #[serde(default)]
    trede: String,
    #[serde(default)]
    budget: String,
}

/// Sets a team's mandate: the highest step and the budget per household per year.
pub async fn set_mandate(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<MandateForm>,
) -> PageResult {
    let Ok(team) = form.team.parse::<i64>() else {
        return refused(&state, &ctx, "mandaat_team", "Kies een team.").await;
    };
    let Some(step) = form
        .trede
        .parse::<u8>()
        .ok()
        .and_then(|s| LadderStep::new(s).ok())
    else {
        return refused(
            &state,
            &ctx,
            "mandaat_trede",
            "Kies de hoogste trede, 1 tot en met 5.",
        )
        .await;
    };
    let Ok(budget) = Cents::parse_euros(&form.budget) else {
        return refused(
            &state,
            &ctx,
            "mandaat_budget",
            "Vul het budget in euro in, zoals 500,00.",
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    if areas::team(&mut tx, team).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    let mandate = TeamMandate {
        highest_step: step,
        yearly_budget: budget,
    };
    ct::set_team_mandate(&mut tx, team, &mandate).await?;
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Update,
        ("team", team.to_string()),
        format!(
            "mandaat: tot en met trede {}, {budget} per jaar",
            step.value()
        ),
    )
    .await?;
    saved()
}

#[derive(Deserialize, Default)]
pub struct CodesForm {
    #[serde(default)]
    gemeentecode: String,
    #[serde(default)]
    termijn: String,
    #[serde(default)]
    aanbieder: String,
    #[serde(default)]
    agb: String,
}

/// The municipality's gemeentecode and answer period, and one provider's AGB code.
pub async fn set_codes(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<CodesForm>,
) -> PageResult {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let code = form.gemeentecode.trim().trim_start_matches("GM").to_owned();
    if !digits(&code, 4) {
        return refused(
            &state,
            &ctx,
            "gemeentecode",
            "Vul de CBS-gemeentecode in: vier cijfers, zoals 9999.",
        )
        .await;
    }
    let Some(days) = form
        .termijn
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=60).contains(d))
    else {
        return refused(
            &state,
            &ctx,
            "termijn",
            "Vul de termijn in werkdagen in, 1 tot en met 60.",
        )
        .await;
    };
    let agb = form.agb.trim().to_owned();
    let provider = match (form.aanbieder.parse::<i64>(), agb.is_empty()) {
        (_, true) => None,
        (Ok(p), false) if digits(&agb, 8) => Some(p),
        _ => {
            return refused(
                &state,
                &ctx,
                "agb",
                "Kies een aanbieder en vul de AGB-code in: acht cijfers.",
            )
            .await
        }
    };
    let mut tx = state.db.begin().await?;
    baken_store::settings::set(&mut tx, ct::SETTING_GEMEENTECODE, &code).await?;
    baken_store::settings::set(&mut tx, ct::SETTING_ANSWER_DAYS, &days.to_string()).await?;
    if let Some(p) = provider {
        if let Err(StoreError::Duplicate(_)) = ct::set_agb_code(&mut tx, p, &agb).await {
            drop(tx);
            return refused(
                &state,
                &ctx,
                "agb",
                "Deze AGB-code hoort al bij een andere aanbieder.",
            )
            .await;
        }
    }
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Update,
        ("iwmo", "instellingen".into()),
        format!("gemeentecode {code}, termijn {days} werkdagen, AGB {agb}"),
    )
    .await?;
    saved()
}
