//! Time functions on timestamps the configuration writes out (RFC 3339). `timestamp()` and
//! `plantimestamp()` are fixed only when Terraform runs: they are symbols, and a function of
//! them a symbol of the call.

use jiff::civil::{DateTime, Weekday};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};

use super::super::value::Val;
use super::{Outcome, args};

/// An RFC 3339 timestamp: the wall time and its offset from UTC.
struct Stamp {
    at: DateTime,
    offset: Offset,
    utc: bool,
}

impl Stamp {
    fn instant(&self) -> Result<Timestamp, String> {
        self.offset
            .to_timestamp(self.at)
            .map_err(|e| format!("timestamp out of range: {e}"))
    }

    fn rfc3339(&self) -> String {
        let mut s = self.at.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        if self.at.subsec_nanosecond() != 0 {
            let frac = format!("{:09}", self.at.subsec_nanosecond());
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push_str(&self.zone(true));
        s
    }

    /// `Z` for UTC, else `+hh:mm` (or `+hhmm`).
    fn zone(&self, colon: bool) -> String {
        if self.utc {
            return "Z".into();
        }
        self.offset_text(colon)
    }

    fn offset_text(&self, colon: bool) -> String {
        let secs = self.offset.seconds();
        let sign = if secs < 0 { '-' } else { '+' };
        let (h, m) = (secs.abs() / 3600, (secs.abs() % 3600) / 60);
        if colon {
            format!("{sign}{h:02}:{m:02}")
        } else {
            format!("{sign}{h:02}{m:02}")
        }
    }
}

fn parse(name: &str, s: &str) -> Result<Stamp, String> {
    let bad = || format!("`{name}`: `{s}` is not an RFC 3339 timestamp");
    let (datetime, zone) = if let Some(body) = s.strip_suffix(['Z', 'z']) {
        (body, None)
    } else {
        let cut = s.len().checked_sub(6).ok_or_else(bad)?;
        let zone = s.get(cut..).ok_or_else(bad)?;
        if !(zone.starts_with('+') || zone.starts_with('-')) || zone.as_bytes()[3] != b':' {
            return Err(bad());
        }
        (&s[..cut], Some(zone))
    };
    let at: DateTime = datetime
        .replace(['t', ' '], "T")
        .parse()
        .map_err(|_| bad())?;
    if !datetime.contains(['T', 't']) {
        return Err(bad());
    }
    let offset = match zone {
        None => Offset::UTC,
        Some(z) => {
            let h: i32 = z[1..3].parse().map_err(|_| bad())?;
            let m: i32 = z[4..6].parse().map_err(|_| bad())?;
            let secs = (h * 3600 + m * 60) * if z.starts_with('-') { -1 } else { 1 };
            Offset::from_seconds(secs).map_err(|_| bad())?
        }
    };
    Ok(Stamp {
        at,
        offset,
        utc: zone.is_none(),
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// `formatdate(spec, timestamp)` with Terraform's tokens (`YYYY`, `MMM`, `DD`, `EEE`, `hh`,
/// `mm`, `ss`, `AA`, `ZZZZZ`...) and quoted literals.
pub(super) fn formatdate(a: &[Val]) -> Outcome {
    args::count(a, 2, "formatdate")?;
    let spec = args::string(a, 0, "formatdate")?;
    let t = parse("formatdate", &args::string(a, 1, "formatdate")?)?;
    let d = t.at;
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // A quoted literal; `''` is a quote.
            let mut j = i + 1;
            if chars.get(j) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            while j < chars.len() && chars[j] != '\'' {
                out.push(chars[j]);
                j += 1;
            }
            if j >= chars.len() {
                return Err("`formatdate`: a quoted literal does not end".into());
            }
            i = j + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let hour12 = match d.hour() % 12 {
            0 => 12,
            h => h,
        };
        let token = match (c, n) {
            ('Y', 4) => format!("{:04}", d.year()),
            ('Y', 2) => format!("{:02}", d.year().rem_euclid(100)),
            ('M', 4) => MONTHS[(d.month() - 1) as usize].to_string(),
            ('M', 3) => MONTHS[(d.month() - 1) as usize][..3].to_string(),
            ('M', 2) => format!("{:02}", d.month()),
            ('M', 1) => d.month().to_string(),
            ('D', 2) => format!("{:02}", d.day()),
            ('D', 1) => d.day().to_string(),
            ('E', 4) => weekday_name(d.weekday()).to_string(),
            ('E', 3) => weekday_name(d.weekday())[..3].to_string(),
            ('h', 2) => format!("{:02}", d.hour()),
            ('h', 1) => d.hour().to_string(),
            ('H', 2) => format!("{hour12:02}"),
            ('H', 1) => hour12.to_string(),
            ('A', 2) => (if d.hour() < 12 { "AM" } else { "PM" }).to_string(),
            ('a', 2) => (if d.hour() < 12 { "am" } else { "pm" }).to_string(),
            ('m', 2) => format!("{:02}", d.minute()),
            ('m', 1) => d.minute().to_string(),
            ('s', 2) => format!("{:02}", d.second()),
            ('s', 1) => d.second().to_string(),
            ('Z', 5) => t.offset_text(true),
            ('Z', 4) => t.offset_text(false),
            ('Z', 3) => {
                if t.offset.seconds() == 0 {
                    "UTC".to_string()
                } else {
                    t.offset_text(false)
                }
            }
            ('Z', 1) => t.zone(true),
            _ => {
                let seq: String = std::iter::repeat_n(c, n).collect();
                return Err(format!("`formatdate`: `{seq}` is not a format token"));
            }
        };
        out.push_str(&token);
        i += n;
    }
    Ok(Val::String(out))
}

/// A Go duration: `1h30m`, `-10m`, `2.5s`, `300ms`.
fn duration(s: &str) -> Result<SignedDuration, String> {
    let bad = || format!("`timeadd`: `{s}` is not a duration");
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(SignedDuration::ZERO);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut nanos: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        nanos += n * scale;
        rest = &rest[unit_len..];
    }
    if !nanos.is_finite() || nanos.abs() > 9.0e18 {
        return Err(bad());
    }
    let nanos = nanos as i64;
    Ok(SignedDuration::from_nanos(if neg { -nanos } else { nanos }))
}

pub(super) fn timeadd(a: &[Val]) -> Outcome {
    args::count(a, 2, "timeadd")?;
    let t = parse("timeadd", &args::string(a, 0, "timeadd")?)?;
    let d = duration(&args::string(a, 1, "timeadd")?)?;
    let later = t
        .instant()?
        .checked_add(d)
        .map_err(|e| format!("`timeadd`: {e}"))?;
    let out = Stamp {
        at: t.offset.to_datetime(later),
        offset: t.offset,
        utc: t.utc,
    };
    Ok(Val::String(out.rfc3339()))
}

pub(super) fn timecmp(a: &[Val]) -> Outcome {
    args::count(a, 2, "timecmp")?;
    let x = parse("timecmp", &args::string(a, 0, "timecmp")?)?.instant()?;
    let y = parse("timecmp", &args::string(a, 1, "timecmp")?)?.instant()?;
    Ok(Val::Number(match x.cmp(&y) {
        std::cmp::Ordering::Less => -1.0,
        std::cmp::Ordering::Equal => 0.0,
        std::cmp::Ordering::Greater => 1.0,
    }))
}
