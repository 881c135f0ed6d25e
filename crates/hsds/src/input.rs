//! What other HSDS 3.0 publishers write, read into one shape.
//!
//! HSDS comes in several shapes: a single object (`organization_full`,
//! `service_full`, `service_at_location_full`, with nested objects), a paged
//! list (`{ "total_items": …, "contents": [...] }`), Baken's own bundle of
//! lists (`{ "organizations": [...], "services": [...], … }`), and the tabular
//! form (one CSV file per table, in a folder, or the same tables as JSON:
//! `{ "services.csv": [rows], … }`). [`read_document`] checks each against the
//! official schemas — every problem with its JSON path — and flattens it into a
//! [`Bundle`]: one list per entity, each object with the path it came from and
//! with its nested organisation, services, locations and service-at-locations
//! taken out (they are linked by id). Everything else an object carries stays
//! in it, so the export can give it back.
//!
//! Reading is bounded: a file over the size limit is refused before it is
//! read (and a file that grows while read, like `/dev/zero`, is cut off at the
//! limit), and the top-level lists are read element by element, each checked
//! against its schema as it arrives.

use crate::schema::{Problem, Schemas};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The default largest file `baken kaart import` reads (64 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// An HSDS object and the JSON path (or file and row) it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub path: String,
    pub value: Value,
}

/// A document flattened: one list per entity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bundle {
    pub organizations: Vec<Item>,
    pub services: Vec<Item>,
    pub locations: Vec<Item>,
    pub service_at_locations: Vec<Item>,
    pub taxonomies: Vec<Item>,
    pub taxonomy_terms: Vec<Item>,
    /// Rows of the tabular form that name nothing in their file (by table):
    /// kept as given, not linked to anything.
    pub unlinked_rows: Vec<(String, Item)>,
    /// Baken's own bundle: ids must be unique per list (nested shapes repeat
    /// an organisation legitimately, e.g. once per service).
    pub strict_ids: bool,
    /// Read from CSV files: per file, the line each row starts on.
    pub csv_lines: Vec<(String, Vec<u64>)>,
}

impl Bundle {
    /// Where a path is for a person: for the tabular form read from CSV
    /// files, `$['services.csv'][3].url` becomes `services.csv, line 5, field
    /// url`; any other path is returned as it is.
    pub fn place(&self, path: &str) -> String {
        csv_place(path, &self.csv_lines)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is larger than the limit of {limit} bytes; nothing was read (raise it with --max-bytes)")]
    TooLarge { path: String, limit: u64 },
    #[error("{path} is not {format}: line {line}, column {column}: {message}")]
    Syntax {
        path: String,
        /// "JSON" or "CSV".
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}; nothing was imported")]
    Archive { path: String, message: String },
    #[error("{path} has no {table}: the tabular form needs organizations.csv and services.csv; nothing was imported")]
    MissingTable { path: String, table: &'static str },
    #[error("{path}: {count} problems; nothing was imported")]
    Invalid {
        path: String,
        problems: Vec<Problem>,
        count: usize,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReadError + '_ {
    move |source| ReadError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Counts what passes through, so a cut-off read is told from a bad file.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Reads an HSDS file (JSON in any shape), a folder of HSDS CSV files or a zip
/// archive of them into a bundle, refusing anything over `max_bytes` (per
/// file; for a folder or an archive, all CSV files together, unpacked).
pub fn read_path(path: &Path, max_bytes: u64) -> Result<Bundle, ReadError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        return read_csv_folder(path, max_bytes);
    }
    if meta.is_file() && meta.len() > max_bytes {
        return Err(ReadError::TooLarge {
            path: path.display().to_string(),
            limit: max_bytes,
        });
    }
    if meta.is_file() {
        // A zip archive is told by its content (the local-header or the
        // empty archive's signature), not by its name.
        let mut magic = [0u8; 4];
        let mut head = std::fs::File::open(path).map_err(io(path))?;
        let n = head.read(&mut magic).map_err(io(path))?;
        let named_zip = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        if n == 4 && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06") {
            return read_csv_zip(path, max_bytes);
        }
        if named_zip {
            return Err(ReadError::Archive {
                path: path.display().to_string(),
                message: "is named .zip but is not a zip archive".into(),
            });
        }
    }
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut reader = Counting {
        inner: std::io::BufReader::new(file).take(max_bytes + 1),
        read: 0,
    };
    let shown = path.display().to_string();
    let result = read_json(&mut reader);
    if reader.read > max_bytes {
        return Err(ReadError::TooLarge {
            path: shown,
            limit: max_bytes,
        });
    }
    let (doc, early) = result.map_err(|e| ReadError::Syntax {
        path: shown.clone(),
        format: "JSON",
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    into_bundle(doc, Some(early)).map_err(|problems| ReadError::Invalid {
        path: shown,
        count: problems.len(),
        problems,
    })
}

/// Reads one JSON document. When it is an object, its top-level lists are
/// read element by element and each element of Baken's bundle lists is checked
/// against its schema as it arrives (`early` problems).
pub fn read_json<R: Read>(reader: R) -> Result<(Value, Vec<Problem>), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let schemas = Schemas::load();
    let mut early = Vec::new();
    let value = Reader {
        top: true,
        schema: None,
        path: "$".into(),
        schemas: &schemas,
        problems: &mut early,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok((value, early))
}

/// Reads the document (`top`) key by key, and a list of a known entity
/// (`schema`) element by element, checking each as it arrives; any other
/// value is read whole.
struct Reader<'a> {
    top: bool,
    schema: Option<&'static str>,
    path: String,
    schemas: &'a Schemas,
    problems: &'a mut Vec<Problem>,
}

impl<'de> DeserializeSeed<'de> for Reader<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.top || self.schema.is_some() {
            d.deserialize_any(self)
        } else {
            Value::deserialize(d)
        }
    }
}

impl<'de> Visitor<'de> for Reader<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an HSDS document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if !self.top {
            return Value::deserialize(serde::de::value::MapAccessDeserializer::new(map));
        }
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Reader {
                top: false,
                schema: LISTS.iter().find(|(k, _)| *k == key).map(|(_, s)| *s),
                path: format!("{}.{key}", self.path),
                schemas: self.schemas,
                problems: &mut *self.problems,
            })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            if let Some(schema) = self.schema {
                let path = format!("{}[{}]", self.path, out.len());
                self.schemas.validate(schema, &v, &path, self.problems);
            }
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

use serde::Deserialize;

/// Baken's bundle: its lists and the schema each element must satisfy.
pub const LISTS: &[(&str, &str)] = &[
    ("organizations", "organization.json"),
    ("services", "service.json"),
    ("locations", "location.json"),
    ("service_at_locations", "service_at_location.json"),
    ("taxonomies", "taxonomy.json"),
    ("taxonomy_terms", "taxonomy_term.json"),
];

/// The tables of HSDS's tabular form: file name, schema, and which entity a
/// row belongs to (`None`: a top-level entity; `Some(list)`: a child list
/// attached to its parent by the foreign keys it carries).
const TABLES: &[(&str, &str, Option<&str>)] = &[
    ("organizations.csv", "organization.json", None),
    ("services.csv", "service.json", None),
    ("locations.csv", "location.json", None),
    ("service_at_location.csv", "service_at_location.json", None),
    ("service_at_locations.csv", "service_at_location.json", None),
    ("taxonomies.csv", "taxonomy.json", None),
    ("taxonomy_terms.csv", "taxonomy_term.json", None),
    ("programs.csv", "program.json", Some("programs")),
    ("attributes.csv", "attribute.json", Some("attributes")),
    ("phones.csv", "phone.json", Some("phones")),
    ("contacts.csv", "contact.json", Some("contacts")),
    ("addresses.csv", "address.json", Some("addresses")),
    ("schedules.csv", "schedule.json", Some("schedules")),
    ("funding.csv", "funding.json", Some("funding")),
    (
        "service_areas.csv",
        "service_area.json",
        Some("service_areas"),
    ),
    (
        "required_documents.csv",
        "required_document.json",
        Some("required_documents"),
    ),
    ("languages.csv", "language.json", Some("languages")),
    (
        "accessibility.csv",
        "accessibility.json",
        Some("accessibility"),
    ),
    ("metadata.csv", "metadata.json", Some("metadata")),
    ("cost_options.csv", "cost_option.json", Some("cost_options")),
    (
        "organization_identifiers.csv",
        "organization_identifier.json",
        Some("organization_identifiers"),
    ),
    (
        "meta_table_descriptions.csv",
        "meta_table_description.json",
        Some("meta_table_descriptions"),
    ),
];

/// The shape of a document, told from its top-level keys.
fn shape(obj: &Map<String, Value>) -> &'static str {
    if obj.keys().any(|k| k.ends_with(".csv")) {
        "tabular"
    } else if !obj.contains_key("id") && obj.keys().any(|k| LISTS.iter().any(|(l, _)| l == k)) {
        "bundle"
    } else if obj.get("contents").is_some_and(Value::is_array) {
        "list"
    } else {
        "object"
    }
}

/// Which entity a single object is: a service has a status, a
/// service-at-location a nested or linked service or location.
fn entity_of(obj: &Value) -> &'static str {
    if obj.get("status").is_some() {
        "service"
    } else if obj.get("service").is_some()
        || obj.get("location").is_some()
        || obj.get("service_id").is_some()
        || obj.get("location_id").is_some()
    {
        "service_at_location"
    } else {
        "organization"
    }
}

fn schema_of(entity: &str) -> &'static str {
    match entity {
        "service" => "service.json",
        "service_at_location" => "service_at_location.json",
        _ => "organization.json",
    }
}

/// Checks a parsed document against the schemas and flattens it. `early`
/// are the problems [`read_json`] found while reading Baken's bundle lists
/// (`None`: check them here).
pub fn into_bundle(doc: Value, early: Option<Vec<Problem>>) -> Result<Bundle, Vec<Problem>> {
    let schemas = Schemas::load();
    let check_lists = early.is_none();
    let mut problems = early.unwrap_or_default();
    let Value::Object(obj) = doc else {
        return Err(vec![Problem {
            path: "$".into(),
            message: "must be a JSON object: an HSDS organization, service or service_at_location, a paged list (contents), Baken's bundle (organizations, services, …) or the tabular form (services.csv, …)".into(),
        }]);
    };
    let mut bundle = Bundle::default();
    match shape(&obj) {
        "bundle" => {
            bundle.strict_ids = true;
            for key in obj.keys() {
                if !LISTS.iter().any(|(k, _)| k == key) {
                    let allowed: Vec<&str> = LISTS.iter().map(|(k, _)| *k).collect();
                    problems.push(Problem {
                        path: format!("$.{key}"),
                        message: format!(
                            "unknown list in a bundle; allowed are {}",
                            allowed.join(", ")
                        ),
                    });
                }
            }
            for (key, schema) in LISTS {
                match obj.get(*key) {
                    None => {}
                    Some(Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            let path = format!("$.{key}[{i}]");
                            if check_lists {
                                schemas.validate(schema, item, &path, &mut problems);
                            }
                            let item = Item {
                                path,
                                value: item.clone(),
                            };
                            match *key {
                                "organizations" => flatten_organization(&mut bundle, item),
                                "services" => flatten_service(&mut bundle, item),
                                "locations" => bundle.locations.push(item),
                                "service_at_locations" => flatten_sal(&mut bundle, item),
                                "taxonomies" => bundle.taxonomies.push(item),
                                _ => bundle.taxonomy_terms.push(item),
                            }
                        }
                    }
                    Some(_) => problems.push(Problem {
                        path: format!("$.{key}"),
                        message: "must be an array".into(),
                    }),
                }
            }
        }
        "list" => {
            check_envelope(&obj, &mut problems);
            let items = obj.get("contents").and_then(Value::as_array);
            for (i, item) in items.into_iter().flatten().enumerate() {
                let path = format!("$.contents[{i}]");
                let entity = entity_of(item);
                schemas.validate(schema_of(entity), item, &path, &mut problems);
                add(&mut bundle, entity, path, item.clone());
            }
        }
        "tabular" => tabular(&mut bundle, obj, &schemas, "$", &mut problems),
        _ => {
            let doc = Value::Object(obj);
            let entity = entity_of(&doc);
            schemas.validate(schema_of(entity), &doc, "$", &mut problems);
            add(&mut bundle, entity, "$".into(), doc);
        }
    }
    check_web_addresses(&bundle, &mut problems);
    if problems.is_empty() {
        Ok(bundle)
    } else {
        Err(problems)
    }
}

/// The paged list's envelope, as `*_list.json` declares it.
fn check_envelope(obj: &Map<String, Value>, problems: &mut Vec<Problem>) {
    for (key, want) in [
        ("total_items", "integer"),
        ("total_pages", "integer"),
        ("page_number", "integer"),
        ("size", "integer"),
        ("first_page", "boolean"),
        ("last_page", "boolean"),
        ("empty", "boolean"),
    ] {
        let ok = match (obj.get(key), want) {
            (None, _) => true,
            (Some(v), "integer") => v.is_u64() || v.is_i64(),
            (Some(v), _) => v.is_boolean(),
        };
        if !ok {
            problems.push(Problem {
                path: format!("$.{key}"),
                message: format!("must be of type {want}"),
            });
        }
    }
    for key in obj.keys() {
        let known = [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ];
        if !known.contains(&key.as_str()) {
            problems.push(Problem {
                path: format!("$.{key}"),
                message: "unknown field in a paged list; allowed are total_items, total_pages, page_number, size, first_page, last_page, empty, contents".into(),
            });
        }
    }
}

fn add(bundle: &mut Bundle, entity: &str, path: String, value: Value) {
    let item = Item { path, value };
    match entity {
        "service" => flatten_service(bundle, item),
        "service_at_location" => flatten_sal(bundle, item),
        _ => flatten_organization(bundle, item),
    }
}

fn id_of(v: &Value) -> String {
    v.get("id").and_then(Value::as_str).unwrap_or("").to_owned()
}

fn take(obj: &mut Map<String, Value>, key: &str) -> Option<Value> {
    obj.remove(key)
}

/// An organisation; its nested services and locations become their own
/// entries, linked by `organization_id`.
fn flatten_organization(bundle: &mut Bundle, mut item: Item) {
    let org_id = id_of(&item.value);
    if let Some(obj) = item.value.as_object_mut() {
        if let Some(Value::Array(services)) = take(obj, "services") {
            for (i, mut s) in services.into_iter().enumerate() {
                if let Some(so) = s.as_object_mut() {
                    so.entry("organization_id")
                        .or_insert_with(|| Value::from(org_id.clone()));
                }
                flatten_service(
                    bundle,
                    Item {
                        path: format!("{}.services[{i}]", item.path),
                        value: s,
                    },
                );
            }
        }
        if let Some(Value::Array(locations)) = take(obj, "locations") {
            for (i, l) in locations.into_iter().enumerate() {
                push_location(
                    bundle,
                    Item {
                        path: format!("{}.locations[{i}]", item.path),
                        value: l,
                    },
                );
            }
        }
    }
    push_merged(&mut bundle.organizations, item);
}

/// A service; its nested organisation and service-at-locations become their
/// own entries; terms nested in its attributes are registered.
fn flatten_service(bundle: &mut Bundle, mut item: Item) {
    let service_id = id_of(&item.value);
    if let Some(obj) = item.value.as_object_mut() {
        if let Some(org) = take(obj, "organization") {
            if org.is_object() {
                obj.entry("organization_id")
                    .or_insert_with(|| Value::from(id_of(&org)));
                flatten_organization(
                    bundle,
                    Item {
                        path: format!("{}.organization", item.path),
                        value: org,
                    },
                );
            }
        }
        if let Some(Value::Array(sals)) = take(obj, "service_at_locations") {
            for (i, mut sal) in sals.into_iter().enumerate() {
                if let Some(so) = sal.as_object_mut() {
                    so.entry("service_id")
                        .or_insert_with(|| Value::from(service_id.clone()));
                }
                flatten_sal(
                    bundle,
                    Item {
                        path: format!("{}.service_at_locations[{i}]", item.path),
                        value: sal,
                    },
                );
            }
        }
        if let Some(Value::Array(attributes)) = obj.get("attributes") {
            for (i, a) in attributes.iter().enumerate() {
                if let Some(term) = a.get("taxonomy_term").filter(|t| t.is_object()) {
                    let mut term = term.clone();
                    let path = format!("{}.attributes[{i}].taxonomy_term", item.path);
                    if let Some(detail) = term
                        .as_object_mut()
                        .and_then(|t| t.remove("taxonomy_detail"))
                        .filter(Value::is_object)
                    {
                        if let Some(t) = term.as_object_mut() {
                            t.entry("taxonomy_id")
                                .or_insert_with(|| Value::from(id_of(&detail)));
                        }
                        push_merged(
                            &mut bundle.taxonomies,
                            Item {
                                path: format!("{path}.taxonomy_detail"),
                                value: detail,
                            },
                        );
                    }
                    push_merged(&mut bundle.taxonomy_terms, Item { path, value: term });
                }
            }
        }
    }
    push_merged(&mut bundle.services, item);
}

/// A service-at-location; a nested location and service become their own
/// entries, linked by `location_id` and `service_id`.
fn flatten_sal(bundle: &mut Bundle, mut item: Item) {
    if let Some(obj) = item.value.as_object_mut() {
        if let Some(location) = take(obj, "location").filter(Value::is_object) {
            obj.entry("location_id")
                .or_insert_with(|| Value::from(id_of(&location)));
            push_location(
                bundle,
                Item {
                    path: format!("{}.location", item.path),
                    value: location,
                },
            );
        }
        if let Some(service) = take(obj, "service").filter(Value::is_object) {
            obj.entry("service_id")
                .or_insert_with(|| Value::from(id_of(&service)));
            flatten_service(
                bundle,
                Item {
                    path: format!("{}.service", item.path),
                    value: service,
                },
            );
        }
    }
    push_merged(&mut bundle.service_at_locations, item);
}

fn push_location(bundle: &mut Bundle, item: Item) {
    push_merged(&mut bundle.locations, item);
}

/// Adds an object; the same object met again (an organisation nested in every
/// one of its services) adds the fields it did not have yet. In Baken's
/// bundle a repeated id stays a second entry, so the check can name it.
fn push_merged(list: &mut Vec<Item>, item: Item) {
    let id = id_of(&item.value);
    if !id.is_empty() {
        if let Some(existing) = list
            .iter_mut()
            .find(|e| id_of(&e.value) == id && e.path != item.path && !is_bundle_path(&e.path))
        {
            if let (Some(have), Value::Object(new)) = (existing.value.as_object_mut(), item.value) {
                for (k, v) in new {
                    have.entry(k).or_insert(v);
                }
            }
            return;
        }
    }
    list.push(item);
}

/// Paths of Baken's bundle lists (`$.services[3]`): entries there are not merged.
pub fn is_bundle_path(path: &str) -> bool {
    LISTS
        .iter()
        .any(|(k, _)| path.starts_with(&format!("$.{k}[")) && !path[2 + k.len()..].contains('.'))
}

/// Fields that are web addresses a page may link to: only http(s), through
/// the same parser as the beheer forms (`web_address`).
const WEB_FIELDS: &[&str] = &["url", "website", "uri", "logo", "schedule_link", "term_uri"];

fn check_web_addresses(bundle: &Bundle, problems: &mut Vec<Problem>) {
    fn walk(v: &Value, path: &str, problems: &mut Vec<Problem>) {
        match v {
            Value::Object(obj) => {
                for (k, x) in obj {
                    let p = format!("{path}.{k}");
                    if let (true, Some(text)) = (WEB_FIELDS.contains(&k.as_str()), x.as_str()) {
                        if !is_http_address(text) {
                            problems.push(Problem {
                                path: p,
                                message: format!(
                                    "'{}' is not a web address (http or https)",
                                    text.chars().take(60).collect::<String>()
                                ),
                            });
                        }
                    } else {
                        walk(x, &p, problems);
                    }
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, &format!("{path}[{i}]"), problems);
                }
            }
            _ => {}
        }
    }
    for list in [
        &bundle.organizations,
        &bundle.services,
        &bundle.locations,
        &bundle.service_at_locations,
        &bundle.taxonomies,
        &bundle.taxonomy_terms,
    ] {
        for item in list {
            walk(&item.value, &item.path, problems);
        }
    }
}

/// An http(s) address exactly as given (the beheer form's parser, which would
/// also add a missing scheme — an HSDS file must already carry one).
pub fn is_http_address(text: &str) -> bool {
    text.is_empty()
        || baken_domain::kaart::service::web_address(text).as_deref() == Some(text)
            && (text.starts_with("http://") || text.starts_with("https://"))
}

/// The tabular form: rows are checked against their table's schema (cells
/// converted to the schema's types), then children are attached to their
/// parents by foreign key and the parents flattened like nested objects.
fn tabular(
    bundle: &mut Bundle,
    tables: Map<String, Value>,
    schemas: &Schemas,
    base: &str,
    problems: &mut Vec<Problem>,
) {
    let mut top: HashMap<&str, Vec<Item>> = HashMap::new();
    let mut children: Vec<(&str, Item)> = Vec::new();
    for (name, rows) in &tables {
        let Some((table, schema, child)) = TABLES.iter().find(|(t, _, _)| t == name) else {
            problems.push(Problem {
                path: format!("{base}['{name}']"),
                message: "not a table of HSDS 3.0's tabular form".into(),
            });
            continue;
        };
        let Some(rows) = rows.as_array() else {
            problems.push(Problem {
                path: format!("{base}['{name}']"),
                message: "must be an array of rows".into(),
            });
            continue;
        };
        for (i, row) in rows.iter().enumerate() {
            let path = format!("{base}['{table}'][{i}]");
            let row = typed_row(schemas, schema, row);
            schemas.validate(schema, &row, &path, problems);
            let item = Item { path, value: row };
            match child {
                None => top.entry(schema).or_default().push(item),
                Some(list) => children.push((list, item)),
            }
        }
    }
    let mut by_id: HashMap<String, (&str, usize)> = HashMap::new();
    for (schema, items) in &top {
        for (i, item) in items.iter().enumerate() {
            by_id.insert(id_of(&item.value), (schema, i));
        }
    }
    for (list, item) in children {
        let parent_key = [
            "service_at_location_id",
            "service_id",
            "location_id",
            "organization_id",
            "link_id",
            "resource_id",
            "contact_id",
            "phone_id",
        ]
        .iter()
        .find_map(|k| {
            item.value
                .get(*k)
                .and_then(Value::as_str)
                .filter(|id| by_id.contains_key(*id))
        })
        .map(str::to_owned);
        match parent_key.and_then(|id| by_id.get(&id).copied()) {
            Some((schema, i)) => {
                if let Some(obj) = top
                    .get_mut(schema)
                    .and_then(|items| items.get_mut(i))
                    .and_then(|p| p.value.as_object_mut())
                {
                    if let Value::Array(a) =
                        obj.entry(list).or_insert_with(|| Value::Array(Vec::new()))
                    {
                        a.push(item.value);
                    }
                }
            }
            None => bundle.unlinked_rows.push((format!("{list}.csv"), item)),
        }
    }
    for (schema, items) in top {
        for item in items {
            match schema {
                "organization.json" => flatten_organization(bundle, item),
                "service.json" => flatten_service(bundle, item),
                "location.json" => push_location(bundle, item),
                "service_at_location.json" => flatten_sal(bundle, item),
                "taxonomy.json" => push_merged(&mut bundle.taxonomies, item),
                _ => push_merged(&mut bundle.taxonomy_terms, item),
            }
        }
    }
}

/// A CSV row's cells as the schema types them: numbers and booleans from
/// text, empty cells left out. A cell is text whatever the file wrote (the
/// tabular form as JSON may write `10092008082` for a text identifier).
fn typed_row(schemas: &Schemas, schema: &str, row: &Value) -> Value {
    let Some(obj) = row.as_object() else {
        return row.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        let text = match v {
            Value::String(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            other => {
                out.insert(k.clone(), other.clone());
                continue;
            }
        };
        let text = text.as_str();
        if text.is_empty() {
            continue;
        }
        let typed = match schemas.property_type(schema, k) {
            Some("number") => text.parse::<f64>().ok().map(|n| {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    Value::from(n as i64)
                } else {
                    Value::from(n)
                }
            }),
            Some("integer") => text.parse::<i64>().ok().map(Value::from),
            Some("boolean") => match text {
                "true" | "TRUE" | "True" => Some(Value::from(true)),
                "false" | "FALSE" | "False" => Some(Value::from(false)),
                _ => None,
            },
            _ => None,
        };
        out.insert(k.clone(), typed.unwrap_or_else(|| Value::from(text)));
    }
    Value::Object(out)
}

/// The tables the tabular form cannot do without: a map is services offered
/// by organisations.
pub const REQUIRED_TABLES: [&str; 2] = ["organizations.csv", "services.csv"];

/// The most entries a zip archive of CSV files may hold (HSDS has 23 tables).
pub const MAX_ZIP_ENTRIES: usize = 100;

/// One CSV file's rows, and the line of the file each row starts on.
struct CsvTable {
    name: String,
    rows: Vec<Value>,
    lines: Vec<u64>,
}

/// Reads one CSV file (`shown` names it in errors: the file, or the archive
/// and its entry).
fn read_csv_table(shown: &str, name: String, reader: impl Read) -> Result<CsvTable, ReadError> {
    let mut reader = csv::Reader::from_reader(reader);
    let headers = reader.headers().map_err(|e| csv_error(shown, e))?.clone();
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(shown, e))?;
        lines.push(record.position().map_or(0, |p| p.line()));
        let row: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_owned(), Value::from(v)))
            .collect();
        rows.push(Value::Object(row));
    }
    Ok(CsvTable { name, rows, lines })
}

/// A folder of HSDS CSV files (`services.csv`, `organizations.csv`, …).
pub fn read_csv_folder(dir: &Path, max_bytes: u64) -> Result<Bundle, ReadError> {
    let mut tables = Vec::new();
    let mut total = 0u64;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    entries.sort();
    for path in entries {
        let len = std::fs::metadata(&path).map_err(io(&path))?.len();
        total += len;
        if total > max_bytes {
            return Err(ReadError::TooLarge {
                path: dir.display().to_string(),
                limit: max_bytes,
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = std::fs::File::open(&path).map_err(io(&path))?;
        tables.push(read_csv_table(
            &path.display().to_string(),
            name,
            file.take(max_bytes),
        )?);
    }
    csv_tables_into_bundle(&dir.display().to_string(), tables)
}

/// Is this entry name safe and plain: no absolute path, no `..`, no drive or
/// backslash, no control character? (Nothing is ever written to disk, but a
/// name that tries to climb out says the archive is not what it claims.)
fn safe_entry_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && !name.chars().any(char::is_control)
        && name.split('/').all(|part| part != ".." && part != ".")
}

/// A zip archive of HSDS CSV files. Entries may sit in one folder inside the
/// archive; other files (a README, `datapackage.json`) are skipped. Bounded:
/// at most [`MAX_ZIP_ENTRIES`] entries, and `max_bytes` in all *unpacked* — a
/// zip bomb is cut off at the limit, whatever sizes its headers claim.
pub fn read_csv_zip(path: &Path, max_bytes: u64) -> Result<Bundle, ReadError> {
    let shown = path.display().to_string();
    let refuse = |message: String| ReadError::Archive {
        path: shown.clone(),
        message,
    };
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| refuse(format!("not a readable zip archive ({e})")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(refuse(format!(
            "holds {} entries; at most {MAX_ZIP_ENTRIES} are read",
            archive.len()
        )));
    }
    let mut tables: Vec<CsvTable> = Vec::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let raw = archive
            .name_for_index(i)
            .and_then(Result::ok)
            .map(|n| n.into_owned())
            .unwrap_or_default();
        if !safe_entry_name(&raw) {
            return Err(refuse(format!(
                "entry '{}' has an unsafe name (an absolute path, '..' or a drive)",
                raw.escape_default()
            )));
        }
        let entry = archive
            .by_index(i)
            .map_err(|e| refuse(format!("{raw}: cannot be unpacked ({e})")))?;
        if entry.is_dir() {
            continue;
        }
        let name = raw.rsplit('/').next().unwrap_or_default().to_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        if tables.iter().any(|t| t.name == name) {
            return Err(refuse(format!("holds {name} twice")));
        }
        let where_ = format!("{shown}: {raw}");
        let left = max_bytes.saturating_sub(total);
        if entry.size() > left {
            return Err(ReadError::TooLarge {
                path: where_,
                limit: max_bytes,
            });
        }
        let mut counting = Counting {
            inner: entry.take(left + 1),
            read: 0,
        };
        let table = read_csv_table(&where_, name, &mut counting);
        total += counting.read;
        if total > max_bytes {
            return Err(ReadError::TooLarge {
                path: where_,
                limit: max_bytes,
            });
        }
        tables.push(table?);
    }
    csv_tables_into_bundle(&shown, tables)
}

/// `$['services.csv'][3].url` → `services.csv, line 5, field url`: where a
/// problem is in the CSV files a person can open.
fn csv_place(path: &str, tables: &[(String, Vec<u64>)]) -> String {
    for (name, lines) in tables {
        let prefix = format!("$['{name}'][");
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        let Some((index, rest)) = rest.split_once(']') else {
            continue;
        };
        let Some(line) = index.parse::<usize>().ok().and_then(|i| lines.get(i)) else {
            continue;
        };
        let field = rest.trim_start_matches('.');
        return if field.is_empty() {
            format!("{name}, line {line}")
        } else {
            format!("{name}, line {line}, field {field}")
        };
    }
    path.to_owned()
}

fn csv_tables_into_bundle(shown: &str, tables: Vec<CsvTable>) -> Result<Bundle, ReadError> {
    if let Some(missing) = REQUIRED_TABLES
        .iter()
        .find(|t| !tables.iter().any(|c| c.name == **t))
    {
        return Err(ReadError::MissingTable {
            path: shown.to_owned(),
            table: missing,
        });
    }
    let lines: Vec<(String, Vec<u64>)> = tables
        .iter()
        .map(|t| (t.name.clone(), t.lines.clone()))
        .collect();
    let map: Map<String, Value> = tables
        .into_iter()
        .map(|t| (t.name, Value::Array(t.rows)))
        .collect();
    let schemas = Schemas::load();
    let mut problems = Vec::new();
    let mut bundle = Bundle::default();
    tabular(&mut bundle, map, &schemas, "$", &mut problems);
    check_web_addresses(&bundle, &mut problems);
    if problems.is_empty() {
        bundle.csv_lines = lines;
        Ok(bundle)
    } else {
        for p in &mut problems {
            p.path = csv_place(&p.path, &lines);
        }
        Err(ReadError::Invalid {
            path: shown.to_owned(),
            count: problems.len(),
            problems,
        })
    }
}

fn csv_error(path: &str, e: csv::Error) -> ReadError {
    let (line, column) = e
        .position()
        .map(|p| (p.line() as usize, 0))
        .unwrap_or((0, 0));
    ReadError::Syntax {
        path: path.to_owned(),
        format: "CSV",
        line,
        column,
        message: format!("not a valid CSV file: {e}"),
    }
}
