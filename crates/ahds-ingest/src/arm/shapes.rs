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

/// What a checked property must hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Object,
    List,
    Bool,
}

/// The names above, grouped by length: every property of every resource is looked up
/// here, and comparing it with the few names of its length instead of all 38 took this
/// check from 389 to 140 million instructions on the 10-workspace tenant export.
fn by_length() -> &'static [Vec<(&'static str, Shape)>] {
    static TABLE: std::sync::OnceLock<Vec<Vec<(&'static str, Shape)>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let all = OBJECTS
            .iter()
            .map(|n| (*n, Shape::Object))
            .chain(LISTS.iter().map(|n| (*n, Shape::List)))
            .chain(BOOLS.iter().map(|n| (*n, Shape::Bool)));
        let mut table: Vec<Vec<(&'static str, Shape)>> = Vec::new();
        for (name, shape) in all {
            if table.len() <= name.len() {
                table.resize_with(name.len() + 1, Vec::new);
            }
            table[name.len()].push((name, shape));
        }
        table
    })
}

/// The shape a property named `key` must have, matched case-insensitively.
fn shape_of(key: &str) -> Option<Shape> {
    by_length()
        .get(key.len())?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, shape)| *shape)
}

/// Checks a resource's properties; `Err` holds the pointer below the resource and what is
/// wrong.
pub(crate) fn check(resource: &Value) -> Result<(), (String, String)> {
    match resource {
        Value::Object(m) => check_object(m, At::Root, 0),
        other => Err((
            String::new(),
            format!("a resource must be an object, found {}", kind(other)),
        )),
    }
}

/// Where an object stands below the resource. Every resource passes through
/// [`check_object`] with its `properties`, so the pointer is written out only for a problem.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    /// The JSON pointer below the resource.
    fn pointer(self) -> String {
        match self {
            At::Root => String::new(),
            At::Key(parent, key) => format!(
                "{}/{}",
                parent.pointer(),
                crate::error::escape_pointer_segment(key)
            ),
            At::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

fn check_object(
    map: &Map<String, Value>,
    at: At<'_>,
    depth: usize,
) -> Result<(), (String, String)> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    // Every property of every resource passes here: nothing is allocated for a key that
    // needs no check.
    for (key, value) in map {
        let Some(shape) = shape_of(key) else {
            continue;
        };
        if value.is_null() || is_unknown(value) {
            continue;
        }
        let here = At::Key(&at, key);
        let wrong = |expected: &str| {
            Err((
                here.pointer(),
                format!("`{key}` must be {expected}, found {}", kind(value)),
            ))
        };
        if shape == Shape::Object {
            let Value::Object(m) = value else {
                return wrong("an object");
            };
            if !key.eq_ignore_ascii_case("tags")
                && !key.eq_ignore_ascii_case("userassignedidentities")
            {
                check_object(m, here, depth + 1)?;
            }
        } else if shape == Shape::List {
            let Value::Array(items) = value else {
                return wrong("a list");
            };
            for (i, item) in items.iter().enumerate() {
                if let Value::Object(m) = item {
                    check_object(m, At::Index(&here, i), depth + 1)?;
                }
            }
        } else if !value.is_boolean() {
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
        // Below a list: the item's index.
        let e = check(&json!({ "properties": { "privateEndpointConnections": [
            {}, { "properties": { "privateLinkServiceConnectionState": [] } }
        ] } }));
        assert_eq!(
            e.map_err(|(at, _)| at),
            Err(
                "/properties/privateEndpointConnections/1/properties/privateLinkServiceConnectionState"
                    .to_string()
            )
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
