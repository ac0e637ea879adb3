//! Network access settings shared by every outbound target: public network access, the
//! firewall default action, the trusted-services exception and the allow rules.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::known::Known;
use crate::resource_id::ResourceRef;

/// Whether a resource accepts traffic over its public endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub enum PublicNetworkAccess {
    /// The public endpoint is reachable (subject to the firewall).
    Enabled,
    /// Only private endpoints can reach the resource.
    Disabled,
    /// Access is governed by a network security perimeter.
    SecuredByPerimeter,
}

/// What the firewall does with traffic no rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum DefaultAction {
    /// Traffic from all networks is accepted.
    Allow,
    /// Only traffic matching a rule (or an exception) is accepted.
    Deny,
}

/// One IP firewall rule: an address range given as a CIDR, or a single address.
///
/// The range is held as an `ipnet` value (a single address as a host prefix, host bits
/// cleared) for reasoning; the text is kept as written so reports show the user's value.
#[derive(Clone)]
#[non_exhaustive]
pub struct IpRule {
    net: IpNet,
    text: Box<str>,
}

impl IpRule {
    /// The address range.
    pub fn net(&self) -> IpNet {
        self.net
    }

    /// The rule as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the rule admits every address of `other`.
    pub fn contains_net(&self, other: &IpNet) -> bool {
        self.net.contains(other)
    }

    /// True when the rule admits `addr`.
    pub fn contains_addr(&self, addr: &IpAddr) -> bool {
        self.net.contains(addr)
    }
}

impl From<IpNet> for IpRule {
    fn from(net: IpNet) -> Self {
        let text = if net.prefix_len() == net.max_prefix_len() {
            net.addr().to_string()
        } else {
            net.to_string()
        };
        IpRule {
            net: net.trunc(),
            text: text.into(),
        }
    }
}

impl PartialEq for IpRule {
    fn eq(&self, other: &Self) -> bool {
        self.net == other.net
    }
}
impl Eq for IpRule {}
impl std::hash::Hash for IpRule {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.net.hash(state)
    }
}

/// Why a string is not an IP address or CIDR range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IP address or CIDR range")]
#[non_exhaustive]
pub struct IpRuleError(String);

impl FromStr for IpRule {
    type Err = IpRuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let net = match t.parse::<IpNet>() {
            // Azure stores `1.2.3.4/24` as given; it means the range `1.2.3.0/24`.
            Ok(net) => net.trunc(),
            Err(_) => t
                .parse::<IpAddr>()
                .map(IpNet::from)
                .map_err(|_| IpRuleError(s.to_string()))?,
        };
        Ok(IpRule {
            net,
            text: t.into(),
        })
    }
}

impl fmt::Display for IpRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for IpRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IpRule({})", self.text)
    }
}

impl Serialize for IpRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for IpRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A resource-instance rule: lets one Azure resource (or a wildcard pattern of resources)
/// through a storage firewall as a trusted service, e.g. a specific AHDS workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceAccessRule {
    /// The tenant of the admitted resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The admitted resource: an ARM id, possibly with `*` segments, or an input address.
    pub resource_id: Known<String>,
}

impl ResourceAccessRule {
    /// True when the rule admits the resource with lookup key `key` (a lower-cased ARM id or
    /// an address). `*` matches one whole segment, as Azure's resource-instance rules allow.
    pub fn admits(&self, key: &str) -> bool {
        let Some(pattern) = self.resource_id.value() else {
            return false;
        };
        if !pattern.starts_with('/') {
            return pattern == key;
        }
        let pattern = pattern.to_ascii_lowercase();
        let mut p = pattern.trim_end_matches('/').split('/');
        let mut k = key.trim_end_matches('/').split('/');
        loop {
            match (p.next(), k.next()) {
                (None, None) => return true,
                (Some(ps), Some(ks)) if ps == "*" || ps == ks => continue,
                _ => return false,
            }
        }
    }
}

/// The network access settings of an outbound target, with platform defaults applied.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NetworkAcl {
    /// Public network access.
    pub public_network_access: Known<PublicNetworkAccess>,
    /// The firewall's default action.
    pub default_action: Known<DefaultAction>,
    /// Whether trusted Microsoft services may bypass the firewall (`AzureServices` bypass,
    /// `trustedServiceAccessEnabled`).
    pub trusted_services: Known<bool>,
    /// IP firewall allow rules.
    pub ip_rules: Known<Vec<IpRule>>,
    /// Subnets admitted by virtual-network rules.
    pub virtual_network_rules: Known<Vec<ResourceRef>>,
    /// Resource-instance rules (storage accounts only).
    pub resource_access_rules: Known<Vec<ResourceAccessRule>>,
}

/// The platform defaults of one kind of target, applied to settings a description omits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AclDefaults {
    /// `AzureServices` bypass / trusted service access when not set.
    pub trusted_services: bool,
}

impl AclDefaults {
    /// Storage accounts: `networkAcls.bypass` defaults to `AzureServices`.
    pub const STORAGE: AclDefaults = AclDefaults {
        trusted_services: true,
    };
    /// Container registries: `networkRuleBypassOptions` defaults to `AzureServices`.
    pub const CONTAINER_REGISTRY: AclDefaults = AclDefaults {
        trusted_services: true,
    };
    /// Event Hubs: `trustedServiceAccessEnabled` defaults to off.
    pub const EVENT_HUBS: AclDefaults = AclDefaults {
        trusted_services: false,
    };
    /// Key vaults: `networkAcls.bypass` defaults to `AzureServices`.
    pub const KEY_VAULT: AclDefaults = AclDefaults {
        trusted_services: true,
    };
}

/// Network settings as a description gives them: a missing field takes the platform default
/// of the kind of target; an explicit `null` is unknown. In the policy input every field is
/// present, with the defaults applied.
#[doc(hidden)]
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAclSpec {
    /// Public network access: `Enabled`, `Disabled` or `SecuredByPerimeter`. Missing:
    /// `Enabled`.
    #[serde(default, deserialize_with = "crate::known::optional::deserialize")]
    pub public_network_access: Option<Known<PublicNetworkAccess>>,
    /// The firewall's action for traffic no rule admits: `Allow` or `Deny`. Missing: `Allow`.
    #[serde(default, deserialize_with = "crate::known::optional::deserialize")]
    pub default_action: Option<Known<DefaultAction>>,
    /// Whether trusted Microsoft services may pass the firewall (`AzureServices` bypass,
    /// `trustedServiceAccessEnabled`). Missing: on for storage accounts, container registries
    /// and key vaults, off for Event Hubs namespaces.
    #[serde(default, deserialize_with = "crate::known::optional::deserialize")]
    pub trusted_services: Option<Known<bool>>,
    /// IP addresses and CIDR ranges the firewall admits. Missing: none.
    #[serde(default, deserialize_with = "crate::known::optional::deserialize")]
    pub ip_rules: Option<Known<Vec<IpRule>>>,
    /// Subnets (ARM ids or input addresses) the firewall admits. Missing: none.
    #[serde(default, deserialize_with = "crate::known::optional::deserialize")]
    pub virtual_network_rules: Option<Known<Vec<ResourceRef>>>,
    /// Resource-instance rules of a storage account: Azure resources admitted by id
    /// (`resourceAccessRules`). Missing: none.
    #[serde(default, deserialize_with = "crate::known::optional::deserialize")]
    pub resource_access_rules: Option<Known<Vec<ResourceAccessRule>>>,
}

impl NetworkAclSpec {
    /// Applies the platform defaults of a kind of target.
    pub fn resolve(self, defaults: AclDefaults) -> NetworkAcl {
        NetworkAcl {
            public_network_access: self
                .public_network_access
                .unwrap_or(Known::Value(PublicNetworkAccess::Enabled)),
            default_action: self
                .default_action
                .unwrap_or(Known::Value(DefaultAction::Allow)),
            trusted_services: self
                .trusted_services
                .unwrap_or(Known::Value(defaults.trusted_services)),
            ip_rules: self.ip_rules.unwrap_or(Known::Value(Vec::new())),
            virtual_network_rules: self
                .virtual_network_rules
                .unwrap_or(Known::Value(Vec::new())),
            resource_access_rules: self
                .resource_access_rules
                .unwrap_or(Known::Value(Vec::new())),
        }
    }
}

impl NetworkAcl {
    /// The settings of a target whose description says nothing about its network.
    pub fn platform_default(defaults: AclDefaults) -> Self {
        NetworkAclSpec::default().resolve(defaults)
    }
}

macro_rules! acl_deserializer {
    ($(#[$m:meta])* $name:ident, $defaults:expr) => {
        $(#[$m])*
        pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<NetworkAcl, D::Error> {
            NetworkAclSpec::deserialize(d).map(|s| s.resolve($defaults))
        }
    };
}

/// `serde` deserializers that apply each target kind's platform defaults.
pub(crate) mod defaults {
    use super::*;
    acl_deserializer!(
        /// Storage account network settings.
        storage,
        AclDefaults::STORAGE
    );
    acl_deserializer!(
        /// Container registry network settings.
        container_registry,
        AclDefaults::CONTAINER_REGISTRY
    );
    acl_deserializer!(
        /// Event Hubs namespace network settings.
        event_hubs,
        AclDefaults::EVENT_HUBS
    );
    acl_deserializer!(
        /// Key vault network settings.
        key_vault,
        AclDefaults::KEY_VAULT
    );

    /// Default for a storage account without a `network` field.
    pub(crate) fn storage_default() -> NetworkAcl {
        NetworkAcl::platform_default(AclDefaults::STORAGE)
    }
    /// Default for a container registry without a `network` field.
    pub(crate) fn container_registry_default() -> NetworkAcl {
        NetworkAcl::platform_default(AclDefaults::CONTAINER_REGISTRY)
    }
    /// Default for an Event Hubs namespace without a `network` field.
    pub(crate) fn event_hubs_default() -> NetworkAcl {
        NetworkAcl::platform_default(AclDefaults::EVENT_HUBS)
    }
    /// Default for a key vault without a `network` field.
    pub(crate) fn key_vault_default() -> NetworkAcl {
        NetworkAcl::platform_default(AclDefaults::KEY_VAULT)
    }
}

impl schemars::JsonSchema for IpRule {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "IpRule".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An IPv4 or IPv6 address or CIDR range (`203.0.113.0/24`).",
            "examples": ["100.64.0.0/10", "20.61.98.66"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_rules_accept_addresses_and_ranges() {
        let r: IpRule = "20.62.128.148".parse().unwrap();
        assert_eq!(r.net().prefix_len(), 32);
        assert_eq!(r.to_string(), "20.62.128.148");
        let r: IpRule = "100.64.1.2/10".parse().unwrap();
        assert_eq!(r.net().to_string(), "100.64.0.0/10");
        assert_eq!(r.to_string(), "100.64.1.2/10", "shown as written");
        let r: IpRule = "2001:db8::/32".parse().unwrap();
        assert_eq!(r.net().prefix_len(), 32);
        assert!("300.1.1.1".parse::<IpRule>().is_err());
        assert!("10.0.0.0/33".parse::<IpRule>().is_err());
        assert!("".parse::<IpRule>().is_err());
    }

    #[test]
    fn missing_settings_take_platform_defaults_and_null_is_unknown() {
        let spec: NetworkAclSpec =
            serde_json::from_str(r#"{"default_action": "Deny", "trusted_services": null}"#)
                .unwrap();
        let acl = spec.resolve(AclDefaults::EVENT_HUBS);
        assert_eq!(
            acl.public_network_access,
            Known::Value(PublicNetworkAccess::Enabled)
        );
        assert_eq!(acl.default_action, Known::Value(DefaultAction::Deny));
        assert!(acl.trusted_services.is_unknown());
        assert_eq!(
            NetworkAcl::platform_default(AclDefaults::EVENT_HUBS).trusted_services,
            Known::Value(false)
        );
        assert_eq!(
            NetworkAcl::platform_default(AclDefaults::STORAGE).trusted_services,
            Known::Value(true)
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(serde_json::from_str::<NetworkAclSpec>(r#"{"defaultAction": "Deny"}"#).is_err());
    }

    #[test]
    fn resource_access_rules_match_wildcard_segments() {
        let rule = ResourceAccessRule {
            tenant_id: None,
            resource_id: Known::Value(
                "/subscriptions/S/resourceGroups/*/providers/Microsoft.HealthcareApis/workspaces/*"
                    .into(),
            ),
        };
        assert!(rule.admits(
            "/subscriptions/s/resourcegroups/rg/providers/microsoft.healthcareapis/workspaces/ws"
        ));
        assert!(!rule.admits("/subscriptions/s/resourcegroups/rg/providers/microsoft.healthcareapis/workspaces/ws/fhirservices/f"));
        assert!(!rule.admits(
            "/subscriptions/t/resourcegroups/rg/providers/microsoft.healthcareapis/workspaces/ws"
        ));
    }
}
