//! Outbound links: which service feature connects to which target, and how the target is
//! named in the service's configuration.

use serde::Serialize;

use crate::known::Known;
use crate::rbac::{BuiltInRole, roles};

/// An AHDS feature that makes outbound connections.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum Feature {
    /// FHIR `$export` to a storage account.
    #[serde(rename = "fhir.export")]
    FhirExport,
    /// FHIR `$import` from a storage account.
    #[serde(rename = "fhir.import")]
    FhirImport,
    /// FHIR `$convert-data` templates from a container registry.
    #[serde(rename = "fhir.convert")]
    FhirConvert,
    /// FHIR OCI artifacts (de-identified export configurations) from a container registry.
    #[serde(rename = "fhir.oci_artifacts")]
    FhirOciArtifacts,
    /// FHIR customer-managed key in a key vault.
    #[serde(rename = "fhir.cmk")]
    FhirCmk,
    /// DICOM import, export and analytics on Data Lake storage.
    #[serde(rename = "dicom.storage")]
    DicomStorage,
    /// DICOM customer-managed key in a key vault.
    #[serde(rename = "dicom.cmk")]
    DicomCmk,
    /// MedTech ingestion from Event Hubs.
    #[serde(rename = "medtech.ingestion")]
    MedTechIngestion,
    /// FHIR and DICOM events delivered to Event Hubs through the workspace's Event Grid system topic.
    #[serde(rename = "workspace.events")]
    WorkspaceEvents,
}

impl Feature {
    /// Every feature.
    pub const ALL: [Feature; 9] = [
        Feature::FhirExport,
        Feature::FhirImport,
        Feature::FhirConvert,
        Feature::FhirOciArtifacts,
        Feature::FhirCmk,
        Feature::DicomStorage,
        Feature::DicomCmk,
        Feature::MedTechIngestion,
        Feature::WorkspaceEvents,
    ];

    /// The name used in reports and the policy input (`fhir.export`).
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::FhirExport => "fhir.export",
            Feature::FhirImport => "fhir.import",
            Feature::FhirConvert => "fhir.convert",
            Feature::FhirOciArtifacts => "fhir.oci_artifacts",
            Feature::FhirCmk => "fhir.cmk",
            Feature::DicomStorage => "dicom.storage",
            Feature::DicomCmk => "dicom.cmk",
            Feature::MedTechIngestion => "medtech.ingestion",
            Feature::WorkspaceEvents => "workspace.events",
        }
    }

    /// The kind of resource the feature connects to.
    pub fn target_type(self) -> TargetType {
        match self {
            Feature::FhirExport | Feature::FhirImport | Feature::DicomStorage => {
                TargetType::StorageAccount
            }
            Feature::FhirConvert | Feature::FhirOciArtifacts => TargetType::ContainerRegistry,
            Feature::FhirCmk | Feature::DicomCmk => TargetType::KeyVault,
            Feature::MedTechIngestion | Feature::WorkspaceEvents => TargetType::EventHubNamespace,
        }
    }

    /// The data-plane role the feature's identity needs on the target.
    pub fn required_role(self) -> BuiltInRole {
        match self {
            Feature::FhirExport | Feature::FhirImport | Feature::DicomStorage => {
                roles::STORAGE_BLOB_DATA_CONTRIBUTOR
            }
            Feature::FhirConvert | Feature::FhirOciArtifacts => roles::ACR_PULL,
            Feature::FhirCmk | Feature::DicomCmk => roles::KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            Feature::MedTechIngestion => roles::EVENT_HUBS_DATA_RECEIVER,
            Feature::WorkspaceEvents => roles::EVENT_HUBS_DATA_SENDER,
        }
    }
}

/// The kinds of outbound target. Serialized as the name of their collection in the policy
/// input, so `input[link.target_type][link.target_id]` is the target (also at `link.target`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetType {
    /// `storage_accounts`
    #[serde(rename = "storage_accounts")]
    StorageAccount,
    /// `container_registries`
    #[serde(rename = "container_registries")]
    ContainerRegistry,
    /// `eventhub_namespaces`
    #[serde(rename = "eventhub_namespaces")]
    EventHubNamespace,
    /// `key_vaults`
    #[serde(rename = "key_vaults")]
    KeyVault,
}

/// How a service's configuration names its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReferenceKind {
    /// A storage account name.
    AccountName,
    /// A registry login server (`<name>.azurecr.io`).
    LoginServer,
    /// A key URL (`https://<vault>.vault.azure.net/keys/...`).
    KeyUrl,
    /// A namespace host name (`<ns>.servicebus.windows.net`) or name.
    Hostname,
    /// An ARM id or input address.
    ResourceId,
}

/// The target as the configuration names it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct TargetReference {
    /// How it is named.
    pub by: ReferenceKind,
    /// The name, URL or id; `null` when unknown.
    pub value: Known<String>,
    /// The symbols the value holds (`workspaceName` for `{workspaceName}-fhir`): values
    /// fixed only at deployment, which a link to them cannot be decided without.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<String>,
}

/// Whether the target was found in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Resolution {
    /// The target is in the input.
    Resolved,
    /// The configuration names a target that is not in the input.
    NotFound,
    /// The configuration's reference is not known yet.
    Unknown,
}

/// The identity a link authenticates with.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct LinkIdentity {
    /// The resource that holds the identity (the service, or the Event Grid system topic
    /// for events), as reports name it.
    pub owner: String,
    /// Whether the service has a managed identity the feature can use.
    pub has_identity: Known<bool>,
    /// Principal keys: lower-cased object ids, and `identity:<key>` for identities whose
    /// object id is not known yet.
    pub principals: Vec<String>,
}

/// The role a link's identity needs, and whether it holds it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct RoleFacts {
    /// The role's name.
    pub required_role: &'static str,
    /// The role definition GUID.
    pub required_role_id: &'static str,
    /// How access is granted: `rbac` role assignments or key vault `access_policy`.
    pub model: &'static str,
    /// False when the input carries no role assignments, so the check is skipped.
    pub checked: bool,
    /// Whether the identity holds the role at the target or a parent scope.
    pub held: Known<bool>,
}

/// An over-privileged role the link's identity holds on the target or a parent scope.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PrivilegedGrant {
    /// The role name.
    pub role: &'static str,
    /// The scope of the assignment, as written.
    pub scope: String,
    /// The role assignment.
    pub assignment: String,
}

/// Facts about a link that are awkward or slow to compute in Rego.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct LinkFacts {
    /// The service's region, normalised.
    pub service_region: Known<String>,
    /// Whether service and target are in the same region.
    pub same_region: Known<bool>,
    /// Whether service and target are in the same subscription.
    pub same_subscription: Known<bool>,
    /// For storage targets of FHIR export/import: whether a resource-instance rule admits
    /// the workspace or the FHIR service. `null` elsewhere or when unknown.
    pub instance_rule: Known<bool>,
    /// For event links: whether the subscription delivers with a managed identity.
    pub delivery_with_identity: Known<bool>,
    /// The role the identity needs.
    pub role: RoleFacts,
    /// Owner, Contributor or User Access Administrator grants on the target or a parent.
    pub privileged_roles: Vec<PrivilegedGrant>,
}

/// One outbound connection: a service feature and the target it reaches.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct OutboundLink {
    /// The collection of the service (`fhir_services`, `workspaces` for events).
    pub service_type: &'static str,
    /// The service's key.
    pub service_id: String,
    /// The service as reports name it.
    pub service_resource_id: String,
    /// The service's name.
    pub service_name: Known<String>,
    /// The key of the service's workspace, when known.
    pub workspace_id: Option<String>,
    /// The feature.
    pub feature: Feature,
    /// The kind of target.
    pub target_type: TargetType,
    /// How the configuration names the target.
    pub reference: TargetReference,
    /// Whether the target is in the input.
    pub status: Resolution,
    /// The target's key, when resolved.
    pub target_id: Option<String>,
    /// The target as reports name it, when resolved.
    pub target_resource_id: Option<String>,
    /// The event subscription a link goes through, for events.
    pub via: Option<String>,
    /// The event subscription as reports name it.
    pub via_resource_id: Option<String>,
    /// The identity the feature authenticates with.
    pub identity: LinkIdentity,
    /// Precomputed facts.
    pub facts: LinkFacts,
}
