//! Collection and type-conversion functions. Sets are lists without repeats in Terraform's
//! order (strings by text, numbers by value); building one costs O(n log n), whatever its
//! size.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::super::value::{Val, number_text};
use super::{Outcome, args, symbol_of_call};

/// A value's identity for set membership: its JSON text, unknowns apart.
fn key(v: &Val) -> String {
    match v {
        Val::String(s) => format!("s{s}"),
        Val::Unknown(Some(s)) => format!("u{s}"),
        other => format!("j{}", other.to_json()),
    }
}

/// Repeats removed, first occurrence kept, in O(n log n).
fn unique(items: impl IntoIterator<Item = Val>) -> Vec<Val> {
    let mut seen = HashSet::new();
    items.into_iter().filter(|v| seen.insert(key(v))).collect()
}

/// A set: unique items, strings and numbers in Terraform's order.
fn set_of(items: impl IntoIterator<Item = Val>) -> Vec<Val> {
    let mut out = unique(items);
    if out.iter().all(|v| matches!(v, Val::String(_))) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if out.iter().all(|v| matches!(v, Val::Number(_))) {
        out.sort_by(|a, b| {
            a.as_f64()
                .partial_cmp(&b.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    out
}

fn bare(v: &Val) -> bool {
    matches!(v, Val::Unknown(None))
}

pub(super) fn identity(a: &[Val]) -> Outcome {
    args::count(a, 1, "sensitive")?;
    Ok(a[0].clone())
}

pub(super) fn issensitive(a: &[Val]) -> Outcome {
    args::count(a, 1, "issensitive")?;
    Ok(Val::Bool(false))
}

pub(super) fn length(a: &[Val]) -> Outcome {
    args::count(a, 1, "length")?;
    Ok(match &a[0] {
        Val::List(l) => Val::Number(l.len() as f64),
        Val::Object(m) => Val::Number(m.keys().filter(|k| !k.starts_with('\u{0}')).count() as f64),
        Val::String(s) if !ahds_model::symbolic::is_symbolic(s) => {
            Val::Number(s.chars().count() as f64)
        }
        Val::String(_) | Val::Unknown(Some(_)) => symbol_of_call("length", a),
        Val::Unknown(None) => Val::unknown(),
        other => return Err(format!("`length` of {}", args::kind(other))),
    })
}

pub(super) fn lookup(a: &[Val]) -> Outcome {
    if !(2..=3).contains(&a.len()) {
        return Err("`lookup` takes a map, a key and an optional default".into());
    }
    match (&a[0], &a[1]) {
        (Val::Object(m), Val::String(k)) if !ahds_model::symbolic::is_symbolic(k) => {
            match m.get(k) {
                Some(v) => Ok(v.clone()),
                None => match a.get(2) {
                    Some(d) => Ok(d.clone()),
                    None => Err(format!("`lookup`: the map has no key `{k}` and no default")),
                },
            }
        }
        (Val::Object(_), Val::String(_) | Val::Unknown(Some(_))) => Ok(symbol_of_call("lookup", a)),
        (Val::Unknown(Some(_)), _) => Ok(symbol_of_call("lookup", a)),
        (Val::Unknown(None), _) | (_, Val::Unknown(None)) => Ok(Val::unknown()),
        (Val::Object(_), other) => Err(format!(
            "the key of `lookup` must be a string, not {}",
            args::kind(other)
        )),
        (other, _) => Err(format!(
            "`lookup` looks up a map, not {}",
            args::kind(other)
        )),
    }
}

pub(super) fn merge(a: &[Val]) -> Outcome {
    let mut out = BTreeMap::new();
    for x in a {
        match x {
            Val::Object(m) => out.extend(
                m.iter()
                    .filter(|(k, _)| !k.starts_with('\u{0}'))
                    .map(|(k, v)| (k.clone(), v.clone())),
            ),
            Val::Null => {}
            Val::Unknown(_) => return Ok(Val::unknown()),
            other => return Err(format!("`merge` merges maps, not {}", args::kind(other))),
        }
    }
    Ok(Val::Object(out))
}

pub(super) fn concat(a: &[Val]) -> Outcome {
    let mut out = Vec::new();
    for x in a {
        match x {
            Val::List(l) => out.extend(l.iter().cloned()),
            Val::Unknown(_) => return Ok(Val::unknown()),
            other => {
                return Err(format!("`concat` joins lists, not {}", args::kind(other)));
            }
        }
    }
    Ok(Val::List(out))
}

pub(super) fn coalesce(a: &[Val]) -> Outcome {
    for x in a {
        match x {
            Val::Null => {}
            Val::String(s) if s.is_empty() => {}
            Val::Unknown(_) => return Ok(Val::unknown()),
            v => return Ok(v.clone()),
        }
    }
    Err("`coalesce`: every argument is null or an empty string".into())
}

pub(super) fn coalescelist(a: &[Val]) -> Outcome {
    for x in a {
        match x {
            Val::Unknown(_) => return Ok(Val::unknown()),
            Val::List(l) if l.is_empty() => {}
            Val::List(_) => return Ok(x.clone()),
            other => {
                return Err(format!(
                    "`coalescelist` takes lists, not {}",
                    args::kind(other)
                ));
            }
        }
    }
    Err("`coalescelist`: every list is empty".into())
}

pub(super) fn element(a: &[Val]) -> Outcome {
    args::count(a, 2, "element")?;
    if bare(&a[0]) || a[1].is_unknown() {
        return Ok(Val::unknown());
    }
    if let Val::Unknown(Some(_)) = a[0] {
        return Ok(symbol_of_call("element", a));
    }
    let l = args::list(a, 0, "element")?;
    let i = args::integer(a, 1, "element")?;
    if l.is_empty() {
        return Err("`element` of an empty list".into());
    }
    if i < 0 {
        return Err("`element`: the index must not be negative".into());
    }
    Ok(l[(i as usize) % l.len()].clone())
}

fn flatten_into(v: &Val, out: &mut Vec<Val>) -> Result<(), Val> {
    match v {
        Val::List(l) => {
            for x in l {
                match x {
                    Val::List(_) => flatten_into(x, out)?,
                    Val::Unknown(_) => return Err(Val::unknown()),
                    other => out.push(other.clone()),
                }
            }
            Ok(())
        }
        _ => Err(Val::unknown()),
    }
}

pub(super) fn flatten(a: &[Val]) -> Outcome {
    args::count(a, 1, "flatten")?;
    if a[0].is_unknown() {
        return Ok(Val::unknown());
    }
    args::list(a, 0, "flatten")?;
    let mut out = Vec::new();
    Ok(match flatten_into(&a[0], &mut out) {
        Ok(()) => Val::List(out),
        Err(u) => u,
    })
}

pub(super) fn compact(a: &[Val]) -> Outcome {
    args::count(a, 1, "compact")?;
    if a[0].is_unknown() {
        return Ok(Val::unknown());
    }
    Ok(Val::List(
        args::list(a, 0, "compact")?
            .iter()
            .filter(|v| !matches!(v, Val::Null) && v.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

pub(super) fn keys(a: &[Val]) -> Outcome {
    args::count(a, 1, "keys")?;
    if a[0].is_unknown() {
        return Ok(Val::unknown());
    }
    Ok(Val::List(
        args::object(a, 0, "keys")?
            .keys()
            .filter(|k| !k.starts_with('\u{0}'))
            .cloned()
            .map(Val::String)
            .collect(),
    ))
}

pub(super) fn values(a: &[Val]) -> Outcome {
    args::count(a, 1, "values")?;
    if a[0].is_unknown() {
        return Ok(Val::unknown());
    }
    Ok(Val::List(
        args::object(a, 0, "values")?
            .iter()
            .filter(|(k, _)| !k.starts_with('\u{0}'))
            .map(|(_, v)| v.clone())
            .collect(),
    ))
}

pub(super) fn reverse(a: &[Val]) -> Outcome {
    args::count(a, 1, "reverse")?;
    if a[0].is_unknown() {
        return Ok(Val::unknown());
    }
    let mut l = args::list(a, 0, "reverse")?.to_vec();
    l.reverse();
    Ok(Val::List(l))
}

pub(super) fn slice(a: &[Val]) -> Outcome {
    args::count(a, 3, "slice")?;
    if a.iter().any(Val::is_unknown) {
        return Ok(Val::unknown());
    }
    let l = args::list(a, 0, "slice")?;
    let from = args::integer(a, 1, "slice")?;
    let to = args::integer(a, 2, "slice")?;
    if from < 0 || to < from || to as usize > l.len() {
        return Err(format!(
            "`slice`: {from}..{to} is outside a list of length {}",
            l.len()
        ));
    }
    Ok(Val::List(l[from as usize..to as usize].to_vec()))
}

pub(super) fn zipmap(a: &[Val]) -> Outcome {
    args::count(a, 2, "zipmap")?;
    if a[0].is_unknown() || a[1].is_unknown() {
        return Ok(Val::unknown());
    }
    let keys = args::list(a, 0, "zipmap")?;
    let vals = args::list(a, 1, "zipmap")?;
    if keys.len() != vals.len() {
        return Err(format!(
            "`zipmap`: {} keys for {} values",
            keys.len(),
            vals.len()
        ));
    }
    let mut m = BTreeMap::new();
    for (k, v) in keys.iter().zip(vals) {
        match k {
            Val::String(s) if !ahds_model::symbolic::is_symbolic(s) => {
                m.insert(s.clone(), v.clone());
            }
            Val::Number(n) => {
                m.insert(number_text(*n), v.clone());
            }
            Val::String(_) | Val::Unknown(_) => return Ok(Val::unknown()),
            other => return Err(format!("`zipmap`: a key is {}", args::kind(other))),
        }
    }
    Ok(Val::Object(m))
}

pub(super) fn one(a: &[Val]) -> Outcome {
    args::count(a, 1, "one")?;
    if a[0].is_unknown() {
        return Ok(Val::unknown());
    }
    match args::list(a, 0, "one")? {
        [] => Ok(Val::Null),
        [x] => Ok(x.clone()),
        more => Err(format!(
            "`one` of a list of {} items: it must hold at most one",
            more.len()
        )),
    }
}

pub(super) fn tolist(a: &[Val]) -> Outcome {
    args::count(a, 1, "tolist")?;
    Ok(match &a[0] {
        v @ (Val::List(_) | Val::Unknown(_)) => v.clone(),
        Val::Null => Val::Null,
        other => return Err(format!("`tolist` of {}", args::kind(other))),
    })
}

pub(super) fn tomap(a: &[Val]) -> Outcome {
    args::count(a, 1, "tomap")?;
    Ok(match &a[0] {
        v @ (Val::Object(_) | Val::Unknown(_)) => v.clone(),
        Val::Null => Val::Null,
        other => return Err(format!("`tomap` of {}", args::kind(other))),
    })
}

pub(super) fn tostring(a: &[Val]) -> Outcome {
    args::count(a, 1, "tostring")?;
    match &a[0] {
        v @ (Val::String(_) | Val::Unknown(_) | Val::Null) => Ok(v.clone()),
        Val::List(_) | Val::Object(_) => Err(format!(
            "`tostring` cannot convert {} to a string",
            args::kind(&a[0])
        )),
        v => Ok(v.to_text().map_or_else(|u| u, Val::String)),
    }
}

pub(super) fn tonumber(a: &[Val]) -> Outcome {
    args::count(a, 1, "tonumber")?;
    match &a[0] {
        Val::Null => Ok(Val::Null),
        Val::Number(n) => Ok(Val::Number(*n)),
        Val::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Val::Number)
            .ok_or_else(|| format!("`tonumber`: `{s}` is not a number")),
        other => Err(format!("`tonumber` of {}", args::kind(other))),
    }
}

pub(super) fn tobool(a: &[Val]) -> Outcome {
    args::count(a, 1, "tobool")?;
    match &a[0] {
        Val::Null => Ok(Val::Null),
        Val::Bool(b) => Ok(Val::Bool(*b)),
        Val::String(s) if s == "true" => Ok(Val::Bool(true)),
        Val::String(s) if s == "false" => Ok(Val::Bool(false)),
        other => Err(format!(
            "`tobool`: {} is not `true` or `false`",
            args::kind(other)
        )),
    }
}

pub(super) fn chunklist(a: &[Val]) -> Outcome {
    args::count(a, 2, "chunklist")?;
    if a.iter().any(Val::is_unknown) {
        return Ok(Val::unknown());
    }
    let l = args::list(a, 0, "chunklist")?;
    let size = args::integer(a, 1, "chunklist")?;
    if size < 0 {
        return Err("`chunklist`: the size must not be negative".into());
    }
    if size == 0 {
        return Ok(Val::List(vec![Val::List(l.to_vec())]));
    }
    Ok(Val::List(
        l.chunks(size as usize)
            .map(|c| Val::List(c.to_vec()))
            .collect(),
    ))
}

pub(super) fn index(a: &[Val]) -> Outcome {
    args::count(a, 2, "index")?;
    let l = args::list(a, 0, "index")?;
    let want = key(&a[1]);
    l.iter()
        .position(|v| key(v) == want)
        .map(|i| Val::Number(i as f64))
        .ok_or_else(|| "`index`: the value is not in the list".into())
}

pub(super) fn contains(a: &[Val]) -> Outcome {
    args::count(a, 2, "contains")?;
    let l = args::list(a, 0, "contains")?;
    let want = key(&a[1]);
    Ok(Val::Bool(l.iter().any(|v| key(v) == want)))
}

/// Items with unknowns among them cannot be told apart: the whole result is unknown.
fn any_unknown(l: &[Val]) -> bool {
    l.iter().any(Val::has_unknown)
}

pub(super) fn distinct(a: &[Val]) -> Outcome {
    args::count(a, 1, "distinct")?;
    if a[0].is_unknown() {
        return Ok(Val::unknown());
    }
    let l = args::list(a, 0, "distinct")?;
    if any_unknown(l) {
        return Ok(Val::unknown());
    }
    Ok(Val::List(unique(l.iter().cloned())))
}

/// Symbolic strings stay items of their own: a set of names built from a variable still
/// has one instance per name.
pub(super) fn toset(a: &[Val]) -> Outcome {
    args::count(a, 1, "toset")?;
    match &a[0] {
        Val::List(l) if any_unknown(l) => Ok(Val::unknown()),
        Val::List(l) => Ok(Val::List(set_of(l.iter().cloned()))),
        Val::Unknown(_) => Ok(Val::unknown()),
        Val::Null => Ok(Val::Null),
        other => Err(format!("`toset` of {}", args::kind(other))),
    }
}

pub(super) fn sort(a: &[Val]) -> Outcome {
    args::count(a, 1, "sort")?;
    let mut texts = Vec::new();
    for v in args::list(a, 0, "sort")? {
        match v {
            Val::String(s) => texts.push(s.clone()),
            Val::Number(n) => texts.push(number_text(*n)),
            other => return Err(format!("`sort` sorts strings, not {}", args::kind(other))),
        }
    }
    texts.sort();
    Ok(Val::List(texts.into_iter().map(Val::String).collect()))
}

/// The most values `range` makes: Terraform refuses more.
const MAX_RANGE: usize = 1024;

pub(super) fn range(a: &[Val]) -> Outcome {
    let n: Vec<f64> = (0..a.len())
        .map(|i| args::number(a, i, "range"))
        .collect::<Result<_, _>>()?;
    let (start, end, step) = match n.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err("`range` takes one to three numbers".into()),
    };
    if step == 0.0 || !step.is_finite() {
        return Err("`range`: the step must not be zero".into());
    }
    if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
        return Err("`range`: the step goes away from the end".into());
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
        if out.len() >= MAX_RANGE {
            return Err(format!(
                "`range` would make more than {MAX_RANGE} values, which Terraform refuses"
            ));
        }
        out.push(Val::Number(x));
        x += step;
    }
    Ok(Val::List(out))
}

fn bools(name: &str, a: &[Val]) -> Result<Vec<Option<bool>>, String> {
    args::count(a, 1, name)?;
    args::list(a, 0, name)?
        .iter()
        .map(|v| match v {
            Val::Bool(b) => Ok(Some(*b)),
            Val::String(s) if s == "true" => Ok(Some(true)),
            Val::String(s) if s == "false" => Ok(Some(false)),
            Val::Null => Ok(Some(false)),
            other => Err(format!("`{name}` takes bools, not {}", args::kind(other))),
        })
        .collect()
}

pub(super) fn alltrue(a: &[Val]) -> Outcome {
    Ok(Val::Bool(
        bools("alltrue", a)?.into_iter().all(|b| b == Some(true)),
    ))
}

pub(super) fn anytrue(a: &[Val]) -> Outcome {
    Ok(Val::Bool(
        bools("anytrue", a)?.into_iter().any(|b| b == Some(true)),
    ))
}

fn lists<'v>(name: &str, a: &'v [Val]) -> Result<Vec<&'v [Val]>, String> {
    if a.is_empty() {
        return Err(format!("`{name}` takes at least one set"));
    }
    (0..a.len()).map(|i| args::list(a, i, name)).collect()
}

pub(super) fn setunion(a: &[Val]) -> Outcome {
    let sets = lists("setunion", a)?;
    Ok(Val::List(set_of(
        sets.into_iter().flat_map(|s| s.iter().cloned()),
    )))
}

pub(super) fn setintersection(a: &[Val]) -> Outcome {
    let sets = lists("setintersection", a)?;
    let rest: Vec<BTreeSet<String>> = sets[1..]
        .iter()
        .map(|s| s.iter().map(key).collect())
        .collect();
    Ok(Val::List(set_of(
        sets[0]
            .iter()
            .filter(|v| {
                let k = key(v);
                rest.iter().all(|s| s.contains(&k))
            })
            .cloned(),
    )))
}

pub(super) fn setsubtract(a: &[Val]) -> Outcome {
    args::count(a, 2, "setsubtract")?;
    let sets = lists("setsubtract", a)?;
    let minus: BTreeSet<String> = sets[1].iter().map(key).collect();
    Ok(Val::List(set_of(
        sets[0].iter().filter(|v| !minus.contains(&key(v))).cloned(),
    )))
}

/// The most combinations `setproduct` is allowed to build.
const MAX_PRODUCT: usize = 1 << 20;

pub(super) fn setproduct(a: &[Val]) -> Outcome {
    let sets = lists("setproduct", a)?;
    let total = sets
        .iter()
        .try_fold(1usize, |n, s| n.checked_mul(s.len()))
        .filter(|n| *n <= MAX_PRODUCT)
        .ok_or_else(|| format!("`setproduct` would build more than {MAX_PRODUCT} combinations"))?;
    let mut out: Vec<Vec<Val>> = vec![Vec::new()];
    for s in &sets {
        let mut next = Vec::with_capacity(total);
        for prefix in &out {
            for x in s.iter() {
                let mut p = prefix.clone();
                p.push(x.clone());
                next.push(p);
            }
        }
        out = next;
    }
    Ok(Val::List(out.into_iter().map(Val::List).collect()))
}

pub(super) fn transpose(a: &[Val]) -> Outcome {
    args::count(a, 1, "transpose")?;
    let mut out: BTreeMap<String, Vec<Val>> = BTreeMap::new();
    for (k, v) in args::object(a, 0, "transpose")? {
        let Val::List(items) = v else {
            return Err("`transpose` takes a map of lists of strings".into());
        };
        for item in items {
            let Val::String(s) = item else {
                return Err("`transpose` takes a map of lists of strings".into());
            };
            out.entry(s.clone())
                .or_default()
                .push(Val::String(k.clone()));
        }
    }
    Ok(Val::Object(
        out.into_iter()
            .map(|(k, v)| (k, Val::List(set_of(v))))
            .collect(),
    ))
}

pub(super) fn matchkeys(a: &[Val]) -> Outcome {
    args::count(a, 3, "matchkeys")?;
    let values = args::list(a, 0, "matchkeys")?;
    let keys = args::list(a, 1, "matchkeys")?;
    let search: BTreeSet<String> = args::list(a, 2, "matchkeys")?.iter().map(key).collect();
    if values.len() != keys.len() {
        return Err("`matchkeys`: the values and keys lists differ in length".into());
    }
    Ok(Val::List(
        values
            .iter()
            .zip(keys)
            .filter(|(_, k)| search.contains(&key(k)))
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

pub(super) fn sum(a: &[Val]) -> Outcome {
    args::count(a, 1, "sum")?;
    let l = args::list(a, 0, "sum")?;
    if l.is_empty() {
        return Err("`sum` of an empty list".into());
    }
    let mut total = 0.0;
    for (i, v) in l.iter().enumerate() {
        total += v
            .as_f64()
            .ok_or_else(|| format!("`sum`: item {} is {}, not a number", i, args::kind(v)))?;
    }
    Ok(Val::Number(total))
}
