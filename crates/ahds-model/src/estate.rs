//! `Estate`: everything one deployment description holds.

use serde::{Deserialize, Serialize};

use crate::events::{EventSubscription, SystemTopic};
use crate::identity::UserAssignedIdentity;
use crate::place::Place;
use crate::private_link::PrivateEndpoint;
use crate::rbac::RoleAssignment;
use crate::resource::{Meta, Resource};
use crate::services::{DicomService, FhirService, MedTechService, Workspace};
use crate::targets::{ContainerRegistry, EventHubNamespace, KeyVault, StorageAccount};
use crate::traffic::{Firewall, NetworkSecurityGroup};

/// The version of the native format this crate reads and writes.
pub const NATIVE_FORMAT_VERSION: u32 = 1;

/// A resource the reader saw but did not model, listed so nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SkippedResource {
    /// The resource type as the input spells it (`azurerm_linux_virtual_machine`, `Microsoft.Compute/virtualMachines`).
    pub resource_type: String,
    /// The ARM id, address or name.
    pub resource: String,
    /// Why it was skipped.
    pub reason: String,
    /// Where it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Place>,
}

/// Everything one deployment description holds, in the typed model.
///
/// This is also the native input format (see the README): each collection is a JSON array
/// of resources; fields a description leaves out take the platform default, and `null`
/// marks a value that is not known yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Estate {
    /// Optional link to the JSON Schema of the format.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The native format version; defaults to the current one.
    #[serde(default = "native_version")]
    pub version: u32,
    /// AHDS workspaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workspaces: Vec<Workspace>,
    /// FHIR services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fhir_services: Vec<FhirService>,
    /// DICOM services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dicom_services: Vec<DicomService>,
    /// MedTech services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub medtech_services: Vec<MedTechService>,
    /// Storage accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage_accounts: Vec<StorageAccount>,
    /// Container registries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_registries: Vec<ContainerRegistry>,
    /// Event Hubs namespaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub eventhub_namespaces: Vec<EventHubNamespace>,
    /// Key vaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_vaults: Vec<KeyVault>,
    /// Private endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private_endpoints: Vec<PrivateEndpoint>,
    /// Role assignments. `None` (field absent) means the description carries no role
    /// assignments at all, so role checks are skipped rather than failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_assignments: Option<Vec<RoleAssignment>>,
    /// User-assigned managed identities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_assigned_identities: Vec<UserAssignedIdentity>,
    /// Network security groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_security_groups: Vec<NetworkSecurityGroup>,
    /// Azure Firewalls and firewall policy rule collection groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub firewalls: Vec<Firewall>,
    /// Event Grid system topics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system_topics: Vec<SystemTopic>,
    /// Event Grid event subscriptions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_subscriptions: Vec<EventSubscription>,
    /// Resources the reader saw but does not model (not part of the native format).
    #[serde(skip)]
    pub skipped: Vec<SkippedResource>,
    /// What the reader noticed and kept going past, for the report's notes (a malformed
    /// field no rule reads, a loop over an unknown count); not part of the native format.
    #[serde(skip)]
    pub notes: Vec<String>,
    /// Suppressions written in the source next to a resource (`# ahds-guard:ignore ...` in
    /// a `.tf` file); not part of the native format.
    #[serde(skip)]
    pub inline_waivers: Vec<InlineWaiver>,
    /// Root module variables of a Terraform configuration that had no value (no default,
    /// no `.tfvars`, `--var` or `TF_VAR_`): they were read as symbols, so what depends on
    /// them may be undetermined. Not part of the native format.
    #[serde(skip)]
    pub unset_variables: Vec<String>,
}

/// A suppression comment in a source file: the rule it names, the resources it sits on,
/// and its reason and expiry as written (checked when findings are suppressed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineWaiver {
    /// The rule id as written (may be empty or unknown: then reported, never applied).
    pub rule: String,
    /// Addresses of the resources the comment applies to (each instance of its block).
    pub resources: Vec<String>,
    /// The text after `--`; required.
    pub justification: Option<String>,
    /// The `expires=` date as written.
    pub expires: Option<String>,
    /// The file of the comment.
    pub file: String,
    /// Its 1-based line.
    pub line: u32,
}

fn native_version() -> u32 {
    NATIVE_FORMAT_VERSION
}

/// Calls a macro once per resource collection of [`Estate`], with the field name and type.
///
/// Keeps the code that must visit every collection (counting, merging, the policy input
/// document) from drifting out of step with the struct.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_collection {
    ($m:ident) => {
        $m!(workspaces, $crate::Workspace);
        $m!(fhir_services, $crate::FhirService);
        $m!(dicom_services, $crate::DicomService);
        $m!(medtech_services, $crate::MedTechService);
        $m!(storage_accounts, $crate::StorageAccount);
        $m!(container_registries, $crate::ContainerRegistry);
        $m!(eventhub_namespaces, $crate::EventHubNamespace);
        $m!(key_vaults, $crate::KeyVault);
        $m!(private_endpoints, $crate::PrivateEndpoint);
        $m!(user_assigned_identities, $crate::UserAssignedIdentity);
        $m!(network_security_groups, $crate::NetworkSecurityGroup);
        $m!(firewalls, $crate::Firewall);
        $m!(system_topics, $crate::SystemTopic);
        $m!(event_subscriptions, $crate::EventSubscription);
    };
}

impl Estate {
    /// An empty estate.
    pub fn new() -> Self {
        Estate {
            version: NATIVE_FORMAT_VERSION,
            ..Default::default()
        }
    }

    /// The number of resources in the estate (skipped ones not counted).
    pub fn resource_count(&self) -> usize {
        let mut n = self.role_assignments.as_ref().map_or(0, Vec::len);
        macro_rules! add {
            ($f:ident, $t:ty) => {
                n += self.$f.len();
            };
        }
        for_each_collection!(add);
        n
    }

    /// Every resource's common fields, in collection order.
    pub fn metas(&self) -> Vec<Meta<'_>> {
        let mut out = Vec::with_capacity(self.resource_count());
        macro_rules! push {
            ($f:ident, $t:ty) => {
                out.extend(self.$f.iter().map(Resource::meta));
            };
        }
        for_each_collection!(push);
        if let Some(ras) = &self.role_assignments {
            out.extend(ras.iter().map(Resource::meta));
        }
        out
    }

    /// Every resource's collection name and common fields, in collection order.
    pub fn resources(&self) -> Vec<(&'static str, Meta<'_>)> {
        let mut out = Vec::with_capacity(self.resource_count());
        macro_rules! push {
            ($f:ident, $t:ty) => {
                out.extend(self.$f.iter().map(|r| (stringify!($f), r.meta())));
            };
        }
        for_each_collection!(push);
        if let Some(ras) = &self.role_assignments {
            out.extend(ras.iter().map(|r| ("role_assignments", r.meta())));
        }
        out
    }

    /// Moves every resource of `other` into `self` (several input files into one estate).
    pub fn merge(&mut self, other: Estate) {
        // Into an empty collection the other's is moved, not copied element by element
        // into fresh memory: the first of several inputs is often most of the estate.
        macro_rules! extend {
            ($f:ident, $t:ty) => {
                if self.$f.is_empty() {
                    self.$f = other.$f;
                } else {
                    self.$f.extend(other.$f);
                }
            };
        }
        for_each_collection!(extend);
        match (&mut self.role_assignments, other.role_assignments) {
            (Some(mine), Some(theirs)) => mine.extend(theirs),
            (mine @ None, theirs @ Some(_)) => *mine = theirs,
            _ => {}
        }
        self.skipped.extend(other.skipped);
        self.notes.extend(other.notes);
        self.inline_waivers.extend(other.inline_waivers);
        self.unset_variables.extend(other.unset_variables);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::known::Known;
    use crate::network::{DefaultAction, PublicNetworkAccess};

    #[test]
    fn omitted_fields_take_platform_defaults_not_unknown() {
        let e: Estate = serde_json::from_str(
            r#"{
              "fhir_services": [{"name": "f", "workspace": "ws"}],
              "storage_accounts": [{"name": "sa"}],
              "eventhub_namespaces": [{"name": "ns"}],
              "private_endpoints": [{"name": "pe"}],
              "network_security_groups": [{"name": "nsg", "security_rules": [
                {"name": "r", "direction": "Inbound", "access": "Allow"}]}]
            }"#,
        )
        .unwrap();
        let f = &e.fhir_services[0];
        assert_eq!(
            f.identity.kind,
            Known::Value(crate::identity::IdentityType::None)
        );
        assert_eq!(f.cors.origins, Known::Value(vec![]));
        assert_eq!(
            f.public_network_access,
            Known::Value(PublicNetworkAccess::Enabled)
        );
        let sa = &e.storage_accounts[0];
        assert_eq!(
            sa.network.default_action,
            Known::Value(DefaultAction::Allow)
        );
        assert_eq!(sa.network.trusted_services, Known::Value(true));
        assert_eq!(sa.is_hns_enabled, Known::Value(false));
        assert_eq!(
            e.eventhub_namespaces[0].network.trusted_services,
            Known::Value(false)
        );
        assert_eq!(e.private_endpoints[0].dns_zone_groups, Known::Value(vec![]));
        let rule = &e.network_security_groups[0].security_rules[0];
        assert_eq!(rule.source_address_prefixes, Known::Value(vec![]));
        assert!(e.role_assignments.is_none());
    }

    #[test]
    fn native_format_round_trips() {
        let text = r#"{
          "workspaces": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws", "name": "ws", "location": null}],
          "storage_accounts": [{"address": "azurerm_storage_account.sa", "name": "sa", "network": {"default_action": "Deny", "ip_rules": ["100.64.0.0/10", "20.61.98.66"]}}],
          "role_assignments": []
        }"#;
        let e: Estate = serde_json::from_str(text).unwrap();
        let again: Estate = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(e, again);
        assert_eq!(again.role_assignments, Some(vec![]));
        assert!(again.workspaces[0].location.is_unknown());
    }
}
