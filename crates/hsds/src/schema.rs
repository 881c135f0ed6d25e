//! Validation against the official Open Referral HSDS 3.0 JSON schemas.
//!
//! The schemas (vendored in `crates/hsds/hsds-3.0/schema`) use only seven
//! validating keywords: `type`, `properties`, `required`, `items`, `enum`,
//! `format` and `$ref` to a sibling file; everything else in them (`name`,
//! `constraints`, `core`, `example`, `datapackage_metadata` …) is annotation.
//! This validator implements exactly those seven, asserts formats (`uuid`,
//! `uri`, `email`, `date-time`) and reports *every* problem with its JSON path.
//! A test walks all vendored schemas and fails if a keyword outside this set
//! ever appears, so a schema update cannot be silently half-checked.
//!
//! Why not a general JSON Schema crate: the well-kept one (`jsonschema`) pulls
//! in a regex engine, URL/IDNA handling and remote reference resolution — a
//! large build on this 2-core machine for seven keywords — and its default
//! treats `format` as an annotation, which would let a malformed UUID through.

use serde_json::Value;

macro_rules! schemas {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../hsds-3.0/schema/", $name)))),*]
    };
}

/// Every vendored schema file, by its file name (as `$ref` names it).
pub const SCHEMAS: &[(&str, &str)] = schemas!(
    "accessibility.json",
    "address.json",
    "attribute.json",
    "contact.json",
    "cost_option.json",
    "funding.json",
    "language.json",
    "location.json",
    "meta_table_description.json",
    "metadata.json",
    "organization.json",
    "organization_identifier.json",
    "phone.json",
    "program.json",
    "required_document.json",
    "schedule.json",
    "service.json",
    "service_area.json",
    "service_at_location.json",
    "taxonomy.json",
    "taxonomy_term.json",
);

/// One problem in a document: where (a JSON path like `$.services[3].id`) and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The parsed schemas.
pub struct Schemas {
    by_name: Vec<(&'static str, Value)>,
}

impl Schemas {
    /// Parses the vendored schemas. They are compiled in, so a failure here is
    /// a build defect, caught by the tests.
    pub fn load() -> Schemas {
        let by_name = SCHEMAS
            .iter()
            .map(|(name, text)| {
                let v = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("vendored HSDS schema {name} parses: {e}"));
                (*name, v)
            })
            .collect();
        Schemas { by_name }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.by_name
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The declared type of a property of a schema file (`"number"`, …).
    pub fn property_type(&self, schema: &str, property: &str) -> Option<&str> {
        self.get(schema)?
            .get("properties")?
            .get(property)?
            .get("type")?
            .as_str()
    }

    /// Validates `value` against the schema file `schema` (e.g. `service.json`),
    /// appending every problem found under `path`.
    pub fn validate(&self, schema: &str, value: &Value, path: &str, problems: &mut Vec<Problem>) {
        // Control characters are refused the same on both backends (PostgreSQL
        // cannot store a NUL, SQLite would), wherever a document comes in.
        crate::control_characters(value, path, problems);
        match self.get(schema) {
            Some(s) => self.check(s, value, path, problems),
            None => problems.push(Problem {
                path: path.into(),
                message: format!("no schema named {schema}"),
            }),
        }
    }

    fn check(&self, schema: &Value, value: &Value, path: &str, problems: &mut Vec<Problem>) {
        let Some(s) = schema.as_object() else { return };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            // A reference replaces the node (draft 2019+ allows siblings, but the
            // HSDS files only put annotations next to $ref).
            self.validate(r, value, path, problems);
            return;
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            if !type_matches(t, value) {
                problems.push(Problem {
                    path: path.into(),
                    message: format!("must be of type {t}, not {}", type_name(value)),
                });
                return;
            }
        }
        if let Some(options) = s.get("enum").and_then(Value::as_array) {
            if !options.contains(value) {
                let list: Vec<String> = options.iter().map(|o| o.to_string()).collect();
                problems.push(Problem {
                    path: path.into(),
                    message: format!("must be one of {}", list.join(", ")),
                });
            }
        }
        if let (Some(f), Some(text)) = (s.get("format").and_then(Value::as_str), value.as_str()) {
            if let Some(why) = format_problem(f, text) {
                problems.push(Problem {
                    path: path.into(),
                    message: why,
                });
            }
        }
        if let Some(obj) = value.as_object() {
            if let Some(req) = s.get("required").and_then(Value::as_array) {
                for r in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(r) {
                        problems.push(Problem {
                            path: path.into(),
                            message: format!("required property '{r}' is missing"),
                        });
                    }
                }
            }
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in obj {
                    if let Some(ps) = props.get(k) {
                        self.check(ps, v, &format!("{path}.{k}"), problems);
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (s.get("items"), value.as_array()) {
            for (i, v) in arr.iter().enumerate() {
                self.check(items, v, &format!("{path}[{i}]"), problems);
            }
        }
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => true,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn format_problem(format: &str, s: &str) -> Option<String> {
    let ok = match format {
        "uuid" => is_uuid(s),
        "uri" => baken_domain::kaart::service::is_uri(s),
        "email" => baken_domain::kaart::service::is_email(s),
        "date-time" | "datetime" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        _ => true,
    };
    (!ok).then(|| {
        format!(
            "'{}' is not a valid {format}",
            s.chars().take(60).collect::<String>()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALIDATING: &[&str] = &[
        "$ref",
        "type",
        "properties",
        "required",
        "items",
        "enum",
        "format",
    ];
    const ANNOTATIONS: &[&str] = &[
        "name",
        "path",
        "title",
        "description",
        "datapackage_metadata",
        "constraints",
        "core",
        "example",
        "tabular_required",
        "order",
        "datapackage_type",
    ];

    fn walk(v: &Value, file: &str, seen: &mut Vec<String>) {
        if let Some(o) = v.as_object() {
            for (k, child) in o {
                if !VALIDATING.contains(&k.as_str()) && !ANNOTATIONS.contains(&k.as_str()) {
                    seen.push(format!("{file}: {k}"));
                }
                match k.as_str() {
                    "properties" => {
                        for p in child.as_object().into_iter().flat_map(|m| m.values()) {
                            walk(p, file, seen);
                        }
                    }
                    "items" => walk(child, file, seen),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn the_vendored_schemas_use_only_keywords_this_validator_implements() {
        let mut unknown = Vec::new();
        for (name, text) in SCHEMAS {
            let v: Value = serde_json::from_str(text).unwrap();
            walk(&v, name, &mut unknown);
        }
        assert!(
            unknown.is_empty(),
            "unsupported schema keywords: {unknown:?}"
        );
    }

    #[test]
    fn every_ref_points_at_a_vendored_schema() {
        for (name, text) in SCHEMAS {
            for part in text.split("\"$ref\": \"").skip(1) {
                let target = part.split('"').next().unwrap_or("");
                assert!(
                    SCHEMAS.iter().any(|(n, _)| *n == target),
                    "{name} refers to {target}"
                );
            }
        }
    }

    #[test]
    fn the_official_examples_are_valid() {
        let s = Schemas::load();
        for (schema, text) in [
            (
                "service.json",
                include_str!("../hsds-3.0/examples/service_full.json"),
            ),
            (
                "organization.json",
                include_str!("../hsds-3.0/examples/organization_full.json"),
            ),
            (
                "location.json",
                include_str!("../hsds-3.0/examples/location.json"),
            ),
        ] {
            let mut problems = Vec::new();
            s.validate(
                schema,
                &serde_json::from_str(text).unwrap(),
                "$",
                &mut problems,
            );
            assert!(problems.is_empty(), "{schema}: {problems:?}");
        }
    }

    #[test]
    fn problems_name_their_json_path() {
        let s = Schemas::load();
        let mut v: Value =
            serde_json::from_str(include_str!("../hsds-3.0/examples/service_full.json")).unwrap();
        v["id"] = Value::from("not-a-uuid");
        v["status"] = Value::from("open");
        v["cost_options"][0]["amount"] = Value::from("veel");
        v.as_object_mut().unwrap().remove("name");
        let mut problems = Vec::new();
        s.validate("service.json", &v, "$.services[0]", &mut problems);
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for expected in [
            "$.services[0].id",
            "$.services[0].status",
            "$.services[0].cost_options[0].amount",
            "$.services[0]",
        ] {
            assert!(paths.contains(&expected), "{expected} not in {problems:?}");
        }
        assert!(problems.iter().any(|p| p.message.contains("'name'")));
        assert_eq!(problems.len(), 4, "{problems:?}");
    }
}
