//! Azure Resource Manager input: resources as Azure returns them (one resource, an array, a
//! `{"value": [...]}` list, Azure Resource Graph `{"data": [...]}` rows) and deployment
//! templates (`az bicep build` output and exported templates).

mod expr;
mod listing;
pub(crate) mod props;
mod resources;

pub(crate) use listing::{is_streamed, read_listing};
pub(crate) use resources::{ArmResource, Provenance, map_resources, types_read};
mod shapes;
mod template;
mod type_counts;

use ahds_model::Estate;
use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::positions::Positions;

pub(crate) use template::{is_parameters_file, is_template, names_parameters, names_template};

/// Reads ARM JSON: a template, or resources in any of the listing shapes.
pub(crate) fn read_arm(
    doc: &Value,
    text: &str,
    file: &str,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    if is_template(doc) {
        return template::read_template(doc, None, text, file);
    }
    if is_parameters_file(doc) {
        return Err(vec![IngestError::new(
            file,
            Position::pointer("/$schema"),
            "this is a deployment parameters file: check it together with its template",
        )]);
    }
    let (resources, mut problems) = listing_entries(doc, text, file)?;
    let (estate, mut mapped) = map_resources(&resources, file, resources::Provenance::Listing);
    problems.append(&mut mapped);
    Ok((estate, problems))
}

/// Reads several live listings as one: a child (an Event Hubs rule set, a DNS zone group)
/// in one file attaches to its parent in another, as `az rest` exports them one by one.
pub(crate) fn read_listings(docs: &[(Value, &str, &str)]) -> (Estate, Vec<IngestError>) {
    let mut problems = Vec::new();
    let mut resources = Vec::new();
    for (doc, text, file) in docs {
        match listing_entries(doc, text, file) {
            Ok((mut entries, mut found)) => {
                resources.append(&mut entries);
                problems.append(&mut found);
            }
            Err(mut e) => problems.append(&mut e),
        }
    }
    let file = docs.first().map_or("-", |(_, _, f)| f);
    let (estate, mut mapped) = map_resources(&resources, file, resources::Provenance::Listing);
    problems.append(&mut mapped);
    (estate, problems)
}

/// The resources of a listing (one resource, an array, a `value` or `data` list), each with
/// its place.
fn listing_entries<'d>(
    doc: &'d Value,
    text: &str,
    file: &'d str,
) -> Result<(Vec<ArmResource<'d>>, Vec<IngestError>), Vec<IngestError>> {
    let positions = Positions::with_depth(text, 2);
    let (list, base): (&[Value], &str) = match doc {
        Value::Array(a) => (a, ""),
        Value::Object(m) => match (m.get("value"), m.get("data")) {
            (Some(Value::Array(a)), _) => (a, "/value"),
            (_, Some(Value::Array(a))) => (a, "/data"),
            _ if m.contains_key("id") || m.contains_key("type") => (std::slice::from_ref(doc), ""),
            _ => {
                return Err(vec![IngestError::new(
                    file,
                    Position::pointer(""),
                    "not Azure Resource Manager JSON: expected a resource, an array of resources, \
                     a `value` list or an Azure Resource Graph `data` list",
                )]);
            }
        },
        _ => {
            return Err(vec![IngestError::new(
                file,
                Position::pointer(""),
                "not Azure Resource Manager JSON: the document is not an object or array",
            )]);
        }
    };
    let single =
        matches!(doc, Value::Object(m) if !m.contains_key("value") && !m.contains_key("data"));
    let mut problems = collection_failures(doc, file, &positions);
    if list.is_empty() {
        // An audit that read nothing must not pass as a clean estate.
        problems.push(IngestError::new(
            file,
            Position::pointer(base),
            "the listing holds no resources: nothing was checked",
        ));
    }
    let mut resources = Vec::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        let pointer = if single {
            String::new()
        } else {
            format!("{base}/{i}")
        };
        if !r.is_object() || props::str_at(r, &["type"]).is_none() {
            problems.push(IngestError::new(
                file,
                Position {
                    line: positions.line_of(&pointer),
                    column: None,
                    pointer: Some(pointer.clone()),
                },
                "entry left out: not a resource (no string `type`)",
            ));
            continue;
        }
        resources.push(ArmResource {
            file,
            value: r,
            line: positions
                .line_of(&pointer)
                .and_then(|l| u32::try_from(l).ok()),
            pointer,
            address: None,
        });
    }
    Ok((resources, problems))
}

/// The key under which `ahds-guard collect` records what it could not read.
pub(crate) const COLLECT_KEY: &str = "ahdsGuardCollect";

/// The scopes and resources a `collect` export says it could not read: each an input
/// error, so a partial audit never passes as complete.
fn collection_failures(doc: &Value, file: &str, positions: &Positions) -> Vec<IngestError> {
    let failures = doc
        .get(COLLECT_KEY)
        .and_then(|c| c.get("failures"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    failures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let pointer = format!("/{COLLECT_KEY}/failures/{i}");
            let scope = f.get("scope").and_then(Value::as_str).unwrap_or("?");
            let status = f
                .get("status")
                .and_then(Value::as_u64)
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default();
            let message = f.get("message").and_then(Value::as_str).unwrap_or("");
            IngestError::new(
                file,
                Position {
                    line: positions.line_of(&pointer),
                    column: None,
                    pointer: Some(pointer),
                },
                format!("the collection could not read `{scope}`{status}: {message}; what it holds was not checked"),
            )
        })
        .collect()
}

/// Reads a template with a parameters file.
pub(crate) fn read_template_with_parameters(
    template: &Value,
    parameters: &Value,
    text: &str,
    file: &str,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    template::read_template(template, Some(parameters), text, file)
}
