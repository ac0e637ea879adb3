//! Values of a Terraform configuration as far as they are known before a plan.

use std::collections::BTreeMap;

/// A configuration value. `Unknown` is a value Terraform learns only when it plans or
/// applies (a computed attribute, a variable nobody set, a data source's answer); where it
/// can stand in a name it carries a symbol naming where it comes from (`var.env`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Val>),
    Object(BTreeMap<String, Val>),
    Unknown(Option<String>),
}

impl Val {
    /// An unknown named after where it comes from. `/` cannot be in a symbol, so it is
    /// written escaped.
    pub(crate) fn symbol(name: &str) -> Val {
        Val::Unknown(Some(name.replace('/', "%2F")))
    }

    /// The symbol standing for what an expression or call gives, named by its text: braces
    /// and `/` cannot stand in a symbol, and a long text is named by a digest of it.
    pub(crate) fn symbol_of(text: &str) -> Val {
        const LONGEST: usize = 120;
        let name = ahds_model::symbolic::escape(text);
        if name.len() <= LONGEST {
            return Val::Unknown(Some(name));
        }
        let head: String = name
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .take(40)
            .collect();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let head = if head.is_empty() {
            "expr".to_string()
        } else {
            head
        };
        Val::Unknown(Some(format!("{head}:{hash:016x}")))
    }

    pub(crate) fn unknown() -> Val {
        Val::Unknown(None)
    }

    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_))
    }

    /// True when the value or anything inside it is unknown.
    pub(crate) fn has_unknown(&self) -> bool {
        match self {
            Val::Unknown(_) => true,
            Val::List(l) => l.iter().any(Val::has_unknown),
            Val::Object(m) => m.values().any(Val::has_unknown),
            _ => false,
        }
    }

    /// The text of a value in a string template; `Err` with the unknown to return when the
    /// value has no text yet. A symbol is written `{name}`.
    pub(crate) fn to_text(&self) -> Result<String, Val> {
        match self {
            Val::String(s) => Ok(s.clone()),
            Val::Number(n) => Ok(number_text(*n)),
            Val::Bool(b) => Ok(b.to_string()),
            Val::Unknown(Some(s)) => Ok(format!("{{{s}}}")),
            _ => Err(Val::unknown()),
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Number(n) => Some(*n),
            Val::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::String(s) if s == "true" => Some(true),
            Val::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// What building the value costs against an evaluation budget: one per element, one
    /// per 32 bytes of text. Counting stops past `limit`.
    pub(crate) fn weight(&self, limit: u64) -> u64 {
        fn walk(v: &Val, total: &mut u64, limit: u64) {
            if *total > limit {
                return;
            }
            *total += 1;
            match v {
                Val::String(s) => *total += (s.len() / 32) as u64,
                Val::Unknown(Some(s)) => *total += (s.len() / 32) as u64,
                Val::List(l) => l.iter().for_each(|x| walk(x, total, limit)),
                Val::Object(m) => m.iter().for_each(|(k, x)| {
                    *total += (k.len() / 32) as u64;
                    walk(x, total, limit);
                }),
                _ => {}
            }
        }
        let mut total = 0;
        walk(self, &mut total, limit);
        total
    }

    /// The value as JSON; unknowns become `null`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Val::Null | Val::Unknown(_) => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Number(n) => number_json(*n),
            Val::String(s) => Value::String(s.clone()),
            Val::List(l) => Value::Array(l.iter().map(Val::to_json).collect()),
            Val::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// A JSON document as a value.
    pub(crate) fn from_json(v: &serde_json::Value) -> Val {
        use serde_json::Value;
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Number(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => Val::String(s.clone()),
            Value::Array(a) => Val::List(a.iter().map(Val::from_json).collect()),
            Value::Object(m) => Val::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Val::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Terraform writes whole numbers without a fraction.
pub(crate) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn number_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}
