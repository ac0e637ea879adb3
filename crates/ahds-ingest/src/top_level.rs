//! The top level of a JSON document, read without building the document: enough to tell
//! the input formats apart. Scanning skips every value it does not need, so detecting the
//! format of a 150 MB file costs a fraction of parsing it.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What the top-level value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    /// A scalar, named for messages (`a string`, `null`).
    Scalar(&'static str),
}

/// The top level of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopLevel {
    pub(crate) kind: Kind,
    /// Top-level keys in document order (objects only).
    pub(crate) keys: Vec<String>,
    /// `$schema`, when a string.
    pub(crate) schema: Option<String>,
    /// `type`, when a string (a single ARM resource).
    pub(crate) type_name: Option<String>,
    /// Whether `value` / `data` are arrays (ARM listings and Resource Graph results).
    pub(crate) value_is_array: bool,
    pub(crate) data_is_array: bool,
    /// For an array: whether its first element is an object (`None` when empty). A list
    /// of strings (a DNS allow-list beside the Terraform files) is no resource listing.
    pub(crate) first_is_object: Option<bool>,
}

impl TopLevel {
    /// Scans a document's text. Fails where the text is not JSON, like a full parse would.
    pub(crate) fn read(text: &str) -> Result<TopLevel, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    fn scalar(name: &'static str) -> TopLevel {
        TopLevel {
            kind: Kind::Scalar(name),
            keys: Vec::new(),
            schema: None,
            type_name: None,
            value_is_array: false,
            data_is_array: false,
            first_is_object: None,
        }
    }
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut top = TopLevel::scalar("an object");
        top.kind = Kind::Object;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "$schema" => top.schema = map.next_value::<MaybeString>()?.0,
                "type" => top.type_name = map.next_value::<MaybeString>()?.0,
                "value" => top.value_is_array = map.next_value::<IsArray>()?.0,
                "data" => top.data_is_array = map.next_value::<IsArray>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            top.keys.push(key);
        }
        Ok(top)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        let first = seq.next_element::<ValueKind>()?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        let mut top = TopLevel::scalar("an array");
        top.kind = Kind::Array;
        top.first_is_object = first.map(|k| k == ValueKind::Object);
        Ok(top)
    }

    fn visit_unit<E>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::scalar("null"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::scalar("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::scalar("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::scalar("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::scalar("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::scalar("a string"))
    }
}

/// A value kept when it is a string and skipped otherwise.
struct MaybeString(Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, s: &str) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(s.to_string())))
            }
            fn visit_unit<E>(self) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeString, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether a value is an array; its contents are skipped.
struct IsArray(bool);

impl<'de> Deserialize<'de> for IsArray {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ValueKind::deserialize(d).map(|k| IsArray(k == ValueKind::Array))
    }
}

/// What kind of JSON value something is, read without keeping it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Array,
    Object,
    Other,
}

impl<'de> Deserialize<'de> for ValueKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueKind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ValueKind, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ValueKind::Array)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ValueKind, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(ValueKind::Object)
            }
            fn visit_str<E>(self, _: &str) -> Result<ValueKind, E> {
                Ok(ValueKind::Other)
            }
            fn visit_unit<E>(self) -> Result<ValueKind, E> {
                Ok(ValueKind::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<ValueKind, E> {
                Ok(ValueKind::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<ValueKind, E> {
                Ok(ValueKind::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<ValueKind, E> {
                Ok(ValueKind::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<ValueKind, E> {
                Ok(ValueKind::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_top_level_only() {
        let s = TopLevel::read(
            r#"{"$schema": "https://x/deploymentTemplate.json#", "value": [{"a": [1, {"b": null}]}], "data": {}, "type": 3, "zz": "q"}"#,
        )
        .unwrap();
        assert_eq!(s.kind, Kind::Object);
        assert_eq!(s.keys, ["$schema", "value", "data", "type", "zz"]);
        assert_eq!(
            s.schema.as_deref(),
            Some("https://x/deploymentTemplate.json#")
        );
        assert!(s.value_is_array);
        assert!(!s.data_is_array);
        assert_eq!(s.type_name, None);
        assert_eq!(TopLevel::read("[1, 2]").unwrap().kind, Kind::Array);
        assert_eq!(
            TopLevel::read(" \"x\" ").unwrap().kind,
            Kind::Scalar("a string")
        );
    }

    #[test]
    fn fails_where_the_text_is_not_json() {
        let e = TopLevel::read("{\n  \"a\": [1,\n}").unwrap_err();
        assert_eq!(e.line(), 3);
        assert!(TopLevel::read("{} trailing").is_err());
    }
}
