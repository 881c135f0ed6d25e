//! Beheer of products (beheerder): a new product and changes to one, each
//! parsed by the domain ([`Product::parse`]) with a Dutch message next to the
//! field it is about, written only when the whole form is right, audited, and
//! guarded by the version the beheerder saw (a change made in the meantime is
//! a conflict, never a lost update). Tariffs are not edited in place: a new
//! tariff version is added on the overview (`/beheer/inkoop`), so the
//! versions stay.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{form_version, path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::contracting::{Frequency, Product, ProductCategory, ProductError, Unit};
use baken_domain::AuditAction;
use baken_store::{contracting as ct, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The product form as typed (also what the page shows again on a refusal).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ProductForm {
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    trede: String,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    eenheid: String,
    #[serde(default)]
    frequentie: String,
    #[serde(default)]
    versie: String,
}

impl ProductForm {
    fn of(row: &ct::ProductRow) -> ProductForm {
        ProductForm {
            categorie: row.category.clone(),
            code: row.code.clone(),
            naam: row.name.clone(),
            trede: row.step.to_string(),
            variant: row.variant.clone(),
            eenheid: row.unit.clone().unwrap_or_default(),
            frequentie: row.frequency.clone().unwrap_or_default(),
            versie: row.version.to_string(),
        }
    }

    fn parse(&self) -> Result<Product, FieldErrors> {
        Product::parse(
            &self.categorie,
            &self.code,
            &self.naam,
            &self.trede,
            &self.variant,
            &self.eenheid,
            &self.frequentie,
        )
        .map_err(|e| FieldErrors::only(e.field(), explain(&e)))
    }
}

/// The Dutch message for a product the domain refused.
fn explain(e: &ProductError) -> &'static str {
    match e {
        ProductError::Category(_) => "Kies een productcategorie (WMO020).",
        ProductError::Code(_) => "Vul de productcode in: vijf letters of cijfers, zoals 02A05.",
        ProductError::Name => "Vul een naam in van 3 tot 120 tekens.",
        ProductError::Step(_) => "Kies trede 4 of 5: een product is maatwerk.",
        ProductError::Variant(_) => "Kies hoe het product wordt uitgevoerd.",
        ProductError::Unit(_) | ProductError::UnitNotEffort(_) => {
            "Kies bij inspanningsgericht de eenheid van tijd of inzet (bijvoorbeeld uur of dagdeel)."
        }
        ProductError::Frequency(_) => "Kies bij inspanningsgericht de frequentie.",
    }
}

/// The form page: a new product (`id` none) or one to change.
async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    form: &ProductForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let categories: Vec<_> = ProductCategory::all()
        .map(|c| (c.code(), format!("{} {}", c.code(), c.label())))
        .collect();
    let units: Vec<_> = Unit::all()
        .into_iter()
        .filter(|u| u.is_effort())
        .map(|u| (u.code(), u.label()))
        .collect();
    let frequencies: Vec<_> = Frequency::all()
        .into_iter()
        .map(|f| (f.code(), f.label()))
        .collect();
    let title = if id.is_some() {
        "Product wijzigen"
    } else {
        "Nieuw product"
    };
    let html = render(
        state,
        ctx,
        "contracting/product.html",
        title,
        Value::from_serialize(context! {
            id => id, title => title, form => form, errors => errors,
            categories => categories, units => units, frequencies => frequencies,
        }),
    )?;
    Ok((status, html).into_response())
}

fn saved() -> PageResult {
    Ok(Redirect::to("/beheer/inkoop?opgeslagen=1#producten").into_response())
}

/// The form for a new product.
pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let form = ProductForm {
        trede: "5".into(),
        ..ProductForm::default()
    };
    form_page(
        &state,
        &ctx,
        None,
        &form,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Adds a product.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<ProductForm>,
) -> PageResult {
    let product = match form.parse() {
        Ok(p) => p,
        Err(errors) => {
            return form_page(&state, &ctx, None, &form, errors, StatusCode::BAD_REQUEST).await
        }
    };
    let mut tx = state.db.begin().await?;
    match ct::create_product(&mut tx, &product).await {
        Ok(id) => {
            crate::support::audit::commit_audited(
                tx,
                &ctx,
                AuditAction::Create,
                ("product", id.to_string()),
                format!(
                    "product {} {} toegevoegd",
                    product.full_code(),
                    product.name()
                ),
            )
            .await?;
            saved()
        }
        Err(StoreError::Duplicate(_)) => {
            drop(tx);
            let errors = FieldErrors::only("code", "Deze categorie en code bestaan al.");
            form_page(&state, &ctx, None, &form, errors, StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The form for an existing product, filled in.
pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.read().await?;
    let row = ct::product_row(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(tx);
    let form = ProductForm::of(&row);
    form_page(
        &state,
        &ctx,
        Some(id),
        &form,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Changes a product, if nobody changed it since the form was filled in.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ProductForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let version = form_version(&form.versie)?;
    let product = match form.parse() {
        Ok(p) => p,
        Err(errors) => {
            return form_page(
                &state,
                &ctx,
                Some(id),
                &form,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let mut tx = state.db.begin().await?;
    let before = ct::product_row(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let refused = |field: &str, message: &str, status| (FieldErrors::only(field, message), status);
    let (errors, status) = match ct::update_product(&mut tx, id, version, &product).await {
        Ok(_) => {
            crate::support::audit::commit_audited(tx, &ctx, AuditAction::Update, ("product", id.to_string()), format!(
                        "product {}/{} {} gewijzigd in {} {} (trede {}, {})",
                        before.category,
                        before.code,
                        before.name,
                        product.full_code(),
                        product.name(),
                        product.step().value(),
                        product.variant().code()
                    )).await?;
            return saved();
        }
        Err(StoreError::Duplicate(_)) => refused(
            "code",
            "Deze categorie en code bestaan al.",
            StatusCode::BAD_REQUEST,
        ),
        Err(StoreError::Conflict { .. }) => refused(
            "naam",
            "Iemand anders heeft dit product intussen gewijzigd. Hieronder staat de nieuwe versie; pas die zo nodig opnieuw aan.",
            StatusCode::CONFLICT,
        ),
        Err(StoreError::NotFound(_)) => return Err(AppError::NotFound.into()),
        Err(e) => return Err(e.into()),
    };
    drop(tx);
    // On a conflict, show what is stored now (with its version); otherwise
    // what was typed.
    let form = if status == StatusCode::CONFLICT {
        let mut tx = state.db.read().await?;
        let now = ct::product_row(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        ProductForm::of(&now)
    } else {
        form
    };
    form_page(&state, &ctx, Some(id), &form, errors, status).await
}
