//! Property access as ARM treats names: case-insensitively.

use serde_json::Value;

/// A member of an object, matched case-insensitively (exact spelling first).
pub(crate) fn prop<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    let m = v.as_object()?;
    m.get(name)
        .or_else(|| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .filter(|v| !v.is_null())
}

/// A member at a path of names.
pub(crate) fn path<'a>(v: &'a Value, names: &[&str]) -> Option<&'a Value> {
    names.iter().try_fold(v, |v, n| prop(v, n))
}

/// A string member at a path.
pub(crate) fn str_at<'a>(v: &'a Value, names: &[&str]) -> Option<&'a str> {
    path(v, names).and_then(Value::as_str)
}

/// The items of an array member at a path (none when absent).
pub(crate) fn items<'a>(v: &'a Value, names: &[&str]) -> &'a [Value] {
    path(v, names)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The key of the marker object the template evaluator puts where a value cannot be
/// evaluated (`{"$unknown": "why"}`).
pub(crate) const UNKNOWN_MARKER: &str = "$unknown";

/// The marker for a value that could not be evaluated.
pub(crate) fn unknown(reason: impl Into<String>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(UNKNOWN_MARKER.into(), Value::String(reason.into()));
    Value::Object(m)
}

/// True for the unknown marker.
pub(crate) fn is_unknown(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.contains_key(UNKNOWN_MARKER))
}

use ahds_model::Known;

/// A string member: `None` when absent, `Unknown` for the marker.
pub(crate) fn known_str(v: &Value, names: &[&str]) -> Option<Known<String>> {
    let x = path(v, names)?;
    if is_unknown(x) {
        return Some(Known::Unknown);
    }
    match x {
        Value::String(s) => Some(Known::Value(s.clone())),
        Value::Bool(b) => Some(Known::Value(b.to_string())),
        Value::Number(n) => Some(Known::Value(n.to_string())),
        _ => None,
    }
}

/// A setting's string member (an enum such as `publicNetworkAccess` or `bypass`): as
/// [`known_str`], but a symbolic value — a template parameter without a value — is
/// `Unknown`, since only the deployment fixes it. Names and references keep their symbols.
pub(crate) fn setting_str(v: &Value, names: &[&str]) -> Option<Known<String>> {
    match known_str(v, names)? {
        Known::Value(s) if ahds_model::symbolic::is_symbolic(&s) => Some(Known::Unknown),
        other => Some(other),
    }
}

/// A boolean member (ARM sometimes writes booleans as strings).
pub(crate) fn known_bool(v: &Value, names: &[&str]) -> Option<Known<bool>> {
    let x = path(v, names)?;
    if is_unknown(x) {
        return Some(Known::Unknown);
    }
    match x {
        Value::String(s) if ahds_model::symbolic::is_symbolic(s) => Some(Known::Unknown),
        Value::Bool(b) => Some(Known::Value(*b)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Known::Value(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(Known::Value(false)),
        _ => None,
    }
}

/// A list member: `None` when absent, `Unknown` for the marker.
pub(crate) fn known_list<'a>(v: &'a Value, names: &[&str]) -> Option<Known<&'a [Value]>> {
    let x = path(v, names)?;
    if is_unknown(x) {
        return Some(Known::Unknown);
    }
    x.as_array().map(|a| Known::Value(a.as_slice()))
}
