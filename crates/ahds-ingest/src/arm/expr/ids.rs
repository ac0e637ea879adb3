//! `resourceId()` and its relatives: ids under the deployment's resource group (or the one
//! named), a subscription, the tenant, or another resource (extension resources).

use serde_json::Value;

use super::Scope;
use crate::arm::props::unknown;

/// Forms a resource id under a scope from `type, name1, name2...`.
pub(crate) fn build_id(scope: &str, args: &[Value]) -> Value {
    let Some(ty) = args.first().and_then(Value::as_str) else {
        return unknown("resource id with an unknown type");
    };
    // Templates that deploy write `Namespace/type/` too.
    let ty = ty.trim_end_matches('/');
    let mut parts = ty.split('/');
    let Some(ns) = parts.next() else {
        return unknown("resource id with an empty type");
    };
    let types: Vec<&str> = parts.collect();
    let mut names: Vec<String> = Vec::new();
    for n in &args[1..] {
        match n.as_str() {
            // A name may hold several segments (`ws/fhir`).
            Some(s) => names.extend(s.split('/').map(str::to_string)),
            None => return unknown("resource id with a name not known before deployment"),
        }
    }
    if types.len() != names.len() || types.is_empty() {
        return unknown(format!(
            "resource id of `{ty}` with {} name segment(s)",
            names.len()
        ));
    }
    let mut id = format!("{scope}/providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(n);
    }
    Value::String(id)
}

/// The first argument that is a resource type (`Namespace/type`).
fn type_position(vals: &[Value]) -> Option<usize> {
    vals.iter()
        .position(|v| v.as_str().is_some_and(|s| s.contains('/')))
}

pub(super) fn call(lname: &str, vals: &[Value], scope: &dyn Scope) -> Option<Value> {
    let arg_str = |i: usize| vals.get(i).and_then(Value::as_str).map(str::to_string);
    Some(match lname {
        "resourceid" => {
            let Some(ti) = type_position(vals) else {
                return Some(unknown("resourceId() without a resource type"));
            };
            let (sub, rg) = match ti {
                0 => (scope.subscription_id(), scope.resource_group_name()),
                1 => (
                    scope.subscription_id(),
                    arg_str(0).unwrap_or_else(|| scope.resource_group_name()),
                ),
                _ => (
                    arg_str(ti - 2).unwrap_or_else(|| scope.subscription_id()),
                    arg_str(ti - 1).unwrap_or_else(|| scope.resource_group_name()),
                ),
            };
            build_id(
                &format!("/subscriptions/{sub}/resourceGroups/{rg}"),
                &vals[ti..],
            )
        }
        "subscriptionresourceid" => {
            let Some(ti) = type_position(vals) else {
                return Some(unknown("subscriptionResourceId() without a resource type"));
            };
            let sub =
                if ti >= 1 { arg_str(0) } else { None }.unwrap_or_else(|| scope.subscription_id());
            build_id(&format!("/subscriptions/{sub}"), &vals[ti..])
        }
        "tenantresourceid" => build_id("", vals),
        "managementgroupresourceid" => match type_position(vals) {
            Some(1) => match arg_str(0) {
                Some(mg) => build_id(
                    &format!("/providers/Microsoft.Management/managementGroups/{mg}"),
                    &vals[1..],
                ),
                None => unknown("managementGroupResourceId() with an unknown group"),
            },
            _ => unknown("managementGroupResourceId() of the deployment's management group"),
        },
        "extensionresourceid" => match arg_str(0) {
            Some(base) => build_id(base.trim_end_matches('/'), &vals[1..]),
            None => unknown("extensionResourceId() without a base id"),
        },
        _ => return None,
    })
}
