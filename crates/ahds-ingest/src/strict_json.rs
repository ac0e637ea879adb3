//! JSON read strictly: an object that names a key twice is an error at its line and
//! column. serde_json keeps the last value, so `"resources": [...], "resources": []` would
//! silently drop every resource of a template or plan. A part a reader never reads may be
//! skipped ([`from_str_pruned`]): it is still parsed, but only its syntax is checked.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

/// Parses `text` as JSON, refusing duplicate keys.
pub(crate) fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Which parts of a document to build, for a reader that never looks at the rest. What is
/// left out is still parsed (a syntax error in it is an error at its line and column) but
/// never built, so the strict checks of what is built (duplicate keys, numbers out of
/// range, lone surrogates, the nesting limit) do not apply to it: no value in it is read,
/// so none can be misread. A plan's `prior_state` and each change's `before` and `after`
/// are most of a real plan and none of what the plan reader reads.
pub(crate) enum Prune {
    /// The value, built whole.
    Whole,
    /// Not built: the member is left out of its object. (Anywhere but as a member it is
    /// [`Prune::Whole`].)
    Skip,
    /// An object whose `listed` members are pruned as given and whose other members are
    /// built whole or left out (`others`). A value of another kind is built whole, for the
    /// reader to refuse with its pointer.
    Members {
        /// Members pruned their own way.
        listed: &'static [(&'static str, Prune)],
        /// How the members not listed are pruned: [`Prune::Whole`] or [`Prune::Skip`].
        others: &'static Prune,
    },
    /// An array whose items are pruned alike; a value of another kind is built whole.
    Items(&'static Prune),
}

/// Parses `text` as JSON like [`from_str`], building only the parts `prune` keeps.
pub(crate) fn from_str_pruned(
    text: &str,
    prune: &'static Prune,
) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Pruned(prune).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

struct Pruned(&'static Prune);

impl<'de> DeserializeSeed<'de> for Pruned {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Prune::Whole | Prune::Skip => d.deserialize_any(StrictVisitor),
            Prune::Members { .. } | Prune::Items(_) => d.deserialize_any(PrunedVisitor(self.0)),
        }
    }
}

/// Builds scalars like [`StrictVisitor`] and objects and arrays as [`Prune`] says.
struct PrunedVisitor(&'static Prune);

impl<'de> Visitor<'de> for PrunedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        StrictVisitor.visit_bool(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        StrictVisitor.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        StrictVisitor.visit_u64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        StrictVisitor.visit_f64(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        StrictVisitor.visit_str(v)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        StrictVisitor.visit_string(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        StrictVisitor.visit_unit()
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        StrictVisitor.visit_none()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Prune::Items(item) = self.0 else {
            return StrictVisitor.visit_seq(seq);
        };
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(Pruned(item))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Prune::Members { listed, others } = self.0 else {
            return StrictVisitor.visit_map(map);
        };
        let mut out = Map::new();
        // Skipped keys count as seen: a duplicate of one is as ambiguous as any other. A
        // set, not a list: a plan's top level skips every key it does not know.
        let mut skipped: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) || skipped.contains(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{key}`: JSON readers disagree on which value counts"
                )));
            }
            let prune = listed
                .iter()
                .find(|(name, _)| *name == key)
                .map_or(*others, |(_, p)| p);
            if let Prune::Skip = prune {
                map.next_value::<de::IgnoredAny>()?;
                skipped.insert(key);
            } else {
                let v = map.next_value_seed(Pruned(prune))?;
                out.insert(key, v);
            }
        }
        Ok(Value::Object(out))
    }
}

struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(Strict)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One search of the map per key: every key of every entry of a listing passes
            // here.
            match out.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(Strict)?);
                }
                Entry::Occupied(taken) => {
                    return Err(de::Error::custom(format_args!(
                        "duplicate key `{}`: JSON readers disagree on which value counts",
                        taken.key()
                    )));
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_key_is_an_error_at_its_place() {
        let e = from_str("{\n  \"resources\": [1],\n  \"resources\": []\n}").unwrap_err();
        assert_eq!(e.line(), 3);
        assert!(e.to_string().contains("duplicate key `resources`"), "{e}");
        let v = from_str(r#"{"a": {"b": [1, 2.5, null, true, "x"]}, "c": -3}"#).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": {"b": [1, 2.5, null, true, "x"]}, "c": -3})
        );
        assert!(from_str("{} trailing").is_err());
        assert!(from_str(r#"[{"k": 1, "k": 2}]"#).is_err());
    }

    static ITEM: Prune = Prune::Members {
        listed: &[("big", Prune::Skip)],
        others: &Prune::Whole,
    };
    static DOC: Prune = Prune::Members {
        listed: &[("items", Prune::Items(&ITEM)), ("kept", Prune::Whole)],
        others: &Prune::Skip,
    };

    #[test]
    fn pruned_parts_are_left_out_and_the_rest_is_built_strictly() {
        let text = r#"{"kept": {"a": [1]}, "items": [{"big": {"x": 1}, "small": 2}, 3],
                       "other": {"deep": [1, 2]}}"#;
        assert_eq!(
            from_str_pruned(text, &DOC).unwrap(),
            serde_json::json!({"kept": {"a": [1]}, "items": [{"small": 2}, 3]})
        );
        // A member of the wrong kind is built whole, for the reader to refuse.
        assert_eq!(
            from_str_pruned(r#"{"items": {"big": 1}}"#, &DOC).unwrap(),
            serde_json::json!({"items": {"big": 1}})
        );
        // What is skipped is still parsed: its syntax errors are errors at their place
        // (only its syntax: a duplicate key inside it is no error).
        let e = from_str_pruned("{\n\"other\": [1,,2]}", &DOC).unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 13));
        assert_eq!(
            from_str_pruned(r#"{"other": {"a": 1, "a": 2}}"#, &DOC).unwrap(),
            serde_json::json!({})
        );
        // Duplicates are refused in what is built and among the skipped keys alike.
        for dup in [
            r#"{"kept": 1, "kept": 2}"#,
            r#"{"other": 1, "other": 2}"#,
            r#"{"items": [{"small": 1, "small": 2}]}"#,
            r#"{"items": [{"big": 1, "big": 2}]}"#,
        ] {
            let e = from_str_pruned(dup, &DOC).unwrap_err();
            assert!(e.to_string().contains("duplicate key"), "{dup}: {e}");
        }
        assert!(from_str_pruned(r#"{"kept": 1} trailing"#, &DOC).is_err());
    }
}
