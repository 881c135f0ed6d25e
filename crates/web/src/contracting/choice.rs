//! The resident's choice of provider after an approved referral that names a
//! product: the licensed providers for that product and the resident's
//! district on the start date (with the waiting time each reported, and when),
//! the resident's choice or "geen voorkeur" with the reason, and the
//! toewijzing it creates.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::scorecard;
use crate::support::state::AppState;
use crate::support::time::{nl_date, parse_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::contracting::{
    Cents, ExecutionVariant, Product, Scope, Toewijzing, ToewijzingNumber,
};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::commissioning as cm;
use baken_store::contracting::{self as ct, Choice, NewToewijzing};
use baken_store::households::{self, Household};
use baken_store::{audit, Tx};
use chrono::{Months, NaiveDate};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ChoiceForm {
    #[serde(default)]
    aanbieder: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    inwoner: String,
    #[serde(default)]
    ingang: String,
    #[serde(default)]
    einde: String,
    #[serde(default)]
    omvang: String,
}

#[derive(Deserialize, Default)]
pub struct ChoiceQuery {
    ingang: Option<String>,
}

/// What the page and the form need: the referral's household (in scope), its
/// product and residents.
struct Subject {
    referral: ct::ReferralForChoice,
    household: Household,
    product_id: i64,
    product: Product,
    residents: Vec<(i64, String)>,
    done: Option<ct::ToewijzingRow>,
}

/// Loads the referral if the household is in the user's scope (404 otherwise,
/// audited as denied), approved and naming a product.
async fn subject(tx: &mut Tx, ctx: &Ctx, referral_id: i64) -> Result<Subject, AppError> {
    let scope = ctx.user()?.scope();
    let referral = ct::referral_for_choice(tx, referral_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let household = households::get(tx, referral.household_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !scope.allows(household.id, household.team_id) {
        return Err(AppError::NotFound);
    }
    let product_id = referral.product_id.ok_or_else(|| {
        AppError::BadRequest(
            "Deze verwijzing noemt geen product; kies een product bij de verwijzing.".into(),
        )
    })?;
    if referral.status != "goedgekeurd" {
        return Err(AppError::BadRequest(
            "De verwijzing is nog niet goedgekeurd door de teamleider.".into(),
        ));
    }
    let product = ct::product_row(tx, product_id)
        .await?
        .ok_or(AppError::NotFound)?
        .product()?;
    let residents = households::residents(tx, household.id)
        .await?
        .into_iter()
        .map(|r| (r.id, r.full_name()))
        .collect();
    let done = ct::referral_toewijzing(tx, referral_id).await?;
    Ok(Subject {
        referral,
        household,
        product_id,
        product,
        residents,
        done,
    })
}

#[derive(Serialize)]
struct OfferView {
    id: i64,
    name: String,
    waiting: String,
    /// Its results with this product, in plain words (the scorecard).
    result: String,
    /// Its results in the resident's district, when there are enough.
    district_result: Option<String>,
}

/// How far back the results at the choice look.
const RESULT_MONTHS: u32 = 24;

fn offer_views(
    offers: &[ct::Offer],
    scores: &[cm::ProductScoreRow],
    district: &str,
) -> Vec<OfferView> {
    let result = |provider: i64, in_district: bool| {
        scores.iter().find(|r| {
            r.provider_id == provider
                && match &r.district {
                    None => !in_district,
                    Some((code, _)) => in_district && code == district,
                }
        })
    };
    offers
        .iter()
        .map(|o| OfferView {
            id: o.provider_id,
            name: o.name.clone(),
            result: result(o.provider_id, false).map_or_else(
                || {
                    "Nog geen resultaten: deze aanbieder heeft dit product nog niet gegeven."
                        .to_owned()
                },
                |r| scorecard::for_resident(r.households, &r.cell, r.zrm_change, r.zrm_adjusted),
            ),
            // Left out when the district holds every household the
            // municipality's sentence rests on: it would only repeat it.
            district_result: result(o.provider_id, true)
                .filter(|r| scorecard::households(r.households, &r.cell).1)
                .filter(|r| {
                    result(o.provider_id, false)
                        .is_none_or(|whole| whole.households != r.households)
                })
                .map(|r| {
                    format!(
                        "In wijk {}: {}",
                        r.district.as_ref().map_or("", |d| d.1.as_str()),
                        scorecard::for_resident(
                            r.households,
                            &r.cell,
                            r.zrm_change,
                            r.zrm_adjusted
                        )
                    )
                }),
            waiting: match o.waiting {
                Some((0, on)) => format!("Geen wachttijd (gemeld op {})", nl_date(on)),
                Some((1, on)) => format!("1 week (gemeld op {})", nl_date(on)),
                Some((weeks, on)) => format!("{weeks} weken (gemeld op {})", nl_date(on)),
                None => "Niet gemeld".into(),
            },
        })
        .collect()
}

fn scope_label(product: &Product) -> String {
    match product.variant() {
        ExecutionVariant::Effort { unit, frequency } => {
            format!("Omvang in {} {}", unit.label(), frequency.label())
        }
        ExecutionVariant::Output => "Budget in euro".into(),
        ExecutionVariant::Task => String::new(),
    }
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    referral_id: i64,
    form: ChoiceForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let subject = match subject(&mut tx, ctx, referral_id).await {
        Ok(s) => s,
        Err(e) => {
            drop(tx);
            return Err(e.into());
        }
    };
    let start = parse_date(&form.ingang).unwrap_or_else(today);
    let offers = ct::offers(
        &mut tx,
        subject.product_id,
        &subject.household.district_code,
        start,
    )
    .await?;
    let results_from = start
        .checked_sub_months(Months::new(RESULT_MONTHS))
        .unwrap_or(start);
    let scores =
        cm::product_scorecard(&mut tx, None, Some(subject.product_id), results_from, start).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", subject.household.id.to_string())),
            format!(
                "keuze aanbieder bij verwijzing {}: {} aanbieders",
                referral_id,
                offers.len()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    let mut form = form;
    if form.ingang.is_empty() {
        form.ingang = start.format("%Y-%m-%d").to_string();
    }
    let html = render(
        state,
        ctx,
        "contracting/choice.html",
        "Aanbieder kiezen",
        Value::from_serialize(context! {
            referral => subject.referral.id, household => subject.household.id,
            product => subject.product.name(), step => subject.product.step().value(),
            scope_label => scope_label(&subject.product),
            offers => offer_views(&offers, &scores, &subject.household.district_code),
            results_since => nl_date(results_from), residents => subject.residents,
            start => nl_date(start), form => form, errors => errors,
            done => subject.done.map(|t| context! {
                number => t.number, provider => t.provider_name,
                start => nl_date(t.start_date), scope => t.scope_text(),
                choice => t.choice, note => t.choice_note,
            }),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ChoiceQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let form = ChoiceForm {
        ingang: q.ingang.unwrap_or_default(),
        ..ChoiceForm::default()
    };
    show(&state, &ctx, id, form, FieldErrors::new(), StatusCode::OK).await
}

/// The form, checked field by field.
struct ChoiceInput {
    provider: Option<i64>,
    reason: String,
    resident: i64,
    start: NaiveDate,
    end: Option<NaiveDate>,
    amount: String,
}

impl ChoiceInput {
    fn parse(form: &ChoiceForm, residents: &[(i64, String)]) -> Result<ChoiceInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let provider = match form.aanbieder.as_str() {
            "geen" => None,
            other => match other.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("aanbieder", "Kies een aanbieder, of kies 'geen voorkeur'.");
                    None
                }
            },
        };
        let reason = form.reden.trim().to_owned();
        if form.aanbieder == "geen" && reason.chars().count() < 5 {
            errors.add(
                "reden",
                "Schrijf op waarom de inwoner geen voorkeur heeft (minstens 5 tekens).",
            );
        }
        let resident = form
            .inwoner
            .parse::<i64>()
            .ok()
            .filter(|id| residents.iter().any(|(r, _)| r == id));
        if resident.is_none() {
            errors.add("inwoner", "Kies voor wie de toewijzing is.");
        }
        let start = parse_date(&form.ingang);
        if start.is_none() {
            errors.add("ingang", "Vul een ingangsdatum in, zoals 04-01-2027.");
        }
        let end = if form.einde.trim().is_empty() {
            None
        } else {
            let end = parse_date(&form.einde);
            if end.is_none() {
                errors.add("einde", "Vul een einddatum in, zoals 31-12-2027.");
            }
            end
        };
        match (resident, start) {
            (Some(resident), Some(start)) => errors.or_ok(ChoiceInput {
                provider,
                reason,
                resident,
                start,
                end,
                amount: form.omvang.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ChoiceForm>,
) -> PageResult {
    let referral_id = path_id(&id)?;
    let refuse = |form: ChoiceForm, errors: FieldErrors| {
        let state = state.clone();
        let ctx = ctx.clone();
        async move {
            show(
                &state,
                &ctx,
                referral_id,
                form,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let mut tx = state.db.begin().await?;
    let subject = subject(&mut tx, &ctx, referral_id).await?;
    if subject.done.is_some() {
        drop(tx);
        let errors =
            FieldErrors::only("_form", "Voor deze verwijzing is al een aanbieder gekozen.");
        return refuse(form, errors).await;
    }
    let input = match ChoiceInput::parse(&form, &subject.residents) {
        Ok(input) => input,
        Err(errors) => {
            drop(tx);
            return refuse(form, errors).await;
        }
    };
    let offers = ct::offers(
        &mut tx,
        subject.product_id,
        &subject.household.district_code,
        input.start,
    )
    .await?;
    // The one rule: only a provider offered on the start date may be chosen.
    let (provider, choice, note) = match input.provider {
        Some(p) => match offers.iter().find(|o| o.provider_id == p) {
            Some(o) => (
                o.provider_id,
                Choice::Resident,
                format!("Keuze van de inwoner: {}", o.name),
            ),
            None => {
                drop(tx);
                let errors = FieldErrors::only(
                    "aanbieder",
                    "Deze aanbieder kan op de ingangsdatum niet worden gekozen (geen geldige licentie of tarief).",
                );
                return refuse(form, errors).await;
            }
        },
        None => match offers.first() {
            Some(o) => (o.provider_id, Choice::NoPreference, input.reason.clone()),
            None => {
                drop(tx);
                let errors = FieldErrors::only(
                    "aanbieder",
                    "Er is op deze datum geen aanbieder met een licentie voor dit product.",
                );
                return refuse(form, errors).await;
            }
        },
    };
    let scope = match subject.product.variant() {
        ExecutionVariant::Effort { unit, frequency } => match input.amount.parse::<i64>() {
            Ok(volume) => Scope::Volume {
                volume,
                unit,
                frequency,
            },
            Err(_) => {
                drop(tx);
                let errors =
                    FieldErrors::only("omvang", "Vul de omvang in als heel getal, zoals 3.");
                return refuse(form, errors).await;
            }
        },
        _ => match Cents::parse_euros(&input.amount) {
            Ok(cents) => Scope::Budget(cents),
            Err(_) => {
                drop(tx);
                let errors =
                    FieldErrors::only("omvang", "Vul het budget in euro in, zoals 1.250,00.");
                return refuse(form, errors).await;
            }
        },
    };
    let number = ct::next_toewijzing_number(&mut tx).await?;
    let toewijzing = match ToewijzingNumber::new(number).and_then(|n| {
        Toewijzing::new(
            n,
            (subject.product_id, &subject.product),
            provider,
            (input.start, input.end),
            scope,
        )
    }) {
        Ok(t) => t,
        Err(e) => {
            drop(tx);
            let message = match e.field() {
                "einddatum" => "Vul een einddatum in die na de ingangsdatum ligt.",
                "omvang" => "Deze omvang past niet bij het product.",
                _ => "Voor dit product wordt geen toewijzing gemaakt.",
            };
            let field = if e.field() == "einddatum" {
                "einde"
            } else {
                "omvang"
            };
            return refuse(form, FieldErrors::only(field, message)).await;
        }
    };
    ct::create_toewijzing(
        &mut tx,
        &NewToewijzing {
            household_id: subject.household.id,
            resident_id: input.resident,
            referral_id: Some(referral_id),
            toewijzing: &toewijzing,
            choice,
            choice_note: &note,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("household", subject.household.id.to_string())),
            format!(
                "toewijzing {number} ({}) aan aanbieder {provider}: {}",
                subject.product.full_code(),
                choice.code()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/toewijzingen/keuze/{referral_id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use baken_domain::cell_key::{CellKeySecret, CellKeys, RecordKey};

    fn cell(n: i64) -> CellKeys {
        let secret = CellKeySecret::new(b"test");
        CellKeys::of((1..=n).map(|id| RecordKey::derive(&secret, "household", id)))
    }

    fn row(district: Option<(&str, &str)>, households: i64) -> cm::ProductScoreRow {
        cm::ProductScoreRow {
            provider_id: 7,
            provider_name: "Welzijn".into(),
            product_id: 1,
            product_name: "Begeleiding".into(),
            district: district.map(|(c, n)| (c.to_owned(), n.to_owned())),
            households,
            cell: cell(households),
            zrm_change: Some(93),
            zrm_adjusted: Some(0),
        }
    }

    fn offer() -> ct::Offer {
        ct::Offer {
            provider_id: 7,
            name: "Welzijn".into(),
            waiting: None,
            districts: Vec::new(),
        }
    }

    #[test]
    fn the_district_sentence_is_left_out_when_it_only_repeats_the_municipality() {
        let scores = [row(None, 41), row(Some(("WK999901", "Centrum")), 41)];
        let views = offer_views(&[offer()], &scores, "WK999901");
        assert!(
            views[0].result.contains("Gemeten bij"),
            "{}",
            views[0].result
        );
        assert_eq!(views[0].district_result, None);
    }

    #[test]
    fn the_district_sentence_shows_when_the_district_holds_fewer_households() {
        let scores = [row(None, 60), row(Some(("WK999901", "Centrum")), 41)];
        let views = offer_views(&[offer()], &scores, "WK999901");
        let district = views[0].district_result.as_deref().unwrap_or_default();
        assert!(district.starts_with("In wijk Centrum: "), "{district}");
        assert_ne!(
            district.trim_start_matches("In wijk Centrum: "),
            views[0].result
        );
    }
}
