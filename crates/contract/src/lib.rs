//! The vendors' published API specs (`specs/`, copied from their repositories; `specs/README.md`
//! says from where and at which commit), and the schema of any documented response turned into
//! a standalone JSON Schema that answers can be validated against. The tests hold the simulator's
//! answers to these, so the simulator behaves like Pinecone and Azure rather than like the app's
//! expectations of them.
//!
//! Turning an OpenAPI 3 (Pinecone) or Swagger 2 (Azure) schema into JSON Schema:
//! - `$ref`s are inlined; the few that point outside the copied excerpts (ARM's common types) are
//!   replaced by the stand-ins in [`common_types`], written from ARM's common-types definitions;
//! - `allOf` of object schemas is merged into one object (so the next rule can apply);
//! - every object schema with `properties` refuses properties it doesn't document, so a field the
//!   simulator renames or invents fails;
//! - nullability follows each dialect: OpenAPI's `nullable: true`, and Azure's convention that a
//!   property not `required` may be absent *or* `null` (specs README, note 2).

use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// Which spec language a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    OpenApi3,
    Swagger2,
}

/// One spec file.
pub struct Spec {
    doc: Value,
    dialect: Dialect,
    file: String,
}

/// A response schema, ready to validate answers.
pub struct Schema {
    validator: jsonschema::Validator,
    /// Where it came from, for failure messages.
    pub origin: String,
    /// The JSON Schema it was turned into, for failure messages.
    pub json: Value,
}

impl Schema {
    /// Every way `instance` breaks the schema, or `Ok`.
    ///
    /// # Errors
    /// The schema violations, one per line, each with its place in the answer.
    pub fn check(&self, instance: &Value) -> Result<(), String> {
        let errors: Vec<String> =
            self.validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{} (from {}):\n{}\nanswer: {instance}", errors.len(), self.origin, errors.join("\n")))
        }
    }
}

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs")
}

impl Spec {
    /// Loads `specs/<file>` (YAML or JSON).
    pub fn load(file: &str) -> Self {
        let path = specs_dir().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc: Value = if file.ends_with(".yaml") {
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
        };
        let dialect = if doc.get("openapi").is_some() { Dialect::OpenApi3 } else { Dialect::Swagger2 };
        Self { doc, dialect, file: file.into() }
    }

    /// The schema of the documented `status` answer to `method path` (`"4XX"` and `"default"`
    /// are looked up as Pinecone and Azure document them).
    pub fn response(&self, path: &str, method: &str, status: &str) -> Schema {
        let responses = &self.doc["paths"][path][method]["responses"];
        let response = [status, &format!("{}XX", &status[..1]), "default"]
            .iter()
            .find_map(|s| responses.get(*s))
            .unwrap_or_else(|| panic!("{}: no {status} answer documented for {method} {path}", self.file));
        let schema = match self.dialect {
            Dialect::OpenApi3 => &response["content"]["application/json"]["schema"],
            Dialect::Swagger2 => &response["schema"],
        };
        assert!(!schema.is_null(), "{}: the {status} answer to {method} {path} has no schema", self.file);
        self.compile(schema, format!("{} {method} {path} {status}", self.file))
    }

    /// The schema of a named definition (Swagger `definitions`, OpenAPI `components/schemas`).
    pub fn definition(&self, name: &str) -> Schema {
        let schema = match self.dialect {
            Dialect::OpenApi3 => &self.doc["components"]["schemas"][name],
            Dialect::Swagger2 => &self.doc["definitions"][name],
        };
        assert!(!schema.is_null(), "{}: no definition {name}", self.file);
        self.compile(schema, format!("{} definition {name}", self.file))
    }

    /// As [`Spec::definition`], with `extra` properties allowed beside the documented ones: for
    /// an answer a wider standard defines, such as the members RFC 6749 §5.1 adds to a token
    /// response when the spec documents only one grant.
    pub fn definition_with(&self, name: &str, extra: Value) -> Schema {
        let mut schema = match self.dialect {
            Dialect::OpenApi3 => self.doc["components"]["schemas"][name].clone(),
            Dialect::Swagger2 => self.doc["definitions"][name].clone(),
        };
        assert!(schema.is_object(), "{}: no definition {name}", self.file);
        let Value::Object(extra) = extra else { panic!("extra properties are an object") };
        let properties = schema["properties"].as_object_mut().unwrap_or_else(|| panic!("{name} has no properties"));
        let added: Vec<String> = extra.keys().cloned().collect();
        properties.extend(extra);
        self.compile(&schema, format!("{} definition {name} (with {})", self.file, added.join(", ")))
    }

    /// An example the spec gives for a definition (`example`), for the client tests.
    pub fn example(&self, name: &str) -> Value {
        self.doc["components"]["schemas"][name]["example"].clone()
    }

    fn compile(&self, schema: &Value, origin: String) -> Schema {
        let json = self.inline(schema, 0);
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&json)
            .unwrap_or_else(|e| panic!("{origin}: not a schema after inlining ({e}): {json}"));
        Schema { validator, origin, json }
    }

    fn resolve(&self, reference: &str) -> Value {
        match reference.split_once('#') {
            Some(("", pointer)) => {
                self.doc.pointer(pointer).cloned().unwrap_or_else(|| panic!("{}: $ref {reference} points nowhere", self.file))
            }
            Some((_, pointer)) => common_types(pointer).unwrap_or_else(|| panic!("{}: no stand-in for {reference}", self.file)),
            None => panic!("{}: $ref {reference} has no fragment", self.file),
        }
    }

    /// The schema with every rule in the module docs applied.
    fn inline(&self, schema: &Value, depth: usize) -> Value {
        assert!(depth < 40, "{}: $refs nest too deep (a cycle?)", self.file);
        let Value::Object(map) = schema else { return schema.clone() };
        let mut map = map.clone();
        if let Some(Value::String(reference)) = map.remove("$ref") {
            // Siblings of a $ref (a description, readOnly) sit beside what it points at.
            let Value::Object(mut target) = self.resolve(&reference) else { panic!("{reference} is not an object") };
            for (k, v) in map {
                target.entry(k).or_insert(v);
            }
            return self.inline(&Value::Object(target), depth + 1);
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(sub) = map.get(key).filter(|v| v.is_object()).cloned() {
                map.insert(key.into(), self.inline(&sub, depth + 1));
            }
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(parts)) = map.get(key).cloned() {
                map.insert(key.into(), Value::Array(parts.iter().map(|p| self.inline(p, depth + 1)).collect()));
            }
        }
        if let Some(Value::Object(props)) = map.get("properties").cloned() {
            let props = props.into_iter().map(|(k, v)| (k, self.inline(&v, depth + 1))).collect();
            map.insert("properties".into(), Value::Object(props));
        }
        merge_all_of(&mut map);
        if map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        match self.dialect {
            Dialect::OpenApi3 => {
                if map.remove("nullable") == Some(Value::Bool(true)) {
                    map = allow_null(map);
                }
            }
            Dialect::Swagger2 => {
                let required: Vec<Value> = map.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    for (name, prop) in props.iter_mut() {
                        if !required.contains(&Value::String(name.clone())) {
                            if let Value::Object(p) = prop {
                                *prop = Value::Object(allow_null(std::mem::take(p)));
                            }
                        }
                    }
                }
            }
        }
        Value::Object(map)
    }
}

/// Merges `allOf: [object, object…]` into the schema holding it.
fn merge_all_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(parts)) = map.get("allOf").cloned() else { return };
    if !parts.iter().all(|p| p.get("properties").is_some() || p.get("type") == Some(&json!("object"))) {
        return;
    }
    map.remove("allOf");
    let mut props = map.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut required = map.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    for part in parts {
        for (k, v) in part.get("properties").and_then(Value::as_object).cloned().unwrap_or_default() {
            props.entry(k).or_insert(v);
        }
        required.extend(part.get("required").and_then(Value::as_array).cloned().unwrap_or_default());
    }
    map.insert("type".into(), json!("object"));
    map.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        map.insert("required".into(), Value::Array(required));
    }
}

/// The same schema, also accepting `null`.
fn allow_null(mut map: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.push(Value::Null);
    }
    match map.get("type").cloned() {
        Some(Value::String(t)) => {
            map.insert("type".into(), json!([t, "null"]));
            map
        }
        _ => {
            let mut wrapper = Map::new();
            wrapper.insert("anyOf".into(), json!([Value::Object(map), {"type": "null"}]));
            wrapper
        }
    }
}

/// Stand-ins for the ARM common types the excerpts refer to but don't copy, written from
/// `common-types/resource-management/v5|v6/types.json` (TrackedResource: Resource's `id`,
/// `name`, `type`, `systemData` plus `tags` and a required `location`; ErrorResponse:
/// `{error: ErrorDetail}`).
fn common_types(pointer: &str) -> Option<Value> {
    let detail = json!({
        "type": "object",
        "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "target": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object"}},
            "additionalInfo": {"type": "array", "items": {"type": "object", "properties": {"type": {"type": "string"}, "info": {"type": "object"}}}}
        }
    });
    Some(match pointer {
        "/definitions/TrackedResource" => json!({
            "type": "object",
            "properties": {
                "id": {"type": "string", "readOnly": true}, "name": {"type": "string", "readOnly": true},
                "type": {"type": "string", "readOnly": true}, "systemData": {"type": "object", "readOnly": true},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                "location": {"type": "string"}
            },
            "required": ["location"]
        }),
        "/definitions/ErrorResponse" => json!({"type": "object", "properties": {"error": detail}}),
        "/definitions/ErrorDetail" => detail,
        _ => return None,
    })
}

/// ARM's error envelope, for answers the excerpts document only as `default`.
pub fn arm_error() -> Schema {
    let json = common_types("/definitions/ErrorResponse").expect("stand-in");
    let spec = Spec { doc: json!({}), dialect: Dialect::Swagger2, file: "ARM common-types v5 ErrorResponse".into() };
    spec.compile(&json, spec.file.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_or_invented_field_fails_and_optional_azure_fields_may_be_null() {
        let subs = Spec::load("azure/resources/subscriptions-2022-12-01.excerpt.json").response("/subscriptions", "get", "200");
        let good = json!({"value": [{"subscriptionId": "s", "displayName": null, "state": "Enabled"}]});
        subs.check(&good).unwrap();
        let renamed = json!({"value": [{"subscriptionID": "s", "state": "Enabled"}]});
        assert!(subs.check(&renamed).is_err(), "subscriptionID is not a documented field");
        let bad_enum = json!({"value": [{"subscriptionId": "s", "state": "Sleeping"}]});
        assert!(subs.check(&bad_enum).is_err(), "SubscriptionState is a closed enum");
        assert!(subs.check(&json!({"nextLink": null})).is_err(), "value is required");
    }

    #[test]
    fn openapi_nullable_is_honoured_and_required_fields_are_required() {
        let users = Spec::load("pinecone/2026-07/admin_2026-07.excerpt.oas.yaml").response("/admin/users", "get", "200");
        users
            .check(
                &json!({"data": [{"id": "e2e92523-85dc-4142-b8c2-e681be8b78df", "email": "a@example.com"}], "pagination": null}),
            )
            .unwrap();
        assert!(users.check(&json!({"data": [{"id": "e2e92523-85dc-4142-b8c2-e681be8b78df"}]})).is_err(), "email is required");
        assert!(users.check(&json!({"data": [], "pagination": {"next": null}})).is_err(), "next is a string when present");
    }
}
