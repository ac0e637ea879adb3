//! Field readers shared by the mappers: ids and references, network settings, identities,
//! CORS, keys, NSG and firewall rules, as ARM writes them.

use ahds_model::{
    ConnectionStatus, CustomerManagedKey, DefaultAction, Direction, FirewallRule, IdentityType,
    IpRule, Known, ManagedIdentity, PublicNetworkAccess, ResourceId, ResourceRef, RuleAccess,
    SecurityRule, UserAssignedIdentityRef,
};
use serde_json::Value;

use super::{Mapped, bad};
use crate::arm::props::{is_unknown, known_list, known_str, path, prop, setting_str, str_at};

use crate::arm::expr::{PATH_KEY, REFERENCE_KEY};

pub(super) fn id_of(v: &Value) -> Mapped<Option<ResourceId>> {
    match known_str(v, &["id"]) {
        Some(Known::Value(s)) => ResourceId::parse(&s)
            .map(Some)
            .map_err(|e| bad("/id", e.to_string())),
        _ => Ok(None),
    }
}

pub(super) fn reference(v: &Value, names: &[&str]) -> Mapped<Option<Known<ResourceRef>>> {
    match known_str(v, names) {
        None => Ok(None),
        Some(Known::Unknown) => Ok(Some(Known::Unknown)),
        Some(Known::Value(s)) => ResourceRef::parse(&s)
            .map(|r| Some(Known::Value(r)))
            .map_err(|e| bad(&format!("/{}", names.join("/")), e.to_string())),
    }
}

pub(super) fn public_access(v: &Value) -> Mapped<Known<PublicNetworkAccess>> {
    match setting_str(v, &["properties", "publicNetworkAccess"]) {
        None => Ok(Known::Value(PublicNetworkAccess::Enabled)),
        Some(Known::Unknown) => Ok(Known::Unknown),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "enabled" => Ok(Known::Value(PublicNetworkAccess::Enabled)),
            "disabled" => Ok(Known::Value(PublicNetworkAccess::Disabled)),
            "securedbyperimeter" => Ok(Known::Value(PublicNetworkAccess::SecuredByPerimeter)),
            _ => Err(bad(
                "/properties/publicNetworkAccess",
                format!("unknown value `{s}`"),
            )),
        },
    }
}

pub(super) fn default_action(v: &Value, names: &[&str]) -> Mapped<Option<Known<DefaultAction>>> {
    match setting_str(v, names) {
        None => Ok(None),
        Some(Known::Unknown) => Ok(Some(Known::Unknown)),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "allow" => Ok(Some(Known::Value(DefaultAction::Allow))),
            "deny" => Ok(Some(Known::Value(DefaultAction::Deny))),
            _ => Err(bad(
                &format!("/{}", names.join("/")),
                format!("`{s}` is not Allow or Deny"),
            )),
        },
    }
}

/// IP rules given as objects with a field (`value`, `ipMask`), skipping `Deny` entries.
pub(super) fn ip_rules(
    v: &Value,
    names: &[&str],
    field: &str,
) -> Mapped<Option<Known<Vec<IpRule>>>> {
    let Some(list) = known_list(v, names) else {
        return Ok(None);
    };
    let Known::Value(list) = list else {
        return Ok(Some(Known::Unknown));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, rule) in list.iter().enumerate() {
        if str_at(rule, &["action"]).is_some_and(|a| !a.eq_ignore_ascii_case("Allow")) {
            continue;
        }
        let text = match rule {
            Value::String(s) => Known::Value(s.clone()),
            other => setting_str(other, &[field]).unwrap_or(Known::Unknown),
        };
        let Known::Value(text) = text else {
            return Ok(Some(Known::Unknown));
        };
        out.push(
            text.parse::<IpRule>()
                .map_err(|e| bad(&format!("/{}/{i}", names.join("/")), e.to_string()))?,
        );
    }
    Ok(Some(Known::Value(out)))
}

pub(super) fn subnet_refs(
    v: &Value,
    names: &[&str],
    id_path: &[&str],
) -> Option<Known<Vec<ResourceRef>>> {
    let list = known_list(v, names)?;
    Some(list.map(|l| {
        l.iter()
            .filter_map(|r| str_at(r, id_path))
            .filter_map(|s| ResourceRef::parse(s).ok())
            .collect()
    }))
}

pub(super) fn identity(v: &Value) -> Mapped<ManagedIdentity> {
    let Some(ident) = prop(v, "identity") else {
        return Ok(ManagedIdentity::default());
    };
    if is_unknown(ident) {
        return Ok(ManagedIdentity {
            kind: Known::Unknown,
            ..ManagedIdentity::default()
        });
    }
    let kind = match setting_str(ident, &["type"]) {
        None => Known::Value(IdentityType::None),
        Some(Known::Unknown) => Known::Unknown,
        Some(Known::Value(t)) => Known::Value(
            crate::util::identity_type(&t)
                .ok_or_else(|| bad("/identity/type", format!("unknown identity type `{t}`")))?,
        ),
    };
    let mut user_assigned = Vec::new();
    if let Some(Value::Object(uais)) = prop(ident, "userAssignedIdentities") {
        for (id, details) in uais {
            user_assigned.push(UserAssignedIdentityRef {
                id: ResourceRef::parse(id)
                    .map_err(|e| bad("/identity/userAssignedIdentities", e.to_string()))?,
                principal_id: known_str(details, &["principalId"]).unwrap_or(Known::Unknown),
            });
        }
    }
    Ok(ManagedIdentity {
        kind,
        principal_id: known_str(ident, &["principalId"]).unwrap_or(Known::Unknown),
        user_assigned,
    })
}

pub(super) fn cors(v: &Value) -> ahds_model::Cors {
    ahds_model::Cors {
        origins: match known_list(v, &["properties", "corsConfiguration", "origins"]) {
            None => Known::Value(Vec::new()),
            Some(k) => k.map(|l| {
                l.iter()
                    .filter_map(|o| o.as_str().map(str::to_string))
                    .collect()
            }),
        },
    }
}

pub(super) fn cmk(v: &Value) -> Option<CustomerManagedKey> {
    let names = [
        "properties",
        "encryption",
        "customerManagedKeyEncryption",
        "keyEncryptionKeyUrl",
    ];
    // `reference(<key id>).keyUriWithVersion`: the URL is known only after deployment, but
    // the key's id names its vault, which the model finds the key by.
    if let Some(url) = path(v, &names).and_then(key_url_of_reference) {
        return Some(CustomerManagedKey {
            key_url: Known::Value(url),
        });
    }
    known_str(v, &names).map(|k| CustomerManagedKey { key_url: k })
}

/// The key URL a `reference()` of a Key Vault key stands for: `https://<vault>.vault.azure.net/keys/<key>`
/// from the key's id (the cloud's suffix does not matter: vaults are matched by name).
fn key_url_of_reference(x: &Value) -> Option<String> {
    if !is_unknown(x) {
        return None;
    }
    let id = ResourceId::parse(x.get(REFERENCE_KEY)?.as_str()?).ok()?;
    if !id.is_type("Microsoft.KeyVault/vaults/keys") {
        return None;
    }
    let vault = id.parent()?;
    Some(format!(
        "https://{}.vault.azure.net/keys/{}",
        vault.name()?,
        id.name()?
    ))
}

/// The workspace a workspace child belongs to: the parent of its id.
/// The parent a child resource attaches to: the parent of its id. `what` ends the error
/// "cannot tell which ..." for an id without one.
pub(super) fn parent_of(id: Option<&ResourceId>, what: &str) -> Mapped<ResourceRef> {
    id.and_then(ResourceId::parent)
        .map(ResourceRef::Id)
        .ok_or_else(|| bad("/id", format!("cannot tell which {what}")))
}

pub(super) fn workspace_of(id: &Option<ResourceId>) -> Known<ResourceRef> {
    id.as_ref()
        .and_then(ResourceId::parent)
        .map_or(Known::Unknown, |p| Known::Value(ResourceRef::Id(p)))
}

pub(super) fn connection_status(v: &Value, names: &[&str]) -> Known<ConnectionStatus> {
    match setting_str(v, names) {
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "approved" => Known::Value(ConnectionStatus::Approved),
            "pending" => Known::Value(ConnectionStatus::Pending),
            "rejected" => Known::Value(ConnectionStatus::Rejected),
            "disconnected" => Known::Value(ConnectionStatus::Disconnected),
            _ => Known::Unknown,
        },
        _ => Known::Unknown,
    }
}

pub(super) fn rule_access(s: Option<Known<String>>, at: &str) -> Mapped<Known<RuleAccess>> {
    match s {
        None | Some(Known::Unknown) => Ok(Known::Unknown),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "allow" => Ok(Known::Value(RuleAccess::Allow)),
            "deny" => Ok(Known::Value(RuleAccess::Deny)),
            _ => Err(bad(at, format!("`{s}` is not Allow or Deny"))),
        },
    }
}

pub(super) fn strings(v: &Value, names: &[&str]) -> Known<Vec<String>> {
    match known_list(v, names) {
        None => Known::Value(Vec::new()),
        Some(k) => k.map(|l| {
            l.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        }),
    }
}

/// An NSG rule's single and plural prefix fields merged.
pub(super) fn prefixes(props: &Value, single: &str, plural: &str) -> Known<Vec<String>> {
    let mut out = Vec::new();
    match setting_str(props, &[single]) {
        Some(Known::Value(s)) if !s.is_empty() => out.push(s),
        Some(Known::Unknown) => return Known::Unknown,
        _ => {}
    }
    match strings(props, &[plural]) {
        Known::Value(v) => out.extend(v),
        Known::Unknown => return Known::Unknown,
    }
    Known::Value(out)
}

pub(super) fn security_rule(
    rule: &Value,
    address: Option<String>,
    at: &str,
) -> Mapped<SecurityRule> {
    let p = prop(rule, "properties").unwrap_or(rule);
    Ok(SecurityRule {
        name: known_str(rule, &["name"]).unwrap_or(Known::Unknown),
        address,
        direction: match setting_str(p, &["direction"]) {
            Some(Known::Value(d)) if d.eq_ignore_ascii_case("Inbound") => {
                Known::Value(Direction::Inbound)
            }
            Some(Known::Value(d)) if d.eq_ignore_ascii_case("Outbound") => {
                Known::Value(Direction::Outbound)
            }
            Some(Known::Value(d)) => {
                return Err(bad(
                    &format!("{at}/direction"),
                    format!("`{d}` is not Inbound or Outbound"),
                ));
            }
            _ => Known::Unknown,
        },
        access: rule_access(setting_str(p, &["access"]), &format!("{at}/access"))?,
        priority: path(p, &["priority"])
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .map(Known::Value),
        source_address_prefixes: prefixes(p, "sourceAddressPrefix", "sourceAddressPrefixes"),
        destination_address_prefixes: prefixes(
            p,
            "destinationAddressPrefix",
            "destinationAddressPrefixes",
        ),
        destination_port_ranges: prefixes(p, "destinationPortRange", "destinationPortRanges")
            .into_value()
            .unwrap_or_default(),
    })
}

pub(super) fn firewall_rules(rules: &[Value]) -> Vec<FirewallRule> {
    rules
        .iter()
        .filter(|r| str_at(r, &["ruleType"]).is_none_or(|t| t.eq_ignore_ascii_case("NetworkRule")))
        .map(|r| FirewallRule {
            name: known_str(r, &["name"]).unwrap_or(Known::Unknown),
            source_addresses: strings(r, &["sourceAddresses"]),
            destination_addresses: strings(r, &["destinationAddresses"]),
            destination_ports: strings(r, &["destinationPorts"])
                .into_value()
                .unwrap_or_default(),
        })
        .collect()
}

/// The resource whose managed identity an unevaluated principal id comes from:
/// `reference(<resource>).identity.principalId` in a template.
pub(super) fn principal_of(v: &Value, names: &[&str]) -> Option<ResourceRef> {
    let x = path(v, names).filter(|x| is_unknown(x))?;
    let reads_principal = x
        .get(PATH_KEY)
        .and_then(Value::as_array)
        .and_then(|p| p.last())
        .and_then(Value::as_str)
        .is_some_and(|last| {
            last.eq_ignore_ascii_case("principalId") || last.eq_ignore_ascii_case("objectId")
        });
    if !reads_principal {
        return None;
    }
    ResourceRef::parse(x.get(REFERENCE_KEY)?.as_str()?).ok()
}

/// A login server; in a template, `reference(<registry>).loginServer` names the registry,
/// whose name the model matches (`<name>.azurecr.io`).
pub(super) fn login_server(v: &Value) -> Known<String> {
    if let Some(s) = v.as_str() {
        return Known::Value(s.to_string());
    }
    let registry = v
        .get(REFERENCE_KEY)
        .and_then(Value::as_str)
        .and_then(|r| ResourceId::parse(r).ok())
        .filter(|id| id.is_type("Microsoft.ContainerRegistry/registries"));
    registry
        .and_then(|id| id.name().map(str::to_string))
        .map_or(Known::Unknown, Known::Value)
}

/// `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x`
/// applies to the resource group (or subscription) it sits under.
pub(super) fn scope_of_plain_assignment(id: &ResourceId) -> Option<ResourceId> {
    let s = id.as_str();
    let cut = s
        .to_ascii_lowercase()
        .rfind("/providers/microsoft.authorization/")?;
    ResourceId::parse(&s[..cut]).ok()
}
