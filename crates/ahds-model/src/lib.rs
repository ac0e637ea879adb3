//! The typed model of an Azure Health Data Services deployment, as far as its network access
//! security goes.
//!
//! An [`Estate`] holds everything one deployment description contains: AHDS workspaces and
//! their FHIR, DICOM and MedTech services with the configuration of each outbound feature;
//! the storage accounts, container registries, Event Hubs namespaces and key vaults those
//! features reach, with one common [`NetworkAcl`]; private endpoints; role assignments; NSG
//! and firewall rules; and Event Grid system topics with their subscriptions.
//!
//! [`analyze`] derives what policies need from it — every [`OutboundLink`] from a service
//! feature to its target, resolved by name, host or id, with IP, identity and role facts
//! precomputed. `ahds-guard` builds the document Rego rules see from both.
//!
//! Values a plan does not know yet are [`Known::Unknown`], never `false` or empty.
//!
//! ```
//! use ahds_model::{analyze, Estate, Resolution};
//!
//! let estate: Estate = serde_json::from_str(r#"{
//!   "workspaces": [{ "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws", "name": "ws" }],
//!   "fhir_services": [{
//!     "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws/fhirservices/fhir",
//!     "name": "fhir",
//!     "workspace": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws",
//!     "identity": { "type": "SystemAssigned" },
//!     "export": { "storage_account_name": "exportsa" }
//!   }]
//! }"#)?;
//! let analysis = analyze(&estate);
//! assert_eq!(analysis.links.len(), 1);
//! assert_eq!(analysis.links[0].feature.as_str(), "fhir.export");
//! assert_eq!(analysis.links[0].status, Resolution::NotFound);
//! # Ok::<(), serde_json::Error>(())
//! ```

mod analysis;
mod estate;
mod events;
mod identity;
mod index;
mod known;
mod links;
mod location;
mod network;
mod place;
mod private_link;
mod rbac;
mod refs;
mod resource;
mod resource_id;
mod schema;
mod services;
#[doc(hidden)]
pub mod symbolic;
mod targets;
mod traffic;
mod validate;

pub use analysis::{
    Analysis, ConnectionFact, IpFamily, IpRange, NetworkFacts, ServiceFacts, WorkspaceFacts,
    analyze, analyze_on_threads,
};
pub use estate::{Estate, InlineWaiver, NATIVE_FORMAT_VERSION, SkippedResource};
pub use events::{
    DeliveryIdentity, DeliveryIdentityType, EventDestination, EventSubscription, SystemTopic,
};
pub use identity::{IdentityType, ManagedIdentity, UserAssignedIdentity, UserAssignedIdentityRef};
pub use known::Known;
pub use links::{
    Feature, LinkFacts, LinkIdentity, OutboundLink, PrivilegedGrant, ReferenceKind, Resolution,
    RoleFacts, TargetReference, TargetType,
};
pub use network::{
    AclDefaults, DefaultAction, IpRule, IpRuleError, NetworkAcl, NetworkAclSpec,
    PublicNetworkAccess, ResourceAccessRule,
};
pub use place::Place;
pub use private_link::{
    ConnectionStatus, DnsZoneConfig, DnsZoneGroup, EndpointConnection, PrivateEndpoint,
    WorkspaceConnection,
};
pub use rbac::{BuiltInRole, RoleAssignment, roles};
pub use resource::{Meta, Resource};
pub use resource_id::{ResourceId, ResourceIdError, ResourceRef};
pub use schema::native_schema;
pub use services::{
    Cors, CustomerManagedKey, DicomService, DicomStorage, ExportConfig, FhirService, ImportConfig,
    MedTechIngestion, MedTechService, Workspace,
};
pub use targets::{AccessPolicy, ContainerRegistry, EventHubNamespace, KeyVault, StorageAccount};
pub use traffic::{
    Direction, Firewall, FirewallRule, FirewallRuleCollection, NetworkSecurityGroup, RuleAccess,
    SecurityRule,
};
pub use validate::{EstateProblem, validate};
