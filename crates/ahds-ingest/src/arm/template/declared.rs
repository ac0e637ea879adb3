//! The resources a template declares (arrays, 2.0 objects by symbolic name, nested
//! children), with the full type, name and ARM id of each.

use ahds_model::symbolic;
use serde_json::Value;

use super::DEPLOYMENTS;
use crate::arm::expr::{Scope, eval_string, eval_value};
use crate::arm::props::{prop, str_at, unknown};
use crate::error::escape_pointer_segment;

/// A template resource to read, with its place in the file.
pub(super) struct Declared<'t> {
    pub(super) value: &'t Value,
    pub(super) pointer: String,
    pub(super) address: String,
    pub(super) parent: Option<(String, String)>,
}

/// The resource list of a template: an array, or an object of symbolic names (2.0).
pub(super) fn declared<'t>(template: &'t Value, pointer: &str, prefix: &str) -> Vec<Declared<'t>> {
    let mut out = Vec::new();
    match prop(template, "resources") {
        Some(Value::Array(a)) => {
            for (i, r) in a.iter().enumerate() {
                collect_nested(
                    r,
                    format!("{pointer}/resources/{i}"),
                    format!("{prefix}resources[{i}]"),
                    None,
                    &mut out,
                );
            }
        }
        Some(Value::Object(m)) => {
            for (k, r) in m {
                collect_nested(
                    r,
                    format!("{pointer}/resources/{}", escape_pointer_segment(k)),
                    format!("{prefix}{k}"),
                    None,
                    &mut out,
                );
            }
        }
        _ => {}
    }
    out
}

/// A resource and its nested children (`resources` inside a resource).
pub(super) fn collect_nested<'t>(
    r: &'t Value,
    pointer: String,
    address: String,
    parent: Option<(String, String)>,
    out: &mut Vec<Declared<'t>>,
) {
    out.push(Declared {
        value: r,
        pointer: pointer.clone(),
        address: address.clone(),
        parent: parent.clone(),
    });
    if let Some(Value::Array(items)) = prop(r, "resources") {
        // A child's type and name continue its parent's.
        let ty = str_at(r, &["type"]).unwrap_or("");
        let ty = match &parent {
            Some((pty, _)) if !ty.contains('/') => format!("{pty}/{ty}"),
            _ => ty.to_string(),
        };
        let name = str_at(r, &["name"]).unwrap_or("").to_string();
        for (i, c) in items.iter().enumerate() {
            collect_nested(
                c,
                format!("{pointer}/resources/{i}"),
                format!("{address}.resources[{i}]"),
                Some((ty.clone(), name.clone())),
                out,
            );
        }
    }
}

/// The full type and name of a declared resource, nested children included.
pub(super) fn type_and_name(d: &Declared<'_>, scope: &dyn Scope) -> Option<(String, Value)> {
    let ty = eval_string(str_at(d.value, &["type"])?, scope);
    let name = eval_value(prop(d.value, "name")?, scope, 0);
    let ty = ty.as_str()?.to_string();
    match &d.parent {
        None => Some((ty, name)),
        Some((pty, pname)) => {
            let full_ty = if ty.contains('/') {
                ty
            } else {
                format!("{pty}/{ty}")
            };
            let pname = eval_string(pname, scope);
            let full_name = match (pname.as_str(), name.as_str()) {
                (Some(p), Some(n)) if n.matches('/').count() < full_ty.matches('/').count() - 1 => {
                    Value::String(format!("{p}/{n}"))
                }
                (_, Some(n)) => Value::String(n.to_string()),
                _ => unknown("the name of a nested resource is not known before deployment"),
            };
            Some((full_ty, full_name))
        }
    }
}

/// A name for a resource whose name the template leaves unknown: one symbol per name
/// segment, named after the resource's place in the template, so its id is still ARM-shaped
/// and every mention of it is the same.
pub(super) fn fallback_name(ty: &str, address: &str) -> String {
    let segments = ty.matches('/').count().max(1);
    let base = symbolic::escape(address);
    (1..=segments)
        .map(|i| {
            if i == segments {
                format!("{{{base}.name}}")
            } else {
                format!("{{{base}.parent{}}}", segments - i)
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The id Azure gives the resource: under the deployment's resource group (or the group and
/// subscription the resource names, as `existing` references may), or under its `scope` for
/// extension resources (role assignments).
pub(super) fn resource_id(r: &Value, ty: &str, name: &Value, scope: &dyn Scope) -> Option<String> {
    let name = name.as_str()?;
    let mut parts = ty.splitn(2, '/');
    let ns = parts.next()?;
    let types: Vec<&str> = parts.next()?.split('/').collect();
    let names: Vec<&str> = name.split('/').collect();
    if types.len() != names.len() {
        return None;
    }
    let mut path = format!("providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        path.push_str(&format!("/{t}/{n}"));
    }
    let placed = |key: &str, default: String| {
        if ty.eq_ignore_ascii_case(DEPLOYMENTS) {
            return default;
        }
        match prop(r, key).map(|v| eval_value(v, scope, 0)) {
            Some(Value::String(s)) => s,
            _ => default,
        }
    };
    let group = format!(
        "/subscriptions/{}/resourceGroups/{}",
        placed("subscriptionId", scope.subscription_id()),
        placed("resourceGroup", scope.resource_group_name())
    );
    let base = match prop(r, "scope").map(|s| eval_value(s, scope, 0)) {
        Some(Value::String(s)) if s.starts_with('/') => s,
        // Bicep writes a resource in the same group as `Microsoft.X/type/name`.
        Some(Value::String(s)) => format!("{group}/providers/{s}"),
        Some(_) => return None,
        None => group,
    };
    Some(format!("{}/{path}", base.trim_end_matches('/')))
}
