//! Small helpers shared by the readers.

use std::collections::HashMap;

use ahds_model::{IdentityType, Resource, ResourceRef};

/// Finds resources by ARM id (case-insensitively) or input address in the collections of
/// an estate while a reader fills them.
///
/// Each collection is indexed once, as it grows: a lookup first indexes the items pushed
/// since the last one, so reading stays linear however many children look up their
/// parents. The first resource with a key wins, as a scan from the start would find.
/// Readers only push to collections and never change a resource's id or address once it
/// is pushed; a collection that shrank is indexed again from the start.
#[derive(Debug, Default)]
pub(crate) struct ResourceIndex {
    collections: HashMap<&'static str, CollectionIndex>,
}

#[derive(Debug, Default)]
struct CollectionIndex {
    /// How many items of the collection the slots cover.
    indexed: usize,
    slots: HashMap<String, usize>,
}

impl ResourceIndex {
    /// The position of the resource a reference names in `items`, the collection of `T`.
    pub(crate) fn find<T: Resource>(&mut self, items: &[T], r: &ResourceRef) -> Option<usize> {
        let index = self.collections.entry(T::COLLECTION).or_default();
        if items.len() < index.indexed {
            *index = CollectionIndex::default();
        }
        index
            .slots
            .reserve(items.len().saturating_sub(index.indexed));
        for (i, item) in items.iter().enumerate().skip(index.indexed) {
            let m = item.meta();
            if let Some(id) = m.id {
                index.slots.entry(id.key().to_string()).or_insert(i);
            }
            if let Some(address) = m.address {
                index.slots.entry(address.to_string()).or_insert(i);
            }
        }
        index.indexed = items.len();
        index.slots.get(r.key()).copied()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ahds_model::Workspace;

    fn workspace(id: Option<&str>, address: Option<&str>, name: &str) -> Workspace {
        let mut v = serde_json::json!({ "name": name });
        if let Some(id) = id {
            v["id"] = id.into();
        }
        if let Some(a) = address {
            v["address"] = a.into();
        }
        serde_json::from_value(v).unwrap()
    }

    const ID: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws";

    #[test]
    fn the_index_finds_what_a_scan_from_the_start_finds_as_the_collection_grows() {
        let by_id = ResourceRef::parse(&ID.to_uppercase()).unwrap();
        let by_address = ResourceRef::Address("module.a.azurerm_healthcare_workspace.ws".into());
        let mut index = ResourceIndex::default();
        let mut items = vec![workspace(None, Some("other"), "x")];
        assert_eq!(index.find(&items, &by_id), None);
        // Pushed after the first lookup: indexed by the next one, by id case-insensitively.
        items.push(workspace(Some(ID), None, "ws"));
        items.push(workspace(Some(ID), None, "second with the same id"));
        items.push(workspace(None, Some(by_address.key()), "ws"));
        assert_eq!(index.find(&items, &by_id), Some(1));
        assert_eq!(index.find(&items, &by_address), Some(3));
        // A collection that shrank is indexed again rather than answering stale slots.
        items.remove(0);
        assert_eq!(index.find(&items, &by_id), Some(0));
        assert_eq!(index.find(&items, &by_address), Some(2));
    }
}
