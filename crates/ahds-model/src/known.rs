//! A value that a deployment description may not know yet.
//!
//! A Terraform plan marks attributes that are computed during apply as "known after apply";
//! an ARM template may use an expression we cannot evaluate. Such values are never treated as
//! `false` or empty: rules that depend on them report the finding as undetermined.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that is either known or will only be known after the deployment is applied.
///
/// In JSON (the native format and the policy input document) `Unknown` is written as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Known<T> {
    /// The value is known.
    Value(T),
    /// The value is only known after apply, or could not be evaluated.
    #[default]
    Unknown,
}

impl<T> Known<T> {
    /// The value, if known.
    pub fn value(&self) -> Option<&T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown => None,
        }
    }

    /// Consumes `self` and returns the value, if known.
    pub fn into_value(self) -> Option<T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown => None,
        }
    }

    /// True when the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Known::Unknown)
    }

    /// Borrows the inner value.
    pub fn as_ref(&self) -> Known<&T> {
        match self {
            Known::Value(v) => Known::Value(v),
            Known::Unknown => Known::Unknown,
        }
    }

    /// Maps a known value, keeping `Unknown` unknown.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Known<U> {
        match self {
            Known::Value(v) => Known::Value(f(v)),
            Known::Unknown => Known::Unknown,
        }
    }
}

impl<T> From<T> for Known<T> {
    fn from(v: T) -> Self {
        Known::Value(v)
    }
}

impl<T: Serialize> Serialize for Known<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Known::Value(v) => v.serialize(s),
            Known::Unknown => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Known<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            Some(v) => Known::Value(v),
            None => Known::Unknown,
        })
    }
}

/// `serde` default for string lists whose absence means "none".
pub(crate) fn known_no_strings() -> Known<Vec<String>> {
    Known::Value(Vec::new())
}

/// `serde` default for flags whose absence means off.
pub(crate) fn known_false() -> Known<bool> {
    Known::Value(false)
}

impl<T> From<Option<T>> for Known<T> {
    /// `None` is unknown.
    fn from(v: Option<T>) -> Self {
        match v {
            Some(v) => Known::Value(v),
            None => Known::Unknown,
        }
    }
}

/// Three-valued logic on facts that may be undetermined (Kleene's: `Unknown` is "could be
/// either"). Input values and derived facts are both `Known<bool>`.
impl Known<bool> {
    /// Conjunction: false wins over unknown, unknown wins over true.
    #[must_use]
    pub fn and(self, other: Known<bool>) -> Known<bool> {
        match (self, other) {
            (Known::Value(false), _) | (_, Known::Value(false)) => Known::Value(false),
            (Known::Value(true), Known::Value(true)) => Known::Value(true),
            _ => Known::Unknown,
        }
    }

    /// Disjunction: true wins over unknown, unknown wins over false.
    #[must_use]
    pub fn or(self, other: Known<bool>) -> Known<bool> {
        match (self, other) {
            (Known::Value(true), _) | (_, Known::Value(true)) => Known::Value(true),
            (Known::Value(false), Known::Value(false)) => Known::Value(false),
            _ => Known::Unknown,
        }
    }
}

/// `serde` helpers for optional fields whose presence matters and whose value may be unknown:
/// a missing field is `None`, an explicit `null` is `Some(Known::Unknown)`.
pub(crate) mod optional {
    use super::Known;
    use serde::{Deserialize, Deserializer};

    /// Deserializes a present field (even `null`) as `Some`.
    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Option<Known<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Known::<T>::deserialize(d).map(Some)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Known<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Known_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let inner = generator.subschema_for::<T>();
        schemars::json_schema!({
            "anyOf": [inner, {"type": "null", "description": "Not known yet (known only after apply)."}]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_is_unknown_and_round_trips() {
        let k: Known<String> = serde_json::from_str("null").unwrap();
        assert!(k.is_unknown());
        assert_eq!(serde_json::to_string(&k).unwrap(), "null");
        let k: Known<String> = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(k.value().map(String::as_str), Some("x"));
    }

    #[test]
    fn kleene_logic() {
        use Known::{Unknown, Value};
        assert_eq!(Value(true).and(Unknown), Unknown);
        assert_eq!(Value(false).and(Unknown), Value(false));
        assert_eq!(Value(true).or(Unknown), Value(true));
        assert_eq!(Value(false).or(Unknown), Unknown);
        assert_eq!(Value(false).or(Value(false)), Value(false));
    }
}
