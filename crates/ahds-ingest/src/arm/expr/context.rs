//! What an expression reads from its template and deployment: parameters, variables, loop
//! indexes, `reference()`, and the deployment context (`subscription()`, `resourceGroup()`,
//! `deployment()`, `environment()`, `tenant()`, `uniqueString()`, `guid()`), whose values
//! are symbols until the deployment runs.

use serde_json::{Value, json};

use super::{CopyIndex, Scope, reference_marker};
use crate::arm::props::unknown;

/// The symbol for the deployment's subscription id.
pub(crate) const SUBSCRIPTION: &str = "{subscriptionId}";
/// The symbol for the deployment's resource group name.
pub(crate) const RESOURCE_GROUP: &str = "{resourceGroupName}";
/// The symbol for the deployment resource group's location.
pub(crate) const LOCATION: &str = "{resourceGroupLocation}";
const TENANT: &str = "{tenantId}";

/// The context functions; `None` for any other name.
pub(super) fn call(lname: &str, vals: &[Value], scope: &dyn Scope) -> Option<Value> {
    let arg_str = |i: usize| vals.get(i).and_then(Value::as_str);
    Some(match lname {
        "parameters" => arg_str(0)
            .and_then(|n| scope.parameter(n))
            .unwrap_or_else(|| {
                unknown(format!(
                    "parameter `{}` has no value",
                    arg_str(0).unwrap_or("?")
                ))
            }),
        "variables" => arg_str(0)
            .and_then(|n| scope.variable(n))
            .unwrap_or_else(|| {
                unknown(format!(
                    "variable `{}` is not defined",
                    arg_str(0).unwrap_or("?")
                ))
            }),
        "copyindex" => {
            let name = arg_str(0);
            let offset = vals.iter().find_map(Value::as_i64).unwrap_or(0);
            match scope.copy_index(name) {
                None => unknown("copyIndex() outside a copy loop"),
                Some(CopyIndex::At(i)) => Value::from(i + offset),
                // The one instance checked of a loop of unknown count: a symbol, so the
                // names it builds stay names.
                Some(CopyIndex::NotKnown) => Value::String(format!(
                    "{{copyIndex{}{}}}",
                    name.map(|n| format!(":{}", ahds_model::symbolic::escape(n)))
                        .unwrap_or_default(),
                    if offset == 0 {
                        String::new()
                    } else {
                        format!("+{offset}")
                    }
                )),
            }
        }
        "reference" => {
            // reference(resourceId(...)) or reference('symbolicName').
            let target = arg_str(0).map(|s| {
                if s.starts_with('/') {
                    s.to_string()
                } else {
                    scope.resource_id(s).unwrap_or_else(|| s.to_string())
                }
            });
            match target
                .as_deref()
                .and_then(|t| scope.deployment_reference(t))
            {
                Some(outputs) => outputs,
                None => reference_marker(target),
            }
        }
        "subscription" => {
            let sub = scope.subscription_id();
            json!({
                "id": format!("/subscriptions/{sub}"),
                "subscriptionId": sub,
                "tenantId": TENANT,
                "displayName": "{subscriptionName}",
            })
        }
        "resourcegroup" => {
            let (sub, rg) = (scope.subscription_id(), scope.resource_group_name());
            json!({
                "id": format!("/subscriptions/{sub}/resourceGroups/{rg}"),
                "name": rg,
                "location": LOCATION,
                "type": "Microsoft.Resources/resourceGroups",
            })
        }
        "deployment" => json!({
            "name": "{deploymentName}",
            "location": "{deploymentLocation}",
            "properties": {"templateLink": unknown("the deployment's template link")},
        }),
        "tenant" => json!({"tenantId": TENANT, "displayName": "{tenantName}"}),
        // The cloud is known only at deployment; its endpoints are symbols, so a URL built
        // from them still names its resource (`https://<vault>.{keyvaultDns}/keys/...`).
        "environment" => json!({
            "name": "{cloudName}",
            "resourceManager": "{resourceManagerEndpoint}",
            "authentication": {"loginEndpoint": "{loginEndpoint}", "audiences": unknown("the cloud's audiences")},
            "suffixes": {
                "storage": "{storageSuffix}",
                "keyvaultDns": "{keyvaultDns}",
                "acrLoginServer": "{acrLoginServerSuffix}",
                "sqlServerHostname": "{sqlServerHostname}",
            },
        }),
        "uniquestring" | "guid" => digest_symbol(
            if lname == "guid" {
                "guid"
            } else {
                "uniqueString"
            },
            vals,
        ),
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ => return None,
    })
}

/// `uniqueString()` and `guid()` are deterministic within a deployment: the same arguments
/// give the same value. A short stable digest of the arguments names the symbol, so names
/// built with it link without guessing the hash; it holds no `/`, so it can stand in a name.
fn digest_symbol(function: &str, vals: &[Value]) -> Value {
    if let Some(u) = vals.iter().find(|v| crate::arm::props::is_unknown(v)) {
        return u.clone();
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for v in vals {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        for b in text.bytes().chain([0x1f]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Value::String(format!("{{{function}:{:08x}}}", hash >> 32))
}
