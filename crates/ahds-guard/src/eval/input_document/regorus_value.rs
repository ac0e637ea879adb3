//! Serializes the policy input straight into a regorus [`Value`].
//!
//! Going through `serde_json::Value` built the document twice, and every resource id was a
//! separate allocation in both. Here each distinct string (object keys, ids, names, enum
//! values) is allocated once per document and shared: a link repeats its service's and
//! target's ids, and every resource repeats the same field names. On 10,000 workspaces
//! that is most of the document's memory.

use std::collections::BTreeMap;

use foldhash::HashSet;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::document::InputPart;
use regorus::{Rc, Value};
use serde::ser::{self, Serialize};

/// Serializes a value into a regorus value, sharing equal strings. The evaluator builds
/// documents part by part ([`parts_to_value`]); this whole-value form is what the tests
/// compare with serde_json.
#[cfg(test)]
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    let mut strings = Strings::default();
    value.serialize(ValueSerializer {
        strings: &mut strings,
    })
}

/// Serializes the parts of a document (see [`super::PolicyInput::parts`]) on up to
/// `threads` threads, largest first, and puts them together in one object. Each thread
/// shares equal strings within what it builds.
pub(crate) fn parts_to_value<'a, P>(parts: P, threads: usize) -> Result<Value, Error>
where
    P: IntoIterator<Item = InputPart<'a>>,
{
    let mut parts: Vec<InputPart<'a>> = parts.into_iter().collect();
    let built: Vec<Mutex<Option<Result<Value, Error>>>> =
        parts.iter().map(|_| Mutex::new(None)).collect();
    // The links and the collections of many resources dominate; start them first.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts[i].weight()));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut strings = Strings::default();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let value = parts[i].serialize(ValueSerializer {
                strings: &mut strings,
            });
            if let Ok(mut slot) = built[i].lock() {
                *slot = Some(value);
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.min(parts.len()) {
            scope.spawn(work);
        }
        work();
    });
    let mut doc = BTreeMap::new();
    for (part, slot) in parts.drain(..).zip(built) {
        let value = slot
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or_else(|| Err(Error(format!("part `{}` was not built", part.name()))))?;
        doc.insert(Value::from(part.name()), value);
    }
    Ok(object(doc))
}

/// Why a value could not be serialized.
#[derive(Debug)]
pub(crate) struct Error(pub(super) String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The distinct strings of one document.
#[derive(Default)]
struct Strings(HashSet<Rc<str>>);

impl Strings {
    fn get(&mut self, s: &str) -> Value {
        if let Some(shared) = self.0.get(s) {
            return Value::String(shared.clone());
        }
        let shared: Rc<str> = Rc::from(s);
        self.0.insert(shared.clone());
        Value::String(shared)
    }
}

struct ValueSerializer<'a> {
    strings: &'a mut Strings,
}

impl<'a> ValueSerializer<'a> {
    fn child(&mut self) -> ValueSerializer<'_> {
        ValueSerializer {
            strings: &mut *self.strings,
        }
    }
}

fn object(entries: BTreeMap<Value, Value>) -> Value {
    Value::from(entries)
}

fn tagged(strings: &mut Strings, variant: &str, value: Value) -> Value {
    let mut m = BTreeMap::new();
    m.insert(strings.get(variant), value);
    object(m)
}

impl<'a> ser::Serializer for ValueSerializer<'a> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqSerializer<'a>;
    type SerializeTuple = SeqSerializer<'a>;
    type SerializeTupleStruct = SeqSerializer<'a>;
    type SerializeTupleVariant = SeqSerializer<'a>;
    type SerializeMap = MapSerializer<'a>;
    type SerializeStruct = MapSerializer<'a>;
    type SerializeStructVariant = MapSerializer<'a>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(Value::from(i64::from(v)))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(Value::from(i64::from(v)))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(Value::from(i64::from(v)))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        // JSON has no NaN or infinity; serde_json writes them as null, and so do we.
        Ok(if v.is_finite() {
            Value::from(v)
        } else {
            Value::Null
        })
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(self.strings.get(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(self.strings.get(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::from(
            v.iter()
                .map(|b| Value::from(u64::from(*b)))
                .collect::<Vec<_>>(),
        ))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(self.strings.get(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let inner = value.serialize(self.child())?;
        Ok(tagged(self.strings, variant, inner))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer<'a>, Error> {
        Ok(SeqSerializer {
            strings: self.strings,
            items: Vec::with_capacity(len.unwrap_or(0)),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<SeqSerializer<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqSerializer<'a>, Error> {
        Ok(SeqSerializer {
            strings: self.strings,
            items: Vec::with_capacity(len),
            variant: Some(variant),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapSerializer<'a>, Error> {
        Ok(MapSerializer {
            strings: self.strings,
            entries: BTreeMap::new(),
            key: None,
            variant: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapSerializer<'a>, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<MapSerializer<'a>, Error> {
        Ok(MapSerializer {
            strings: self.strings,
            entries: BTreeMap::new(),
            key: None,
            variant: Some(variant),
        })
    }
}

pub(crate) struct SeqSerializer<'a> {
    strings: &'a mut Strings,
    items: Vec<Value>,
    variant: Option<&'static str>,
}

impl SeqSerializer<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let v = value.serialize(ValueSerializer {
            strings: &mut *self.strings,
        })?;
        self.items.push(v);
        Ok(())
    }

    fn finish(self) -> Value {
        let array = Value::from(self.items);
        match self.variant {
            Some(variant) => tagged(self.strings, variant, array),
            None => array,
        }
    }
}

/// The four sequence-like serializer traits differ only in their method's name.
macro_rules! sequence_serializer {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for SeqSerializer<'_> {
            type Ok = Value;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.push(value)
            }
            fn end(self) -> Result<Value, Error> {
                Ok(self.finish())
            }
        }
    )*};
}

sequence_serializer!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

pub(crate) struct MapSerializer<'a> {
    strings: &'a mut Strings,
    entries: BTreeMap<Value, Value>,
    key: Option<Value>,
    variant: Option<&'static str>,
}

impl MapSerializer<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let k = self.strings.get(key);
        let v = value.serialize(ValueSerializer {
            strings: &mut *self.strings,
        })?;
        self.entries.insert(k, v);
        Ok(())
    }

    fn finish(self) -> Value {
        let obj = object(self.entries);
        match self.variant {
            Some(variant) => tagged(self.strings, variant, obj),
            None => obj,
        }
    }
}

impl ser::SerializeMap for MapSerializer<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let k = key.serialize(ValueSerializer {
            strings: &mut *self.strings,
        })?;
        // The document must stay JSON. Like serde_json, write number and boolean keys as
        // their text and refuse the rest.
        let k = match k {
            Value::String(_) => k,
            Value::Number(_) | Value::Bool(_) => {
                let text = k.to_json_str().map_err(|e| Error(e.to_string()))?;
                self.strings.get(&text)
            }
            other => return Err(Error(format!("map key is not a string: {other}"))),
        };
        self.key = Some(k);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let Some(k) = self.key.take() else {
            return Err(Error("map value without a key".into()));
        };
        let v = value.serialize(ValueSerializer {
            strings: &mut *self.strings,
        })?;
        self.entries.insert(k, v);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for MapSerializer<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for MapSerializer<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::input_document::document::{LINK_TARGET_FIELD, PolicyInput};
    use crate::eval::input_document::link_targets::attach_link_targets;
    use serde::Serialize;

    /// The direct path must build exactly what the serde_json path builds.
    fn same_as_json<T: Serialize>(value: &T) {
        let direct = to_value(value).unwrap();
        let via_json = Value::from(serde_json::to_value(value).unwrap());
        assert_eq!(direct, via_json);
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { a: Option<bool>, b: Vec<f64> },
    }

    #[derive(Serialize)]
    struct Doc {
        name: &'static str,
        nothing: Option<u8>,
        shapes: Vec<Shape>,
        map: BTreeMap<String, (i64, u64)>,
        big: u128,
        neg: i128,
        c: char,
    }

    #[test]
    fn builds_what_serde_json_builds() {
        same_as_json(&Doc {
            name: "x",
            nothing: None,
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, "t".into()),
                Shape::Struct {
                    a: Some(true),
                    b: vec![1.5, -0.25, 1e300],
                },
            ],
            map: [("k".to_string(), (-1, u64::MAX))].into_iter().collect(),
            big: 12,
            neg: -12,
            c: 'é',
        });
    }

    #[test]
    fn builds_the_policy_input_serde_json_builds() {
        for file in ["contoso-clinical.json", "contoso-clinical-hardened.json"] {
            let path = format!(
                "{}/../../testdata/examples/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            let bytes = std::fs::read(&path).unwrap();
            let estate = ahds_ingest::read(&bytes, file, ahds_ingest::InputFormat::Auto)
                .unwrap()
                .estate;
            let analysis = ahds_model::analyze(&estate);
            let input = PolicyInput {
                estate: &estate,
                analysis: &analysis,
            };
            same_as_json(&input);
            // The evaluator's way: no targets in the links, then the shared entries; on
            // several threads, part by part, the same.
            let mut shared = to_value(&input.without_link_targets()).unwrap();
            let in_parts = parts_to_value(input.without_link_targets().parts(), 3).unwrap();
            assert_eq!(shared, in_parts, "{file}: built in parts differs");
            attach_link_targets(&mut shared).unwrap();
            let json = serde_json::to_value(input).unwrap();
            assert_eq!(shared, Value::from(json.clone()));
            let resolved = json["links"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["target"].is_object())
                .count();
            assert!(resolved > 0, "{file}: no link has its target");
            let Value::Array(links) = &shared[&Value::from("links")] else {
                panic!("no links")
            };
            let first = &links[0];
            let Value::Object(target) = &first[&Value::from(LINK_TARGET_FIELD)] else {
                panic!("first link is unresolved")
            };
            let Value::Object(in_collection) =
                &shared[&first[&Value::from("target_type")]][&first[&Value::from("target_id")]]
            else {
                panic!("target not in its collection")
            };
            assert!(
                Rc::ptr_eq(target, in_collection),
                "the entry is copied, not shared"
            );
        }
    }

    #[test]
    fn shares_equal_strings() {
        let v = to_value(&vec!["same-id", "same-id"]).unwrap();
        let Value::Array(items) = v else {
            panic!("not an array")
        };
        let (Value::String(a), Value::String(b)) = (&items[0], &items[1]) else {
            panic!("not strings")
        };
        assert!(Rc::ptr_eq(a, b));
    }

    #[test]
    fn writes_number_keys_as_text_and_refuses_compound_keys() {
        let m: BTreeMap<u8, u8> = [(1, 2)].into_iter().collect();
        same_as_json(&m);
        let m: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
        assert!(to_value(&m).is_err());
    }
}
