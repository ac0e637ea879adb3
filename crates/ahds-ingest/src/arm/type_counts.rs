//! How many entries of each resource type a listing holds, read from the first members of
//! each entry's text: a hint that lets the reader allocate the estate's collections once.
//!
//! Grown by doubling, a collection of a million role assignments (half a gigabyte) is
//! copied twenty times into fresh memory, and the last copy briefly holds both halves. The
//! count is a hint only: an entry whose `type` is not a plain string, or comes after a
//! member that is not valid JSON, is not counted, and a collection that needs more room
//! than counted still grows.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Entries per `type` as spelt in the listing (spellings are folded by the caller).
pub(super) fn count<'t>(entries: &[&'t RawValue]) -> HashMap<&'t str, usize> {
    let mut counts = HashMap::new();
    for raw in entries {
        if let Some(ty) = type_of(raw) {
            *counts.entry(ty).or_insert(0) += 1;
        }
    }
    counts
}

/// The entry's `type`, reading only up to it.
fn type_of<'t>(raw: &'t RawValue) -> Option<&'t str> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(raw.get());
    // The visitor stops at `type`, so serde_json reports the object unfinished: whatever
    // was found before that is the answer.
    let _ = de.deserialize_map(TypeOf(&mut found));
    found
}

struct TypeOf<'a, 't>(&'a mut Option<&'t str>);

impl<'t> Visitor<'t> for TypeOf<'_, 't> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a resource")
    }

    fn visit_map<A: MapAccess<'t>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<&'t str>()? {
            if key == "type" {
                *self.0 = map.next_value::<&'t str>().ok();
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<&RawValue> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn counts_each_spelling_of_a_type_wherever_it_stands_in_the_entry() {
        let list = entries(
            r#"[
              {"id": "/a", "type": "Microsoft.Storage/storageAccounts", "properties": {"type": "x"}},
              {"properties": {"type": "x"}, "tags": {}, "type": "Microsoft.Storage/storageAccounts"},
              {"type": "microsoft.storage/storageaccounts"},
              {"type": "Microsoft.KeyVault/vaults", "type": "ignored"}
            ]"#,
        );
        let counts = count(&list);
        assert_eq!(counts.get("Microsoft.Storage/storageAccounts"), Some(&2));
        assert_eq!(counts.get("microsoft.storage/storageaccounts"), Some(&1));
        assert_eq!(counts.get("Microsoft.KeyVault/vaults"), Some(&1));
        assert_eq!(counts.len(), 3);
    }

    #[test]
    fn entries_without_a_plain_string_type_are_not_counted() {
        let list = entries(
            r#"[
              {"type": 3},
              {"name": "no type"},
              "not an object",
              {"type": "Microsoft.Storage/storage\u0041ccounts"},
              {"typ\u0065": "Microsoft.Storage/storageAccounts"}
            ]"#,
        );
        assert!(count(&list).is_empty(), "{:?}", count(&list));
    }
}
