//! Event Grid system topics on workspaces and their event subscriptions: how FHIR and DICOM
//! events reach Event Hubs.

use serde::{Deserialize, Serialize};

use crate::identity::ManagedIdentity;
use crate::known::Known;
use crate::resource::resource;
use crate::resource_id::ResourceRef;

resource! {
    /// An Event Grid system topic (`Microsoft.EventGrid/systemTopics`).
    pub struct SystemTopic : "Microsoft.EventGrid/systemTopics" in "system_topics" {
        /// The resource that raises the events (an AHDS workspace).
        pub source: Known<ResourceRef>,
        /// The topic type, e.g. `Microsoft.HealthcareApis.Workspaces`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub topic_type: Option<String>,
        /// The topic's managed identity, used to deliver with a resource identity.
        #[serde(default)]
        pub identity: ManagedIdentity,
    }
}

/// The kind of identity an event subscription delivers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub enum DeliveryIdentityType {
    /// The system topic's system-assigned identity.
    SystemAssigned,
    /// A user-assigned identity of the system topic.
    UserAssigned,
}

/// The identity an event subscription delivers with (`deliveryWithResourceIdentity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryIdentity {
    /// System- or user-assigned.
    #[serde(rename = "type")]
    pub kind: Known<DeliveryIdentityType>,
    /// The user-assigned identity, for `UserAssigned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned_identity: Option<ResourceRef>,
}

/// Where an event subscription delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDestination {
    /// The endpoint type (`EventHub`, `WebHook`, `StorageQueue`, ...).
    pub endpoint_type: Known<String>,
    /// The destination resource (for Event Hubs: the event hub, `.../namespaces/<ns>/eventhubs/<hub>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<Known<ResourceRef>>,
    /// The Event Hubs namespace, where the destination is not an ARM id that names it
    /// (a Terraform reference to an event hub resource, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eventhub_namespace: Option<Known<ResourceRef>>,
}

resource! {
    /// An event subscription on a system topic (`Microsoft.EventGrid/systemTopics/eventSubscriptions`).
    pub struct EventSubscription : "Microsoft.EventGrid/systemTopics/eventSubscriptions" in "event_subscriptions" {
        /// The system topic.
        pub topic: Known<ResourceRef>,
        /// The destination.
        pub destination: EventDestination,
        /// The delivery identity, when delivering with a resource identity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub delivery_identity: Option<DeliveryIdentity>,
        /// Event types the subscription receives; empty means all.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub included_event_types: Vec<String>,
    }
}
