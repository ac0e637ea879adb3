//! Hash and UUID functions: pure, so decided at plan time from known text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::Digest as _;

use super::super::value::Val;
use super::{Outcome, args};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(a: &[Val], name: &str) -> Result<String, String> {
    args::count(a, 1, name)?;
    args::string(a, 0, name)
}

pub(super) fn md5(a: &[Val]) -> Outcome {
    let s = text(a, "md5")?;
    Ok(Val::String(hex(&md5::Md5::digest(s.as_bytes()))))
}

pub(super) fn sha1(a: &[Val]) -> Outcome {
    let s = text(a, "sha1")?;
    Ok(Val::String(hex(&sha1::Sha1::digest(s.as_bytes()))))
}

pub(super) fn sha256(a: &[Val]) -> Outcome {
    let s = text(a, "sha256")?;
    Ok(Val::String(hex(&sha2::Sha256::digest(s.as_bytes()))))
}

pub(super) fn sha512(a: &[Val]) -> Outcome {
    let s = text(a, "sha512")?;
    Ok(Val::String(hex(&sha2::Sha512::digest(s.as_bytes()))))
}

pub(super) fn base64sha256(a: &[Val]) -> Outcome {
    let s = text(a, "base64sha256")?;
    Ok(Val::String(
        STANDARD.encode(sha2::Sha256::digest(s.as_bytes())),
    ))
}

pub(super) fn base64sha512(a: &[Val]) -> Outcome {
    let s = text(a, "base64sha512")?;
    Ok(Val::String(
        STANDARD.encode(sha2::Sha512::digest(s.as_bytes())),
    ))
}

/// `uuidv5(namespace, name)`: the namespace is `dns`, `url`, `oid`, `x500` or a UUID.
pub(super) fn uuidv5(a: &[Val]) -> Outcome {
    args::count(a, 2, "uuidv5")?;
    let ns = args::string(a, 0, "uuidv5")?;
    let name = args::string(a, 1, "uuidv5")?;
    let namespace = match ns.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other)
            .map_err(|_| format!("`uuidv5`: `{other}` is not a namespace or a UUID"))?,
    };
    Ok(Val::String(
        uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string(),
    ))
}
