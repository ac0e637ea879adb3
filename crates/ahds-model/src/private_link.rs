//! Private endpoints, their connections and DNS zone groups.

use serde::{Deserialize, Serialize};

use crate::known::Known;
use crate::resource::resource;
use crate::resource_id::ResourceRef;

/// The state of a private link connection.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum ConnectionStatus {
    /// Approved: traffic flows.
    Approved,
    /// Waiting for the resource owner to approve.
    Pending,
    /// Rejected by the resource owner.
    Rejected,
    /// Removed by the resource owner.
    Disconnected,
}

/// A private endpoint connection as the target resource (a workspace) records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConnection {
    /// The connection's own id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The private endpoint on the other side.
    #[serde(default)]
    pub private_endpoint: Known<ResourceRef>,
    /// The connection state.
    pub status: Known<ConnectionStatus>,
}

/// A private link service connection of a private endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointConnection {
    /// The connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The resource the endpoint connects to.
    pub target: Known<ResourceRef>,
    /// Sub-resources (group ids), e.g. `healthcareworkspace`.
    #[serde(default)]
    pub group_ids: Vec<String>,
    /// The connection state; `null` when unknown.
    pub status: Known<ConnectionStatus>,
    /// Whether the connection needs manual approval.
    #[serde(default)]
    pub manual: bool,
}

/// A private DNS zone linked through a DNS zone group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsZoneConfig {
    /// The zone name, e.g. `privatelink.fhir.azurehealthcareapis.com`.
    pub zone_name: Known<String>,
    /// The private DNS zone resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<ResourceRef>,
}

impl DnsZoneConfig {
    /// The zone a name says, when the name is fixed: a zone named by a symbol (a
    /// parameter or variable nobody set) is not known to be any zone.
    #[doc(hidden)]
    pub fn zone_named(name: &str) -> Known<String> {
        if crate::symbolic::is_symbolic(name) {
            Known::Unknown
        } else {
            Known::Value(name.to_string())
        }
    }

    /// The zone a private DNS zone's resource id names (its last segment).
    #[doc(hidden)]
    pub fn zone_of_id(id: &str) -> Known<String> {
        Self::zone_named(id.rsplit('/').next().unwrap_or(id))
    }
}

/// A DNS zone group of a private endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsZoneGroup {
    /// The group name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The zones in the group.
    #[serde(default)]
    pub zones: Vec<DnsZoneConfig>,
}

resource! {
    /// A private endpoint (`Microsoft.Network/privateEndpoints`).
    pub struct PrivateEndpoint : "Microsoft.Network/privateEndpoints" in "private_endpoints" {
        /// The subnet the endpoint lives in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub subnet: Option<Known<ResourceRef>>,
        /// Connections to private link resources (automatic and manual).
        #[serde(default)]
        pub connections: Vec<EndpointConnection>,
        /// DNS zone groups.
        #[serde(default = "no_zone_groups")]
        pub dns_zone_groups: Known<Vec<DnsZoneGroup>>,
    }
}

fn no_zone_groups() -> Known<Vec<DnsZoneGroup>> {
    Known::Value(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_named_by_a_symbol_is_unknown() {
        assert_eq!(
            DnsZoneConfig::zone_of_id(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.fhir.azurehealthcareapis.com"
            ),
            Known::Value("privatelink.fhir.azurehealthcareapis.com".into())
        );
        assert_eq!(
            DnsZoneConfig::zone_of_id(
                "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/{zoneName}"
            ),
            Known::Unknown
        );
        assert_eq!(
            DnsZoneConfig::zone_named("{module.env.zone}"),
            Known::Unknown
        );
    }
}
