//! The Terraform functions configurations use to build names and settings.
//!
//! A function of an unknown value is unknown, except that string functions keep symbols
//! (`lower("fhir-${var.env}")` is `fhir-{var.env}`): a name built from a variable nobody set
//! still names one resource, so references to it resolve. Functions that read files, the
//! clock or randomness (`file`, `timestamp`, `uuid`) have no value before apply.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ahds_model::symbolic::{Segment, segments};

use super::value::Val;

/// Calls a function; `None` when Terraform has no function of that name.
pub(crate) fn call(name: &str, args: &[Val]) -> Option<Val> {
    let name = name.strip_prefix("provider::terraform::").unwrap_or(name);
    Some(match name {
        "lower" => text_fn(args, |s| s.to_lowercase()),
        "upper" => text_fn(args, |s| s.to_uppercase()),
        "title" => text_fn(args, title),
        "trimspace" => text_fn(args, |s| s.trim().to_string()),
        "format" => format(args),
        "formatlist" => formatlist(args),
        "join" => join(args),
        "split" => split(args),
        "replace" => replace(args),
        "substr" => substr(args),
        "trim" => trim_with(args, |s, cut| {
            s.trim_matches(|c| cut.contains(c)).to_string()
        }),
        "trimprefix" => trim_with(args, |s, p| s.strip_prefix(p).unwrap_or(s).to_string()),
        "trimsuffix" => trim_with(args, |s, p| s.strip_suffix(p).unwrap_or(s).to_string()),
        "startswith" => str_pred(args, |s, p| s.starts_with(p)),
        "endswith" => str_pred(args, |s, p| s.ends_with(p)),
        "strcontains" => str_pred(args, |s, p| s.contains(p)),
        "tostring" => match args.first() {
            Some(v @ (Val::String(_) | Val::Unknown(_) | Val::Null)) => v.clone(),
            Some(v) => v.to_text().map_or_else(|u| u, Val::String),
            None => Val::unknown(),
        },
        "tonumber" => known(args, |a| a.first()?.as_f64().map(Val::Number)),
        "tobool" => known(args, |a| a.first()?.as_bool().map(Val::Bool)),
        "tolist" | "toset" => to_list(args, name == "toset"),
        "tomap" => match args.first() {
            Some(v @ (Val::Object(_) | Val::Unknown(_))) => v.clone(),
            _ => Val::unknown(),
        },
        "length" => length(args),
        "lookup" => lookup(args),
        "merge" => merge(args),
        "concat" => concat(args),
        "coalesce" => coalesce(args),
        "coalescelist" => args
            .iter()
            .find(|a| a.is_unknown() || a.items().is_some_and(|l| !l.is_empty()))
            .cloned()
            .unwrap_or(Val::unknown()),
        "element" => element(args),
        "index" => known(args, |a| {
            let list = a.first()?.items()?;
            let want = a.get(1)?;
            let i = list.iter().position(|v| v == want)?;
            Some(Val::Number(i as f64))
        }),
        "contains" => known(args, |a| {
            let list = a.first()?.items()?;
            if list.iter().any(Val::is_unknown) {
                return None;
            }
            Some(Val::Bool(list.contains(a.get(1)?)))
        }),
        "keys" => known(args, |a| match a.first()? {
            Val::Object(m) => Some(Val::List(m.keys().cloned().map(Val::String).collect())),
            _ => None,
        }),
        "values" => known(args, |a| match a.first()? {
            Val::Object(m) => Some(Val::List(m.values().cloned().collect())),
            _ => None,
        }),
        "flatten" => known(args, |a| Some(Val::List(flatten(a.first()?)?))),
        "distinct" => known(args, |a| {
            let mut out: Vec<Val> = Vec::new();
            for v in a.first()?.items()? {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Some(Val::List(out))
        }),
        "compact" => known(args, |a| {
            Some(Val::List(
                a.first()?
                    .items()?
                    .into_iter()
                    .filter(|v| !matches!(v, Val::Null) && v.as_str() != Some(""))
                    .collect(),
            ))
        }),
        "reverse" => known(args, |a| {
            let mut l = a.first()?.items()?;
            l.reverse();
            Some(Val::List(l))
        }),
        "sort" => known(args, |a| {
            let mut l: Vec<String> = a
                .first()?
                .items()?
                .iter()
                .map(|v| v.to_text().ok())
                .collect::<Option<_>>()?;
            l.sort();
            Some(Val::List(l.into_iter().map(Val::String).collect()))
        }),
        "slice" => known(args, |a| {
            let l = a.first()?.items()?;
            let from = a.get(1)?.as_f64()? as usize;
            let to = a.get(2)?.as_f64()? as usize;
            Some(Val::List(l.get(from..to)?.to_vec()))
        }),
        "zipmap" => known(args, |a| {
            let keys = a.first()?.items()?;
            let vals = a.get(1)?.items()?;
            let mut m = BTreeMap::new();
            for (k, v) in keys.iter().zip(vals) {
                m.insert(k.as_str()?.to_string(), v);
            }
            Some(Val::Object(m))
        }),
        "one" => known(args, |a| {
            let l = a.first()?.items()?;
            match l.as_slice() {
                [] => Some(Val::Null),
                [one] => Some(one.clone()),
                _ => None,
            }
        }),
        "range" => known(args, |a| {
            let nums: Vec<f64> = a.iter().map(Val::as_f64).collect::<Option<_>>()?;
            let (start, end, step) = match nums.as_slice() {
                [end] => (0.0, *end, 1.0),
                [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
                [start, end, step] => (*start, *end, *step),
                _ => return None,
            };
            if step == 0.0 {
                return None;
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(Val::Number(x));
                x += step;
                if out.len() > 1024 {
                    return None;
                }
            }
            Some(Val::List(out))
        }),
        "max" => known(args, |a| {
            let n: Vec<f64> = a.iter().map(Val::as_f64).collect::<Option<_>>()?;
            n.into_iter().reduce(f64::max).map(Val::Number)
        }),
        "min" => known(args, |a| {
            let n: Vec<f64> = a.iter().map(Val::as_f64).collect::<Option<_>>()?;
            n.into_iter().reduce(f64::min).map(Val::Number)
        }),
        "abs" => known(args, |a| Some(Val::Number(a.first()?.as_f64()?.abs()))),
        "ceil" => known(args, |a| Some(Val::Number(a.first()?.as_f64()?.ceil()))),
        "floor" => known(args, |a| Some(Val::Number(a.first()?.as_f64()?.floor()))),
        "jsonencode" => known(args, |a| {
            let v = a.first()?;
            (!v.has_unknown()).then(|| Val::String(v.to_json().to_string()))
        }),
        "jsondecode" => known(args, |a| {
            let text = a.first()?.as_str()?;
            serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .map(|v| Val::from_json(&v))
        }),
        "cidrsubnet" => known(args, cidrsubnet),
        "cidrhost" => known(args, cidrhost),
        // No value until apply, or read from outside the configuration.
        "file" | "fileexists" | "templatefile" | "filebase64" | "timestamp" | "uuid"
        | "plantimestamp" | "md5" | "sha1" | "sha256" | "base64sha256" | "base64encode"
        | "base64decode" | "regex" | "regexall" | "timeadd" | "filemd5" | "fileset" => {
            Val::unknown()
        }
        _ => return None,
    })
}

/// Applies `f` to the result when no argument is unknown; unknown otherwise, or when `f`
/// finds the arguments of the wrong kinds.
fn known(args: &[Val], f: impl FnOnce(&[Val]) -> Option<Val>) -> Val {
    if args.iter().any(Val::is_unknown) {
        return Val::unknown();
    }
    f(args).unwrap_or(Val::unknown())
}

/// The text of an argument, symbols written `{name}`.
fn text(v: Option<&Val>) -> Result<String, Val> {
    v.map_or(Err(Val::unknown()), Val::to_text)
}

/// Applies a text function to the literal parts of a string, keeping its symbols.
fn map_literal(s: &str, f: impl Fn(&str) -> String) -> String {
    segments(s)
        .into_iter()
        .map(|seg| match seg {
            Segment::Text(t) => f(t),
            Segment::Symbol(sym) => format!("{{{sym}}}"),
        })
        .collect()
}

fn text_fn(args: &[Val], f: impl Fn(&str) -> String) -> Val {
    match text(args.first()) {
        Ok(s) => Val::String(map_literal(&s, f)),
        Err(u) => u,
    }
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

fn trim_with(args: &[Val], f: impl Fn(&str, &str) -> String) -> Val {
    match (text(args.first()), args.get(1).and_then(Val::as_str)) {
        (Ok(s), Some(cut)) if !ahds_model::symbolic::is_symbolic(&s) => Val::String(f(&s, cut)),
        (Ok(s), Some(_)) => Val::symbol(&format!("trim({})", strip_braces(&s))),
        _ => Val::unknown(),
    }
}

fn str_pred(args: &[Val], f: impl Fn(&str, &str) -> bool) -> Val {
    match (
        args.first().and_then(Val::as_str),
        args.get(1).and_then(Val::as_str),
    ) {
        (Some(s), Some(p)) if !ahds_model::symbolic::is_symbolic(s) => Val::Bool(f(s, p)),
        _ => Val::unknown(),
    }
}

fn strip_braces(s: &str) -> String {
    s.replace(['{', '}'], "")
}

/// `format` with the verbs configurations use (`%s`, `%d`, `%v`, `%q`, `%%`, widths).
fn format(args: &[Val]) -> Val {
    let Some(Val::String(spec)) = args.first() else {
        return Val::unknown();
    };
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        // Flags and width are read past: names do not use padding.
        let mut verb = None;
        for c in chars.by_ref() {
            if c.is_ascii_alphabetic() {
                verb = Some(c);
                break;
            }
        }
        let Some(verb) = verb else {
            return Val::unknown();
        };
        let Some(arg) = args.get(next) else {
            return Val::unknown();
        };
        next += 1;
        match arg.to_text() {
            Ok(t) if verb == 'q' => out.push_str(&format!("{t:?}")),
            Ok(t) => out.push_str(&t),
            Err(u) => return u,
        }
    }
    Val::String(out)
}

fn formatlist(args: &[Val]) -> Val {
    let Some(len) = args
        .iter()
        .skip(1)
        .filter_map(|a| match a {
            Val::List(l) => Some(l.len()),
            _ => None,
        })
        .next()
    else {
        return Val::unknown();
    };
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let mut row = vec![args[0].clone()];
        for a in &args[1..] {
            row.push(match a {
                Val::List(l) => l.get(i).cloned().unwrap_or(Val::unknown()),
                other => other.clone(),
            });
        }
        out.push(format(&row));
    }
    Val::List(out)
}

fn join(args: &[Val]) -> Val {
    let Some(sep) = args.first().and_then(Val::as_str) else {
        return Val::unknown();
    };
    let mut parts = Vec::new();
    for list in &args[1..] {
        let Some(items) = list.items() else {
            return Val::unknown();
        };
        for item in items {
            match item.to_text() {
                Ok(t) => parts.push(t),
                Err(u) => return u,
            }
        }
    }
    Val::String(parts.join(sep))
}

fn split(args: &[Val]) -> Val {
    match (
        args.first().and_then(Val::as_str),
        args.get(1).and_then(Val::as_str),
    ) {
        (Some(sep), Some(s)) if !ahds_model::symbolic::is_symbolic(s) && !sep.is_empty() => {
            Val::List(s.split(sep).map(|p| Val::String(p.to_string())).collect())
        }
        _ => Val::unknown(),
    }
}

fn replace(args: &[Val]) -> Val {
    let (Ok(s), Some(from), Some(to)) = (
        text(args.first()),
        args.get(1).and_then(Val::as_str),
        args.get(2).and_then(Val::as_str),
    ) else {
        return Val::unknown();
    };
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        return Val::unknown(); // a regular expression: not evaluated
    }
    if from.is_empty() {
        return Val::String(s);
    }
    Val::String(map_literal(&s, |t| t.replace(from, to)))
}

fn substr(args: &[Val]) -> Val {
    let (Ok(s), Some(offset), Some(length)) = (
        text(args.first()),
        args.get(1).and_then(Val::as_f64),
        args.get(2).and_then(Val::as_f64),
    ) else {
        return Val::unknown();
    };
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as i64;
    let mut start = offset as i64;
    if start < 0 {
        start += len;
    }
    let start = start.clamp(0, len) as usize;
    let end = if length < 0.0 {
        chars.len()
    } else {
        (start + length as usize).min(chars.len())
    };
    let cut: String = chars[start..end].iter().collect();
    if !ahds_model::symbolic::is_symbolic(&s) {
        return Val::String(cut);
    }
    // The literal text before the first symbol survives when the cut stays inside it.
    let literal_prefix = s.find('{').unwrap_or(s.len());
    if end <= literal_prefix {
        return Val::String(cut);
    }
    Val::symbol(&format!("substr({},{offset},{length})", strip_braces(&s)))
}

fn to_list(args: &[Val], set: bool) -> Val {
    match args.first() {
        Some(Val::List(l)) if set => {
            let mut out: Vec<Val> = Vec::new();
            for v in l {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            if out.iter().all(|v| v.as_str().is_some()) {
                out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
            Val::List(out)
        }
        Some(v @ Val::List(_)) => v.clone(),
        Some(Val::Object(m)) => Val::List(m.values().cloned().collect()),
        _ => Val::unknown(),
    }
}

fn length(args: &[Val]) -> Val {
    match args.first() {
        Some(Val::List(l)) => Val::Number(l.len() as f64),
        Some(Val::Object(m)) => Val::Number(m.len() as f64),
        Some(Val::String(s)) if !ahds_model::symbolic::is_symbolic(s) => {
            Val::Number(s.chars().count() as f64)
        }
        _ => Val::unknown(),
    }
}

fn lookup(args: &[Val]) -> Val {
    match (args.first(), args.get(1)) {
        (Some(Val::Object(m)), Some(Val::String(k))) => m
            .get(k)
            .cloned()
            .or_else(|| args.get(2).cloned())
            .unwrap_or(Val::unknown()),
        _ => Val::unknown(),
    }
}

fn merge(args: &[Val]) -> Val {
    let mut out = BTreeMap::new();
    for a in args {
        match a {
            Val::Object(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Val::Null => {}
            _ => return Val::unknown(),
        }
    }
    Val::Object(out)
}

fn concat(args: &[Val]) -> Val {
    let mut out = Vec::new();
    for a in args {
        match a {
            Val::List(l) => out.extend(l.iter().cloned()),
            _ => return Val::unknown(),
        }
    }
    Val::List(out)
}

fn coalesce(args: &[Val]) -> Val {
    for a in args {
        match a {
            Val::Null => {}
            Val::String(s) if s.is_empty() => {}
            Val::Unknown(_) => return Val::unknown(),
            v => return v.clone(),
        }
    }
    Val::unknown()
}

fn element(args: &[Val]) -> Val {
    match (args.first(), args.get(1).and_then(Val::as_f64)) {
        (Some(Val::List(l)), Some(i)) if !l.is_empty() => l[(i as usize) % l.len()].clone(),
        _ => Val::unknown(),
    }
}

fn flatten(v: &Val) -> Option<Vec<Val>> {
    let mut out = Vec::new();
    for item in v.items()? {
        match item {
            Val::List(_) => out.extend(flatten(&item)?),
            other => out.push(other),
        }
    }
    Some(out)
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = s.split_once('/')?;
    Some((addr.parse().ok()?, len.parse().ok()?))
}

fn cidrsubnet(a: &[Val]) -> Option<Val> {
    let (addr, len) = parse_cidr(a.first()?.as_str()?)?;
    let newbits = a.get(1)?.as_f64()? as u8;
    let netnum = a.get(2)?.as_f64()? as u128;
    let new_len = len.checked_add(newbits)?;
    match addr {
        IpAddr::V4(v4) => {
            if new_len > 32 {
                return None;
            }
            let base = u32::from(v4) & mask32(len);
            let sub = base | ((netnum as u32) << (32 - new_len as u32)).checked_shl(0)?;
            Some(Val::String(format!(
                "{}/{new_len}",
                std::net::Ipv4Addr::from(sub)
            )))
        }
        IpAddr::V6(v6) => {
            if new_len > 128 {
                return None;
            }
            let base = u128::from(v6);
            let sub = base | (netnum << (128 - new_len as u32));
            Some(Val::String(format!(
                "{}/{new_len}",
                std::net::Ipv6Addr::from(sub)
            )))
        }
    }
}

fn cidrhost(a: &[Val]) -> Option<Val> {
    let (addr, len) = parse_cidr(a.first()?.as_str()?)?;
    let host = a.get(1)?.as_f64()? as u32;
    match addr {
        IpAddr::V4(v4) => {
            let base = u32::from(v4) & mask32(len);
            Some(Val::String(
                std::net::Ipv4Addr::from(base + host).to_string(),
            ))
        }
        IpAddr::V6(_) => None,
    }
}

fn mask32(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len as u32)
    }
}
