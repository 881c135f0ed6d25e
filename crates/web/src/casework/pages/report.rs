//! Reporting a signal: the public "Zorg om iemand in uw buurt?" page and partners' form.

use super::shared::{choice_lists, norms_context, refuse};
use crate::casework::change;
use crate::casework::common::current_norms;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{parse_date, today};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::casework::{signal, SignalCategory, Urgency};
use baken_domain::{
    Addition, AuditAction, AuditOutcome, HouseLetter, HouseNumber, Permission, PhoneNumber,
    Postcode,
};
use baken_store::audit;
use baken_store::casework::{self as cw, NewSignal};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The signal form, on the public page and for partners.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SignalForm {
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    huisnummer: String,
    #[serde(default)]
    huisletter: String,
    #[serde(default)]
    toevoeging: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    urgentie: String,
    #[serde(default)]
    omschrijving: String,
    /// On whose behalf (a partner's organisation); the public page sets it.
    #[serde(default)]
    bron: String,
    /// The day it came in, for the social team only.
    #[serde(default)]
    ontvangen_op: String,
}

/// Who reports, which decides what the form may say.
struct Reporter {
    /// The source the public page gives every report, instead of `bron`.
    source: Option<&'static str>,
    /// The signed-in user; `None` on the public page.
    reported_by: Option<i64>,
    /// Only the social team gives the day a signal came in (by phone, by
    /// letter); everyone else reports today.
    may_backdate: bool,
}

impl SignalForm {
    fn parse(&self, reporter: &Reporter, day: chrono::NaiveDate) -> Result<NewSignal, FieldErrors> {
        let mut errors = FieldErrors::new();
        let postcode = Postcode::parse(self.postcode.trim())
            .map_err(|_| errors.add("postcode", "Vul een postcode in zoals 1234 AB."))
            .ok();
        let number = HouseNumber::parse(self.huisnummer.trim())
            .map_err(|_| errors.add("huisnummer", "Vul het huisnummer in (alleen cijfers)."))
            .ok();
        let letter = HouseLetter::parse_optional(self.huisletter.trim())
            .map_err(|_| {
                errors.add(
                    "huisletter",
                    "Een huisletter is één letter, zoals A. Laat het leeg als er geen is.",
                )
            })
            .ok();
        let addition = Addition::parse_optional(self.toevoeging.trim())
            .map_err(|_| {
                errors.add(
                    "toevoeging",
                    "Een toevoeging is hooguit 4 letters of cijfers, zoals 2 of bis.",
                )
            })
            .ok();
        let category = SignalCategory::parse(self.categorie.trim())
            .map_err(|_| errors.add("categorie", "Kies waar de zorg over gaat."))
            .ok();
        let urgency = Urgency::parse(self.urgentie.trim())
            .map_err(|_| errors.add("urgentie", "Kies hoe dringend het is."))
            .ok();
        let description = signal::parse_description(self.omschrijving.trim())
            .map_err(|_| {
                errors.add(
                    "omschrijving",
                    "Beschrijf uw zorg in een paar zinnen (hooguit 4000 tekens).",
                )
            })
            .ok();
        let source = signal::parse_source(reporter.source.unwrap_or(self.bron.trim()))
            .map_err(|_| {
                errors.add(
                    "bron",
                    "Vul in namens wie u meldt, bijvoorbeeld uw organisatie.",
                )
            })
            .ok();
        let reported_on = match self.ontvangen_op.trim() {
            "" => Some(day),
            _ if !reporter.may_backdate => Some(day),
            typed => match parse_date(typed) {
                None => {
                    errors.add("ontvangen_op", "Vul een datum in, bijvoorbeeld 01-02-2026.");
                    None
                }
                Some(d) => match signal::check_reported(d, day) {
                    Ok(()) => Some(d),
                    Err(e) => {
                        refuse(&mut errors, Some("ontvangen_op"), e);
                        None
                    }
                },
            },
        };
        match (
            postcode,
            number,
            letter,
            addition,
            category,
            urgency,
            description,
            source,
            reported_on,
        ) {
            (Some(p), Some(n), Some(l), Some(a), Some(c), Some(u), Some(d), Some(s), Some(on)) => {
                errors.or_ok(NewSignal {
                    reported_on: on,
                    category: c,
                    urgency: u,
                    description: d,
                    source: s,
                    reported_by: reporter.reported_by,
                    postcode: p.to_string(),
                    house_number: i64::from(n.value()),
                    house_letter: l.map(|l| l.as_char().to_string()).unwrap_or_default(),
                    addition: a.map(|a| a.as_str().to_owned()).unwrap_or_default(),
                    place: None,
                    callback_phone: None,
                })
            }
            _ => Err(errors),
        }
    }
}

/// How the signal form is shown: to whom, and in which state.
struct SignalPage {
    public: bool,
    errors: FieldErrors,
    /// The form as typed; empty once a report was received.
    form: Value,
    done: bool,
    status: StatusCode,
    /// The public page's reference for a received report ("ZM-123").
    reference: Option<String>,
    /// The public page's address lookup: the dwellings found, once searched.
    found: Option<Vec<(String, String)>>,
}

impl SignalPage {
    /// The empty form.
    fn empty(public: bool) -> SignalPage {
        SignalPage {
            public,
            errors: FieldErrors::new(),
            form: context! {},
            done: false,
            status: StatusCode::OK,
            reference: None,
            found: None,
        }
    }

    /// The form again, as typed, with `errors` and `status`.
    fn refused(public: bool, form: Value, errors: FieldErrors, status: StatusCode) -> SignalPage {
        SignalPage {
            errors,
            form,
            status,
            ..SignalPage::empty(public)
        }
    }

    /// "Uw melding is ontvangen": nothing of what was reported is shown back.
    fn received(public: bool) -> SignalPage {
        SignalPage {
            done: true,
            ..SignalPage::empty(public)
        }
    }
}

async fn signal_form_page(state: &AppState, ctx: &Ctx, page: SignalPage) -> PageResult {
    let public = page.public;
    let title = if public {
        "Zorg om iemand in uw buurt?"
    } else {
        "Zorg melden"
    };
    let mut tx = state.db.read().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    drop(tx);
    let backdate = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role().may(Permission::Casework));
    // A neighbour chooses from the public categories only.
    let categories: Vec<(&str, &str)> = SignalCategory::ALL
        .iter()
        .filter(|c| !public || c.is_public())
        .map(|c| (c.as_str(), c.label()))
        .collect();
    let html = render(
        state,
        ctx,
        "casework/signal_form.html",
        title,
        Value::from_serialize(context! {
            public => public, errors => &page.errors, form => page.form, done => page.done, choices => choice_lists(),
            categories => categories, reference => page.reference, found => page.found,
            action => if public { "/zorgmelding" } else { "/signalen/nieuw" },
            norms => norms_context(&norms), backdate => backdate, today => today().to_string(),
        }),
    )?;
    Ok((page.status, html).into_response())
}

pub async fn public_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(&state, &ctx, SignalPage::empty(true)).await
}

/// At most this many public reports per client address per hour.
pub const PUBLIC_REPORTS_PER_HOUR: i64 = 5;

/// Whether this client address may report on the public page again; a refusal
/// is audited. Reports are counted by their audit entries, so the count and
/// the report need not share a transaction.
async fn public_report_allowed(state: &AppState, ctx: &Ctx) -> Result<bool, AppError> {
    let mut tx = state.db.begin().await?;
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let reports = cw::public_reports_since(&mut tx, &ctx.route, &ctx.client, since).await?;
    if reports < PUBLIC_REPORTS_PER_HOUR {
        return Ok(true);
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Access,
            AuditOutcome::Denied,
            None,
            "te veel meldingen vanaf dit adres",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(false)
}

/// At most this many address lookups per client address per hour: enough
/// for a neighbour, too few to map who lives where.
pub const PUBLIC_LOOKUPS_PER_HOUR: i64 = 30;

/// The public page's form: the address by street and number (a lookup in
/// the municipality's addresses, no JavaScript), or the place in words; the
/// worry; and a phone number for a call-back, if the neighbour wants one.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct PublicSignalForm {
    #[serde(default)]
    straat: String,
    #[serde(default)]
    huisnummer: String,
    /// The chosen dwelling ("1234AB|12|A|2"), from the lookup.
    #[serde(default)]
    adres: String,
    /// The place in words, when the address is not known.
    #[serde(default)]
    plek: String,
    #[serde(default)]
    telefoon: String,
    /// Set by the "Adres zoeken" button: look up, report nothing yet.
    #[serde(default)]
    zoek: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    urgentie: String,
    #[serde(default)]
    omschrijving: String,
}

/// Where the worry is: a dwelling Baken knows, or a place in words.
enum Whereabouts {
    Dwelling(cw::Dwelling),
    Place(String),
}

impl PublicSignalForm {
    /// The number typed, if it is one.
    fn number(&self) -> Option<i64> {
        HouseNumber::parse(self.huisnummer.trim())
            .ok()
            .map(|n| i64::from(n.value()))
    }

    /// The signal, checked: `found` are the dwellings at the street and
    /// number typed (the chosen one must be among them).
    fn parse(
        &self,
        found: &[cw::Dwelling],
        day: chrono::NaiveDate,
    ) -> Result<NewSignal, FieldErrors> {
        let mut errors = FieldErrors::new();
        let whereabouts = match (self.adres.trim(), self.plek.trim()) {
            ("", "") => {
                errors.add(
                    "adres",
                    "Zoek het adres op met straat en huisnummer en kies het, of beschrijf de plek.",
                );
                None
            }
            ("", place) => signal::parse_place(place)
                .map(Whereabouts::Place)
                .map_err(|_| {
                    errors.add(
                        "plek",
                        "Beschrijf de plek in een paar woorden (5 tot 500 tekens), bijvoorbeeld: het bankje bij de speeltuin aan de Lindelaan.",
                    )
                })
                .ok(),
            (key, _) => match found.iter().find(|d| d.key() == key) {
                Some(d) => Some(Whereabouts::Dwelling(d.clone())),
                None => {
                    errors.add(
                        "adres",
                        "Dit adres kennen we niet. Zoek het opnieuw op, of beschrijf de plek.",
                    );
                    None
                }
            },
        };
        let category = SignalCategory::parse(self.categorie.trim())
            .ok()
            .filter(|c| c.is_public());
        if category.is_none() {
            errors.add("categorie", "Kies waar de zorg over gaat.");
        }
        let urgency = Urgency::parse(self.urgentie.trim())
            .map_err(|_| errors.add("urgentie", "Kies hoe dringend het is."))
            .ok();
        let description = signal::parse_description(self.omschrijving.trim())
            .map_err(|_| {
                errors.add(
                    "omschrijving",
                    "Beschrijf uw zorg in een paar zinnen (hooguit 4000 tekens).",
                )
            })
            .ok();
        let phone = match self.telefoon.trim() {
            "" => Some(None),
            typed => PhoneNumber::parse(typed)
                .map(|p| Some(p.as_str().to_owned()))
                .map_err(|_| {
                    errors.add(
                        "telefoon",
                        "Vul een Nederlands telefoonnummer in, zoals 06 12345678, of laat het leeg.",
                    )
                })
                .ok(),
        };
        match (whereabouts, category, urgency, description, phone) {
            (Some(at), Some(category), Some(urgency), Some(description), Some(phone)) => {
                let (postcode, number, letter, addition, place) = match at {
                    Whereabouts::Dwelling(d) => {
                        (d.postcode, d.house_number, d.house_letter, d.addition, None)
                    }
                    Whereabouts::Place(p) => {
                        (String::new(), 0, String::new(), String::new(), Some(p))
                    }
                };
                errors.or_ok(NewSignal {
                    reported_on: day,
                    category,
                    urgency,
                    description,
                    source: "Buurtbewoner (zorgmelding)".to_owned(),
                    reported_by: None,
                    postcode,
                    house_number: number,
                    house_letter: letter,
                    addition,
                    place,
                    callback_phone: phone,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The dwellings at the street and number typed (none for a bad number).
async fn dwellings(
    state: &AppState,
    form: &PublicSignalForm,
) -> Result<Vec<cw::Dwelling>, AppError> {
    let Some(number) = form.number() else {
        return Ok(Vec::new());
    };
    if form.straat.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = state.db.read().await?;
    Ok(cw::dwellings_at(&mut tx, &form.straat, number).await?)
}

/// `POST /zorgmelding` with "Adres zoeken": the dwellings at a street and
/// number, as addresses only, audited (a search, without an object) and
/// limited per client address.
async fn public_lookup(state: &AppState, ctx: &Ctx, form: &PublicSignalForm) -> PageResult {
    let typed = Value::from_serialize(form);
    let mut errors = FieldErrors::new();
    if form.straat.trim().is_empty() {
        errors.add("straat", "Vul de straat in.");
    }
    if form.number().is_none() {
        errors.add("huisnummer", "Vul het huisnummer in (alleen cijfers).");
    }
    if !errors.is_empty() {
        let page = SignalPage::refused(true, typed, errors, StatusCode::BAD_REQUEST);
        return signal_form_page(state, ctx, page).await;
    }
    let mut tx = state.db.begin().await?;
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let lookups =
        cw::public_actions_since(&mut tx, &ctx.route, &ctx.client, "search", since).await?;
    if lookups >= PUBLIC_LOOKUPS_PER_HOUR {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Access,
                AuditOutcome::Denied,
                None,
                "te veel adressen opgezocht vanaf dit adres",
            ),
        )
        .await?;
        tx.commit().await?;
        let errors = FieldErrors::only("_form", "U hebt het afgelopen uur veel adressen opgezocht. Probeer het later opnieuw, of bel de gemeente.");
        let page = SignalPage::refused(true, typed, errors, StatusCode::TOO_MANY_REQUESTS);
        return signal_form_page(state, ctx, page).await;
    }
    let number = form.number().unwrap_or_default();
    let found = cw::dwellings_at(&mut tx, &form.straat, number).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            None,
            format!("zorgmelding: adres opgezocht, {} gevonden", found.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let page = SignalPage {
        found: Some(found.iter().map(|d| (d.key(), d.label())).collect()),
        ..SignalPage::refused(true, typed, FieldErrors::new(), StatusCode::OK)
    };
    signal_form_page(state, ctx, page).await
}

pub async fn public_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<PublicSignalForm>,
) -> PageResult {
    if !form.zoek.is_empty() {
        return public_lookup(&state, &ctx, &form).await;
    }
    if !public_report_allowed(&state, &ctx).await? {
        let errors = FieldErrors::only("_form", "U hebt het afgelopen uur al een aantal meldingen gedaan. Probeer het later opnieuw, of bel de gemeente.");
        let page = SignalPage::refused(
            true,
            Value::from_serialize(&form),
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        );
        return signal_form_page(&state, &ctx, page).await;
    }
    let found = dwellings(&state, &form).await?;
    match form.parse(&found, today()) {
        Err(errors) => {
            let page = SignalPage {
                found: (!found.is_empty() || !form.adres.is_empty())
                    .then(|| found.iter().map(|d| (d.key(), d.label())).collect()),
                ..SignalPage::refused(
                    true,
                    Value::from_serialize(&form),
                    errors,
                    StatusCode::BAD_REQUEST,
                )
            };
            signal_form_page(&state, &ctx, page).await
        }
        Ok(signal) => {
            let id = change::create_signal(&state, &ctx, &signal).await?;
            let page = SignalPage {
                reference: Some(format!("ZM-{id}")),
                ..SignalPage::received(true)
            };
            signal_form_page(&state, &ctx, page).await
        }
    }
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(&state, &ctx, SignalPage::empty(false)).await
}

pub async fn report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<SignalForm>,
) -> PageResult {
    let user = ctx.user()?;
    let partner = Reporter {
        source: None,
        reported_by: Some(user.user.id),
        may_backdate: user.role().may(Permission::Casework),
    };
    match form.parse(&partner, today()) {
        Err(errors) => {
            let page = SignalPage::refused(
                false,
                Value::from_serialize(&form),
                errors,
                StatusCode::BAD_REQUEST,
            );
            signal_form_page(&state, &ctx, page).await
        }
        Ok(signal) => {
            change::create_signal(&state, &ctx, &signal).await?;
            signal_form_page(&state, &ctx, SignalPage::received(false)).await
        }
    }
}
