//! The resources AHDS outbound features connect to.

use serde::{Deserialize, Serialize};

use crate::known::Known;
use crate::network::{NetworkAcl, defaults};
use crate::resource::resource;
use crate::resource_id::ResourceRef;

resource! {
    /// A storage account (`Microsoft.Storage/storageAccounts`).
    pub struct StorageAccount : "Microsoft.Storage/storageAccounts" in "storage_accounts" {
        /// Network settings (`networkAcls`, `publicNetworkAccess`).
        #[serde(default = "defaults::storage_default", deserialize_with = "defaults::storage")]
        #[schemars(with = "crate::NetworkAclSpec")]
        pub network: NetworkAcl,
        /// Hierarchical namespace (Data Lake Storage Gen2).
        #[serde(default = "crate::known::known_false")]
        pub is_hns_enabled: Known<bool>,
    }
}

resource! {
    /// A container registry (`Microsoft.ContainerRegistry/registries`).
    pub struct ContainerRegistry : "Microsoft.ContainerRegistry/registries" in "container_registries" {
        /// The login server (`<name>.azurecr.io`), when known.
        #[serde(default)]
        pub login_server: Known<String>,
        /// The SKU (`Basic`, `Standard`, `Premium`); network rules need Premium.
        #[serde(default)]
        pub sku: Known<String>,
        /// Network settings (`networkRuleSet`, `networkRuleBypassOptions`, `publicNetworkAccess`).
        #[serde(default = "defaults::container_registry_default", deserialize_with = "defaults::container_registry")]
        #[schemars(with = "crate::NetworkAclSpec")]
        pub network: NetworkAcl,
    }
}

resource! {
    /// An Event Hubs namespace (`Microsoft.EventHub/namespaces`).
    pub struct EventHubNamespace : "Microsoft.EventHub/namespaces" in "eventhub_namespaces" {
        /// The Service Bus endpoint (`https://<ns>.servicebus.windows.net:443/`), when known.
        #[serde(default)]
        pub service_bus_endpoint: Known<String>,
        /// Network settings (`networkRuleSets/default`, `publicNetworkAccess`).
        #[serde(default = "defaults::event_hubs_default", deserialize_with = "defaults::event_hubs")]
        #[schemars(with = "crate::NetworkAclSpec")]
        pub network: NetworkAcl,
    }
}

/// A key vault access policy entry (vaults that do not use Azure RBAC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessPolicy {
    /// The tenant of the principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The principal's object id.
    #[serde(default)]
    pub object_id: Known<String>,
    /// When the object id comes from a resource's managed identity that is not known yet,
    /// that resource (its system-assigned identity, or a user-assigned identity resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_of: Option<ResourceRef>,
    /// Key permissions (`get`, `wrapKey`, `unwrapKey`, ...).
    #[serde(default = "crate::known::known_no_strings")]
    pub key_permissions: Known<Vec<String>>,
}

resource! {
    /// A key vault (`Microsoft.KeyVault/vaults`).
    pub struct KeyVault : "Microsoft.KeyVault/vaults" in "key_vaults" {
        /// The vault URI (`https://<name>.vault.azure.net/`), when known.
        #[serde(default)]
        pub vault_uri: Known<String>,
        /// Network settings (`networkAcls`, `publicNetworkAccess`).
        #[serde(default = "defaults::key_vault_default", deserialize_with = "defaults::key_vault")]
        #[schemars(with = "crate::NetworkAclSpec")]
        pub network: NetworkAcl,
        /// Whether data-plane access is authorised with Azure RBAC instead of access policies.
        #[serde(default = "crate::known::known_false")]
        pub enable_rbac_authorization: Known<bool>,
        /// Access policies.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub access_policies: Vec<AccessPolicy>,
    }
}
