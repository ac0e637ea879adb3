//! Comparisons, booleans and numbers. Three-valued where it matters: `and(false, x)` is
//! false and `or(true, x)` true whatever `x` is; a comparison that a symbol leaves open is
//! unknown.

use ahds_model::symbolic;
use serde_json::Value;

use crate::arm::props::{is_unknown, unknown};

/// ARM booleans (templates sometimes write them as strings).
pub(super) fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Functions that decide with some arguments unknown.
pub(super) fn call_partial(lname: &str, vals: &[Value]) -> Option<Value> {
    let combine = |short: bool| {
        let bools: Vec<Option<bool>> = vals.iter().map(truthy).collect();
        if bools.contains(&Some(short)) {
            Value::Bool(short)
        } else if bools.iter().all(Option::is_some) {
            Value::Bool(!short)
        } else {
            unknown(format!("{lname}() of values not known before deployment"))
        }
    };
    match lname {
        "and" => Some(combine(false)),
        "or" => Some(combine(true)),
        _ => None,
    }
}

/// Whether two values are equal; `None` when a symbol leaves it open.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => symbolic::same(x, y).into_value(),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            let mut all = Some(true);
            for (p, q) in x.iter().zip(y) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => all = None,
                    Some(true) => {}
                }
            }
            all
        }
        _ => Some(a == b),
    }
}

fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn call(lname: &str, vals: &[Value]) -> Option<Value> {
    debug_assert!(!vals.iter().any(is_unknown));
    let two = || Some((vals.first()?, vals.get(1)?));
    Some(match lname {
        "equals" => match two() {
            Some((a, b)) => equal(a, b).map_or_else(
                || unknown("a comparison of values fixed only at deployment"),
                Value::Bool,
            ),
            None => unknown("equals() takes two arguments"),
        },
        "not" => vals
            .first()
            .and_then(truthy)
            .map_or_else(|| unknown("not() of a non-boolean"), |b| Value::Bool(!b)),
        "bool" => vals
            .first()
            .and_then(truthy)
            .map_or_else(|| unknown("bool() of a non-boolean"), Value::Bool),
        "int" => vals
            .first()
            .and_then(number)
            .map_or_else(|| unknown("int() of a non-number"), Value::from),
        "greater" | "less" | "greaterorequals" | "lessorequals" => {
            let ord = match two() {
                Some((Value::String(a), Value::String(b)))
                    if !symbolic::is_symbolic(a) && !symbolic::is_symbolic(b) =>
                {
                    Some(a.cmp(b))
                }
                Some((a, b)) => number(a).zip(number(b)).map(|(a, b)| a.cmp(&b)),
                None => None,
            };
            let Some(ord) = ord else {
                return Some(unknown(format!("{lname}() of values it cannot compare")));
            };
            Value::Bool(match lname {
                "greater" => ord.is_gt(),
                "less" => ord.is_lt(),
                "greaterorequals" => ord.is_ge(),
                _ => ord.is_le(),
            })
        }
        "add" | "sub" | "mul" | "div" | "mod" => {
            let (Some(a), Some(b)) = (vals.first().and_then(number), vals.get(1).and_then(number))
            else {
                return Some(unknown(format!("{lname}() of non-numbers")));
            };
            let r = match lname {
                "add" => a.checked_add(b),
                "sub" => a.checked_sub(b),
                "mul" => a.checked_mul(b),
                "div" => a.checked_div(b),
                _ => a.checked_rem(b),
            };
            match r {
                Some(v) => Value::from(v),
                // Azure Resource Manager fails the deployment: so does the check.
                None => {
                    let why = if b == 0 && matches!(lname, "div" | "mod") {
                        format!("{lname}() by zero, which Azure Resource Manager refuses")
                    } else {
                        format!("{lname}() out of range, which Azure Resource Manager refuses")
                    };
                    super::budget::stop(why.clone(), "");
                    unknown(why)
                }
            }
        }
        "min" | "max" => {
            let nums: Option<Vec<i64>> = match vals {
                [Value::Array(a)] => a.iter().map(number).collect(),
                _ => vals.iter().map(number).collect(),
            };
            let pick = nums.and_then(|n| {
                if lname == "min" {
                    n.into_iter().min()
                } else {
                    n.into_iter().max()
                }
            });
            pick.map_or_else(|| unknown(format!("{lname}() of non-numbers")), Value::from)
        }
        _ => return None,
    })
}
