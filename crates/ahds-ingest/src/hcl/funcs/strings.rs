//! String functions. Those that build names keep symbols in place: their literal parts are
//! transformed and a `{symbol}` is carried through unchanged.

use std::collections::BTreeMap;

use ahds_model::symbolic::{Segment, is_symbolic, segments};

use super::super::value::{Val, number_text};
use super::{Outcome, args, symbol_of_call};

/// The text of a value in a string; `Err` with the unknown to return.
fn text(v: Option<&Val>) -> Result<String, Val> {
    v.map_or(Err(Val::unknown()), Val::to_text)
}

/// Applies a text function to the literal parts of a string, keeping its symbols.
fn map_literal(s: &str, f: impl Fn(&str) -> String) -> String {
    if !s.contains('{') {
        return f(s);
    }
    segments(s)
        .into_iter()
        .map(|seg| match seg {
            Segment::Text(t) => f(t),
            Segment::Symbol(sym) => format!("{{{sym}}}"),
        })
        .collect()
}

fn text_fn(name: &str, a: &[Val], f: impl Fn(&str) -> String) -> Outcome {
    args::count(a, 1, name)?;
    if matches!(a[0], Val::List(_) | Val::Object(_) | Val::Null) {
        return Err(format!(
            "argument 1 of `{name}` must be a string, not {}",
            args::kind(&a[0])
        ));
    }
    Ok(match text(a.first()) {
        Ok(s) => Val::String(map_literal(&s, f)),
        Err(u) => u,
    })
}

pub(super) fn lower(a: &[Val]) -> Outcome {
    text_fn("lower", a, str::to_lowercase)
}

pub(super) fn upper(a: &[Val]) -> Outcome {
    text_fn("upper", a, str::to_uppercase)
}

pub(super) fn title(a: &[Val]) -> Outcome {
    text_fn("title", a, |s| {
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
    })
}

pub(super) fn trimspace(a: &[Val]) -> Outcome {
    symbol_safe("trimspace", a, |s| s.trim().to_string())
}

pub(super) fn chomp(a: &[Val]) -> Outcome {
    symbol_safe("chomp", a, |s| s.trim_end_matches(['\n', '\r']).to_string())
}

/// A function that changes a string's ends: exact on literal text, a symbol of the call
/// when the string holds a symbol (a symbol could be empty or end in the cut characters).
fn symbol_safe(name: &str, a: &[Val], f: impl Fn(&str) -> String) -> Outcome {
    match a.first() {
        Some(Val::String(s)) if !is_symbolic(s) => {
            args::count(a, 1, name)?;
            Ok(Val::String(f(s)))
        }
        Some(Val::Unknown(None)) => Ok(Val::unknown()),
        Some(Val::String(_) | Val::Unknown(Some(_))) => Ok(symbol_of_call(name, a)),
        _ => Err(format!("`{name}` takes one string")),
    }
}

fn trim_with(name: &str, a: &[Val], f: impl Fn(&str, &str) -> String) -> Outcome {
    args::count(a, 2, name)?;
    match (&a[0], &a[1]) {
        (Val::Unknown(None), _) | (_, Val::Unknown(None)) => Ok(Val::unknown()),
        (Val::String(s), Val::String(cut)) if !is_symbolic(s) && !is_symbolic(cut) => {
            Ok(Val::String(f(s, cut)))
        }
        (Val::String(_) | Val::Unknown(Some(_)), Val::String(_) | Val::Unknown(Some(_))) => {
            Ok(symbol_of_call(name, a))
        }
        _ => Err(format!("`{name}` takes two strings")),
    }
}

pub(super) fn trim(a: &[Val]) -> Outcome {
    trim_with("trim", a, |s, cut| {
        s.trim_matches(|c| cut.contains(c)).to_string()
    })
}

pub(super) fn trimprefix(a: &[Val]) -> Outcome {
    trim_with("trimprefix", a, |s, p| {
        s.strip_prefix(p).unwrap_or(s).to_string()
    })
}

pub(super) fn trimsuffix(a: &[Val]) -> Outcome {
    trim_with("trimsuffix", a, |s, p| {
        s.strip_suffix(p).unwrap_or(s).to_string()
    })
}

pub(super) fn indent(a: &[Val]) -> Outcome {
    args::count(a, 2, "indent")?;
    let n = args::integer(a, 0, "indent")?;
    let s = args::string(a, 1, "indent")?;
    let pad = " ".repeat(usize::try_from(n).unwrap_or(0).min(1024));
    super::text_fits("indent", s.len() + s.matches('\n').count() * pad.len())?;
    Ok(Val::String(s.replace('\n', &format!("\n{pad}"))))
}

pub(super) fn strrev(a: &[Val]) -> Outcome {
    args::count(a, 1, "strrev")?;
    Ok(Val::String(
        args::string(a, 0, "strrev")?.chars().rev().collect(),
    ))
}

fn str_pred(name: &str, a: &[Val], f: impl Fn(&str, &str) -> bool) -> Outcome {
    args::count(a, 2, name)?;
    Ok(Val::Bool(f(
        &args::string(a, 0, name)?,
        &args::string(a, 1, name)?,
    )))
}

pub(super) fn startswith(a: &[Val]) -> Outcome {
    str_pred("startswith", a, |s, p| s.starts_with(p))
}

pub(super) fn endswith(a: &[Val]) -> Outcome {
    str_pred("endswith", a, |s, p| s.ends_with(p))
}

pub(super) fn strcontains(a: &[Val]) -> Outcome {
    str_pred("strcontains", a, |s, p| s.contains(p))
}

/// One `format` verb: `%[flags][width][.precision]verb`.
struct Verb {
    minus: bool,
    plus: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
    verb: char,
}

fn parse_verb(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<Verb> {
    let mut v = Verb {
        minus: false,
        plus: false,
        zero: false,
        width: 0,
        precision: None,
        verb: 's',
    };
    while let Some(&c) = chars.peek() {
        match c {
            '-' => v.minus = true,
            '+' => v.plus = true,
            '0' => v.zero = true,
            ' ' | '#' => {}
            _ => break,
        }
        chars.next();
    }
    let digits = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let mut n = 0usize;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d as usize).min(1024);
            chars.next();
        }
        n
    };
    v.width = digits(chars);
    if chars.peek() == Some(&'.') {
        chars.next();
        v.precision = Some(digits(chars));
    }
    v.verb = chars.next()?;
    Some(v)
}

fn pad(v: &Verb, body: String) -> String {
    let len = body.chars().count();
    if len >= v.width {
        return body;
    }
    let fill = v.width - len;
    if v.minus {
        format!("{body}{}", " ".repeat(fill))
    } else if v.zero && matches!(v.verb, 'd' | 'f' | 'e' | 'g' | 'x' | 'X' | 'b' | 'o') {
        let (sign, digits) = match body.strip_prefix('-') {
            Some(rest) => ("-", rest.to_string()),
            None => ("", body),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn format_one(name: &str, v: &Verb, arg: &Val) -> Result<Result<String, Val>, String> {
    let whole = |n: f64| -> Result<i64, String> {
        if n.fract() == 0.0 && n.is_finite() {
            Ok(n as i64)
        } else {
            Err(format!(
                "`{name}`: %{} needs a whole number, not {}",
                v.verb,
                number_text(n)
            ))
        }
    };
    let number = |arg: &Val| -> Result<f64, String> {
        arg.as_f64().ok_or_else(|| {
            format!(
                "`{name}`: %{} needs a number, not {}",
                v.verb,
                args::kind(arg)
            )
        })
    };
    if let Val::Unknown(Some(sym)) = arg {
        if matches!(v.verb, 's' | 'v') && v.width == 0 && v.precision.is_none() {
            return Ok(Ok(format!("{{{sym}}}")));
        }
    }
    if let Val::Unknown(_) = arg {
        return Ok(Err(arg.clone()));
    }
    if let Val::String(s) = arg {
        if is_symbolic(s) && matches!(v.verb, 's' | 'v') && v.width == 0 {
            return Ok(Ok(s.clone()));
        }
        if is_symbolic(s) {
            return Ok(Err(Val::unknown()));
        }
    }
    let body = match v.verb {
        's' | 'v' => match arg {
            Val::List(_) | Val::Object(_) if v.verb == 'v' => arg.to_json().to_string(),
            Val::List(_) | Val::Object(_) | Val::Null => {
                return Err(format!("`{name}`: %s cannot format {}", args::kind(arg)));
            }
            other => {
                let t = other.to_text().unwrap_or_default();
                match v.precision {
                    Some(p) => t.chars().take(p).collect(),
                    None => t,
                }
            }
        },
        'q' => format!("{:?}", arg.to_text().unwrap_or_default()),
        'd' => {
            let n = whole(number(arg)?)?;
            if v.plus && n >= 0 {
                format!("+{n}")
            } else {
                n.to_string()
            }
        }
        'f' | 'F' => format!("{:.*}", v.precision.unwrap_or(6), number(arg)?),
        'e' => format!("{:.*e}", v.precision.unwrap_or(6), number(arg)?),
        'g' => number_text(number(arg)?),
        'x' => format!("{:x}", whole(number(arg)?)?),
        'X' => format!("{:X}", whole(number(arg)?)?),
        'o' => format!("{:o}", whole(number(arg)?)?),
        'b' => format!("{:b}", whole(number(arg)?)?),
        't' => match arg {
            Val::Bool(b) => b.to_string(),
            other => {
                return Err(format!(
                    "`{name}`: %t needs a bool, not {}",
                    args::kind(other)
                ));
            }
        },
        other => return Err(format!("`{name}`: unsupported verb %{other}")),
    };
    Ok(Ok(pad(v, body)))
}

/// `format` with Go's verbs as Terraform takes them (`%s`, `%d` with widths and zero
/// padding, `%v`, `%q`, `%f` with precision, `%%`).
pub(super) fn format(a: &[Val]) -> Outcome {
    format_named("format", a)
}

fn format_named(name: &str, a: &[Val]) -> Outcome {
    let spec = match a.first() {
        Some(Val::String(s)) => s,
        Some(Val::Unknown(None)) | None => return Ok(Val::unknown()),
        Some(Val::Unknown(Some(_))) => return Ok(symbol_of_call(name, a)),
        Some(other) => {
            return Err(format!(
                "the format of `{name}` must be a string, not {}",
                args::kind(other)
            ));
        }
    };
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars().peekable();
    let mut pending: Option<Val> = None;
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
        let Some(verb) = parse_verb(&mut chars) else {
            return Err(format!("`{name}`: the format ends inside a verb"));
        };
        let Some(arg) = a.get(next) else {
            return Err(format!("`{name}`: not enough arguments for the format"));
        };
        next += 1;
        match format_one(name, &verb, arg)? {
            Ok(t) => out.push_str(&t),
            Err(u) => {
                pending.get_or_insert(u);
            }
        }
    }
    if next < a.len() {
        return Err(format!(
            "`{name}`: too many arguments; the format uses {}",
            next - 1
        ));
    }
    Ok(match pending {
        Some(Val::Unknown(None)) => Val::unknown(),
        Some(_) => symbol_of_call(name, a),
        None => Val::String(out),
    })
}

pub(super) fn formatlist(a: &[Val]) -> Outcome {
    let mut len = None;
    for x in a.iter().skip(1) {
        match x {
            Val::List(l) => match len {
                None => len = Some(l.len()),
                Some(n) if n != l.len() => {
                    return Err("`formatlist`: the lists are not all the same length".into());
                }
                Some(_) => {}
            },
            Val::Unknown(_) => return Ok(Val::unknown()),
            _ => {}
        }
    }
    let Some(len) = len else {
        return format_named("formatlist", a).map(|v| Val::List(vec![v]));
    };
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let mut row = vec![a[0].clone()];
        for x in &a[1..] {
            row.push(match x {
                Val::List(l) => l[i].clone(),
                other => other.clone(),
            });
        }
        out.push(format_named("formatlist", &row)?);
    }
    Ok(Val::List(out))
}

pub(super) fn join(a: &[Val]) -> Outcome {
    if a.len() < 2 {
        return Err("`join` takes a separator and at least one list".into());
    }
    let sep = match &a[0] {
        Val::String(s) => s.clone(),
        Val::Unknown(_) => return Ok(Val::unknown()),
        other => {
            return Err(format!(
                "the separator of `join` must be a string, not {}",
                args::kind(other)
            ));
        }
    };
    let mut parts = Vec::new();
    for list in &a[1..] {
        match list {
            Val::List(items) => {
                for item in items {
                    match item {
                        Val::List(_) | Val::Object(_) => {
                            return Err("`join`: list items must be strings".into());
                        }
                        Val::Null => return Err("`join`: a list item is null".into()),
                        other => match other.to_text() {
                            Ok(t) => parts.push(t),
                            Err(u) => return Ok(u),
                        },
                    }
                }
            }
            Val::Unknown(Some(_)) => return Ok(symbol_of_call("join", a)),
            Val::Unknown(None) => return Ok(Val::unknown()),
            other => {
                return Err(format!("`join` joins lists, not {}", args::kind(other)));
            }
        }
    }
    Ok(Val::String(parts.join(&sep)))
}

pub(super) fn split(a: &[Val]) -> Outcome {
    args::count(a, 2, "split")?;
    let sep = args::string(a, 0, "split")?;
    let s = args::string(a, 1, "split")?;
    if sep.is_empty() {
        return Ok(Val::List(
            s.chars().map(|c| Val::String(c.to_string())).collect(),
        ));
    }
    Ok(Val::List(
        s.split(sep.as_str())
            .map(|p| Val::String(p.to_string()))
            .collect(),
    ))
}

/// A pattern as RE2 writes it, compiled with the limits a hostile pattern cannot exceed.
fn compile(pattern: &str, name: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .map_err(|e| format!("`{name}`: invalid regular expression: {e}"))
}

pub(super) fn replace(a: &[Val]) -> Outcome {
    args::count(a, 3, "replace")?;
    let s = match text(a.first()) {
        Ok(s) => s,
        Err(u) => return Ok(u),
    };
    let (from, to) = match (&a[1], &a[2]) {
        (Val::String(f), Val::String(t)) if !is_symbolic(f) && !is_symbolic(t) => (f, t),
        (Val::Unknown(None), _) | (_, Val::Unknown(None)) => return Ok(Val::unknown()),
        _ => {
            args::string(a, 1, "replace")?;
            args::string(a, 2, "replace")?;
            return Ok(symbol_of_call("replace", a));
        }
    };
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        let re = compile(&from[1..from.len() - 1], "replace")?;
        if is_symbolic(&s) {
            return Ok(symbol_of_call("replace", a));
        }
        super::text_fits(
            "replace",
            s.len() + re.find_iter(&s).count().saturating_mul(to.len()),
        )?;
        return Ok(Val::String(re.replace_all(&s, to.as_str()).into_owned()));
    }
    if from.is_empty() {
        return Ok(Val::String(s));
    }
    super::text_fits(
        "replace",
        s.len() + s.matches(from.as_str()).count().saturating_mul(to.len()),
    )?;
    Ok(Val::String(map_literal(&s, |t| {
        t.replace(from.as_str(), to)
    })))
}

pub(super) fn substr(a: &[Val]) -> Outcome {
    args::count(a, 3, "substr")?;
    let s = match text(a.first()) {
        Ok(s) => s,
        Err(u) => return Ok(u),
    };
    if a[1].is_unknown() || a[2].is_unknown() {
        return Ok(Val::unknown());
    }
    let offset = args::integer(a, 1, "substr")?;
    let length = args::integer(a, 2, "substr")?;
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as i64;
    let mut start = offset;
    if start < 0 {
        start += len;
    }
    if start < 0 || start > len {
        return Err(format!(
            "`substr`: offset {offset} is outside a string of length {len}"
        ));
    }
    let start = start as usize;
    let end = if length < 0 {
        chars.len()
    } else {
        (start.saturating_add(length as usize)).min(chars.len())
    };
    let cut: String = chars[start..end].iter().collect();
    if !is_symbolic(&s) {
        return Ok(Val::String(cut));
    }
    // The literal text before the first symbol survives when the cut stays inside it.
    let literal_prefix = s.find('{').unwrap_or(s.len());
    if end <= literal_prefix {
        return Ok(Val::String(cut));
    }
    Ok(Val::symbol(&format!(
        "substr({},{offset},{length})",
        s.replace(['{', '}'], "")
    )))
}

/// What one match gives: the match, its unnamed groups as a list, or its named groups as
/// an object.
fn captures_value(re: &regex::Regex, caps: &regex::Captures<'_>) -> Val {
    let text =
        |m: Option<regex::Match<'_>>| m.map_or(Val::Null, |m| Val::String(m.as_str().into()));
    if re.captures_len() == 1 {
        return text(caps.get(0));
    }
    let named: Vec<&str> = re.capture_names().flatten().collect();
    if !named.is_empty() {
        let m: BTreeMap<String, Val> = named
            .iter()
            .map(|n| (n.to_string(), text(caps.name(n))))
            .collect();
        return Val::Object(m);
    }
    Val::List((1..re.captures_len()).map(|i| text(caps.get(i))).collect())
}

pub(super) fn regex(a: &[Val]) -> Outcome {
    args::count(a, 2, "regex")?;
    let re = compile(&args::string(a, 0, "regex")?, "regex")?;
    let s = args::string(a, 1, "regex")?;
    match re.captures(&s) {
        Some(caps) => Ok(captures_value(&re, &caps)),
        None => Err("`regex`: the pattern does not match the string".into()),
    }
}

pub(super) fn regexall(a: &[Val]) -> Outcome {
    args::count(a, 2, "regexall")?;
    let re = compile(&args::string(a, 0, "regexall")?, "regexall")?;
    let s = args::string(a, 1, "regexall")?;
    Ok(Val::List(
        re.captures_iter(&s)
            .map(|c| captures_value(&re, &c))
            .collect(),
    ))
}
