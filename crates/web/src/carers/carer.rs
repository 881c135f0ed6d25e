//! An informal carer's own page: registering (hours per week, whom they care
//! for), the EDIZ burden check with its result, a signal to the wijkteam with
//! consent when the burden is heavy, this year's mantelzorgwaardering, and
//! respite care (respijtzorg) from the social map.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::carers::{
    BurdenLevel, CareHours, CareRelation, Ediz, EdizAnswer, Iban, WaarderingChoice, EDIZ_STATEMENTS,
};
use baken_domain::market::{DisplayName, PhoneNumber};
use baken_domain::AuditAction;
use baken_store::areas;
use baken_store::carers::{self as mz, CarerStoreError, NewCarer};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// Registering, by the carer or (in `network`) by a generalist.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CarerForm {
    pub naam: String,
    pub telefoon: String,
    pub wijk: String,
    pub uren: String,
    pub relatie: String,
    pub voor_wie: String,
    pub toestemming: Option<String>,
}

/// A registration parsed from the form.
pub struct ParsedCarer {
    pub name: DisplayName,
    pub phone: Option<PhoneNumber>,
    pub district: String,
    pub hours: CareHours,
    pub relation: CareRelation,
    pub cares_for: String,
}

impl CarerForm {
    /// Parses the form against the districts that exist; a Dutch message per field.
    pub fn parse(&self, districts: &[areas::District]) -> Result<ParsedCarer, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = DisplayName::parse(&self.naam)
            .map_err(|_| errors.add("naam", "Vul de naam in (2 tot 60 tekens)."))
            .ok();
        let phone = match self.telefoon.trim() {
            "" => Some(None),
            typed => PhoneNumber::parse(typed)
                .map(Some)
                .map_err(|_| {
                    errors.add(
                        "telefoon",
                        "Vul een Nederlands telefoonnummer in, zoals 06 12345678, of laat het leeg.",
                    )
                })
                .ok(),
        };
        let district = Some(self.wijk.trim().to_owned())
            .filter(|code| districts.iter().any(|d| &d.code == code));
        if district.is_none() {
            errors.add("wijk", "Kies de wijk waar de mantelzorger woont.");
        }
        let hours = CareHours::parse(&self.uren)
            .map_err(|_| {
                errors.add(
                    "uren",
                    "Vul in hoeveel uur per week, een heel getal van 1 tot 168.",
                )
            })
            .ok();
        let relation = CareRelation::parse(&self.relatie)
            .map_err(|_| errors.add("relatie", "Kies voor wie de zorg is."))
            .ok();
        let cares_for = baken_domain::carers::parse_cares_for(&self.voor_wie)
            .map_err(|_| {
                errors.add(
                    "voor_wie",
                    "Schrijf in een paar woorden voor wie en waarom, zoals: mijn moeder, dementie (2 tot 80 tekens).",
                )
            })
            .ok();
        match (name, phone, district, hours, relation, cares_for) {
            (
                Some(name),
                Some(phone),
                Some(district),
                Some(hours),
                Some(relation),
                Some(cares_for),
            ) if errors.is_empty() => Ok(ParsedCarer {
                name,
                phone,
                district,
                hours,
                relation,
                cares_for,
            }),
            _ => Err(errors),
        }
    }
}

/// The nine EDIZ answers (`s1` … `s9`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BurdenForm {
    s1: String,
    s2: String,
    s3: String,
    s4: String,
    s5: String,
    s6: String,
    s7: String,
    s8: String,
    s9: String,
}

impl BurdenForm {
    fn answers(&self) -> [&str; 9] {
        [
            &self.s1, &self.s2, &self.s3, &self.s4, &self.s5, &self.s6, &self.s7, &self.s8,
            &self.s9,
        ]
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SignalForm {
    toestemming: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WaarderingForm {
    keuze: String,
    rekening: String,
}

/// What the page shows next to the forms.
struct Shown<'a> {
    saved: &'a str,
    errors: FieldErrors,
    status: StatusCode,
    register: CarerForm,
    burden: BurdenForm,
    waardering: WaarderingForm,
}

impl Shown<'_> {
    fn ok(saved: &str) -> Shown<'_> {
        Shown {
            saved,
            errors: FieldErrors::new(),
            status: StatusCode::OK,
            register: CarerForm::default(),
            burden: BurdenForm::default(),
            waardering: WaarderingForm::default(),
        }
    }

    fn refused(errors: FieldErrors) -> Shown<'static> {
        Shown {
            errors,
            status: StatusCode::BAD_REQUEST,
            ..Shown::ok("")
        }
    }

    /// A refusal that shows one form again as typed (`keep` puts it back).
    fn refused_form(errors: FieldErrors, keep: impl FnOnce(&mut Shown)) -> Shown<'static> {
        let mut shown = Shown::refused(errors);
        keep(&mut shown);
        shown
    }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = match q.opgeslagen.as_deref() {
        Some("aangemeld") => "U bent aangemeld als mantelzorger.",
        Some("belasting") => "Uw antwoorden zijn opgeslagen. Hieronder ziet u de uitkomst.",
        Some("signaal") => "Het wijkteam heeft uw vraag gekregen en neemt contact met u op.",
        Some("waardering") => "Uw aanvraag voor de mantelzorgwaardering is ontvangen.",
        _ => "",
    };
    show(&state, &ctx, Shown::ok(saved)).await
}

async fn show(state: &AppState, ctx: &Ctx, shown: Shown<'_>) -> PageResult {
    let user = ctx.user()?.user.clone();
    let mut tx = state.db.begin().await?;
    let settings = baken_store::settings::waardering(&mut tx, today())
        .await?
        .settings;
    let year = settings.year;
    let carer = mz::own_carer(&mut tx, user.id).await?;
    let (burden, waardering) = match &carer {
        Some(c) => (
            mz::latest_burden(&mut tx, c.id).await?,
            mz::waardering_of(&mut tx, c.id, year).await?,
        ),
        None => (None, None),
    };
    let respite = mz::respite_services(&mut tx, 6).await?;
    let districts = areas::districts(&mut tx).await?;
    tx.commit().await?;
    let burden_answers = shown.burden.answers();
    let district_name = |code: &str| {
        districts
            .iter()
            .find(|d| d.code == code)
            .map_or_else(|| code.to_owned(), |d| d.name.clone())
    };
    let html = render(
        state,
        ctx,
        "carers/carer.html",
        "Mantelzorg",
        Value::from_serialize(context! {
            carer => carer.as_ref().map(|c| context! {
                name => c.name.clone(), hours => c.hours_per_week, cares_for => c.cares_for.clone(),
                relation => CareRelation::parse(&c.relation).map(|r| r.label()).unwrap_or(""),
                district => district_name(&c.district_code),
            }),
            burden => burden.as_ref().map(|b| {
                let level = BurdenLevel::parse(&b.level).unwrap_or(BurdenLevel::Licht);
                context! {
                    score => b.score, level => level.label(), high => level.is_high(),
                    moderate => level == BurdenLevel::Matig,
                    on => nl_date(b.taken_on), signalled => b.signal_id.is_some(),
                }
            }),
            statements => EDIZ_STATEMENTS.iter().enumerate().map(|(i, s)| context! {
                n => i + 1, text => s, chosen => burden_answers[i],
            }).collect::<Vec<_>>(),
            answers => EdizAnswer::ALL.iter().map(|a| context! { value => a.as_str(), label => a.label() }).collect::<Vec<_>>(),
            year => year,
            window => context! {
                accepts => settings.accepts_on(today()), open => settings.open,
                from => nl_date(settings.from), until => nl_date(settings.until),
                amount => settings.amount_label(),
            },
            waardering => waardering.as_ref().map(|w| context! {
                choice => WaarderingChoice::parse(&w.choice).map(|c| c.label()).unwrap_or(""),
                granted => w.state == "toegekend",
            }),
            choices => WaarderingChoice::ALL.iter().map(|c| context! { value => c.as_str(), label => c.label() }).collect::<Vec<_>>(),
            relations => CareRelation::ALL.iter().map(|r| context! { value => r.as_str(), label => r.label() }).collect::<Vec<_>>(),
            districts => districts.iter().map(|d| context! { value => d.code.clone(), label => d.name.clone() }).collect::<Vec<_>>(),
            respite => respite.iter().map(|(id, name, description, provider)| context! {
                id => id, name => name, description => description, provider => provider,
            }).collect::<Vec<_>>(),
            form => shown.register, wform => shown.waardering,
            saved => shown.saved, errors => shown.errors,
        }),
    )?;
    Ok((shown.status, html).into_response())
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<CarerForm>,
) -> PageResult {
    let user = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    let districts = areas::districts(&mut tx).await?;
    let parsed = match form.parse(&districts) {
        Ok(p) => p,
        Err(errors) => {
            drop(tx);
            let shown = Shown::refused_form(errors, |s| s.register = form);
            return show(&state, &ctx, shown).await;
        }
    };
    let phone = parsed.phone.as_ref().map(|p| p.as_str().to_owned());
    let id = match mz::register(
        &mut tx,
        &NewCarer {
            user_id: Some(user),
            household_id: None,
            registered_by: None,
            name: parsed.name.as_str(),
            phone: phone.as_deref(),
            district_code: &parsed.district,
            hours: parsed.hours,
            relation: parsed.relation,
            cares_for: &parsed.cares_for,
            consent_on: today(),
        },
    )
    .await
    {
        Ok(id) => id,
        Err(CarerStoreError::AlreadyRegistered) => {
            return Ok(Redirect::to("/mantelzorg").into_response())
        }
        Err(e) => return Err(internal(e).into()),
    };
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Create,
        ("carer", id.to_string()),
        "zelf aangemeld als mantelzorger".into(),
    )
    .await?;
    Ok(Redirect::to("/mantelzorg?opgeslagen=aangemeld#belasting").into_response())
}

/// The signed-in carer's own registration, if any.
async fn own(ctx: &Ctx, tx: &mut baken_store::Tx) -> Result<Option<mz::CarerRow>, AppError> {
    Ok(mz::own_carer(tx, ctx.user()?.user.id).await?)
}

pub async fn burden(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<BurdenForm>,
) -> PageResult {
    let answers: Vec<Option<EdizAnswer>> = form
        .answers()
        .iter()
        .map(|a| EdizAnswer::parse(a).ok())
        .collect();
    let mut errors = FieldErrors::new();
    for (i, a) in answers.iter().enumerate() {
        if a.is_none() {
            errors.add(
                format!("s{}", i + 1),
                format!(
                    "Kies bij uitspraak {} het antwoord dat het best past.",
                    i + 1
                ),
            );
        }
    }
    let Ok(ediz) = Ediz::from_answers(&answers) else {
        let shown = Shown::refused_form(errors, |s| s.burden = form);
        return show(&state, &ctx, shown).await;
    };
    let mut tx = state.db.begin().await?;
    let Some(carer) = own(&ctx, &mut tx).await? else {
        drop(tx);
        return show(
            &state,
            &ctx,
            Shown::refused(FieldErrors::only(
                "s1",
                "Meld u eerst aan als mantelzorger; daarna kunt u de vragen invullen.",
            )),
        )
        .await;
    };
    let id = mz::record_burden(&mut tx, carer.id, &ediz, today()).await?;
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Create,
        ("carer", carer.id.to_string()),
        format!("belastingmeter (EDIZ) {id}: score {}", ediz.score()),
    )
    .await?;
    Ok(Redirect::to("/mantelzorg?opgeslagen=belasting#uitkomst").into_response())
}

pub async fn signal(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<SignalForm>,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let not_heavy = "Dit kan alleen na een belastingmeter met de uitkomst 'zwaar belast'.";
    let Some(carer) = own(&ctx, &mut tx).await? else {
        drop(tx);
        return show(
            &state,
            &ctx,
            Shown::refused(FieldErrors::only("toestemming", not_heavy)),
        )
        .await;
    };
    let user = ctx.user()?.user.id;
    match mz::signal_burden(
        &mut tx,
        &carer,
        form.toestemming.is_some(),
        today(),
        Some(user),
    )
    .await
    {
        Ok(signal) => {
            audit_signal(tx, &ctx, signal, carer.id).await?;
            Ok(Redirect::to("/mantelzorg?opgeslagen=signaal#uitkomst").into_response())
        }
        Err(CarerStoreError::Rule(e)) => {
            drop(tx);
            let message = match e {
                baken_domain::carers::CarerError::NoConsent => {
                    "Zet een vinkje als u wilt dat het wijkteam contact met u opneemt."
                }
                _ => not_heavy,
            };
            show(
                &state,
                &ctx,
                Shown::refused(FieldErrors::only("toestemming", message)),
            )
            .await
        }
        Err(e) => Err(internal(e).into()),
    }
}

/// The signal and the carer's consent, in the audit log.
async fn audit_signal(
    tx: baken_store::Tx,
    ctx: &Ctx,
    signal: i64,
    carer: i64,
) -> Result<(), AppError> {
    crate::support::audit::commit_audited(
        tx,
        ctx,
        AuditAction::Create,
        ("signal", signal.to_string()),
        format!("zwaar belaste mantelzorger {carer}, met toestemming"),
    )
    .await
}

pub async fn waardering(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<WaarderingForm>,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let choice = WaarderingChoice::parse(&form.keuze)
        .map_err(|_| errors.add("keuze", "Kies wat u als waardering wilt."))
        .ok();
    let iban = match (choice, form.rekening.trim()) {
        (Some(WaarderingChoice::Bijdrage), typed) => Iban::parse(typed)
            .map(Some)
            .map_err(|_| {
                errors.add(
                    "rekening",
                    "Vul uw rekeningnummer (IBAN) in, zoals NL91 ABNA 0417 1643 00.",
                )
            })
            .ok(),
        _ => Some(None),
    };
    let (Some(choice), Some(iban)) = (choice, iban) else {
        let shown = Shown::refused_form(errors, |s| s.waardering = form);
        return show(&state, &ctx, shown).await;
    };
    let mut tx = state.db.begin().await?;
    let settings = baken_store::settings::waardering(&mut tx, today())
        .await?
        .settings;
    if !settings.accepts_on(today()) {
        drop(tx);
        let shown = Shown::refused_form(
            FieldErrors::only("keuze", "U kunt de mantelzorgwaardering nu niet aanvragen. Hieronder staat wanneer dat wel kan."),
            |s| s.waardering = form,
        );
        return show(&state, &ctx, shown).await;
    }
    let year = settings.year;
    let Some(carer) = own(&ctx, &mut tx).await? else {
        drop(tx);
        return show(
            &state,
            &ctx,
            Shown::refused(FieldErrors::only(
                "keuze",
                "Meld u eerst aan als mantelzorger; daarna kunt u de waardering aanvragen.",
            )),
        )
        .await;
    };
    let id = match mz::apply_waardering(&mut tx, carer.id, year, choice, iban.as_ref()).await {
        Ok(id) => id,
        Err(CarerStoreError::AlreadyApplied) => {
            return Ok(Redirect::to("/mantelzorg#waardering").into_response())
        }
        Err(e) => return Err(internal(e).into()),
    };
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Create,
        ("carer_waardering", id.to_string()),
        format!("mantelzorgwaardering {year} aangevraagd"),
    )
    .await?;
    Ok(Redirect::to("/mantelzorg?opgeslagen=waardering#waardering").into_response())
}

/// A store error that is not the user's to fix.
pub fn internal(e: CarerStoreError) -> AppError {
    match e {
        CarerStoreError::Store(s) => AppError::from(s),
        other => AppError::internal("mantelzorg")(other),
    }
}
