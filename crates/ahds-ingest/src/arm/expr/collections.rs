//! Arrays and objects, and the lambda functions over them (`map`, `filter`, `reduce`,
//! `sort`, `toObject`, `groupBy`, `mapValues`).

use serde_json::{Map, Value};

use super::parse::Expr;
use super::{Bound, Scope, eval, logic};
use crate::arm::props::{is_unknown, prop, unknown};

/// Functions that decide with some arguments unknown.
pub(super) fn call_partial(lname: &str, vals: &[Value]) -> Option<Value> {
    match lname {
        // The first non-null argument, unless an unknown one comes before it.
        "coalesce" => Some(
            vals.iter()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Value::Null),
        ),
        // `tryGet(object, key...)`: null where a key is missing, as Bicep's `.?` compiles.
        "tryget" => {
            let mut cur = vals.first()?.clone();
            for k in &vals[1..] {
                if is_unknown(&cur) || is_unknown(k) {
                    return Some(unknown("tryGet() of a value not known before deployment"));
                }
                cur = match (&cur, k) {
                    (Value::Object(_), Value::String(key)) => {
                        prop(&cur, key).cloned().unwrap_or(Value::Null)
                    }
                    (Value::Array(a), Value::Number(n)) => n
                        .as_u64()
                        .and_then(|n| a.get(usize::try_from(n).ok()?))
                        .cloned()
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                };
            }
            Some(cur)
        }
        _ => None,
    }
}

fn merge_deep(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => merge_deep(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

pub(super) fn call(lname: &str, vals: &[Value]) -> Option<Value> {
    let first = vals.first();
    Some(match lname {
        "concat" => Value::Array(
            vals.iter()
                .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                .collect(),
        ),
        "createarray" => Value::Array(vals.to_vec()),
        "array" => match first {
            Some(Value::Array(a)) => Value::Array(a.clone()),
            Some(v) => Value::Array(vec![v.clone()]),
            None => Value::Array(Vec::new()),
        },
        "createobject" => {
            let mut m = Map::new();
            for pair in vals.chunks(2) {
                match pair {
                    [Value::String(k), v] => {
                        m.insert(k.clone(), v.clone());
                    }
                    _ => return Some(unknown("createObject() with a non-string key")),
                }
            }
            Value::Object(m)
        }
        "length" => match first {
            Some(Value::Array(a)) => Value::from(a.len()),
            Some(Value::Object(m)) => Value::from(m.len()),
            _ => unknown("length() of a scalar"),
        },
        "empty" => match first {
            Some(Value::Null) | None => Value::Bool(true),
            Some(Value::Array(a)) => Value::Bool(a.is_empty()),
            Some(Value::Object(m)) => Value::Bool(m.is_empty()),
            Some(_) => Value::Bool(false),
        },
        "contains" => match (first, vals.get(1)) {
            (Some(Value::Array(a)), Some(x)) => Value::Bool(a.contains(x)),
            (Some(o @ Value::Object(_)), Some(Value::String(k))) => {
                Value::Bool(prop(o, k).is_some())
            }
            _ => unknown("contains() of the wrong types"),
        },
        "first" => match first {
            Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
            _ => unknown("first() of a non-array"),
        },
        "last" => match first {
            Some(Value::Array(a)) => a.last().cloned().unwrap_or(Value::Null),
            _ => unknown("last() of a non-array"),
        },
        "take" | "skip" => match (first, vals.get(1).and_then(Value::as_u64)) {
            (Some(Value::Array(a)), Some(n)) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX).min(a.len());
                Value::Array(if lname == "take" {
                    a[..n].to_vec()
                } else {
                    a[n..].to_vec()
                })
            }
            _ => unknown("take()/skip() of the wrong types"),
        },
        "indexof" | "lastindexof" => match (first, vals.get(1)) {
            (Some(Value::Array(a)), Some(x)) => {
                let at = if lname == "indexof" {
                    a.iter().position(|v| v == x)
                } else {
                    a.iter().rposition(|v| v == x)
                };
                Value::from(at.and_then(|i| i64::try_from(i).ok()).unwrap_or(-1))
            }
            _ => unknown("indexOf() of the wrong types"),
        },
        "union" => {
            if vals.iter().all(Value::is_object) {
                let mut m = Map::new();
                for v in vals {
                    if let Value::Object(o) = v {
                        merge_deep(&mut m, o.clone());
                    }
                }
                Value::Object(m)
            } else if vals.iter().all(Value::is_array) {
                let mut out: Vec<Value> = Vec::new();
                for v in vals
                    .iter()
                    .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Value::Array(out)
            } else {
                unknown("union() of mixed types")
            }
        }
        "intersection" => {
            if let Some(Value::Array(head)) = first {
                let rest: Vec<&Vec<Value>> = vals[1..].iter().filter_map(Value::as_array).collect();
                if rest.len() + 1 != vals.len() {
                    return Some(unknown("intersection() of mixed types"));
                }
                let mut out: Vec<Value> = Vec::new();
                for v in head {
                    if rest.iter().all(|r| r.contains(v)) && !out.contains(v) {
                        out.push(v.clone());
                    }
                }
                Value::Array(out)
            } else if let Some(Value::Object(head)) = first {
                let rest: Vec<&Map<String, Value>> =
                    vals[1..].iter().filter_map(Value::as_object).collect();
                if rest.len() + 1 != vals.len() {
                    return Some(unknown("intersection() of mixed types"));
                }
                Value::Object(
                    head.iter()
                        .filter(|(k, v)| rest.iter().all(|r| r.get(*k) == Some(v)))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            } else {
                unknown("intersection() of the wrong types")
            }
        }
        "shallowmerge" => match first {
            Some(Value::Array(a)) => {
                let mut m = Map::new();
                for o in a.iter().filter_map(Value::as_object) {
                    m.extend(o.clone());
                }
                Value::Object(m)
            }
            _ => unknown("shallowMerge() of a non-array"),
        },
        "items" => match first {
            Some(Value::Object(m)) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort_by_key(|k| k.to_lowercase());
                Value::Array(
                    keys.into_iter()
                        .map(|k| serde_json::json!({"key": k, "value": m[k]}))
                        .collect(),
                )
            }
            _ => unknown("items() of a non-object"),
        },
        "objectkeys" => match first {
            Some(Value::Object(m)) => Value::Array(m.keys().cloned().map(Value::String).collect()),
            _ => unknown("objectKeys() of a non-object"),
        },
        "flatten" => match first {
            Some(Value::Array(a)) => Value::Array(
                a.iter()
                    .flat_map(|v| match v {
                        Value::Array(inner) => inner.clone(),
                        other => vec![other.clone()],
                    })
                    .collect(),
            ),
            _ => unknown("flatten() of a non-array"),
        },
        "join" => match (first, vals.get(1).and_then(Value::as_str)) {
            (Some(Value::Array(a)), Some(d)) => {
                let parts: Option<Vec<String>> = a
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        Value::Bool(b) => Some(b.to_string()),
                        _ => None,
                    })
                    .collect();
                parts.map_or_else(
                    || unknown("join() of non-strings"),
                    |p| Value::String(p.join(d)),
                )
            }
            _ => unknown("join() of the wrong types"),
        },
        "range" => match (
            vals.first().and_then(Value::as_i64),
            vals.get(1).and_then(Value::as_i64),
        ) {
            (Some(start), Some(count)) if (0..=10_000).contains(&count) => {
                Value::Array((start..start + count).map(Value::from).collect())
            }
            _ => unknown("range() of the wrong types"),
        },
        _ => return None,
    })
}

/// A `lambda('a', 'b', body)`: its variable names and body.
fn lambda(e: &Expr) -> Option<(Vec<String>, &Expr)> {
    let Expr::Call(name, args) = e else {
        return None;
    };
    if !name.eq_ignore_ascii_case("lambda") || args.is_empty() {
        return None;
    }
    let (body, vars) = args.split_last()?;
    let names = vars
        .iter()
        .map(|v| match v {
            Expr::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((names, body))
}

/// Applies a lambda to arguments.
fn apply(f: &(Vec<String>, &Expr), args: Vec<Value>, scope: &dyn Scope, depth: usize) -> Value {
    let bound = Bound {
        parent: scope,
        copy: None,
        lambda: f.0.iter().cloned().zip(args).collect(),
    };
    eval(f.1, &bound, depth + 1)
}

/// `map`, `filter`, `reduce`, `sort`, `toObject`, `groupBy` and `mapValues`.
pub(super) fn lambda_call(lname: &str, args: &[Expr], scope: &dyn Scope, depth: usize) -> Value {
    let Some(input) = args.first().map(|a| eval(a, scope, depth + 1)) else {
        return unknown(format!("{lname}() without arguments"));
    };
    if is_unknown(&input) {
        return input;
    }
    let lambda_at = |i: usize| args.get(i).and_then(lambda);
    let items: Vec<Value> = match (&input, lname) {
        (Value::Object(m), "mapvalues") => m.values().cloned().collect(),
        (Value::Array(a), _) => a.clone(),
        _ => return unknown(format!("{lname}() of a value that is not an array")),
    };
    let Some(f) = lambda_at(if lname == "reduce" { 2 } else { 1 }) else {
        return unknown(format!("{lname}() without a lambda"));
    };
    let with_index = |item: &Value, i: usize| {
        if f.0.len() > 1 {
            vec![item.clone(), Value::from(i)]
        } else {
            vec![item.clone()]
        }
    };
    match lname {
        "map" => {
            let out: Vec<Value> = items
                .iter()
                .enumerate()
                .map(|(i, x)| apply(&f, with_index(x, i), scope, depth))
                .collect();
            Value::Array(out)
        }
        "filter" => {
            let mut out = Vec::new();
            for (i, x) in items.iter().enumerate() {
                match logic::truthy(&apply(&f, with_index(x, i), scope, depth)) {
                    Some(true) => out.push(x.clone()),
                    Some(false) => {}
                    None => return unknown("filter() with a test not known before deployment"),
                }
            }
            Value::Array(out)
        }
        "reduce" => {
            let mut acc = args
                .get(1)
                .map_or(Value::Null, |a| eval(a, scope, depth + 1));
            for (i, x) in items.iter().enumerate() {
                let mut call_args = vec![acc, x.clone()];
                if f.0.len() > 2 {
                    call_args.push(Value::from(i));
                }
                acc = apply(&f, call_args, scope, depth);
                if is_unknown(&acc) {
                    return acc;
                }
            }
            acc
        }
        "sort" => {
            // Insertion sort with the template's "comes before" test: lists are short, and
            // an undecidable test must stop the sort rather than guess.
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for x in items {
                let mut at = out.len();
                for (j, y) in out.iter().enumerate() {
                    match logic::truthy(&apply(&f, vec![x.clone(), y.clone()], scope, depth)) {
                        Some(true) => {
                            at = j;
                            break;
                        }
                        Some(false) => {}
                        None => return unknown("sort() with a test not known before deployment"),
                    }
                }
                out.insert(at, x);
            }
            Value::Array(out)
        }
        "toobject" | "groupby" => {
            let value_f = if lname == "toobject" {
                lambda_at(2)
            } else {
                None
            };
            let mut m = Map::new();
            for x in &items {
                let Value::String(key) = apply(&f, vec![x.clone()], scope, depth) else {
                    return unknown(format!("{lname}() with a key that is not a string"));
                };
                let v = match &value_f {
                    Some(vf) => apply(vf, vec![x.clone()], scope, depth),
                    None => x.clone(),
                };
                if lname == "groupby" {
                    let entry = m.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(a) = entry {
                        a.push(v);
                    }
                } else {
                    m.insert(key, v);
                }
            }
            Value::Object(m)
        }
        _ => {
            // mapValues
            let Value::Object(src) = &input else {
                return unknown("mapValues() of a non-object");
            };
            Value::Object(
                src.iter()
                    .map(|(k, v)| (k.clone(), apply(&f, vec![v.clone()], scope, depth)))
                    .collect(),
            )
        }
    }
}
