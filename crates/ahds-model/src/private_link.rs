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
