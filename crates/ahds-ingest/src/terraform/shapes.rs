//! The JSON kind of every attribute the readers look at, checked before a resource is
//! read. The readers themselves treat a value they cannot use as unset, which would turn a
//! mangled plan (`"network_rules": "Deny"`) into the platform defaults: a silent pass.

use serde_json::Value;

use crate::util::json_kind as kind;

use super::{Bad, Mapped};

/// Nested blocks: a list of objects (Terraform writes single blocks as one-element lists).
const BLOCKS: &[&str] = &[
    "access_policy",
    "cors",
    "identity",
    "ip_rule",
    "network_acls",
    "network_rule_collection",
    "network_rule_set",
    "network_rules",
    "network_rulesets",
    "private_dns_zone_group",
    "private_link_access",
    "private_service_connection",
    "rule",
    "security_rule",
    "storage",
    "virtual_network_rule",
];

/// Lists of strings. (`bypass` is not here: a list on storage accounts, a string on key
/// vaults.)
const STRING_LISTS: &[&str] = &[
    "allowed_origins",
    "destination_addresses",
    "destination_ports",
    "identity_ids",
    "included_event_types",
    "ip_rules",
    "key_permissions",
    "private_dns_zone_ids",
    "source_addresses",
    "subresource_names",
    "virtual_network_subnet_ids",
];

/// Booleans.
const BOOLS: &[&str] = &[
    "enable_rbac_authorization",
    "is_hns_enabled",
    "is_manual_connection",
    "public_network_access_enabled",
    "rbac_authorization_enabled",
    "trusted_service_access_enabled",
];

/// How deep blocks nest in the resource types read (firewall policy: group → collection →
/// rule → list).
const MAX_DEPTH: usize = 8;

/// Checks the kinds of the attributes of one resource's planned values.
pub(crate) fn check(values: &Value) -> Mapped<()> {
    let Value::Object(map) = values else {
        return Err(Bad {
            attr: String::new(),
            message: format!("`values` must be an object, found {}", kind(values)),
        });
    };
    check_object(map, "", 0)
}

fn check_object(map: &serde_json::Map<String, Value>, at: &str, depth: usize) -> Mapped<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for (key, value) in map {
        let path = if at.is_empty() {
            crate::error::escape_pointer_segment(key)
        } else {
            format!("{at}/{}", crate::error::escape_pointer_segment(key))
        };
        let wrong = |expected: &str| Bad {
            attr: path.clone(),
            message: format!("`{key}` must be {expected}, found {}", kind(value)),
        };
        if value.is_null() {
            continue;
        }
        if BLOCKS.contains(&key.as_str()) {
            match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        match item {
                            Value::Object(m) => check_object(m, &format!("{path}/{i}"), depth + 1)?,
                            Value::Null => {}
                            other => {
                                return Err(Bad {
                                    attr: format!("{path}/{i}"),
                                    message: format!(
                                        "`{key}` blocks must be objects, found {}",
                                        kind(other)
                                    ),
                                });
                            }
                        }
                    }
                }
                Value::Object(m) => check_object(m, &path, depth + 1)?,
                _ => return Err(wrong("a list of blocks")),
            }
        } else if STRING_LISTS.contains(&key.as_str()) {
            let Value::Array(items) = value else {
                return Err(wrong("a list of strings"));
            };
            // Numbers pass: Terraform writes some numeric list items (ports) as numbers,
            // and the readers report a number that is no address themselves.
            if let Some((i, item)) = items
                .iter()
                .enumerate()
                .find(|(_, v)| !(v.is_string() || v.is_number() || v.is_null()))
            {
                return Err(Bad {
                    attr: format!("{path}/{i}"),
                    message: format!("`{key}` items must be strings, found {}", kind(item)),
                });
            }
        } else if BOOLS.contains(&key.as_str()) && !value.is_boolean() {
            return Err(wrong("true or false"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check;

    #[test]
    fn a_value_of_the_wrong_kind_is_named_with_its_path() {
        let e = check(&json!({ "network_rules": "Deny" }))
            .err()
            .map(|b| (b.attr, b.message));
        assert_eq!(
            e,
            Some((
                "network_rules".to_string(),
                "`network_rules` must be a list of blocks, found a string".to_string()
            ))
        );
        let e = check(&json!({ "network_rules": [{ "ip_rules": [true] }] })).err();
        assert_eq!(
            e.map(|b| b.attr),
            Some("network_rules/0/ip_rules/0".to_string())
        );
        let e = check(&json!({ "public_network_access_enabled": "false" })).err();
        assert!(e.is_some());
    }

    #[test]
    fn values_as_terraform_writes_them_pass() {
        let ok = json!({
            "network_rules": [{ "ip_rules": ["10.0.0.0/8"], "bypass": ["AzureServices"] }],
            "network_acls": [{ "bypass": "AzureServices", "default_action": "Deny" }],
            "identity": [],
            "public_network_access_enabled": false,
            "tags": { "network_rules": "not an attribute here" },
            "private_dns_zone_group": null,
        });
        // `tags` values are free text; a key inside them is not an attribute.
        assert!(check(&ok).is_ok());
    }
}
