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

pub mod schema;

use baken_domain::casework::LifeDomain;
use baken_domain::kaart::{
    CostUnit, Reach, ServiceAccess, ServiceDraft, ServiceError, ServiceStatus,
};
use baken_domain::{AuditAction, AuditEntry, LadderStep, SupportForm};
use baken_store::kaart::{self, Location, MapService, Organization};
use baken_store::{areas, audit, Db, StoreError};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

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

fn taxonomy_json() -> (Vec<Value>, Vec<Value>) {
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
    if with_locations && !s.locations.is_empty() {
        let sals: Vec<Value> = s
            .locations
            .iter()
            .map(|l| json!({ "id": l.uuid, "service_id": id, "location_id": l.location.uuid, "location": location_json(&l.location) }))
            .collect();
        m.insert("service_at_locations".into(), Value::Array(sals));
    }
    Value::Object(m)
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
                sals.push(
                    json!({ "id": l.uuid, "service_id": s.uuid, "location_id": l.location.uuid }),
                );
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
    let (taxonomies, terms) = taxonomy_json();
    Ok(json!({
        "organizations": orgs.iter().map(organization_json).collect::<Vec<_>>(),
        "services": services_json,
        "locations": locations.iter().map(location_json).collect::<Vec<_>>(),
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

/// The lists of a document and the schema each element must satisfy.
const LISTS: &[(&str, &str)] = &[
    ("organizations", "organization.json"),
    ("services", "service.json"),
    ("locations", "location.json"),
    ("service_at_locations", "service_at_location.json"),
    ("taxonomies", "taxonomy.json"),
    ("taxonomy_terms", "taxonomy_term.json"),
];

/// Validates a whole document against the official schemas.
pub fn validate(doc: &Value) -> Vec<Problem> {
    let schemas = Schemas::load();
    let mut problems = Vec::new();
    control_characters(doc, "$", &mut problems);
    let Some(obj) = doc.as_object() else {
        return vec![Problem {
            path: "$".into(),
            message: "must be a JSON object with HSDS lists (organizations, services, …)".into(),
        }];
    };
    for key in obj.keys() {
        if !LISTS.iter().any(|(k, _)| k == key) {
            let allowed: Vec<&str> = LISTS.iter().map(|(k, _)| *k).collect();
            problems.push(Problem {
                path: format!("$.{key}"),
                message: format!("unknown list; allowed are {}", allowed.join(", ")),
            });
        }
    }
    for (key, schema) in LISTS {
        match obj.get(*key) {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    schemas.validate(schema, item, &format!("$.{key}[{i}]"), &mut problems);
                }
            }
            Some(_) => problems.push(Problem {
                path: format!("$.{key}"),
                message: "must be an array".into(),
            }),
        }
    }
    problems
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub organizations: usize,
    pub services_created: usize,
    pub services_updated: usize,
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
}

/// Every string (and key) holding a control character, by JSON path: refused
/// the same on both backends (PostgreSQL cannot store a NUL, SQLite would).
fn control_characters(v: &Value, path: &str, problems: &mut Vec<Problem>) {
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

/// Reads a document into Baken's terms, or every problem with its path.
fn interpret(doc: &Value) -> Result<Vec<ParsedService>, Vec<Problem>> {
    let mut problems = Vec::new();
    // Terms in the file, by id: (taxonomy key, code).
    let mut term_of: HashMap<String, (String, String)> = HashMap::new();
    for t in list(doc, "taxonomy_terms") {
        let tax_id = s(t, "taxonomy_id");
        if let Some((key, _, _)) = TAXONOMIES.iter().find(|(k, _, _)| taxonomy_id(k) == tax_id) {
            term_of.insert(s(t, "id"), ((*key).to_owned(), s(t, "code")));
        }
    }
    let orgs: Vec<String> = list(doc, "organizations")
        .iter()
        .map(|o| s(o, "id"))
        .collect();
    let mut out = Vec::new();
    for (i, v) in list(doc, "services").iter().enumerate() {
        let base = format!("$.services[{i}]");
        let org_uuid = s(v, "organization_id");
        if !orgs.contains(&org_uuid) {
            problems.push(Problem {
                path: format!("{base}.organization_id"),
                message: "must name an organization in this file".into(),
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
            min_age: v
                .get("minimum_age")
                .map(|a| a.to_string())
                .unwrap_or_default(),
            max_age: v
                .get("maximum_age")
                .map(|a| a.to_string())
                .unwrap_or_default(),
            ..ServiceDraft::default()
        };
        if let Some(p) = list(v, "phones").first() {
            draft.phone = s(p, "number");
        }
        if let Some(p) = list(v, "schedules").first() {
            draft.schedule = s(p, "description");
        }
        draft.districts = list(v, "service_areas")
            .iter()
            .map(|a| s(a, "extent"))
            .collect();
        if let Some(c) = list(v, "cost_options").first() {
            if let Some(amount) = c.get("amount").and_then(Value::as_f64) {
                let cents = (amount * 100.0).round() as i64;
                draft.cost = format!("{},{:02}", cents / 100, cents % 100);
            }
            draft.cost_unit = match CostUnit::parse(&s(c, "option")) {
                Ok(u) => u.as_str().to_owned(),
                Err(_) => s(c, "option"),
            };
        }
        for (j, a) in list(v, "attributes").iter().enumerate() {
            let Some((tax, code)) = term_of.get(&s(a, "taxonomy_term_id")) else {
                problems.push(Problem {
                    path: format!("{base}.attributes[{j}].taxonomy_term_id"),
                    message: "must name a term of a Baken taxonomy in this file's taxonomy_terms"
                        .into(),
                });
                continue;
            };
            match tax.as_str() {
                "levensdomein" => draft.domains.push(code.clone()),
                "trede" => draft.step = code.clone(),
                "vorm" => draft.form = code.clone(),
                "toegang" => draft.access = code.clone(),
                "bereik" => draft.reach = code.clone(),
                _ => draft.volunteering = true,
            }
        }
        match draft.parse() {
            Ok(service) => out.push(ParsedService {
                uuid: s(v, "id"),
                org_uuid,
                service,
            }),
            Err(errs) => {
                for e in errs {
                    problems.push(Problem {
                        path: field_path(&base, &e),
                        message: format!("{e}{}", taxonomy_hint(&e)),
                    });
                }
            }
        }
    }
    let services: Vec<String> = list(doc, "services").iter().map(|v| s(v, "id")).collect();
    let locations: Vec<String> = list(doc, "locations").iter().map(|v| s(v, "id")).collect();
    for (i, sal) in list(doc, "service_at_locations").iter().enumerate() {
        if !services.contains(&s(sal, "service_id")) {
            problems.push(Problem {
                path: format!("$.service_at_locations[{i}].service_id"),
                message: "must name a service in this file".into(),
            });
        }
        if !locations.contains(&s(sal, "location_id")) {
            problems.push(Problem {
                path: format!("$.service_at_locations[{i}].location_id"),
                message: "must name a location in this file".into(),
            });
        }
    }
    let mut seen = BTreeMap::new();
    for (key, _) in LISTS {
        for (i, v) in list(doc, key).iter().enumerate() {
            let id = s(v, "id");
            if let Some(first) = seen.insert((key.to_string(), id.clone()), i) {
                problems.push(Problem {
                    path: format!("$.{key}[{i}].id"),
                    message: format!("id {id} is used twice (also at $.{key}[{first}])"),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Imports a document: validated against the schemas, then read into Baken's
/// terms; on any problem nothing is written. Otherwise, in one transaction with
/// its audit entry, organisations, locations and services are created or (same
/// id) changed. Services missing from the file are left as they are.
pub async fn import(
    db: &Db,
    doc: &Value,
    mut audit_entry: AuditEntry,
) -> Result<ImportSummary, ImportError> {
    let mut problems = validate(doc);
    if problems.is_empty() {
        if let Err(p) = interpret(doc) {
            problems = p;
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    let parsed = interpret(doc).map_err(ImportError::Invalid)?;
    let mut summary = ImportSummary::default();
    let mut tx = db.begin().await?;
    let providers = areas::providers(&mut tx).await?;
    let existing_orgs = kaart::organizations(&mut tx).await?;
    // An organisation Baken knows (same id) under another name is renamed —
    // unless another provider has that name: then nothing is imported.
    let mut renames: Vec<(i64, String, String)> = Vec::new();
    let mut problems = Vec::new();
    for (i, o) in list(doc, "organizations").iter().enumerate() {
        let name = s(o, "name");
        if name.trim().is_empty() {
            problems.push(Problem {
                path: format!("$.organizations[{i}].name"),
                message: "must not be empty".into(),
            });
            continue;
        }
        if let Some(e) = existing_orgs.iter().find(|e| e.uuid == s(o, "id")) {
            if e.name != name {
                if providers
                    .iter()
                    .any(|p| p.name == name && p.id != e.provider_id)
                {
                    problems.push(Problem {
                        path: format!("$.organizations[{i}].name"),
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
    for o in list(doc, "organizations") {
        let uuid = s(o, "id");
        let name = s(o, "name");
        let pid = match existing_orgs.iter().find(|e| e.uuid == uuid) {
            Some(e) => e.provider_id,
            None => match providers.iter().find(|p| p.name == name) {
                Some(p) => p.id,
                None => areas::create_provider(&mut tx, &name, "aanbieder").await?,
            },
        };
        kaart::upsert_organization(
            &mut tx,
            pid,
            &uuid,
            &s(o, "description"),
            &s(o, "website"),
            &s(o, "email"),
        )
        .await?;
        provider_of.insert(uuid, pid);
        summary.organizations += 1;
    }
    let mut location_id: HashMap<String, i64> = HashMap::new();
    for l in list(doc, "locations") {
        let addr = list(l, "addresses").first().cloned().unwrap_or(Value::Null);
        let loc = Location {
            id: 0,
            uuid: s(l, "id"),
            name: s(l, "name"),
            address: s(&addr, "address_1"),
            postcode: s(&addr, "postal_code"),
            city: s(&addr, "city"),
            district_code: Some(s(l, "external_identifier")).filter(|d| !d.is_empty()),
        };
        location_id.insert(
            loc.uuid.clone(),
            kaart::upsert_location(&mut tx, &loc).await?,
        );
        summary.locations += 1;
    }
    let mut service_id: HashMap<String, i64> = HashMap::new();
    for p in &parsed {
        let pid = provider_of
            .get(&p.org_uuid)
            .copied()
            .ok_or_else(|| StoreError::Corrupt("organisation vanished".into()))?;
        let id = match kaart::service_id_by_uuid(&mut tx, &p.uuid).await? {
            Some(id) => {
                let current = kaart::service(&mut tx, id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("service {id}")))?;
                kaart::update_service(&mut tx, id, current.version, &p.service).await?;
                summary.services_updated += 1;
                id
            }
            None => {
                summary.services_created += 1;
                kaart::create_service(&mut tx, pid, Some(&p.uuid), &p.service).await?
            }
        };
        service_id.insert(p.uuid.clone(), id);
    }
    for sal in list(doc, "service_at_locations") {
        if let (Some(&sid), Some(&lid)) = (
            service_id.get(&s(sal, "service_id")),
            location_id.get(&s(sal, "location_id")),
        ) {
            kaart::link_location(&mut tx, &s(sal, "id"), sid, lid).await?;
            summary.service_at_locations += 1;
        }
    }
    audit_entry.detail = format!(
        "HSDS 3.0-import: {} organisaties ({} hernoemd), {} voorzieningen nieuw, {} gewijzigd, {} locaties",
        summary.organizations,
        renames.len(),
        summary.services_created,
        summary.services_updated,
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
        let p = validate(&json!({ "servicez": [] }));
        assert_eq!(p[0].path, "$.servicez");
        assert_eq!(validate(&json!({ "services": {} }))[0].path, "$.services");
    }
}
