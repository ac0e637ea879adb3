//! Telling the formats apart and dispatching to their readers.

use serde_json::Value;

use crate::error::{IngestError, Location};
use crate::native::{NATIVE_KEYS, read_native};
use crate::{Ingested, InputFormat, terraform};

/// Reads text in a format, detecting it for [`InputFormat::Auto`].
pub(crate) fn read_text(
    text: &str,
    file: &str,
    format: InputFormat,
) -> Result<Ingested, Vec<IngestError>> {
    if format == InputFormat::Native {
        return read_native(text, file).map(|(estate, problems)| Ingested {
            estate,
            format,
            problems,
        });
    }
    let doc: Value = parse_json(text, file)?;
    let format = match format {
        InputFormat::Auto => detect(&doc).ok_or_else(|| {
            vec![IngestError::new(
                file,
                Location::pointer(""),
                format!(
                    "not a recognised input: tried the native format (an object of resource \
                     lists such as `workspaces`), a Terraform plan (`terraform show -json`: \
                     `format_version` and `planned_values`), and Azure Resource Manager JSON (a \
                     resource with `id` and `type`, an array, a `value` or `data` list, or a \
                     deployment template with `$schema` and `resources`){}",
                    hint(&doc)
                ),
            )]
        })?,
        f => f,
    };
    match format {
        InputFormat::Native | InputFormat::Auto => {
            read_native(text, file).map(|(estate, problems)| Ingested {
                estate,
                format: InputFormat::Native,
                problems,
            })
        }
        InputFormat::TerraformPlan => {
            if !terraform::looks_like_plan(&doc) {
                return Err(vec![IngestError::new(
                    file,
                    Location::pointer(""),
                    "not a Terraform plan: `terraform show -json PLANFILE` output has \
                     `format_version` and `planned_values`",
                )]);
            }
            terraform::read_plan(&doc, file).map(|(estate, problems)| Ingested {
                estate,
                format,
                problems,
            })
        }
        InputFormat::Arm => {
            crate::arm::read_arm(&doc, text, file).map(|(estate, problems)| Ingested {
                estate,
                format,
                problems,
            })
        }
    }
}

pub(crate) fn parse_json(text: &str, file: &str) -> Result<Value, Vec<IngestError>> {
    serde_json::from_str(text).map_err(|e| {
        vec![IngestError::new(
            file,
            Location::at(e.line(), e.column()),
            crate::native::json_message(&e),
        )]
    })
}

/// Which format a parsed document is in, if any.
pub(crate) fn detect(doc: &Value) -> Option<InputFormat> {
    if terraform::looks_like_plan(doc) {
        return Some(InputFormat::TerraformPlan);
    }
    match doc {
        Value::Array(_) => Some(InputFormat::Arm),
        Value::Object(m) => {
            let schema = m.get("$schema").and_then(Value::as_str).unwrap_or("");
            if schema.contains("deploymentTemplate") || schema.contains("deploymentParameters") {
                return Some(InputFormat::Arm);
            }
            if m.get("value").is_some_and(Value::is_array)
                || m.get("data").is_some_and(Value::is_array)
            {
                return Some(InputFormat::Arm);
            }
            if m.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.contains('/'))
            {
                return Some(InputFormat::Arm);
            }
            // Any resource list of the native format decides it, so that a misspelt
            // neighbour is reported by the native reader as an unknown field.
            let native = |k: &String| NATIVE_KEYS.contains(&k.as_str());
            if m.is_empty()
                || m.keys()
                    .any(|k| native(k) && k != "$schema" && k != "version")
                || m.keys().all(native)
            {
                return Some(InputFormat::Native);
            }
            None
        }
        _ => None,
    }
}

/// What the document holds instead, with the nearest native key for a likely typo.
fn hint(doc: &Value) -> String {
    let Value::Object(m) = doc else {
        return format!("; the document is {}", kind(doc));
    };
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    let mut s = format!("; its top-level keys are `{}`", keys.join("`, `"));
    for k in keys {
        let nearest = NATIVE_KEYS
            .iter()
            .map(|n| (strsim::levenshtein(k, n), n))
            .min_by_key(|(d, _)| *d);
        if let Some((d, n)) = nearest {
            if d > 0 && d <= 3 {
                s.push_str(&format!(" (did you mean `{n}` for `{k}`?)"));
            }
        }
    }
    s
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
