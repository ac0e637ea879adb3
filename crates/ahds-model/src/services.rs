//! The AHDS services: workspaces and their FHIR, DICOM and MedTech services, with the
//! configuration of every feature that makes outbound connections.

use serde::{Deserialize, Serialize};

use crate::identity::ManagedIdentity;
use crate::known::Known;
use crate::network::PublicNetworkAccess;
use crate::private_link::WorkspaceConnection;
use crate::resource::resource;
use crate::resource_id::ResourceRef;

fn listed() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_listed(listed: &bool) -> bool {
    *listed
}

fn enabled() -> Known<PublicNetworkAccess> {
    Known::Value(PublicNetworkAccess::Enabled)
}

resource! {
    /// An AHDS workspace (`Microsoft.HealthcareApis/workspaces`).
    pub struct Workspace : "Microsoft.HealthcareApis/workspaces" in "workspaces" {
        /// Public network access of the workspace (the platform default is enabled).
        #[serde(default = "enabled")]
        pub public_network_access: Known<PublicNetworkAccess>,
        /// Private endpoint connections recorded on the workspace itself (ARM's
        /// `properties.privateEndpointConnections` or its child resources).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub private_endpoint_connections: Vec<WorkspaceConnection>,
        /// False when the input lists the resource without its settings (a live listing
        /// whose `properties` are null, as `az resource list` writes it): the checks that
        /// need them are undetermined, never read as platform defaults.
        #[serde(default = "listed", skip_serializing_if = "is_listed")]
        pub settings_listed: bool,
    }
}

/// Cross-origin resource sharing settings of a FHIR or DICOM service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// Allowed origins; `*` allows any. Absent means none.
    #[serde(default = "crate::known::known_no_strings")]
    pub origins: Known<Vec<String>>,
}

/// Customer-managed key encryption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerManagedKey {
    /// The key URL in its key vault (`https://<vault>.vault.azure.net/keys/<key>[/<version>]`).
    pub key_url: Known<String>,
}

/// FHIR `$export` destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportConfig {
    /// The destination storage account, by name.
    pub storage_account_name: Known<String>,
}

/// FHIR `$import` source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// Whether import is enabled.
    #[serde(default = "known_true")]
    pub enabled: Known<bool>,
    /// The source storage account (the "integration data store"), by name.
    pub storage_account_name: Known<String>,
    /// Whether the service is in initial import mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_import_mode: Option<bool>,
}

impl Default for Cors {
    fn default() -> Self {
        Cors {
            origins: Known::Value(Vec::new()),
        }
    }
}

fn known_true() -> Known<bool> {
    Known::Value(true)
}

resource! {
    /// A FHIR service (`Microsoft.HealthcareApis/workspaces/fhirservices`).
    pub struct FhirService : "Microsoft.HealthcareApis/workspaces/fhirservices" in "fhir_services" {
        /// The workspace the service belongs to.
        pub workspace: Known<ResourceRef>,
        /// FHIR version kind (`fhir-R4`, `fhir-Stu3`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kind: Option<String>,
        /// Managed identity used by the outbound features.
        #[serde(default)]
        pub identity: ManagedIdentity,
        /// Public network access (the platform default is enabled).
        #[serde(default = "enabled")]
        pub public_network_access: Known<PublicNetworkAccess>,
        /// CORS settings.
        #[serde(default)]
        pub cors: Cors,
        /// `$export` configuration, when export is set up.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub export: Option<ExportConfig>,
        /// `$import` configuration, when import is set up.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub import: Option<ImportConfig>,
        /// Container registries (login servers) used for `$convert-data` templates.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub acr_login_servers: Vec<Known<String>>,
        /// Container registries (login servers) the service reads OCI artifacts from
        /// (`acrConfiguration.ociArtifacts[].loginServer`, azurerm `oci_artifact`), such as
        /// de-identified export configurations.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub oci_artifact_login_servers: Vec<Known<String>>,
        /// Customer-managed key, when configured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub customer_managed_key: Option<CustomerManagedKey>,
        /// False when the input lists the resource without its settings (a live listing
        /// whose `properties` are null, as `az resource list` writes it): the checks that
        /// need them are undetermined, never read as platform defaults.
        #[serde(default = "listed", skip_serializing_if = "is_listed")]
        pub settings_listed: bool,
    }
}

/// DICOM external storage (Data Lake Storage) used for import, export and analytics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DicomStorage {
    /// The storage account.
    pub storage_account: Known<ResourceRef>,
    /// The file system (container) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_system_name: Option<String>,
}

resource! {
    /// A DICOM service (`Microsoft.HealthcareApis/workspaces/dicomservices`).
    pub struct DicomService : "Microsoft.HealthcareApis/workspaces/dicomservices" in "dicom_services" {
        /// The workspace the service belongs to.
        pub workspace: Known<ResourceRef>,
        /// Managed identity used by the outbound features.
        #[serde(default)]
        pub identity: ManagedIdentity,
        /// Public network access (the platform default is enabled).
        #[serde(default = "enabled")]
        pub public_network_access: Known<PublicNetworkAccess>,
        /// CORS settings.
        #[serde(default)]
        pub cors: Cors,
        /// External Data Lake storage, when configured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub storage: Option<DicomStorage>,
        /// Customer-managed key, when configured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub customer_managed_key: Option<CustomerManagedKey>,
        /// False when the input lists the resource without its settings (a live listing
        /// whose `properties` are null, as `az resource list` writes it): the checks that
        /// need them are undetermined, never read as platform defaults.
        #[serde(default = "listed", skip_serializing_if = "is_listed")]
        pub settings_listed: bool,
    }
}

/// Where a MedTech service reads device messages from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MedTechIngestion {
    /// The Event Hubs namespace: its fully qualified host (`<ns>.servicebus.windows.net`)
    /// or its name.
    pub eventhub_namespace: Known<String>,
    /// The event hub.
    pub eventhub_name: Known<String>,
    /// The consumer group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_group: Option<Known<String>>,
}

resource! {
    /// A MedTech service (`Microsoft.HealthcareApis/workspaces/iotconnectors`).
    pub struct MedTechService : "Microsoft.HealthcareApis/workspaces/iotconnectors" in "medtech_services" {
        /// The workspace the service belongs to.
        pub workspace: Known<ResourceRef>,
        /// Managed identity used for ingestion.
        #[serde(default)]
        pub identity: ManagedIdentity,
        /// Event Hubs ingestion settings.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ingestion: Option<MedTechIngestion>,
        /// FHIR services the MedTech service writes to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub fhir_destinations: Vec<Known<ResourceRef>>,
    }
}
