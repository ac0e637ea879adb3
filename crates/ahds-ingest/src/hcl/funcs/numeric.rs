//! Numeric functions.

use super::super::value::Val;
use super::{Outcome, args};

fn one(a: &[Val], name: &str, f: impl Fn(f64) -> f64) -> Outcome {
    args::count(a, 1, name)?;
    Ok(Val::Number(f(args::number(a, 0, name)?)))
}

pub(super) fn abs(a: &[Val]) -> Outcome {
    one(a, "abs", f64::abs)
}

pub(super) fn ceil(a: &[Val]) -> Outcome {
    one(a, "ceil", f64::ceil)
}

pub(super) fn floor(a: &[Val]) -> Outcome {
    one(a, "floor", f64::floor)
}

pub(super) fn signum(a: &[Val]) -> Outcome {
    one(a, "signum", |n| {
        if n > 0.0 {
            1.0
        } else if n < 0.0 {
            -1.0
        } else {
            0.0
        }
    })
}

fn finite(name: &str, n: f64) -> Outcome {
    if n.is_finite() {
        Ok(Val::Number(n))
    } else {
        Err(format!("`{name}`: the result is not a finite number"))
    }
}

pub(super) fn log(a: &[Val]) -> Outcome {
    args::count(a, 2, "log")?;
    let n = args::number(a, 0, "log")?;
    let base = args::number(a, 1, "log")?;
    finite("log", n.ln() / base.ln())
}

pub(super) fn pow(a: &[Val]) -> Outcome {
    args::count(a, 2, "pow")?;
    finite(
        "pow",
        args::number(a, 0, "pow")?.powf(args::number(a, 1, "pow")?),
    )
}

pub(super) fn parseint(a: &[Val]) -> Outcome {
    args::count(a, 2, "parseint")?;
    let s = args::string(a, 0, "parseint")?;
    let base = args::integer(a, 1, "parseint")?;
    if !(2..=62).contains(&base) {
        return Err(format!("`parseint`: base {base} is not between 2 and 62"));
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(format!("`parseint`: `{s}` is not a number in base {base}"));
    }
    let mut n: f64 = 0.0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' if base <= 36 => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => -1,
        };
        if d < 0 || d >= base {
            return Err(format!("`parseint`: `{s}` is not a number in base {base}"));
        }
        n = n * base as f64 + d as f64;
    }
    finite("parseint", if neg { -n } else { n })
}

fn extreme(a: &[Val], name: &str, pick: fn(f64, f64) -> f64) -> Outcome {
    if a.is_empty() {
        return Err(format!("`{name}` takes at least one number"));
    }
    let mut out: Option<f64> = None;
    for i in 0..a.len() {
        let n = args::number(a, i, name)?;
        out = Some(out.map_or(n, |m| pick(m, n)));
    }
    Ok(Val::Number(out.unwrap_or(0.0)))
}

pub(super) fn max(a: &[Val]) -> Outcome {
    extreme(a, "max", f64::max)
}

pub(super) fn min(a: &[Val]) -> Outcome {
    extreme(a, "min", f64::min)
}
