//! Network security group and Azure Firewall rules, where service tags appear.

use serde::{Deserialize, Serialize};

use crate::known::Known;
use crate::resource::resource;

/// The direction of an NSG rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Direction {
    /// Traffic into the subnet or NIC.
    Inbound,
    /// Traffic out of the subnet or NIC.
    Outbound,
}

/// Whether a rule allows or denies matching traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum RuleAccess {
    /// The rule admits matching traffic.
    Allow,
    /// The rule blocks matching traffic.
    Deny,
}

/// One NSG security rule. Source and destination hold addresses, CIDRs or service tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityRule {
    /// The rule name.
    pub name: Known<String>,
    /// Where the rule came from when it is a resource of its own (Terraform address or ARM id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Inbound or outbound.
    pub direction: Known<Direction>,
    /// Allow or deny.
    pub access: Known<RuleAccess>,
    /// Priority (lower wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Known<u32>>,
    /// Source address prefixes (the single and plural fields merged).
    #[serde(default = "crate::known::known_no_strings")]
    pub source_address_prefixes: Known<Vec<String>>,
    /// Destination address prefixes (the single and plural fields merged).
    #[serde(default = "crate::known::known_no_strings")]
    pub destination_address_prefixes: Known<Vec<String>>,
    /// Destination port ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_port_ranges: Vec<String>,
}

resource! {
    /// A network security group (`Microsoft.Network/networkSecurityGroups`) with its rules,
    /// including rules declared as resources of their own.
    pub struct NetworkSecurityGroup : "Microsoft.Network/networkSecurityGroups" in "network_security_groups" {
        /// The security rules.
        #[serde(default)]
        pub security_rules: Vec<SecurityRule>,
    }
}

/// One Azure Firewall network rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallRule {
    /// The rule name.
    pub name: Known<String>,
    /// Source addresses (or IP groups).
    #[serde(default = "crate::known::known_no_strings")]
    pub source_addresses: Known<Vec<String>>,
    /// Destination addresses; may hold service tags.
    #[serde(default = "crate::known::known_no_strings")]
    pub destination_addresses: Known<Vec<String>>,
    /// Destination ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_ports: Vec<String>,
}

/// A collection of firewall network rules sharing an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallRuleCollection {
    /// The collection name.
    pub name: Known<String>,
    /// Where the collection came from when it is a resource of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Allow or deny.
    pub action: Known<RuleAccess>,
    /// The rules.
    #[serde(default)]
    pub rules: Vec<FirewallRule>,
}

resource! {
    /// An Azure Firewall (`Microsoft.Network/azureFirewalls`) or firewall policy rule
    /// collection group with its network rule collections.
    pub struct Firewall : "Microsoft.Network/azureFirewalls" in "firewalls" {
        /// Network rule collections.
        #[serde(default)]
        pub network_rule_collections: Vec<FirewallRuleCollection>,
    }
}
