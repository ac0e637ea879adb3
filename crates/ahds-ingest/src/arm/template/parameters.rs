//! Where a template's parameters come from, and the value of each: supplied, its default,
//! `null` when nullable, or a symbol for a string without a value.

use std::collections::HashMap;

use ahds_model::symbolic;
use serde_json::{Map, Value};

use super::scope::{TemplateScope, lookup};
use crate::arm::expr::eval_value;
use crate::arm::props::{prop, str_at, unknown};

/// Where a template's parameters come from.
pub(super) enum Parameters<'o> {
    /// Its own `parameters` section, with the values supplied for them (a parameters file,
    /// or the `parameters` of the deployment that nests it with inner scope).
    Own(HashMap<String, Value>),
    /// The nesting template's, for a nested template in the default outer scope.
    Outer {
        parameters: HashMap<String, Value>,
        variables: Option<&'o Map<String, Value>>,
    },
}

/// True for parameter types whose missing value stands as a symbol.
pub(super) fn is_string_type(def: &Value) -> bool {
    str_at(def, &["type"])
        .is_some_and(|t| t.eq_ignore_ascii_case("string") || t.eq_ignore_ascii_case("securestring"))
}

/// The symbol a parameter without a value stands as.
pub(super) fn parameter_symbol(name: &str) -> Value {
    Value::String(format!("{{{}}}", symbolic::escape(name)))
}

/// A parameter's value: supplied, else its default, else `null` for a nullable one, else a
/// symbol for a string (an empty string supplied for a parameter that has no default is a
/// placeholder, not a name), else unknown.
pub(super) fn parameter_value(
    name: &str,
    def: &Value,
    supplied: &HashMap<String, Value>,
    scope: &TemplateScope<'_>,
) -> Value {
    let default = prop(def, "defaultValue");
    match lookup(supplied, name) {
        Some(Value::String(s)) if s.is_empty() && default.is_none() && is_string_type(def) => {
            parameter_symbol(name)
        }
        Some(v) => v.clone(),
        None => match default {
            Some(d) => eval_value(d, scope, 0),
            None if prop(def, "nullable").and_then(Value::as_bool) == Some(true) => Value::Null,
            None if is_string_type(def) => parameter_symbol(name),
            None => unknown(format!("parameter `{name}` has no value")),
        },
    }
}
