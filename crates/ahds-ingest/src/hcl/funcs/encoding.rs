//! Encoding functions: JSON, YAML, CSV, Base64 and URL encoding.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::super::value::Val;
use super::{Outcome, args};

/// The largest document a decoding function reads: larger ones are not configuration.
const MAX_DOCUMENT: usize = 8 << 20;

fn document(a: &[Val], name: &str) -> Result<String, String> {
    args::count(a, 1, name)?;
    let s = args::string(a, 0, name)?;
    if s.len() > MAX_DOCUMENT {
        return Err(format!(
            "`{name}`: the document is over {MAX_DOCUMENT} bytes"
        ));
    }
    Ok(s)
}

pub(super) fn jsonencode(a: &[Val]) -> Outcome {
    args::count(a, 1, "jsonencode")?;
    Ok(Val::String(a[0].to_json().to_string()))
}

pub(super) fn jsondecode(a: &[Val]) -> Outcome {
    let text = document(a, "jsondecode")?;
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|v| Val::from_json(&v))
        .map_err(|e| format!("`jsondecode`: not JSON: {e}"))
}

pub(super) fn yamlencode(a: &[Val]) -> Outcome {
    args::count(a, 1, "yamlencode")?;
    yaml_serde::to_string(&a[0].to_json())
        .map(Val::String)
        .map_err(|e| format!("`yamlencode`: {e}"))
}

pub(super) fn yamldecode(a: &[Val]) -> Outcome {
    let text = document(a, "yamldecode")?;
    yaml_serde::from_str::<serde_json::Value>(&text)
        .map(|v| Val::from_json(&v))
        .map_err(|e| format!("`yamldecode`: not YAML Terraform reads: {e}"))
}

pub(super) fn base64encode(a: &[Val]) -> Outcome {
    args::count(a, 1, "base64encode")?;
    Ok(Val::String(STANDARD.encode(args::string(
        a,
        0,
        "base64encode",
    )?)))
}

fn decode(name: &str, s: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(s.trim())
        .map_err(|e| format!("`{name}`: not Base64: {e}"))
}

pub(super) fn base64decode(a: &[Val]) -> Outcome {
    let s = document(a, "base64decode")?;
    let bytes = decode("base64decode", &s)?;
    String::from_utf8(bytes)
        .map(Val::String)
        .map_err(|_| "`base64decode`: the decoded bytes are not UTF-8".into())
}

/// The encodings `textencodebase64` is read with here: Unicode ones.
fn encoding_of(name: &str, enc: &str) -> Result<&'static str, String> {
    match enc.to_ascii_uppercase().replace('_', "-").as_str() {
        "UTF-8" | "UTF8" => Ok("utf-8"),
        "UTF-16LE" => Ok("utf-16le"),
        "UTF-16BE" => Ok("utf-16be"),
        _ => Err(format!(
            "`{name}`: encoding `{enc}` is not read by ahds-guard (UTF-8, UTF-16LE, UTF-16BE)"
        )),
    }
}

pub(super) fn textencodebase64(a: &[Val]) -> Outcome {
    args::count(a, 2, "textencodebase64")?;
    let s = args::string(a, 0, "textencodebase64")?;
    let bytes: Vec<u8> =
        match encoding_of("textencodebase64", &args::string(a, 1, "textencodebase64")?)? {
            "utf-16le" => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            "utf-16be" => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            _ => s.into_bytes(),
        };
    Ok(Val::String(STANDARD.encode(bytes)))
}

pub(super) fn textdecodebase64(a: &[Val]) -> Outcome {
    args::count(a, 2, "textdecodebase64")?;
    let bytes = decode("textdecodebase64", &args::string(a, 0, "textdecodebase64")?)?;
    let units = |le: bool| -> Result<String, String> {
        if bytes.len() % 2 != 0 {
            return Err("`textdecodebase64`: odd number of bytes for UTF-16".into());
        }
        let u: Vec<u16> = bytes
            .chunks(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&u).map_err(|_| "`textdecodebase64`: invalid UTF-16".into())
    };
    let text = match encoding_of("textdecodebase64", &args::string(a, 1, "textdecodebase64")?)? {
        "utf-16le" => units(true)?,
        "utf-16be" => units(false)?,
        _ => {
            String::from_utf8(bytes).map_err(|_| "`textdecodebase64`: invalid UTF-8".to_string())?
        }
    };
    Ok(Val::String(text))
}

/// URL query encoding as Go's `url.QueryEscape` writes it: a space is `+`.
pub(super) fn urlencode(a: &[Val]) -> Outcome {
    args::count(a, 1, "urlencode")?;
    let s = args::string(a, 0, "urlencode")?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    Ok(Val::String(out))
}

/// CSV with a header row: a list of objects, every value a string.
pub(super) fn csvdecode(a: &[Val]) -> Outcome {
    let text = document(a, "csvdecode")?;
    let mut rows = text.lines().filter(|l| !l.is_empty()).map(split_csv_line);
    let Some(header) = rows.next() else {
        return Ok(Val::List(Vec::new()));
    };
    let header = header?;
    let mut out = Vec::new();
    for (n, row) in rows.enumerate() {
        let row = row?;
        if row.len() != header.len() {
            return Err(format!(
                "`csvdecode`: row {} has {} fields, the header {}",
                n + 2,
                row.len(),
                header.len()
            ));
        }
        let m: BTreeMap<String, Val> = header
            .iter()
            .cloned()
            .zip(row.into_iter().map(Val::String))
            .collect();
        out.push(Val::Object(m));
    }
    Ok(Val::List(out))
}

fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("`csvdecode`: a quoted field does not end".into());
    }
    fields.push(field);
    Ok(fields)
}
