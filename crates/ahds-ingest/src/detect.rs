//! Telling the formats apart and dispatching to their readers.

use serde_json::Value;

use crate::error::{IngestError, IngestErrorKind, Position};
use crate::native::{NATIVE_KEYS, read_native};
use crate::top_level::{Kind, TopLevel};
use crate::{Ingested, InputFormat, terraform};

/// Reads text in a format, detecting it for [`InputFormat::Auto`].
///
/// `scanned` is the text's top level when it was scanned already (from the same text).
pub(crate) fn read_text(
    text: &str,
    file: &str,
    format: InputFormat,
    scanned: Option<TopLevel>,
) -> Result<Ingested, Vec<IngestError>> {
    if format == InputFormat::Native {
        return read_native(text, file).map(|(estate, problems)| Ingested {
            estate,
            format,
            problems,
        });
    }
    let mut top_level = scanned;
    let format = match format {
        InputFormat::Auto => {
            // Detect on the top level alone, so a native document is parsed only once.
            let top = match top_level.take() {
                Some(top) => top,
                None => TopLevel::read(text).map_err(|e| json_error(&e, file))?,
            };
            let detected = detect(&top);
            top_level = Some(top);
            detected.ok_or_else(|| {
                vec![IngestError::new(
                    file,
                    Position::pointer(""),
                    format!(
                        "not a recognised input: tried the native format (an object of resource \
                         lists such as `workspaces`), a Terraform plan (`terraform show -json`: \
                         `format_version` and `planned_values`), and Azure Resource Manager JSON (a \
                         resource with `id` and `type`, an array of resources, a `value` or `data` list, or a \
                         deployment template with `$schema` and `resources`){}",
                        top_level.as_ref().map(hint).unwrap_or_default()
                    ),
                )
                .of_kind(IngestErrorKind::Unrecognised)]
            })?
        }
        f => f,
    };
    if format == InputFormat::Native {
        return read_native(text, file).map(|(estate, problems)| Ingested {
            estate,
            format,
            problems,
        });
    }
    if format == InputFormat::Arm {
        let top = match top_level {
            Some(top) => top,
            None => TopLevel::read(text).map_err(|e| json_error(&e, file))?,
        };
        // A listing is read entry by entry, never as one parsed document.
        if crate::arm::is_streamed(&top) {
            return crate::arm::read_listing(text, &top, file).map(|(estate, problems)| Ingested {
                estate,
                format,
                problems,
            });
        }
    }
    let doc: Value = if format == InputFormat::TerraformPlan {
        crate::strict_json::from_str_pruned(text, &terraform::PLAN_PARTS)
            .map_err(|e| json_error(&e, file))?
    } else {
        parse_json(text, file)?
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
                    Position::pointer(""),
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
        InputFormat::TerraformConfig => Err(vec![IngestError::new(
            file,
            Position::pointer(""),
            "Terraform sources are read from their directory, not from one document",
        )]),
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
    crate::strict_json::from_str(text).map_err(|e| json_error(&e, file))
}

fn json_error(e: &serde_json::Error, file: &str) -> Vec<IngestError> {
    vec![IngestError::new(
        file,
        Position::at(e.line(), e.column()),
        crate::native::json_message(e),
    )]
}

/// Which format a document is in, if any, from its top level.
pub(crate) fn detect(top: &TopLevel) -> Option<InputFormat> {
    if top.has("format_version") && (top.has("planned_values") || top.has("resource_changes")) {
        return Some(InputFormat::TerraformPlan);
    }
    match top.kind {
        // A list of resources; a list of anything else is no input at all.
        Kind::Array if top.first_is_object == Some(false) => None,
        Kind::Array => Some(InputFormat::Arm),
        Kind::Object => {
            let schema = top.schema.as_deref().unwrap_or("");
            if crate::arm::names_template(schema)
                || crate::arm::names_parameters(schema)
                || (top.has("resources") && top.has("contentVersion"))
            {
                return Some(InputFormat::Arm);
            }
            if top.value_is_array() || top.data_is_array() {
                return Some(InputFormat::Arm);
            }
            if top.type_name.as_deref().is_some_and(|t| t.contains('/')) {
                return Some(InputFormat::Arm);
            }
            // Any resource list of the native format decides it, so that a misspelt
            // neighbour is reported by the native reader as an unknown field.
            let native = |k: &String| NATIVE_KEYS.contains(&k.as_str());
            if top.keys.is_empty()
                || top
                    .keys
                    .iter()
                    .any(|k| native(k) && k != "$schema" && k != "version")
                || top.keys.iter().all(native)
            {
                return Some(InputFormat::Native);
            }
            None
        }
        Kind::Scalar(_) => None,
    }
}

/// What the document holds instead, with the nearest native key for a likely typo.
fn hint(top: &TopLevel) -> String {
    if let Kind::Scalar(kind) = top.kind {
        return format!("; the document is {kind}");
    }
    if top.kind == Kind::Array {
        return "; the document is an array of values that are not resources (objects)".into();
    }
    let keys: Vec<&str> = top.keys.iter().map(String::as_str).collect();
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
