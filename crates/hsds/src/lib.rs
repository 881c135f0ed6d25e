//! The social map in Open Referral HSDS 3.0 shape: export, import, validation
//! against the official schemas ([`schema`]), and the objects the read-only
//! `/api/v1/hsds/…` serves.
//!
//! Architecture invariant: this crate knows no HTTP. It turns the store's rows
//! into HSDS JSON values and back; the web crate decides which of them a
//! request gets (and how errors look there), the `baken kaart` command writes
//! them to a file. Import goes through the domain's parsing (`ServiceDraft`)
//! and writes through the store, in one transaction with its audit entry.
//!
//! A file is one JSON object with the HSDS entity lists Baken uses:
//!
//! ```json
//! { "organizations": [...], "services": [...], "locations": [...],
//!   "service_at_locations": [...], "taxonomies": [...], "taxonomy_terms": [...] }
//! ```
//!
//! Every element validates against its official schema (`organization.json`,
//! `service.json`, …). Baken's own facts travel in standard places: life
//! domains, ladder step, form, access, reach and "volunteer opportunity" are
//! `attributes` pointing at `taxonomy_terms` of six Baken taxonomies; districts
//! served are `service_areas` (extent = CBS district code); the municipality's
//! cost per unit is a `cost_option` (option = the unit, currency EUR); the
//! schedule is a `schedule` description. Ids of nested objects are derived from
//! their parent's id, so an export → import → export round trip is identical.

pub mod input;
pub mod schema;

use baken_domain::casework::LifeDomain;
use baken_domain::kaart::{
    suggest_classification, CostUnit, Reach, ServiceAccess, ServiceDraft, ServiceError,
    ServiceStatus,
};
use baken_domain::{AuditAction, AuditEntry, LadderStep, ProviderDetails, SupportForm};
use baken_store::kaart::{self, HsdsKept, Location, MapService, Organization};
use baken_store::{areas, audit, Db, StoreError};
use input::{Bundle, Item};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub use baken_store::kaart::derived_uuid;
pub use schema::{Problem, Schemas};

/// Baken's taxonomies: (key, name, description).
pub const TAXONOMIES: &[(&str, &str, &str)] = &[
    (
        "levensdomein",
        "ZRM-levensdomeinen",
        "De 13 levensdomeinen van de Zelfredzaamheid-Matrix.",
    ),
    (
        "trede",
        "Verantwoordelijkheidsladder",
        "Trede 1 (eigen kracht) tot 5 (maatwerkvoorziening).",
    ),
    (
        "vorm",
        "Vorm van ondersteuning",
        "Faciliteren, ondersteunen, interveniëren, beschermen.",
    ),
    (
        "toegang",
        "Toegang",
        "Vrij toegankelijk of met beschikking.",
    ),
    ("bereik", "Bereik", "Collectief of individueel."),
    (
        "soort",
        "Soort aanbod",
        "Vrijwilligerswerk: een manier om iets voor een ander te doen.",
    ),
];

fn taxonomy_id(key: &str) -> String {
    derived_uuid(&format!("baken:taxonomy:{key}"))
}
fn term_id(taxonomy: &str, code: &str) -> String {
    derived_uuid(&format!("baken:term:{taxonomy}:{code}"))
}

/// Every term of Baken's taxonomies: (taxonomy key, code, name).
pub fn terms() -> Vec<(&'static str, String, String)> {
    let mut t = Vec::new();
    for d in LifeDomain::ALL {
        t.push(("levensdomein", d.as_str().to_owned(), d.label().to_owned()));
    }
    for s in 1..=5u8 {
        if let Ok(step) = LadderStep::new(s) {
            t.push((
                "trede",
                s.to_string(),
                format!("Trede {s}: {}", step.name()),
            ));
        }
    }
    for f in SupportForm::ALL {
        t.push(("vorm", f.label().to_owned(), f.label().to_owned()));
    }
    for a in ServiceAccess::ALL {
        t.push(("toegang", a.as_str().to_owned(), a.label().to_owned()));
    }
    for r in Reach::ALL {
        t.push(("bereik", r.as_str().to_owned(), r.label().to_owned()));
    }
    t.push((
        "soort",
        "vrijwilligerswerk".into(),
        "Vrijwilligerswerk".into(),
    ));
    t
}

/// Baken's taxonomies and their terms in HSDS shape.
pub fn taxonomy_json() -> (Vec<Value>, Vec<Value>) {
    let taxonomies = TAXONOMIES
        .iter()
        .map(|(key, name, desc)| json!({ "id": taxonomy_id(key), "name": name, "description": desc, "version": "1" }))
        .collect();
    let terms = terms()
        .into_iter()
        .map(|(tax, code, name)| {
            let tname = TAXONOMIES
                .iter()
                .find(|t| t.0 == tax)
                .map(|t| t.1)
                .unwrap_or(tax);
            json!({
                "id": term_id(tax, &code), "code": code, "name": name, "description": name,
                "taxonomy": tname, "taxonomy_id": taxonomy_id(tax), "language": "nl",
            })
        })
        .collect();
    (taxonomies, terms)
}

fn put(m: &mut Map<String, Value>, key: &str, text: &str) {
    if !text.is_empty() {
        m.insert(key.into(), Value::from(text));
    }
}

/// The publisher's object (kept at import) as a map, or an empty one.
fn kept(raw: Option<&str>) -> Map<String, Value> {
    raw.and_then(|r| serde_json::from_str::<Value>(r).ok())
        .and_then(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .unwrap_or_default()
}

/// Baken's fields over the publisher's object: what Baken models comes from
/// Baken (it may have been changed since), everything else as it was given.
/// `owned` are the publisher's fields Baken models: left out when Baken has
/// no value for them any more.
fn overlay(raw: Option<&str>, baken: Value, owned: &[&str]) -> Value {
    let Value::Object(baken) = baken else {
        return baken;
    };
    let mut out = kept(raw);
    if out.is_empty() {
        return Value::Object(baken);
    }
    for key in owned {
        if !baken.contains_key(*key) {
            out.remove(*key);
        }
    }
    for (key, value) in baken {
        let merged = match (key.as_str(), out.remove(&key)) {
            ("status", Some(Value::String(given)))
                if ServiceStatus::from_hsds(&given)
                    == value.as_str().and_then(ServiceStatus::from_hsds) =>
            {
                Value::String(given)
            }
            ("location_type" | "external_identifier" | "external_identifier_type", Some(given)) => {
                given
            }
            // Baken trims what it stores; the publisher's spacing stays.
            (_, Some(Value::String(given))) if value.as_str() == Some(given.trim()) => {
                Value::String(given)
            }
            ("phones", Some(given)) => first_overlaid(given, value, &["number"]),
            ("schedules", Some(given)) => first_overlaid(given, value, &["description"]),
            ("addresses", Some(given)) => {
                first_overlaid(given, value, &["address_1", "city", "postal_code"])
            }
            ("attributes", Some(Value::Array(given))) => {
                let baken_terms = baken_terms();
                let mut all: Vec<Value> = given
                    .into_iter()
                    .filter(|a| !baken_terms.contains_key(&s(a, "taxonomy_term_id")))
                    .collect();
                all.extend(value.as_array().cloned().unwrap_or_default());
                Value::Array(all)
            }
            ("service_areas", Some(Value::Array(given))) => {
                let kept_areas: Vec<Value> = given
                    .into_iter()
                    .filter(|a| s(a, "extent_type") != "cbs_wijkcode")
                    .collect();
                let names: Vec<String> = kept_areas
                    .iter()
                    .map(|a| s(a, "name").to_lowercase())
                    .collect();
                let mut all = kept_areas;
                all.extend(
                    value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|a| !names.contains(&s(a, "name").to_lowercase()))
                        .cloned(),
                );
                Value::Array(all)
            }
            ("cost_options", Some(Value::Array(given))) => {
                let mut all: Vec<Value> = given
                    .into_iter()
                    .filter(|c| {
                        CostUnit::parse(&s(c, "option")).is_err()
                            || !matches!(s(c, "currency").as_str(), "" | "EUR")
                            || c.get("amount").is_none()
                    })
                    .collect();
                all.extend(value.as_array().cloned().unwrap_or_default());
                Value::Array(all)
            }
            _ => value,
        };
        out.insert(key, merged);
    }
    // A given list Baken models but no longer has a value for keeps the rest.
    if let Some(Value::Array(attrs)) = out.get_mut("attributes") {
        let baken_terms = baken_terms();
        attrs.retain(|a| {
            !baken_terms.contains_key(&s(a, "taxonomy_term_id")) || a.get("id").is_some()
        });
    }
    Value::Object(out)
}

/// The publisher's list with Baken's value in `fields` of its first element.
fn first_overlaid(given: Value, baken: Value, fields: &[&str]) -> Value {
    let Value::Array(mut given) = given else {
        return baken;
    };
    let Some(first) = given.first_mut().and_then(Value::as_object_mut) else {
        return baken;
    };
    for f in fields {
        if let Some(v) = baken.get(0).and_then(|b| b.get(*f)) {
            first.insert((*f).to_owned(), v.clone());
        }
    }
    Value::Array(given)
}

/// An organisation in HSDS shape over what its publisher gave (`raw`).
pub fn organization_json_kept(o: &Organization, raw: Option<&str>) -> Value {
    overlay(
        raw,
        organization_json(o),
        &["description", "website", "email"],
    )
}

/// A location in HSDS shape over what its publisher gave (`raw`).
pub fn location_json_kept(l: &Location, raw: Option<&str>) -> Value {
    overlay(raw, location_json(l), &[])
}

/// One organisation in HSDS shape.
pub fn organization_json(o: &Organization) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::from(o.uuid.clone()));
    m.insert("name".into(), Value::from(o.name.clone()));
    m.insert("description".into(), Value::from(o.description.clone()));
    put(&mut m, "website", &o.website);
    put(&mut m, "email", &o.email);
    Value::Object(m)
}

/// One location in HSDS shape.
pub fn location_json(l: &Location) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::from(l.uuid.clone()));
    m.insert("location_type".into(), Value::from("physical"));
    m.insert("name".into(), Value::from(l.name.clone()));
    if let Some(d) = &l.district_code {
        m.insert("external_identifier".into(), Value::from(d.clone()));
        m.insert(
            "external_identifier_type".into(),
            Value::from("cbs_wijkcode"),
        );
    }
    if !l.address.is_empty() {
        m.insert(
            "addresses".into(),
            json!([{
                "id": derived_uuid(&format!("{}:address", l.uuid)), "location_id": l.uuid,
                "address_1": l.address, "city": l.city, "state_province": "", "postal_code": l.postcode,
                "country": "NL", "address_type": "physical",
            }]),
        );
    }
    Value::Object(m)
}

fn attribute(service_uuid: &str, tax: &str, code: &str) -> Value {
    let term = term_id(tax, code);
    json!({
        "id": derived_uuid(&format!("{service_uuid}:attribute:{term}")), "link_id": service_uuid,
        "link_type": "service", "link_entity": "service", "taxonomy_term_id": term, "value": code,
    })
}

/// One service in HSDS shape. `district_names` names the service areas.
pub fn service_json(
    s: &MapService,
    org_uuid: &str,
    district_names: &HashMap<String, String>,
    with_locations: bool,
) -> Value {
    let v = &s.service;
    let id = &s.uuid;
    let mut m = Map::new();
    m.insert("id".into(), Value::from(id.clone()));
    m.insert("organization_id".into(), Value::from(org_uuid));
    m.insert("name".into(), Value::from(v.name.clone()));
    m.insert("description".into(), Value::from(v.description.clone()));
    m.insert("status".into(), Value::from(v.status.hsds()));
    put(&mut m, "url", &v.website);
    put(&mut m, "email", &v.email);
    put(&mut m, "application_process", &v.how_to_apply);
    put(&mut m, "eligibility_description", &v.eligibility);
    put(&mut m, "wait_time", &v.capacity);
    if let Some(a) = v.ages.min() {
        m.insert("minimum_age".into(), Value::from(a));
    }
    if let Some(a) = v.ages.max() {
        m.insert("maximum_age".into(), Value::from(a));
    }
    if !v.phone.is_empty() {
        m.insert("phones".into(), json!([{ "id": derived_uuid(&format!("{id}:phone")), "service_id": id, "number": v.phone }]));
    }
    if !v.schedule.is_empty() {
        m.insert("schedules".into(), json!([{ "id": derived_uuid(&format!("{id}:schedule")), "service_id": id, "description": v.schedule }]));
    }
    if !v.districts.is_empty() {
        let areas: Vec<Value> = v
            .districts
            .iter()
            .map(|d| {
                let code = d.as_str();
                json!({
                    "id": derived_uuid(&format!("{id}:area:{code}")), "service_id": id,
                    "name": district_names.get(code).cloned().unwrap_or_else(|| code.to_owned()),
                    "extent": code, "extent_type": "cbs_wijkcode",
                })
            })
            .collect();
        m.insert("service_areas".into(), Value::Array(areas));
    }
    if let (Some(cents), Some(unit)) = (v.cost_cents, v.cost_unit) {
        m.insert(
            "cost_options".into(),
            json!([{
                "id": derived_uuid(&format!("{id}:cost")), "service_id": id, "currency": "EUR",
                "amount": cents as f64 / 100.0, "option": unit.label(),
                "amount_description": format!("Kosten voor de gemeente {}", unit.label()),
            }]),
        );
    }
    // Facts only suggested (an import waiting for a beheerder) are not facts yet.
    if s.classified {
        let mut attrs: Vec<Value> = v
            .domains
            .iter()
            .map(|d| attribute(id, "levensdomein", d.as_str()))
            .collect();
        attrs.push(attribute(id, "trede", &v.step.value().to_string()));
        attrs.push(attribute(id, "vorm", v.form.label()));
        attrs.push(attribute(id, "toegang", v.access.as_str()));
        attrs.push(attribute(id, "bereik", v.reach.as_str()));
        if v.volunteering {
            attrs.push(attribute(id, "soort", "vrijwilligerswerk"));
        }
        m.insert("attributes".into(), Value::Array(attrs));
    }
    if with_locations && !s.locations.is_empty() {
        let sals: Vec<Value> = s
            .locations
            .iter()
            .map(|l| json!({ "id": l.uuid, "service_id": id, "location_id": l.location.uuid, "location": location_json(&l.location) }))
            .collect();
        m.insert("service_at_locations".into(), Value::Array(sals));
    }
    overlay(s.hsds.as_deref(), Value::Object(m), SERVICE_OWNED)
}

/// The publisher's service fields Baken models.
const SERVICE_OWNED: &[&str] = &[
    "url",
    "email",
    "application_process",
    "eligibility_description",
    "wait_time",
    "minimum_age",
    "maximum_age",
];

/// Every taxonomy and term the map knows: Baken's own and those other
/// publishers' imports brought (kept as given).
pub async fn all_taxonomies(
    tx: &mut baken_store::Tx,
) -> Result<(Vec<Value>, Vec<Value>), StoreError> {
    let (mut taxonomies, mut terms) = taxonomy_json();
    let parse = |(_, body): &(String, String)| serde_json::from_str::<Value>(body).ok();
    taxonomies.extend(
        kaart::kept_objects(tx, "taxonomy")
            .await?
            .iter()
            .filter_map(parse),
    );
    terms.extend(
        kaart::kept_objects(tx, "taxonomy_term")
            .await?
            .iter()
            .filter_map(parse),
    );
    Ok((taxonomies, terms))
}

/// What a publisher kept beside Baken's rows, read once for an export or a
/// page of the API.
#[derive(Debug, Default)]
pub struct Kept {
    pub organizations: HashMap<String, String>,
    pub locations: HashMap<String, String>,
    pub service_at_locations: HashMap<String, String>,
}

impl Kept {
    pub async fn read(tx: &mut baken_store::Tx) -> Result<Kept, StoreError> {
        Ok(Kept {
            organizations: kaart::kept_hsds(tx, HsdsKept::Organization).await?,
            locations: kaart::kept_hsds(tx, HsdsKept::Location).await?,
            service_at_locations: kaart::kept_hsds(tx, HsdsKept::ServiceAtLocation).await?,
        })
    }

    /// A service-at-location (with its location nested when `nested`).
    pub fn service_at_location(
        &self,
        service_uuid: &str,
        l: &baken_store::kaart::ServiceLocation,
        nested: bool,
    ) -> Value {
        let mut v =
            json!({ "id": l.uuid, "service_id": service_uuid, "location_id": l.location.uuid });
        if nested {
            v["location"] = location_json_kept(
                &l.location,
                self.locations.get(&l.location.uuid).map(String::as_str),
            );
        }
        overlay(
            self.service_at_locations.get(&l.uuid).map(String::as_str),
            v,
            &[],
        )
    }

    /// A service with its service-at-locations and their locations nested.
    pub fn service_with_locations(
        &self,
        s: &MapService,
        org_uuid: &str,
        district_names: &HashMap<String, String>,
    ) -> Value {
        let mut v = service_json(s, org_uuid, district_names, false);
        if !s.locations.is_empty() {
            v["service_at_locations"] = Value::Array(
                s.locations
                    .iter()
                    .map(|l| self.service_at_location(&s.uuid, l, true))
                    .collect(),
            );
        }
        v
    }
}

pub async fn district_names(db: &Db) -> Result<HashMap<String, String>, StoreError> {
    let mut tx = db.read().await?;
    Ok(areas::districts(&mut tx)
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

/// The whole map as one HSDS document. The caller audits the export.
pub async fn export(db: &Db) -> Result<Value, StoreError> {
    let names = district_names(db).await?;
    let mut tx = db.read().await?;
    let orgs = kaart::organizations(&mut tx).await?;
    let services = kaart::services(&mut tx, None).await?;
    let locations = kaart::locations(&mut tx).await?;
    let kept_objects = Kept::read(&mut tx).await?;
    let foreign_taxonomies = kaart::kept_objects(&mut tx, "taxonomy").await?;
    let foreign_terms = kaart::kept_objects(&mut tx, "taxonomy_term").await?;
    drop(tx);
    let org_uuid: HashMap<i64, &str> = orgs
        .iter()
        .map(|o| (o.provider_id, o.uuid.as_str()))
        .collect();
    let mut sals: Vec<Value> = Vec::new();
    let services_json: Vec<Value> = services
        .iter()
        .map(|s| {
            for l in &s.locations {
                sals.push(kept_objects.service_at_location(&s.uuid, l, false));
            }
            service_json(
                s,
                org_uuid.get(&s.provider_id).copied().unwrap_or_default(),
                &names,
                false,
            )
        })
        .collect();
    sals.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let (mut taxonomies, mut terms) = taxonomy_json();
    let parse = |(_, body): &(String, String)| serde_json::from_str::<Value>(body).ok();
    taxonomies.extend(foreign_taxonomies.iter().filter_map(parse));
    terms.extend(foreign_terms.iter().filter_map(parse));
    Ok(json!({
        "organizations": orgs
            .iter()
            .map(|o| organization_json_kept(o, kept_objects.organizations.get(&o.uuid).map(String::as_str)))
            .collect::<Vec<_>>(),
        "services": services_json,
        "locations": locations
            .iter()
            .map(|l| location_json_kept(l, kept_objects.locations.get(&l.uuid).map(String::as_str)))
            .collect::<Vec<_>>(),
        "service_at_locations": sals,
        "taxonomies": taxonomies,
        "taxonomy_terms": terms,
    }))
}

/// The export as text: pretty JSON with a final newline, the same bytes every
/// time for the same map. The caller audits the export.
pub async fn export_text(db: &Db) -> Result<String, StoreError> {
    let doc = export(db).await?;
    let mut text =
        serde_json::to_string_pretty(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Validates a document of any HSDS shape against the official schemas (and
/// that every web address is http or https); every problem with its path.
pub fn validate(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    control_characters(doc, "$", &mut problems);
    if !problems.is_empty() {
        return problems;
    }
    match input::into_bundle(doc.clone(), None) {
        Ok(bundle) => duplicate_ids(&bundle),
        Err(problems) => problems,
    }
}

/// Every string (and key) holding a control character, by JSON path: refused
/// the same on both backends (PostgreSQL cannot store a NUL, SQLite would).
pub(crate) fn control_characters(v: &Value, path: &str, problems: &mut Vec<Problem>) {
    use baken_domain::text::check_text;
    match v {
        Value::String(text) => {
            if let Err(e) = check_text(text) {
                problems.push(Problem {
                    path: path.to_owned(),
                    message: e.to_string(),
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                control_characters(item, &format!("{path}[{i}]"), problems);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let here = format!("{path}.{key}");
                if let Err(e) = check_text(key) {
                    problems.push(Problem {
                        path: here.clone(),
                        message: format!("the key {e}"),
                    });
                }
                control_characters(item, &here, problems);
            }
        }
        _ => {}
    }
}

/// In Baken's bundle an id is used once per list.
fn duplicate_ids(bundle: &Bundle) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !bundle.strict_ids {
        return problems;
    }
    for list in bundle_lists(bundle) {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for item in list.iter().filter(|i| input::is_bundle_path(&i.path)) {
            let id = s(&item.value, "id");
            if let Some(first) = seen.insert(id.clone(), &item.path) {
                problems.push(Problem {
                    path: format!("{}.id", item.path),
                    message: format!("id {id} is used twice (also at {first})"),
                });
            }
        }
    }
    problems
}

fn bundle_lists(b: &Bundle) -> [&Vec<Item>; 6] {
    [
        &b.organizations,
        &b.services,
        &b.locations,
        &b.service_at_locations,
        &b.taxonomies,
        &b.taxonomy_terms,
    ]
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub organizations: usize,
    pub services_created: usize,
    pub services_updated: usize,
    /// Services without Baken's own facts: waiting in the beheer queue.
    pub services_to_classify: usize,
    pub locations: usize,
    pub service_at_locations: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is invalid ({} problems); nothing was imported", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn list<'a>(doc: &'a Value, key: &str) -> &'a [Value] {
    doc.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn s(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

fn field_path(base: &str, e: &ServiceError) -> String {
    let sub = match e {
        ServiceError::Name => "name",
        ServiceError::Description => "description",
        ServiceError::Cost | ServiceError::CostWithoutUnit | ServiceError::Unit(_) => {
            "cost_options"
        }
        ServiceError::Ages => "minimum_age",
        ServiceError::District(_) => "service_areas",
        ServiceError::Status(_) => "status",
        ServiceError::Email(_) => "email",
        ServiceError::Website(_) => "url",
        ServiceError::TooLong(f) => match *f {
            "tijden" => "schedules",
            "voorwie" => "eligibility_description",
            "aanmelden" => "application_process",
            "capaciteit" => "wait_time",
            "telefoon" => "phones",
            _ => "url",
        },
        _ => "attributes",
    };
    format!("{base}.{sub}")
}

/// For facts that travel as attributes: which Baken taxonomy to use.
fn taxonomy_hint(e: &ServiceError) -> String {
    let taxonomy = match e {
        ServiceError::NoDomain | ServiceError::Domain(_) => "levensdomein",
        ServiceError::Step | ServiceError::VolunteeringTooHeavy => "trede",
        ServiceError::Form => "vorm",
        ServiceError::Access(_)
        | ServiceError::StepFiveNeedsDecision
        | ServiceError::DecisionOnlyOnStepFive => "toegang",
        ServiceError::Reach(_) | ServiceError::CollectiveMaatwerk => "bereik",
        _ => return String::new(),
    };
    let name = TAXONOMIES
        .iter()
        .find(|t| t.0 == taxonomy)
        .map(|t| t.1)
        .unwrap_or(taxonomy);
    format!(" (give it as an attribute whose taxonomy_term_id names a term of the taxonomy '{name}', id {}; `baken kaart export` shows them)", taxonomy_id(taxonomy))
}

struct ParsedService {
    uuid: String,
    org_uuid: String,
    service: baken_domain::kaart::Service,
    /// Baken's own facts came in the file (Baken's taxonomies).
    classified: bool,
    /// Why the facts were suggested, when they were.
    note: String,
    raw: Value,
}

/// Every term of Baken's taxonomies by its id: (taxonomy key, code).
fn baken_terms() -> HashMap<String, (&'static str, String)> {
    terms()
        .into_iter()
        .map(|(tax, code, _)| (term_id(tax, &code), (tax, code)))
        .collect()
}

fn is_baken_taxonomy(id: &str) -> bool {
    TAXONOMIES.iter().any(|(k, _, _)| taxonomy_id(k) == id)
}

/// A whole number as text ("12"), for the draft's age fields.
fn whole_number(v: Option<&Value>) -> String {
    match v.and_then(Value::as_f64) {
        Some(n) if n.fract() == 0.0 => format!("{}", n as i64),
        Some(n) => n.to_string(),
        None => String::new(),
    }
}

/// Reads a bundle into Baken's terms, or every problem with its path.
/// `districts` are the municipality's districts (code, name): a service area
/// that is not a CBS code is mapped where its name is a district's.
fn interpret(
    bundle: &Bundle,
    districts: &[(String, String)],
) -> Result<Vec<ParsedService>, Vec<Problem>> {
    let mut problems = Vec::new();
    let baken = baken_terms();
    // Terms in the file, by id: Baken's (taxonomy key, code) or another's name.
    let mut term_name: HashMap<String, String> = HashMap::new();
    for t in &bundle.taxonomy_terms {
        term_name.insert(s(&t.value, "id"), s(&t.value, "name"));
    }
    let orgs: Vec<String> = bundle
        .organizations
        .iter()
        .map(|o| s(&o.value, "id"))
        .collect();
    let mut out = Vec::new();
    for item in &bundle.services {
        let v = &item.value;
        let base = &item.path;
        let org_uuid = s(v, "organization_id");
        if !orgs.contains(&org_uuid) {
            problems.push(Problem {
                path: format!("{base}.organization_id"),
                message: "must name an organization in this file (as organization_id, or nested as organization)".into(),
            });
        }
        let mut draft = ServiceDraft {
            name: s(v, "name"),
            description: s(v, "description"),
            status: match ServiceStatus::from_hsds(&s(v, "status")) {
                Some(st) => st.as_str().to_owned(),
                None => s(v, "status"),
            },
            website: s(v, "url"),
            email: s(v, "email"),
            how_to_apply: s(v, "application_process"),
            eligibility: s(v, "eligibility_description"),
            capacity: s(v, "wait_time"),
            min_age: whole_number(v.get("minimum_age")),
            max_age: whole_number(v.get("maximum_age")),
            ..ServiceDraft::default()
        };
        if let Some(p) = list(v, "phones").first() {
            draft.phone = s(p, "number");
        }
        if let Some(p) = list(v, "schedules").first() {
            draft.schedule = s(p, "description");
        }
        let mut notes = Vec::new();
        for a in list(v, "service_areas") {
            let extent = s(a, "extent");
            let name = s(a, "name");
            if s(a, "extent_type") == "cbs_wijkcode" {
                draft.districts.push(extent);
            } else if let Some((code, _)) = districts
                .iter()
                .find(|(_, n)| n.trim().eq_ignore_ascii_case(name.trim()))
            {
                draft.districts.push(code.clone());
            } else if let Some((code, _)) = districts.iter().find(|(c, _)| *c == extent) {
                draft.districts.push(code.clone());
            } else {
                notes.push(format!(
                    "Werkgebied '{}' is geen wijk van de gemeente; het blijft als tekst bewaard.",
                    if name.is_empty() { &extent } else { &name }
                ));
            }
        }
        for c in list(v, "cost_options") {
            let amount = c.get("amount").and_then(Value::as_f64);
            let currency = s(c, "currency");
            if let (Some(amount), Ok(unit), true) = (
                amount,
                CostUnit::parse(&s(c, "option")),
                currency.is_empty() || currency == "EUR",
            ) {
                let cents = (amount * 100.0).round() as i64;
                draft.cost = format!("{},{:02}", cents / 100, cents % 100);
                draft.cost_unit = unit.as_str().to_owned();
                break;
            }
        }
        let mut has_baken_facts = false;
        let mut other_terms = Vec::new();
        for a in list(v, "attributes") {
            let id = match a.get("taxonomy_term") {
                Some(t) if t.is_object() => s(t, "id"),
                _ => s(a, "taxonomy_term_id"),
            };
            match baken.get(&id) {
                Some((tax, code)) => {
                    has_baken_facts = true;
                    match *tax {
                        "levensdomein" => draft.domains.push(code.clone()),
                        "trede" => draft.step = code.clone(),
                        "vorm" => draft.form = code.clone(),
                        "toegang" => draft.access = code.clone(),
                        "bereik" => draft.reach = code.clone(),
                        _ => draft.volunteering = true,
                    }
                }
                None => {
                    let name = a
                        .get("taxonomy_term")
                        .map(|t| s(t, "name"))
                        .filter(|n| !n.is_empty())
                        .or_else(|| term_name.get(&id).cloned())
                        .unwrap_or_else(|| s(a, "value"));
                    if !name.is_empty() {
                        other_terms.push(name);
                    }
                }
            }
        }
        let note = if has_baken_facts {
            String::new()
        } else {
            let suggestion = suggest_classification(&other_terms, &draft.name, &draft.description);
            suggestion.fill(&mut draft);
            if draft.description.trim().chars().count() < 10 {
                draft.description = format!("{} (geen omschrijving aangeleverd)", draft.name);
            }
            notes.splice(0..0, suggestion.reasons);
            notes.join("\n")
        };
        match draft.parse() {
            Ok(service) => out.push(ParsedService {
                uuid: s(v, "id"),
                org_uuid,
                service,
                classified: has_baken_facts,
                note,
                raw: v.clone(),
            }),
            Err(errs) => {
                for e in errs {
                    problems.push(Problem {
                        path: field_path(base, &e),
                        message: format!("{e}{}", taxonomy_hint(&e)),
                    });
                }
            }
        }
    }
    let services: Vec<String> = bundle.services.iter().map(|v| s(&v.value, "id")).collect();
    let locations: Vec<String> = bundle.locations.iter().map(|v| s(&v.value, "id")).collect();
    for sal in &bundle.service_at_locations {
        if !services.contains(&s(&sal.value, "service_id")) {
            problems.push(Problem {
                path: format!("{}.service_id", sal.path),
                message: "must name a service in this file".into(),
            });
        }
        if !locations.contains(&s(&sal.value, "location_id")) {
            problems.push(Problem {
                path: format!("{}.location_id", sal.path),
                message: "must name a location in this file".into(),
            });
        }
    }
    for o in &bundle.organizations {
        if let Err(errors) = ProviderDetails::parse(
            &s(&o.value, "description"),
            &s(&o.value, "website"),
            &s(&o.value, "email"),
        ) {
            for e in errors {
                let field = match e.field() {
                    "website" => "website",
                    "email" => "email",
                    _ => "description",
                };
                problems.push(Problem {
                    path: format!("{}.{field}", o.path),
                    message: e.to_string(),
                });
            }
        }
    }
    problems.extend(duplicate_ids(bundle));
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn text_of(v: &Value) -> String {
    v.to_string()
}

/// Imports a document of any HSDS shape (see [`input`]): validated against the
/// schemas, then read into Baken's terms; on any problem nothing is written.
/// Otherwise, in one transaction with its audit entry, organisations,
/// locations and services are created or (same id) changed, each keeping the
/// publisher's object for what Baken does not model. Services without Baken's
/// own facts get suggested ones and wait for a beheerder ("nog in te delen");
/// a service a beheerder already classified keeps its facts. Services missing
/// from the file are left as they are.
pub async fn import(
    db: &Db,
    doc: &Value,
    audit_entry: AuditEntry,
) -> Result<ImportSummary, ImportError> {
    let bundle = input::into_bundle(doc.clone(), None).map_err(ImportError::Invalid)?;
    import_bundle(db, &bundle, audit_entry).await
}

/// Imports a bundle read by [`input::read_path`] (or [`input::into_bundle`]).
pub async fn import_bundle(
    db: &Db,
    bundle: &Bundle,
    mut audit_entry: AuditEntry,
) -> Result<ImportSummary, ImportError> {
    let districts: Vec<(String, String)> = {
        let mut tx = db.read().await?;
        areas::districts(&mut tx)
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect()
    };
    let parsed = interpret(bundle, &districts).map_err(ImportError::Invalid)?;
    let mut summary = ImportSummary::default();
    let mut tx = db.begin().await?;
    let providers = areas::providers(&mut tx).await?;
    let existing_orgs = kaart::organizations(&mut tx).await?;
    // An organisation Baken knows (same id) under another name is renamed —
    // unless another provider has that name: then nothing is imported.
    let mut renames: Vec<(i64, String, String)> = Vec::new();
    let mut problems = Vec::new();
    for o in &bundle.organizations {
        let name = s(&o.value, "name");
        if name.trim().is_empty() {
            problems.push(Problem {
                path: format!("{}.name", o.path),
                message: "must not be empty".into(),
            });
            continue;
        }
        if let Some(e) = existing_orgs.iter().find(|e| e.uuid == s(&o.value, "id")) {
            if e.name != name {
                if providers
                    .iter()
                    .any(|p| p.name == name && p.id != e.provider_id)
                {
                    problems.push(Problem {
                        path: format!("{}.name", o.path),
                        message: format!(
                            "another organisation is already called '{name}'; this one (id {}) is '{}'",
                            e.uuid, e.name
                        ),
                    });
                } else {
                    renames.push((e.provider_id, e.name.clone(), name));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    for (pid, old, new) in &renames {
        kaart::rename_provider(&mut tx, *pid, new).await?;
        let mut e = audit_entry.clone();
        e.action = AuditAction::Update;
        e.object_type = Some("provider".into());
        e.object_id = Some(pid.to_string());
        e.detail = format!("naam '{old}' → '{new}' (HSDS 3.0-import)");
        audit::append(&mut tx, &e).await?;
    }
    let mut provider_of: HashMap<String, i64> = HashMap::new();
    for o in &bundle.organizations {
        let uuid = s(&o.value, "id");
        let name = s(&o.value, "name");
        let pid = match existing_orgs.iter().find(|e| e.uuid == uuid) {
            Some(e) => e.provider_id,
            None => match providers.iter().find(|p| p.name == name) {
                Some(p) => p.id,
                None => areas::create_provider(&mut tx, &name, "aanbieder").await?,
            },
        };
        let details = ProviderDetails::parse(
            &s(&o.value, "description"),
            &s(&o.value, "website"),
            &s(&o.value, "email"),
        )
        .map_err(|_| StoreError::Corrupt("organisation details checked above".into()))?;
        kaart::upsert_organization(
            &mut tx,
            pid,
            &uuid,
            details.description(),
            details.website(),
            details.email(),
        )
        .await?;
        kaart::set_kept_hsds(&mut tx, HsdsKept::Organization, &uuid, &text_of(&o.value)).await?;
        provider_of.insert(uuid, pid);
        summary.organizations += 1;
    }
    let mut location_id: HashMap<String, i64> = HashMap::new();
    for item in &bundle.locations {
        let l = &item.value;
        let addr = list(l, "addresses").first().cloned().unwrap_or(Value::Null);
        let loc = Location {
            id: 0,
            uuid: s(l, "id"),
            name: s(l, "name"),
            address: s(&addr, "address_1"),
            postcode: s(&addr, "postal_code"),
            city: s(&addr, "city"),
            district_code: Some(s(l, "external_identifier"))
                .filter(|d| !d.is_empty() && s(l, "external_identifier_type") == "cbs_wijkcode"),
        };
        location_id.insert(
            loc.uuid.clone(),
            kaart::upsert_location(&mut tx, &loc).await?,
        );
        kaart::set_kept_hsds(&mut tx, HsdsKept::Location, &loc.uuid, &text_of(l)).await?;
        summary.locations += 1;
    }
    let mut service_id: HashMap<String, i64> = HashMap::new();
    for p in &parsed {
        let pid = provider_of
            .get(&p.org_uuid)
            .copied()
            .ok_or_else(|| StoreError::Corrupt("organisation vanished".into()))?;
        let existing = match kaart::service_id_by_uuid(&mut tx, &p.uuid).await? {
            Some(id) => kaart::service(&mut tx, id).await?,
            None => None,
        };
        let mut service = p.service.clone();
        let mut classified = p.classified;
        let mut note = p.note.clone();
        // A beheerder's classification outlives a file that does not carry it.
        if let (false, Some(current)) = (classified, &existing) {
            if current.classified {
                let mut draft = service.to_draft();
                let theirs = current.service.to_draft();
                draft.domains = theirs.domains;
                draft.step = theirs.step;
                draft.form = theirs.form;
                draft.reach = theirs.reach;
                draft.access = theirs.access;
                draft.volunteering = theirs.volunteering;
                if let Ok(kept) = draft.parse() {
                    service = kept;
                    classified = true;
                    note.clear();
                }
            }
        }
        let id = match existing {
            Some(current) => {
                kaart::update_service(&mut tx, current.id, current.version, &service).await?;
                summary.services_updated += 1;
                current.id
            }
            None => {
                summary.services_created += 1;
                kaart::create_service(&mut tx, pid, Some(&p.uuid), &service).await?
            }
        };
        if !classified {
            summary.services_to_classify += 1;
        }
        kaart::set_service_import(&mut tx, id, &text_of(&p.raw), classified, &note).await?;
        service_id.insert(p.uuid.clone(), id);
    }
    for sal in &bundle.service_at_locations {
        if let (Some(&sid), Some(&lid)) = (
            service_id.get(&s(&sal.value, "service_id")),
            location_id.get(&s(&sal.value, "location_id")),
        ) {
            let uuid = s(&sal.value, "id");
            kaart::link_location(&mut tx, &uuid, sid, lid).await?;
            kaart::set_kept_hsds(
                &mut tx,
                HsdsKept::ServiceAtLocation,
                &uuid,
                &text_of(&sal.value),
            )
            .await?;
            summary.service_at_locations += 1;
        }
    }
    let baken = baken_terms();
    for t in &bundle.taxonomies {
        let id = s(&t.value, "id");
        if !is_baken_taxonomy(&id) {
            kaart::upsert_kept_object(&mut tx, "taxonomy", &id, &text_of(&t.value)).await?;
        }
    }
    for t in &bundle.taxonomy_terms {
        let id = s(&t.value, "id");
        if !baken.contains_key(&id) {
            kaart::upsert_kept_object(&mut tx, "taxonomy_term", &id, &text_of(&t.value)).await?;
        }
    }
    for (table, item) in &bundle.unlinked_rows {
        kaart::upsert_kept_object(&mut tx, table, &s(&item.value, "id"), &text_of(&item.value))
            .await?;
    }
    audit_entry.detail = format!(
        "HSDS 3.0-import: {} organisaties ({} hernoemd), {} voorzieningen nieuw, {} gewijzigd, {} nog in te delen, {} locaties",
        summary.organizations,
        renames.len(),
        summary.services_created,
        summary.services_updated,
        summary.services_to_classify,
        summary.locations
    );
    audit::append(&mut tx, &audit_entry).await?;
    tx.commit().await?;
    Ok(summary)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_valid_uuids() {
        let a = derived_uuid("x");
        assert_eq!(a, derived_uuid("x"));
        assert_ne!(a, derived_uuid("y"));
        assert!(schema::is_uuid(&a));
    }

    #[test]
    fn the_taxonomies_validate_and_cover_every_domain_and_step() {
        let (taxonomies, terms) = taxonomy_json();
        let doc = json!({ "taxonomies": taxonomies, "taxonomy_terms": terms });
        assert_eq!(validate(&doc), vec![]);
        assert_eq!(terms.len(), 13 + 5 + 4 + 2 + 2 + 1);
    }

    #[test]
    fn a_document_that_is_not_an_object_or_has_unknown_lists_is_refused() {
        assert_eq!(validate(&json!([]))[0].path, "$");
        let p = validate(&json!({ "services": [], "servicez": [] }));
        assert_eq!(p[0].path, "$.servicez");
        assert_eq!(validate(&json!({ "services": {} }))[0].path, "$.services");
        // A single object of another shape is checked against its own schema.
        assert_eq!(validate(&json!({ "name": "x" }))[0].path, "$");
    }
}
