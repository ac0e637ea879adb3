//! String functions, aware of symbols.
//!
//! Concatenation keeps symbols as they are. A function whose result depends on what a
//! symbol holds (`substring` across one, `replace` in one) gives a new symbol named after
//! the call (`{substring(uniqueString:4a8c2076,0,6)}`): deterministic, so the same call on
//! the same value gives the same symbol. Case changes keep symbols, since ARM compares
//! names without case. Tests on symbolic text that literal text cannot decide are unknown.

use ahds_model::symbolic::{Segment, escape, is_symbolic, segments};
use serde_json::{Map, Value};

use crate::arm::props::{is_unknown, unknown};

/// The key of the unknown marker for `split()` of a symbolic string.
const SPLIT_KEY: &str = "$split";

/// Text of a value inside a derived symbol.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => segments(s)
            .into_iter()
            .map(|seg| match seg {
                Segment::Text(t) => escape(t),
                Segment::Symbol(x) => x.to_string(),
            })
            .collect(),
        other => escape(&other.to_string()),
    }
}

/// The symbol standing for `function(args...)`.
fn derived(function: &str, args: &[&Value]) -> Value {
    let inner: Vec<String> = args.iter().map(|a| render(a)).collect();
    Value::String(format!("{{{function}({})}}", inner.join(",")))
}

/// Text the way `concat` and `format` write a scalar.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.into()),
        _ => None,
    }
}

/// The literal text a symbolic string starts with.
fn literal_prefix(s: &str) -> &str {
    match segments(s).first() {
        Some(Segment::Text(t)) => t,
        _ => "",
    }
}

/// The literal text a symbolic string ends with.
fn literal_suffix(s: &str) -> &str {
    match segments(s).last() {
        Some(Segment::Text(t)) => t,
        _ => "",
    }
}

/// Maps the literal text of a string, keeping its symbols.
fn map_text(s: &str, f: impl Fn(&str) -> String) -> String {
    segments(s)
        .into_iter()
        .map(|seg| match seg {
            Segment::Text(t) => f(t),
            Segment::Symbol(x) => format!("{{{x}}}"),
        })
        .collect()
}

/// `substring(s, start, length)` in characters; a range that reaches into a symbol is a
/// derived symbol.
fn substring(s: &str, start: usize, len: Option<usize>, call: &[&Value]) -> Value {
    let prefix = literal_prefix(s);
    let within = |end: usize| end <= prefix.chars().count();
    if !is_symbolic(s) || len.is_some_and(|l| within(start + l)) {
        let chars = s.chars().skip(start);
        return Value::String(match len {
            Some(l) => chars.take(l).collect(),
            None => chars.collect(),
        });
    }
    derived("substring", call)
}

fn format_dotnet(fmt: &str, args: &[Value]) -> Value {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                let index = spec.split([':', ',']).next().unwrap_or("").trim();
                let Some(arg) = index.parse::<usize>().ok().and_then(|i| args.get(i)) else {
                    return unknown(format!(
                        "format string `{fmt}` refers to a missing argument"
                    ));
                };
                match text_of(arg) {
                    Some(t) => out.push_str(&t),
                    None => return unknown("format() of a value that is not a string or number"),
                }
            }
            c => out.push(c),
        }
    }
    Value::String(out)
}

/// The string functions; `None` when the name is not one, or (for functions that also take
/// arrays) the first argument is not a string.
pub(super) fn call(lname: &str, vals: &[Value]) -> Option<Value> {
    let arg_str = |i: usize| vals.get(i).and_then(Value::as_str);
    let all: Vec<&Value> = vals.iter().collect();
    let first = arg_str(0);
    Some(match lname {
        "concat" if !vals.iter().all(Value::is_array) => {
            let mut s = String::new();
            for v in vals {
                match text_of(v) {
                    Some(t) => s.push_str(&t),
                    None => return Some(unknown("concat() of values that are not strings")),
                }
            }
            Value::String(s)
        }
        "format" => match first {
            Some(f) => format_dotnet(f, &vals[1..]),
            None => unknown("format() without a format string"),
        },
        "tolower" => first.map_or_else(
            || unknown("toLower() of a non-string"),
            |s| Value::String(map_text(s, str::to_lowercase)),
        ),
        "toupper" => first.map_or_else(
            || unknown("toUpper() of a non-string"),
            |s| Value::String(map_text(s, str::to_uppercase)),
        ),
        // Names hold no white space, so a symbol is taken to have none at its ends.
        "trim" => first.map_or_else(
            || unknown("trim() of a non-string"),
            |s| {
                let t = s.trim();
                Value::String(t.to_string())
            },
        ),
        "string" => match vals.first() {
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(v) => Value::String(v.to_string()),
            None => unknown("string() without an argument"),
        },
        "substring" => {
            let (Some(s), Some(start)) = (first, vals.get(1).and_then(Value::as_u64)) else {
                return Some(unknown("substring() of the wrong types"));
            };
            let len = vals.get(2).and_then(Value::as_u64);
            let to_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
            substring(s, to_usize(start), len.map(to_usize), &all)
        }
        "take" | "skip" => {
            let (Some(s), Some(n)) = (first, vals.get(1).and_then(Value::as_u64)) else {
                return None;
            };
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if lname == "take" {
                substring(s, 0, Some(n), &all)
            } else if !is_symbolic(s) || n <= literal_prefix(s).chars().count() {
                Value::String(s.chars().skip(n).collect())
            } else {
                derived("skip", &all)
            }
        }
        "padleft" => {
            let (Some(s), Some(n)) = (first, vals.get(1).and_then(Value::as_u64)) else {
                return Some(unknown("padLeft() of the wrong types"));
            };
            let pad = arg_str(2).and_then(|p| p.chars().next()).unwrap_or(' ');
            if n > super::budget::MAX_TEXT as u64 {
                super::budget::stop(
                    format!("padLeft() to {n} characters; evaluation stopped"),
                    "",
                );
                return Some(unknown("padLeft() too long"));
            }
            if is_symbolic(s) {
                derived("padLeft", &all)
            } else {
                let n = usize::try_from(n).unwrap_or(0);
                let len = s.chars().count();
                let mut out: String = std::iter::repeat_n(pad, n.saturating_sub(len)).collect();
                out.push_str(s);
                Value::String(out)
            }
        }
        "replace" => match (first, arg_str(1), arg_str(2)) {
            (Some(s), Some(a), Some(b)) if !is_symbolic(s) || a == b => {
                let grows = b.len().saturating_sub(a.len());
                let count = if a.is_empty() || grows == 0 {
                    0
                } else {
                    s.matches(a).count()
                };
                if s.len().saturating_add(count.saturating_mul(grows)) > super::budget::MAX_TEXT {
                    super::budget::stop(
                        format!(
                            "replace() builds a string of more than {} bytes; evaluation stopped",
                            super::budget::MAX_TEXT
                        ),
                        "",
                    );
                    return Some(unknown("replace() too long"));
                }
                Value::String(s.replace(a, b))
            }
            (Some(_), Some(_), Some(_)) => derived("replace", &all),
            _ => unknown("replace() of the wrong types"),
        },
        "split" => match (first, vals.get(1)) {
            (Some(s), Some(d)) if is_symbolic(s) => {
                let mut m = Map::new();
                m.insert(
                    crate::arm::props::UNKNOWN_MARKER.into(),
                    Value::String("split() of a name fixed only at deployment".into()),
                );
                m.insert(
                    SPLIT_KEY.into(),
                    Value::Array(vec![Value::from(s), d.clone()]),
                );
                Value::Object(m)
            }
            (Some(s), Some(Value::String(d))) => Value::Array(
                s.split(d.as_str())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ),
            (Some(s), Some(Value::Array(ds))) => {
                let delims: Vec<&str> = ds.iter().filter_map(Value::as_str).collect();
                let mut parts = vec![s.to_string()];
                for d in delims {
                    parts = parts
                        .iter()
                        .flat_map(|p| p.split(d).map(str::to_string).collect::<Vec<_>>())
                        .collect();
                }
                Value::Array(parts.into_iter().map(Value::String).collect())
            }
            _ => unknown("split() of the wrong types"),
        },
        "uri" => match (first, arg_str(1)) {
            (Some(base), Some(rel)) => {
                let rel = rel.trim_start_matches('/');
                Value::String(match base.rfind('/') {
                    Some(i) if base.contains("://") && i > base.find("://").unwrap_or(0) + 2 => {
                        format!("{}{rel}", &base[..=i])
                    }
                    _ => format!("{}/{rel}", base.trim_end_matches('/')),
                })
            }
            _ => unknown("uri() of the wrong types"),
        },
        "startswith" | "endswith" => match (first, arg_str(1)) {
            (Some(s), Some(p)) => affix_test(lname == "startswith", s, p),
            _ => unknown("startsWith()/endsWith() of the wrong types"),
        },
        "contains" if first.is_some() => match arg_str(1) {
            Some(x) => {
                let (s, x) = (first.unwrap_or("").to_lowercase(), x.to_lowercase());
                if s.contains(&x) {
                    Value::Bool(true)
                } else if is_symbolic(&s) || is_symbolic(&x) {
                    unknown("contains() of a name fixed only at deployment")
                } else {
                    Value::Bool(false)
                }
            }
            None => unknown("contains() of the wrong types"),
        },
        "length" | "empty" | "first" | "last" | "indexof" | "lastindexof" | "int" | "bool"
        | "json"
            if first.is_some_and(is_symbolic) =>
        {
            // Only the deployment knows how long a symbol is or what it holds; text
            // around it is never empty.
            let has_text = segments(first.unwrap_or(""))
                .iter()
                .any(|seg| matches!(seg, Segment::Text(_)));
            if lname == "empty" && has_text {
                Value::Bool(false)
            } else if matches!(lname, "length" | "first" | "last") {
                // A symbol of the call: the same call on the same name gives the same.
                super::symbol_of(&format!(
                    "{lname}({})",
                    super::strip_braces(first.unwrap_or(""))
                ))
            } else {
                unknown(format!("{lname}() of a value fixed only at deployment"))
            }
        }
        "length" if first.is_some() => Value::from(first.unwrap_or("").chars().count()),
        "empty" if first.is_some() => Value::Bool(first.unwrap_or("").is_empty()),
        "first" if first.is_some() => Value::String(
            first
                .and_then(|s| s.chars().next())
                .map(String::from)
                .unwrap_or_default(),
        ),
        "last" if first.is_some() => Value::String(
            first
                .and_then(|s| s.chars().last())
                .map(String::from)
                .unwrap_or_default(),
        ),
        "indexof" | "lastindexof" if first.is_some() => match arg_str(1) {
            Some(x) => {
                let (s, x) = (first.unwrap_or("").to_lowercase(), x.to_lowercase());
                let at = if lname == "indexof" {
                    s.find(&x)
                } else {
                    s.rfind(&x)
                };
                Value::from(at.map_or(-1, |i| i64::try_from(s[..i].chars().count()).unwrap_or(-1)))
            }
            None => unknown("indexOf() of the wrong types"),
        },
        "json" => first
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_else(|| unknown("json() of text that is not JSON")),
        _ => return None,
    })
}

/// `startsWith` / `endsWith`, decided by the literal text at that end of a symbolic string
/// where it is long enough.
fn affix_test(start: bool, s: &str, p: &str) -> Value {
    let (s, p) = (s.to_lowercase(), p.to_lowercase());
    if is_symbolic(&p) {
        return unknown("a test of a value fixed only at deployment");
    }
    if !is_symbolic(&s) {
        return Value::Bool(if start {
            s.starts_with(&p)
        } else {
            s.ends_with(&p)
        });
    }
    let known = if start {
        literal_prefix(&s)
    } else {
        literal_suffix(&s)
    };
    if known.len() >= p.len() {
        Value::Bool(if start {
            known.starts_with(&p)
        } else {
            known.ends_with(&p)
        })
    } else if (start && p.starts_with(known)) || (!start && p.ends_with(known)) {
        unknown("a test of a value fixed only at deployment")
    } else {
        Value::Bool(false)
    }
}

/// `split(symbolic, d)[i]`: the part is a symbol named after the call.
pub(super) fn split_part(base: &Value, index: &Value) -> Option<Value> {
    let parts = base.get(SPLIT_KEY)?.as_array()?;
    if is_unknown(index) {
        return Some(unknown("index into a value not known before deployment"));
    }
    let (s, d) = (parts.first()?, parts.get(1)?);
    Some(Value::String(format!(
        "{{split({},{})[{}]}}",
        render(s),
        render(d),
        render(index)
    )))
}
