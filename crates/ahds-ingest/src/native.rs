//! The native format: the model's own JSON (see `ahds_model::Estate`).

use ahds_model::{Estate, Place, Resource, RoleAssignment, for_each_collection};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{IngestError, Position, path_to_pointer};
use crate::positions::Positions;

/// The top-level keys of a native document.
pub(crate) const NATIVE_KEYS: &[&str] = &[
    "$schema",
    "version",
    "workspaces",
    "fhir_services",
    "dicom_services",
    "medtech_services",
    "storage_accounts",
    "container_registries",
    "eventhub_namespaces",
    "key_vaults",
    "private_endpoints",
    "role_assignments",
    "user_assigned_identities",
    "network_security_groups",
    "firewalls",
    "system_topics",
    "event_subscriptions",
];

/// Reads a native-format document. A resource that does not fit the format is reported
/// and left out; the others are read.
pub(crate) fn read_native(
    text: &str,
    file: &str,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    let positions = Positions::of(text);
    let (mut estate, problems) = match typed(text, file) {
        Ok(estate) => (estate, Vec::new()),
        Err(first) => per_resource(text, file, &positions, first)?,
    };
    macro_rules! locate {
        ($f:ident, $t:ty) => {
            set_sources(&mut estate.$f, stringify!($f), file, &positions);
        };
    }
    for_each_collection!(locate);
    if let Some(ras) = estate.role_assignments.as_mut() {
        set_sources(ras, "role_assignments", file, &positions);
    }
    Ok((estate, problems))
}

/// The fast path: the whole document at once. Tracking the path of every value made the
/// read ~30% slower (criterion `ingest/native/1000`: 274-288 ms with, 213 ms without),
/// so a document is read without it and, only when that fails, again with it to say where.
fn typed(text: &str, file: &str) -> Result<Estate, IngestError> {
    let mut de = serde_json::Deserializer::from_str(text);
    if let Ok(estate) = Estate::deserialize(&mut de) {
        if de.end().is_ok() {
            return Ok(estate);
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let estate: Estate = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        let inner = e.into_inner();
        let location = Position {
            line: (inner.line() > 0).then_some(inner.line()),
            column: (inner.column() > 0).then_some(inner.column()),
            pointer: (!pointer.is_empty()).then_some(pointer),
        };
        IngestError::new(file, location, json_message(&inner))
    })?;
    de.end().map_err(|e| {
        IngestError::new(file, Position::at(e.line(), e.column()), json_message(&e))
    })?;
    Ok(estate)
}

/// The slow path after a failure: read each resource on its own so one bad resource does
/// not hide the others. Problems outside the resource lists stay fatal.
fn per_resource(
    text: &str,
    file: &str,
    positions: &Positions,
    first: IngestError,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(text) else {
        return Err(vec![first]);
    };
    let mut estate = Estate::new();
    let mut problems = Vec::new();
    let fatal = |key: &str, message: String| {
        vec![IngestError::new(
            file,
            Position {
                line: positions.line_of(&format!("/{key}")),
                column: None,
                pointer: Some(format!("/{key}")),
            },
            message,
        )]
    };
    for (key, value) in doc {
        let items = match (key.as_str(), &value) {
            ("$schema", Value::String(s)) => {
                estate.schema = Some(s.clone());
                continue;
            }
            ("version", v) => {
                estate.version = serde_json::from_value(v.clone())
                    .map_err(|e| fatal(&key, format!("`version` must be a whole number: {e}")))?;
                continue;
            }
            (k, Value::Array(items)) if NATIVE_KEYS.contains(&k) => items,
            (k, _) if NATIVE_KEYS.contains(&k) => {
                return Err(fatal(
                    &key,
                    format!("`{key}` must be an array of resources"),
                ));
            }
            _ => {
                return Err(fatal(
                    &key,
                    format!(
                        "unknown field `{key}`, expected one of {}",
                        NATIVE_KEYS.join(", ")
                    ),
                ));
            }
        };
        macro_rules! read_items {
            ($f:ident, $t:ty) => {
                if key == stringify!($f) {
                    estate.$f = read_each::<$t>(items, &key, file, positions, &mut problems);
                }
            };
        }
        for_each_collection!(read_items);
        if key == "role_assignments" {
            estate.role_assignments = Some(read_each::<RoleAssignment>(
                items,
                &key,
                file,
                positions,
                &mut problems,
            ));
        }
    }
    if problems.is_empty() {
        // The typed pass failed for a reason the per-resource pass does not see.
        return Err(vec![first]);
    }
    Ok((estate, problems))
}

fn read_each<T: serde::de::DeserializeOwned>(
    items: &[Value],
    collection: &str,
    file: &str,
    positions: &Positions,
    problems: &mut Vec<IngestError>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match serde_path_to_error::deserialize::<_, T>(item) {
            Ok(r) => out.push(r),
            Err(e) => {
                let base = format!("/{collection}/{i}");
                problems.push(IngestError::new(
                    file,
                    Position {
                        line: positions.line_of(&base),
                        column: None,
                        pointer: Some(format!("{base}{}", path_to_pointer(e.path()))),
                    },
                    format!("resource left out: {}", e.into_inner()),
                ));
            }
        }
    }
    out
}

fn set_sources<T: Resource>(items: &mut [T], collection: &str, file: &str, positions: &Positions) {
    for (i, item) in items.iter_mut().enumerate() {
        let pointer = format!("/{collection}/{i}");
        let line = positions
            .line_of(&pointer)
            .and_then(|l| u32::try_from(l).ok());
        let address = item.meta().address.map(str::to_string);
        item.set_place(Place {
            column: None,
            file: file.to_string(),
            pointer: Some(pointer),
            address,
            line,
        });
    }
}

/// serde_json's message without its trailing ` at line L column C` (the location is
/// printed separately).
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
