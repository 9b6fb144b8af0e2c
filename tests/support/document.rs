//! Every answer the black-box tests receive, checked against the OpenAPI document the
//! gateway serves: its status is listed for the operation, its body fits the schema listed
//! for that status, and a problem's `code` is one the document lists for that status (its
//! `x-codes`). And none is `500 internal`: the document lists it for every operation, no
//! test may meet it.
//!
//! The check knows the JSON Schema keywords the document uses and refuses any other, so a
//! keyword the document starts using is never silently ignored.

use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use varco_functions::routes::{resolve, routes, Resolved, Step};

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(varco_functions::openapi::document)
}

/// Panics, naming what differs, when the answer `status` / `body` to `method path` is not
/// one the document describes. Paths no route serves (404 / 405 of the router) and the
/// document itself are outside any operation and not checked.
pub fn check(method: &http::Method, path: &str, status: u16, body: &Value) {
    let path = path.split('?').next().unwrap_or(path);
    if let Resolved::Found(step, _) = resolve(method, path) {
        check_step(step, status, body);
    }
}

/// Panics, naming what differs, when `status` / `body` is not an answer of `step` that the
/// document describes.
pub fn check_step(step: Step, status: u16, body: &Value) {
    assert_ne!(
        status,
        500,
        "{} answered 500 internal, which no request should: {body}",
        step.name()
    );
    let route = routes()
        .iter()
        .find(|r| r.step == step)
        .expect("the route of a step");
    let (method, path) = (route.method.as_str(), route.path);
    let operation = &document()["paths"][path][method.to_lowercase()];
    let listed = &operation["responses"][status.to_string()];
    assert!(
        listed.is_object(),
        "{method} {path} answered {status}, which the document does not list for {}: {body}",
        step.name()
    );
    let Some(content) = listed["content"].as_object() else {
        assert!(
            body.is_null(),
            "{method} {path} answered {status} with a body the document does not describe: {body}"
        );
        return;
    };
    let schema = content
        .values()
        .next()
        .map(|c| &c["schema"])
        .expect("a schema");
    if let Err(why) = fits(body, schema, "") {
        panic!(
            "{method} {path} answered {status} ({}) outside the document: {why}\nbody: {body}",
            step.name()
        );
    }
    if content.contains_key("application/problem+json") {
        let codes = listed["x-codes"].as_array();
        assert!(
            codes.is_some_and(|codes| codes.contains(&body["code"])),
            "{method} {path} answered {status} `{}`, which the document does not list for {} (its x-codes: {})",
            body["code"],
            step.name(),
            listed["x-codes"]
        );
    }
}

/// Whether `value` fits `schema`; otherwise where and why not.
fn fits(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    let Some(schema) = schema.as_object() else {
        return Err(format!("{at}: the schema is not an object"));
    };
    let fail = |why: String| Err(format!("{}: {why}", if at.is_empty() { "/" } else { at }));
    for (keyword, rule) in schema {
        match keyword.as_str() {
            "description" | "title" | "format" | "default" | "example" | "examples" => {}
            "$ref" => {
                let name = rule.as_str().unwrap_or_default();
                let pointer = name.trim_start_matches('#');
                let target = document()
                    .pointer(pointer)
                    .ok_or_else(|| format!("no {name} in the document"))?;
                fits(value, target, at)?;
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                    _ => return fail(format!("type {rule}")),
                };
                if !types.iter().any(|t| is_type(value, t)) {
                    return fail(format!("{value} is not of type {rule}"));
                }
            }
            "enum" => {
                if !rule
                    .as_array()
                    .is_some_and(|options| options.contains(value))
                {
                    return fail(format!("{value} is not one of {rule}"));
                }
            }
            "const" => {
                if value != rule {
                    return fail(format!("{value} is not {rule}"));
                }
            }
            "required" => {
                if let Some(object) = value.as_object() {
                    for name in rule.as_array().into_iter().flatten() {
                        let name = name.as_str().unwrap_or_default();
                        if !object.contains_key(name) {
                            return fail(format!("`{name}` is missing"));
                        }
                    }
                }
            }
            "properties" => {
                if let (Some(object), Some(properties)) = (value.as_object(), rule.as_object()) {
                    for (name, property) in properties {
                        if let Some(field) = object.get(name) {
                            fits(field, property, &format!("{at}/{name}"))?;
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let (Some(object), Value::Bool(false)) = (value.as_object(), rule) {
                    let known = schema.get("properties").and_then(Value::as_object);
                    if let Some(extra) = object
                        .keys()
                        .find(|k| !known.is_some_and(|p| p.contains_key(*k)))
                    {
                        return fail(format!("`{extra}` is not a listed property"));
                    }
                }
            }
            "items" => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    fits(item, rule, &format!("{at}/{i}"))?;
                }
            }
            "allOf" => {
                for part in rule.as_array().into_iter().flatten() {
                    fits(value, part, at)?;
                }
            }
            "oneOf" | "anyOf" => {
                let parts = rule.as_array().map(Vec::as_slice).unwrap_or_default();
                let matching = parts.iter().filter(|p| fits(value, p, at).is_ok()).count();
                let enough = if keyword == "oneOf" {
                    matching == 1
                } else {
                    matching >= 1
                };
                if !enough {
                    return fail(format!("{matching} of the {keyword} alternatives fit"));
                }
            }
            "pattern" => {
                if let Some(text) = value.as_str() {
                    if !pattern(rule.as_str().unwrap_or_default()).is_match(text) {
                        return fail(format!("{text:?} does not match {rule}"));
                    }
                }
            }
            "minLength" | "maxLength" => {
                if let Some(text) = value.as_str() {
                    let length = text.chars().count() as u64;
                    let bound = rule.as_u64().unwrap_or_default();
                    if (keyword == "minLength" && length < bound)
                        || (keyword == "maxLength" && length > bound)
                    {
                        return fail(format!(
                            "{text:?} has {length} characters ({keyword} {bound})"
                        ));
                    }
                }
            }
            "minimum" | "maximum" => {
                if let (Some(number), Some(bound)) = (value.as_f64(), rule.as_f64()) {
                    if (keyword == "minimum" && number < bound)
                        || (keyword == "maximum" && number > bound)
                    {
                        return fail(format!("{number} is outside {keyword} {bound}"));
                    }
                }
            }
            "minItems" | "maxItems" => {
                if let Some(items) = value.as_array() {
                    let bound = rule.as_u64().unwrap_or_default() as usize;
                    if (keyword == "minItems" && items.len() < bound)
                        || (keyword == "maxItems" && items.len() > bound)
                    {
                        return fail(format!("{} items ({keyword} {bound})", items.len()));
                    }
                }
            }
            other => {
                panic!("the document uses `{other}`, which this check does not know: teach it")
            }
        }
    }
    Ok(())
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => false,
    }
}

fn pattern(source: &str) -> Regex {
    static COMPILED: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    let mut compiled = COMPILED.get_or_init(Default::default).lock().unwrap();
    compiled
        .entry(source.to_string())
        .or_insert_with(|| Regex::new(source).unwrap_or_else(|e| panic!("pattern {source}: {e}")))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem(status: u16, code: &str) -> Value {
        json!({ "type": format!("urn:varco:problem:{code}"), "title": "t", "status": status, "code": code, "request_id": "r" })
    }

    #[test]
    fn an_answer_the_document_lists_passes() {
        check_step(Step::VerifyKey6, 429, &problem(429, "key6_locked"));
        check_step(
            Step::VerifyKey6,
            200,
            &json!({ "next": "phone", "numbers_on_file": 1, "hint": "+39 340****44" }),
        );
    }

    #[test]
    #[should_panic(expected = "which the document does not list for verify-key6 (its x-codes")]
    fn a_code_not_listed_for_its_status_fails() {
        check_step(Step::VerifyKey6, 422, &problem(422, "key6_locked"));
    }

    #[test]
    #[should_panic(expected = "does not list")]
    fn a_status_not_listed_fails() {
        check_step(Step::IssueCaptcha, 418, &Value::Null);
    }

    #[test]
    #[should_panic(expected = "is missing")]
    fn a_success_body_without_a_required_field_fails() {
        check_step(Step::VerifyKey6, 200, &json!({ "numbers_on_file": 1 }));
    }
}
