//! The policy input document: what every Rego rule (bundled or custom) sees as `input`.
//!
//! Each resource collection of the estate becomes a JSON object keyed by the resource's
//! lookup key (the lower-cased ARM id, or the input address where no id is known), so
//! policies look resources up by key instead of scanning. Each entry holds the resource's
//! fields as in the native format plus `key`, `resource_id` (how reports name it) and, for
//! some kinds, derived `facts`. `links` lists every outbound connection with its
//! precomputed facts.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::analysis::{Analysis, NetworkFacts, ServiceFacts, WorkspaceFacts};
use crate::estate::Estate;
use crate::resource::Resource;

/// The version of the input document layout. Bumped on incompatible changes.
pub const INPUT_VERSION: u32 = 1;

/// A borrowed view of an estate and its analysis that serializes as the policy input.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInput<'a> {
    /// The estate.
    pub estate: &'a Estate,
    /// Its analysis.
    pub analysis: &'a Analysis,
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(untagged)]
enum FactsRef<'a> {
    Workspace(&'a WorkspaceFacts),
    Service(&'a ServiceFacts),
    Target(&'a NetworkFacts),
}

#[derive(Serialize, schemars::JsonSchema)]
struct Entry<'a, T> {
    key: &'a str,
    resource_id: String,
    resource_type: &'static str,
    #[serde(flatten)]
    resource: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    facts: Option<FactsRef<'a>>,
}

struct Collection<'a, T, F> {
    items: &'a [T],
    facts: F,
}

impl<'a, T, F> Serialize for Collection<'a, T, F>
where
    T: Resource + Serialize,
    F: Fn(&str) -> Option<FactsRef<'a>>,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.items.len()))?;
        for item in self.items {
            let meta = item.meta();
            let key = meta.key();
            m.serialize_entry(
                &key,
                &Entry {
                    key: &key,
                    resource_id: meta.display_id(),
                    resource_type: T::ARM_TYPE,
                    resource: item,
                    facts: (self.facts)(&key),
                },
            )?;
        }
        m.end()
    }
}

impl Serialize for PolicyInput<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.estate;
        let a = self.analysis;
        let none = |_: &str| None;
        let service = |k: &str| a.services.get(k).map(FactsRef::Service);
        let target = |k: &str| a.targets.get(k).map(FactsRef::Target);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("version", &INPUT_VERSION)?;
        m.serialize_entry(
            "workspaces",
            &Collection {
                items: &e.workspaces,
                facts: |k: &str| a.workspaces.get(k).map(FactsRef::Workspace),
            },
        )?;
        m.serialize_entry(
            "fhir_services",
            &Collection {
                items: &e.fhir_services,
                facts: service,
            },
        )?;
        m.serialize_entry(
            "dicom_services",
            &Collection {
                items: &e.dicom_services,
                facts: service,
            },
        )?;
        m.serialize_entry(
            "medtech_services",
            &Collection {
                items: &e.medtech_services,
                facts: service,
            },
        )?;
        m.serialize_entry(
            "storage_accounts",
            &Collection {
                items: &e.storage_accounts,
                facts: target,
            },
        )?;
        m.serialize_entry(
            "container_registries",
            &Collection {
                items: &e.container_registries,
                facts: target,
            },
        )?;
        m.serialize_entry(
            "eventhub_namespaces",
            &Collection {
                items: &e.eventhub_namespaces,
                facts: target,
            },
        )?;
        m.serialize_entry(
            "key_vaults",
            &Collection {
                items: &e.key_vaults,
                facts: target,
            },
        )?;
        m.serialize_entry(
            "private_endpoints",
            &Collection {
                items: &e.private_endpoints,
                facts: none,
            },
        )?;
        m.serialize_entry(
            "user_assigned_identities",
            &Collection {
                items: &e.user_assigned_identities,
                facts: none,
            },
        )?;
        m.serialize_entry(
            "network_security_groups",
            &Collection {
                items: &e.network_security_groups,
                facts: none,
            },
        )?;
        m.serialize_entry(
            "firewalls",
            &Collection {
                items: &e.firewalls,
                facts: none,
            },
        )?;
        m.serialize_entry(
            "system_topics",
            &Collection {
                items: &e.system_topics,
                facts: none,
            },
        )?;
        m.serialize_entry(
            "event_subscriptions",
            &Collection {
                items: &e.event_subscriptions,
                facts: none,
            },
        )?;
        m.serialize_entry(
            "role_assignments",
            &Collection {
                items: e.role_assignments.as_deref().unwrap_or(&[]),
                facts: none,
            },
        )?;
        m.serialize_entry("role_assignments_included", &e.role_assignments.is_some())?;
        m.serialize_entry("links", &a.links)?;
        m.end()
    }
}
