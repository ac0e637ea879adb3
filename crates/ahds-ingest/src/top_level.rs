//! The top level of a JSON document, read without building the document: enough to tell
//! the input formats apart. Scanning skips every value it does not need, so detecting the
//! format of a 150 MB file costs a fraction of parsing it, and records where the parts
//! stand, so a listing's reader starts from them.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

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
    /// For an array: whether its first element is an object (`None` when empty). A list
    /// of strings (a DNS allow-list beside the Terraform files) is no resource listing.
    pub(crate) first_is_object: Option<bool>,
    /// Where the parts of the document stand in the scanned text.
    pub(crate) parts: Parts,
}

/// Where a document's parts stand in its text, as byte ranges: what a listing is read
/// from without a second pass over its list (that pass was a tenth of reading a tenant
/// export). Taking a part's range costs the scan what skipping it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    /// Each member's value, in the order of [`TopLevel::keys`]; `None` for `value` and
    /// `data`, which are split into entries when they are arrays and skipped otherwise.
    pub(crate) members: Vec<Option<Range<usize>>>,
    /// The elements of a top-level array.
    pub(crate) array: Vec<Range<usize>>,
    /// The elements of `value`, when it is an array.
    pub(crate) value: Option<Vec<Range<usize>>>,
    /// The elements of `data`, when it is an array.
    pub(crate) data: Option<Vec<Range<usize>>>,
    /// Whether a top-level key is named twice (which the readers refuse where it stands).
    pub(crate) duplicate_key: bool,
}

impl TopLevel {
    /// Scans a document's text. Fails where the text is not JSON, like a full parse would.
    pub(crate) fn read(text: &str) -> Result<TopLevel, serde_json::Error> {
        let scanned: Scanned<'_> = serde_json::from_str(text)?;
        Ok(scanned.locate(text))
    }

    /// Whether `value` is an array (an ARM listing).
    pub(crate) fn value_is_array(&self) -> bool {
        self.parts.value.is_some()
    }

    /// Whether `data` is an array (Azure Resource Graph results).
    pub(crate) fn data_is_array(&self) -> bool {
        self.parts.data.is_some()
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
            first_is_object: None,
            parts: Parts::default(),
        }
    }
}

/// A scanned top level whose parts are still slices of the text.
struct Scanned<'t> {
    top: TopLevel,
    members: Vec<Option<&'t RawValue>>,
    array: Vec<&'t RawValue>,
    value: Option<Vec<&'t RawValue>>,
    data: Option<Vec<&'t RawValue>>,
    duplicate_key: bool,
}

impl Scanned<'_> {
    fn new(top: TopLevel) -> Self {
        Scanned {
            top,
            members: Vec::new(),
            array: Vec::new(),
            value: None,
            data: None,
            duplicate_key: false,
        }
    }

    /// The top level with its parts as ranges of `text`, the text it was scanned from.
    fn locate(self, text: &str) -> TopLevel {
        let range = |raw: &RawValue| {
            let start = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
            start..start + raw.get().len()
        };
        let ranges = |list: Vec<&RawValue>| list.into_iter().map(range).collect::<Vec<_>>();
        let mut top = self.top;
        top.parts = Parts {
            members: self.members.into_iter().map(|m| m.map(range)).collect(),
            array: ranges(self.array),
            value: self.value.map(ranges),
            data: self.data.map(ranges),
            duplicate_key: self.duplicate_key,
        };
        top
    }
}

impl<'de> Deserialize<'de> for Scanned<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Scanned<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scanned<'de>, A::Error> {
        let mut top = TopLevel::scalar("an object");
        top.kind = Kind::Object;
        let mut scanned = Scanned::new(top);
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let member = match key.as_str() {
                "value" => {
                    scanned.value = map.next_value::<MaybeList<'de>>()?.0;
                    None
                }
                "data" => {
                    scanned.data = map.next_value::<MaybeList<'de>>()?.0;
                    None
                }
                _ => {
                    let raw = map.next_value::<&'de RawValue>()?;
                    let string = || serde_json::from_str::<MaybeString>(raw.get()).ok()?.0;
                    match key.as_str() {
                        "$schema" => scanned.top.schema = string(),
                        "type" => scanned.top.type_name = string(),
                        _ => {}
                    }
                    Some(raw)
                }
            };
            if !seen.insert(key.clone()) {
                scanned.duplicate_key = true;
            }
            scanned.members.push(member);
            scanned.top.keys.push(key);
        }
        Ok(scanned)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scanned<'de>, A::Error> {
        let array = elements(seq)?;
        let mut top = TopLevel::scalar("an array");
        top.kind = Kind::Array;
        top.first_is_object = array.first().map(|raw| raw.get().starts_with('{'));
        let mut scanned = Scanned::new(top);
        scanned.array = array;
        Ok(scanned)
    }

    fn visit_unit<E>(self) -> Result<Scanned<'de>, E> {
        Ok(Scanned::new(TopLevel::scalar("null")))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Scanned<'de>, E> {
        Ok(Scanned::new(TopLevel::scalar("a boolean")))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Scanned<'de>, E> {
        Ok(Scanned::new(TopLevel::scalar("a number")))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Scanned<'de>, E> {
        Ok(Scanned::new(TopLevel::scalar("a number")))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Scanned<'de>, E> {
        Ok(Scanned::new(TopLevel::scalar("a number")))
    }

    fn visit_str<E>(self, _: &str) -> Result<Scanned<'de>, E> {
        Ok(Scanned::new(TopLevel::scalar("a string")))
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

/// A value's elements when it is an array (left as text); anything else is skipped.
pub(crate) struct MaybeList<'t>(pub(crate) Option<Vec<&'t RawValue>>);

impl<'de> Deserialize<'de> for MaybeList<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<MaybeList<'de>, A::Error> {
                elements(seq).map(|e| MaybeList(Some(e)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeList<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeList(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<MaybeList<'de>, E> {
                Ok(MaybeList(None))
            }
            fn visit_unit<E>(self) -> Result<MaybeList<'de>, E> {
                Ok(MaybeList(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<MaybeList<'de>, E> {
                Ok(MaybeList(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<MaybeList<'de>, E> {
                Ok(MaybeList(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<MaybeList<'de>, E> {
                Ok(MaybeList(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<MaybeList<'de>, E> {
                Ok(MaybeList(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The elements of a sequence, left as text.
pub(crate) fn elements<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<&'de RawValue>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
    while let Some(raw) = seq.next_element::<&RawValue>()? {
        out.push(raw);
    }
    Ok(out)
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
        assert!(s.value_is_array());
        assert!(!s.data_is_array());
        assert_eq!(s.type_name, None);
        assert_eq!(TopLevel::read("[1, 2]").unwrap().kind, Kind::Array);
        assert_eq!(
            TopLevel::read(" \"x\" ").unwrap().kind,
            Kind::Scalar("a string")
        );
    }

    #[test]
    fn records_where_each_part_stands() {
        let text = r#"{"a": {"x": [1]}, "value": [{"id": 1}, 2], "data": "no list", "a": null}"#;
        let s = TopLevel::read(text).unwrap();
        let at = |r: &Range<usize>| &text[r.clone()];
        let members: Vec<Option<&str>> =
            s.parts.members.iter().map(|m| m.as_ref().map(at)).collect();
        assert_eq!(members, [Some(r#"{"x": [1]}"#), None, None, Some("null")]);
        let value: Vec<&str> = s.parts.value.as_ref().unwrap().iter().map(at).collect();
        assert_eq!(value, [r#"{"id": 1}"#, "2"]);
        assert_eq!(s.parts.data, None);
        assert!(s.parts.duplicate_key);
        let list = r#" [ {"type": "a/b"} , "x" ] "#;
        let s = TopLevel::read(list).unwrap();
        let array: Vec<&str> = s.parts.array.iter().map(|r| &list[r.clone()]).collect();
        assert_eq!(array, [r#"{"type": "a/b"}"#, r#""x""#]);
        assert_eq!(s.first_is_object, Some(true));
        assert!(
            !TopLevel::read(r#"{"a": 1, "b": 2}"#)
                .unwrap()
                .parts
                .duplicate_key
        );
    }

    #[test]
    fn fails_where_the_text_is_not_json() {
        let e = TopLevel::read("{\n  \"a\": [1,\n}").unwrap_err();
        assert_eq!(e.line(), 3);
        assert!(TopLevel::read("{} trailing").is_err());
    }
}
