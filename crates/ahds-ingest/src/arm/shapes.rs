//! The JSON kind of the properties the ARM readers look at, checked before a resource is
//! read. Property names are matched case-insensitively, as ARM does. Without this, a
//! value of the wrong kind (`"networkAcls": "Deny"`) would read as unset and the platform
//! defaults would apply: a silent pass.

use serde_json::{Map, Value};

use super::props::is_unknown;
use crate::util::json_kind as kind;

/// Objects.
const OBJECTS: &[&str] = &[
    "properties",
    "networkacls",
    "networkruleset",
    "identity",
    "privatelinkserviceconnectionstate",
    "exportconfiguration",
    "importconfiguration",
    "encryption",
    "customermanagedkeyencryption",
    "keyencryptionkeyidentity",
    "storageconfiguration",
    "corsconfiguration",
    "acrconfiguration",
    "userassignedidentities",
    "tags",
];

/// Lists.
const LISTS: &[&str] = &[
    "iprules",
    "virtualnetworkrules",
    "resourceaccessrules",
    "privateendpointconnections",
    "privatelinkserviceconnections",
    "manualprivatelinkserviceconnections",
    "privatednszoneconfigs",
    "groupids",
    "securityrules",
    "sourceaddressprefixes",
    "destinationaddressprefixes",
    "networkrulecollections",
    "rulecollections",
    "rules",
    "sourceaddresses",
    "destinationaddresses",
    "destinationports",
    "accesspolicies",
    "loginservers",
    "origins",
];

/// Booleans.
const BOOLS: &[&str] = &[
    "enablerbacauthorization",
    "ishnsenabled",
    "trustedserviceaccessenabled",
];

const MAX_DEPTH: usize = 8;

/// Checks a resource's properties; `Err` holds the pointer below the resource and what is
/// wrong.
pub(crate) fn check(resource: &Value) -> Result<(), (String, String)> {
    match resource {
        Value::Object(m) => check_object(m, "", 0),
        other => Err((
            String::new(),
            format!("a resource must be an object, found {}", kind(other)),
        )),
    }
}

fn check_object(map: &Map<String, Value>, at: &str, depth: usize) -> Result<(), (String, String)> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    // Every property of every resource passes here: nothing is allocated for a key that
    // needs no check (the pointer is built only to recurse or to report).
    let named = |list: &[&str], key: &str| list.iter().any(|n| n.eq_ignore_ascii_case(key));
    for (key, value) in map {
        if value.is_null() || is_unknown(value) {
            continue;
        }
        let path = || format!("{at}/{}", crate::error::escape_pointer_segment(key));
        let wrong = |expected: &str| {
            Err((
                path(),
                format!("`{key}` must be {expected}, found {}", kind(value)),
            ))
        };
        if named(OBJECTS, key) {
            let Value::Object(m) = value else {
                return wrong("an object");
            };
            if !key.eq_ignore_ascii_case("tags")
                && !key.eq_ignore_ascii_case("userassignedidentities")
            {
                check_object(m, &path(), depth + 1)?;
            }
        } else if named(LISTS, key) {
            let Value::Array(items) = value else {
                return wrong("a list");
            };
            if items.iter().any(Value::is_object) {
                let path = path();
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(m) = item {
                        check_object(m, &format!("{path}/{i}"), depth + 1)?;
                    }
                }
            }
        } else if named(BOOLS, key) && !value.is_boolean() {
            return wrong("true or false");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check;

    #[test]
    fn a_property_of_the_wrong_kind_is_named_with_its_pointer() {
        assert_eq!(
            check(&json!({ "properties": "Disabled" })),
            Err((
                "/properties".to_string(),
                "`properties` must be an object, found a string".to_string()
            ))
        );
        let e = check(
            &json!({ "Properties": { "NetworkAcls": { "ipRules": { "value": "1.2.3.4" } } } }),
        );
        assert_eq!(
            e.map_err(|(at, _)| at),
            Err("/Properties/NetworkAcls/ipRules".to_string())
        );
    }

    #[test]
    fn resources_as_azure_returns_them_pass() {
        let ok = json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
            "tags": { "properties": "free text" },
            "properties": {
                "publicNetworkAccess": "Disabled",
                "networkAcls": { "defaultAction": "Deny", "ipRules": [{ "value": "1.2.3.4" }], "bypass": "AzureServices" },
                "isHnsEnabled": null
            }
        });
        assert_eq!(check(&ok), Ok(()));
    }
}
