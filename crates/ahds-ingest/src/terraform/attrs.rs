//! Planned attribute values walked together with `after_unknown`, so a value Terraform
//! knows only after apply becomes `Known::Unknown`, never absent or empty.

use ahds_model::Known;
use serde_json::Value;

static FALSE: Value = Value::Bool(false);

/// A planned value and its unknown marker (`true`, or a tree of markers mirroring the value).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr<'a> {
    value: Option<&'a Value>,
    unknown: &'a Value,
}

impl<'a> Attr<'a> {
    pub(crate) fn new(value: &'a Value, unknown: Option<&'a Value>) -> Self {
        Attr {
            value: Some(value),
            unknown: unknown.unwrap_or(&FALSE),
        }
    }

    /// True when the whole value is known only after apply.
    pub(crate) fn is_unknown(&self) -> bool {
        self.unknown == &Value::Bool(true)
    }

    /// True when the value is absent or null and not unknown: not set.
    pub(crate) fn is_unset(&self) -> bool {
        !self.is_unknown() && matches!(self.value, None | Some(Value::Null))
    }

    /// The raw value, when present and not null.
    pub(crate) fn raw(&self) -> Option<&'a Value> {
        self.value.filter(|v| !v.is_null())
    }

    /// A member of an object.
    pub(crate) fn get(&self, key: &str) -> Attr<'a> {
        Attr {
            value: self.value.and_then(|v| v.get(key)),
            unknown: self.unknown.get(key).unwrap_or(if self.is_unknown() {
                self.unknown
            } else {
                &FALSE
            }),
        }
    }

    /// An element of a list.
    pub(crate) fn at(&self, index: usize) -> Attr<'a> {
        Attr {
            value: self.value.and_then(|v| v.get(index)),
            unknown: self.unknown.get(index).unwrap_or(if self.is_unknown() {
                self.unknown
            } else {
                &FALSE
            }),
        }
    }

    /// The first block of a nested block list (`identity[0]`), if any.
    pub(crate) fn block(&self, key: &str) -> Option<Attr<'a>> {
        let list = self.get(key);
        if list.is_unknown() {
            return Some(Attr {
                value: None,
                unknown: &Value::Bool(true),
            });
        }
        match list.raw() {
            Some(Value::Array(a)) if !a.is_empty() => Some(list.at(0)),
            Some(Value::Object(_)) => Some(list),
            _ => None,
        }
    }

    /// The blocks of a nested block list; `None` when the list is unknown.
    pub(crate) fn blocks(&self, key: &str) -> Option<Vec<Attr<'a>>> {
        let list = self.get(key);
        if list.is_unknown() {
            return None;
        }
        Some(match list.raw() {
            Some(Value::Array(a)) => (0..a.len()).map(|i| list.at(i)).collect(),
            _ => Vec::new(),
        })
    }

    /// A string; `Unknown` when unknown; `None` when unset.
    pub(crate) fn str(&self) -> Option<Known<String>> {
        if self.is_unknown() {
            return Some(Known::Unknown);
        }
        match self.raw()? {
            Value::String(s) => Some(Known::Value(s.clone())),
            Value::Number(n) => Some(Known::Value(n.to_string())),
            Value::Bool(b) => Some(Known::Value(b.to_string())),
            _ => None,
        }
    }

    /// A boolean; `Unknown` when unknown; `None` when unset.
    pub(crate) fn bool(&self) -> Option<Known<bool>> {
        if self.is_unknown() {
            return Some(Known::Unknown);
        }
        self.raw()?.as_bool().map(Known::Value)
    }

    /// A list of strings; an unknown element makes the whole list unknown.
    pub(crate) fn strings(&self) -> Option<Known<Vec<String>>> {
        if self.is_unknown() {
            return Some(Known::Unknown);
        }
        let Value::Array(items) = self.raw()? else {
            return self.str().map(|s| s.map(|v| vec![v]));
        };
        let mut out = Vec::with_capacity(items.len());
        for i in 0..items.len() {
            match self.at(i).str() {
                Some(Known::Value(s)) => out.push(s),
                Some(Known::Unknown) => return Some(Known::Unknown),
                None => {}
            }
        }
        Some(Known::Value(out))
    }
}
