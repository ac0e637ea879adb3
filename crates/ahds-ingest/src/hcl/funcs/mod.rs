//! The functions of the Terraform language, as far as they are decided before a plan.
//!
//! Functions live by family, as Terraform's documentation groups them: [`strings`],
//! [`collections`], [`encoding`], [`crypto`] (hashes and UUIDs), [`numeric`], [`network`]
//! (CIDR arithmetic) and [`time`]. Each is evaluated exactly as Terraform would, with three
//! outcomes besides a value:
//! - **an error** where Terraform refuses the call (`element([], 0)`, `tonumber("x")`,
//!   `regex` without a match): the configuration would not plan, so it is an input error
//!   (unless `try()` or `can()` catches it);
//! - **a symbol derived from the call** where the value is fixed only at apply (`uuid()`,
//!   `timestamp()`), read from outside the module (`file()`), or computed from an argument
//!   that is itself a symbol (`md5("{var.env}")`): `{md5(var.env)}` stands for whatever the
//!   call gives, so the same call made in two places still names the same thing;
//! - **unknown** where an argument is unknown and has no name to derive a symbol from.
//!
//! Text functions keep symbols in place instead (`lower("fhir-{var.env}")` is
//! `fhir-{var.env}`): a name built from a variable nobody set still names one resource.

mod collections;
mod crypto;
mod encoding;
mod network;
mod numeric;
mod strings;
mod time;

#[cfg(test)]
mod tests;

use super::value::Val;

/// What a call gives: a value, or Terraform's refusal of the arguments.
pub(crate) type Outcome = Result<Val, String>;

/// How a function treats arguments that are not wholly known.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Decided only from known arguments; a symbolic argument makes the result a symbol
    /// derived from the call.
    Pure,
    /// Looks into its arguments itself (text functions keep symbols, collection functions
    /// pass unknown items through).
    Partial,
    /// Never known before apply, or reads outside the configuration.
    ApplyTime,
}

type Imp = fn(&[Val]) -> Outcome;

/// The function of a name: its kind and its implementation.
fn lookup(name: &str) -> Option<(Kind, Imp)> {
    use Kind::{ApplyTime, Partial, Pure};
    let f: (Kind, Imp) = match name {
        // Strings.
        "lower" => (Partial, strings::lower),
        "upper" => (Partial, strings::upper),
        "title" => (Partial, strings::title),
        "trimspace" => (Partial, strings::trimspace),
        "chomp" => (Partial, strings::chomp),
        "trim" => (Partial, strings::trim),
        "trimprefix" => (Partial, strings::trimprefix),
        "trimsuffix" => (Partial, strings::trimsuffix),
        "format" => (Partial, strings::format),
        "formatlist" => (Partial, strings::formatlist),
        "join" => (Partial, strings::join),
        "replace" => (Partial, strings::replace),
        "substr" => (Partial, strings::substr),
        "indent" => (Pure, strings::indent),
        "split" => (Pure, strings::split),
        "strrev" => (Pure, strings::strrev),
        "startswith" => (Pure, strings::startswith),
        "endswith" => (Pure, strings::endswith),
        "strcontains" => (Pure, strings::strcontains),
        "regex" => (Pure, strings::regex),
        "regexall" => (Pure, strings::regexall),
        // Collections.
        "length" => (Partial, collections::length),
        "lookup" => (Partial, collections::lookup),
        "merge" => (Partial, collections::merge),
        "concat" => (Partial, collections::concat),
        "coalesce" => (Partial, collections::coalesce),
        "coalescelist" => (Partial, collections::coalescelist),
        "element" => (Partial, collections::element),
        "flatten" => (Partial, collections::flatten),
        "compact" => (Partial, collections::compact),
        "keys" => (Partial, collections::keys),
        "values" => (Partial, collections::values),
        "reverse" => (Partial, collections::reverse),
        "slice" => (Partial, collections::slice),
        "zipmap" => (Partial, collections::zipmap),
        "one" => (Partial, collections::one),
        "tolist" => (Partial, collections::tolist),
        "tomap" => (Partial, collections::tomap),
        "tostring" => (Partial, collections::tostring),
        "chunklist" => (Partial, collections::chunklist),
        "index" => (Pure, collections::index),
        "contains" => (Pure, collections::contains),
        "distinct" => (Partial, collections::distinct),
        "toset" => (Partial, collections::toset),
        "sort" => (Pure, collections::sort),
        "range" => (Pure, collections::range),
        "alltrue" => (Pure, collections::alltrue),
        "anytrue" => (Pure, collections::anytrue),
        "setunion" => (Pure, collections::setunion),
        "setintersection" => (Pure, collections::setintersection),
        "setsubtract" => (Pure, collections::setsubtract),
        "setproduct" => (Pure, collections::setproduct),
        "transpose" => (Pure, collections::transpose),
        "matchkeys" => (Pure, collections::matchkeys),
        "sum" => (Pure, collections::sum),
        "tonumber" => (Pure, collections::tonumber),
        "tobool" => (Pure, collections::tobool),
        "sensitive" | "nonsensitive" | "ephemeralasnull" => (Partial, collections::identity),
        "issensitive" => (Pure, collections::issensitive),
        // Encoding.
        "jsonencode" => (Pure, encoding::jsonencode),
        "jsondecode" => (Pure, encoding::jsondecode),
        "yamlencode" => (Pure, encoding::yamlencode),
        "yamldecode" => (Pure, encoding::yamldecode),
        "base64encode" => (Pure, encoding::base64encode),
        "base64decode" => (Pure, encoding::base64decode),
        "textencodebase64" => (Pure, encoding::textencodebase64),
        "textdecodebase64" => (Pure, encoding::textdecodebase64),
        "urlencode" => (Pure, encoding::urlencode),
        "csvdecode" => (Pure, encoding::csvdecode),
        // Hashes and UUIDs.
        "md5" => (Pure, crypto::md5),
        "sha1" => (Pure, crypto::sha1),
        "sha256" => (Pure, crypto::sha256),
        "sha512" => (Pure, crypto::sha512),
        "base64sha256" => (Pure, crypto::base64sha256),
        "base64sha512" => (Pure, crypto::base64sha512),
        "uuidv5" => (Pure, crypto::uuidv5),
        // Numbers.
        "abs" => (Pure, numeric::abs),
        "ceil" => (Pure, numeric::ceil),
        "floor" => (Pure, numeric::floor),
        "log" => (Pure, numeric::log),
        "pow" => (Pure, numeric::pow),
        "signum" => (Pure, numeric::signum),
        "parseint" => (Pure, numeric::parseint),
        "max" => (Pure, numeric::max),
        "min" => (Pure, numeric::min),
        // Networks.
        "cidrsubnet" => (Pure, network::cidrsubnet),
        "cidrsubnets" => (Pure, network::cidrsubnets),
        "cidrhost" => (Pure, network::cidrhost),
        "cidrnetmask" => (Pure, network::cidrnetmask),
        // Time, on literal timestamps.
        "formatdate" => (Pure, time::formatdate),
        "timeadd" => (Pure, time::timeadd),
        "timecmp" => (Pure, time::timecmp),
        // Fixed at apply, random, or read from outside the module.
        "timestamp" | "plantimestamp" | "uuid" | "bcrypt" | "file" | "filebase64"
        | "fileexists" | "fileset" | "filemd5" | "filesha1" | "filesha256" | "filesha512"
        | "filebase64sha256" | "filebase64sha512" | "templatefile" | "abspath" | "pathexpand"
        | "base64gzip" | "dirname" | "basename" => (ApplyTime, apply_time),
        _ => return None,
    };
    Some(f)
}

fn apply_time(_: &[Val]) -> Outcome {
    Ok(Val::unknown())
}

/// The longest string one call builds: names and settings are short, and a call that
/// squares its input (`replace(s, "a", s)`) would otherwise fill memory.
pub(crate) const MAX_TEXT: usize = 1 << 20;

/// Refuses a call whose result would be longer than [`MAX_TEXT`].
fn text_fits(name: &str, len: usize) -> Result<(), String> {
    if len > MAX_TEXT {
        Err(format!(
            "`{name}` would build a string of {len} bytes; ahds-guard reads strings of at most {MAX_TEXT}"
        ))
    } else {
        Ok(())
    }
}

/// Calls a function; `None` when Terraform has no function of that name.
pub(crate) fn call(name: &str, args: &[Val]) -> Option<Outcome> {
    let name = name.strip_prefix("provider::terraform::").unwrap_or(name);
    let (kind, imp) = lookup(name)?;
    let out = call_kind(name, kind, imp, args);
    Some(match out {
        Ok(Val::String(s)) if s.len() > MAX_TEXT => {
            text_fits(name, s.len()).map(|()| Val::String(s))
        }
        other => other,
    })
}

fn call_kind(name: &str, kind: Kind, imp: Imp, args: &[Val]) -> Outcome {
    match kind {
        Kind::ApplyTime => Ok(symbol_of_call(name, args)),
        Kind::Partial => imp(args),
        Kind::Pure => {
            if args.iter().any(has_bare_unknown) {
                Ok(Val::unknown())
            } else if args.iter().any(is_symbolic) {
                Ok(symbol_of_call(name, args))
            } else {
                imp(args)
            }
        }
    }
}

/// True when a value holds an unknown with no name.
fn has_bare_unknown(v: &Val) -> bool {
    match v {
        Val::Unknown(None) => true,
        Val::List(l) => l.iter().any(has_bare_unknown),
        Val::Object(m) => m.values().any(has_bare_unknown),
        _ => false,
    }
}

/// True when a value holds a symbol, standing alone or in a string.
fn is_symbolic(v: &Val) -> bool {
    match v {
        Val::Unknown(Some(_)) => true,
        Val::String(s) => ahds_model::symbolic::is_symbolic(s),
        Val::List(l) => l.iter().any(is_symbolic),
        Val::Object(m) => m.values().any(is_symbolic),
        _ => false,
    }
}

/// The symbol standing for what `name(args)` gives: the call written out, or a digest of it
/// when that is long.
pub(crate) fn symbol_of_call(name: &str, args: &[Val]) -> Val {
    let mut text = format!("{name}(");
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        write_arg(a, &mut text);
        if text.len() > 4096 {
            break;
        }
    }
    text.push(')');
    Val::symbol_of(&text)
}

fn write_arg(v: &Val, out: &mut String) {
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(&b.to_string()),
        Val::Number(n) => out.push_str(&super::value::number_text(*n)),
        Val::String(s) => {
            out.push('"');
            out.push_str(&s.replace(['{', '}'], ""));
            out.push('"');
        }
        Val::Unknown(Some(s)) => out.push_str(s),
        Val::Unknown(None) => out.push('?'),
        Val::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_arg(x, out);
            }
            out.push(']');
        }
        Val::Object(m) => {
            out.push('(');
            for (i, (k, x)) in m
                .iter()
                .filter(|(k, _)| !k.starts_with('\u{0}'))
                .enumerate()
            {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(k);
                out.push('=');
                write_arg(x, out);
            }
            out.push(')');
        }
    }
}

/// Shared argument readers: each names what Terraform would say was wrong.
mod args {
    use super::Val;

    pub(super) fn count(args: &[Val], n: usize, name: &str) -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "`{name}` takes {n} argument{}, {} given",
                if n == 1 { "" } else { "s" },
                args.len()
            ))
        }
    }

    pub(super) fn string(args: &[Val], i: usize, name: &str) -> Result<String, String> {
        match args.get(i) {
            Some(Val::String(s)) => Ok(s.clone()),
            Some(Val::Number(n)) => Ok(super::super::value::number_text(*n)),
            Some(Val::Bool(b)) => Ok(b.to_string()),
            Some(Val::Null) => Err(format!("argument {} of `{name}` is null", i + 1)),
            Some(other) => Err(format!(
                "argument {} of `{name}` must be a string, not {}",
                i + 1,
                kind(other)
            )),
            None => Err(format!("`{name}` needs argument {}", i + 1)),
        }
    }

    pub(super) fn number(args: &[Val], i: usize, name: &str) -> Result<f64, String> {
        match args.get(i) {
            Some(Val::Number(n)) => Ok(*n),
            Some(Val::String(s)) => s
                .trim()
                .parse()
                .map_err(|_| format!("argument {} of `{name}` must be a number, not `{s}`", i + 1)),
            Some(other) => Err(format!(
                "argument {} of `{name}` must be a number, not {}",
                i + 1,
                kind(other)
            )),
            None => Err(format!("`{name}` needs argument {}", i + 1)),
        }
    }

    /// A whole number (a list index, a count).
    pub(super) fn integer(args: &[Val], i: usize, name: &str) -> Result<i64, String> {
        let n = number(args, i, name)?;
        if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9.0e15 {
            return Err(format!(
                "argument {} of `{name}` must be a whole number, not {}",
                i + 1,
                super::super::value::number_text(n)
            ));
        }
        Ok(n as i64)
    }

    pub(super) fn list<'v>(args: &'v [Val], i: usize, name: &str) -> Result<&'v [Val], String> {
        match args.get(i) {
            Some(Val::List(l)) => Ok(l),
            Some(other) => Err(format!(
                "argument {} of `{name}` must be a list, set or tuple, not {}",
                i + 1,
                kind(other)
            )),
            None => Err(format!("`{name}` needs argument {}", i + 1)),
        }
    }

    pub(super) fn object<'v>(
        args: &'v [Val],
        i: usize,
        name: &str,
    ) -> Result<&'v std::collections::BTreeMap<String, Val>, String> {
        match args.get(i) {
            Some(Val::Object(m)) => Ok(m),
            Some(other) => Err(format!(
                "argument {} of `{name}` must be a map or object, not {}",
                i + 1,
                kind(other)
            )),
            None => Err(format!("`{name}` needs argument {}", i + 1)),
        }
    }

    pub(super) fn kind(v: &Val) -> &'static str {
        match v {
            Val::Null => "null",
            Val::Bool(_) => "a bool",
            Val::Number(_) => "a number",
            Val::String(_) => "a string",
            Val::List(_) => "a list",
            Val::Object(_) => "an object",
            Val::Unknown(_) => "an unknown value",
        }
    }
}
