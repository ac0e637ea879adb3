//! Small helpers shared by the readers.

use ahds_model::{IdentityType, Resource, ResourceRef};

/// The position of the resource a reference names, by ARM id (case-insensitively) or by
/// input address.
pub(crate) fn find_resource<T: Resource>(items: &[T], r: &ResourceRef) -> Option<usize> {
    let key = r.key();
    items.iter().position(|item| {
        let m = item.meta();
        m.id.is_some_and(|id| id.key() == key) || m.address == Some(key)
    })
}

/// Parses a managed identity type as ARM and azurerm write it (`SystemAssigned,
/// UserAssigned`, any case and spacing).
pub(crate) fn identity_type(s: &str) -> Option<IdentityType> {
    let norm: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    match norm.as_str() {
        "none" | "" => Some(IdentityType::None),
        "systemassigned" => Some(IdentityType::SystemAssigned),
        "userassigned" => Some(IdentityType::UserAssigned),
        "systemassigned,userassigned" => Some(IdentityType::SystemAndUserAssigned),
        _ => None,
    }
}

/// The kind of a JSON value, for messages (`found a string`).
pub(crate) fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
