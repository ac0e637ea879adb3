//! The policy input document: what every Rego rule (bundled or custom) sees as `input`.
//!
//! Each resource collection of the estate becomes a JSON object keyed by the resource's
//! lookup key (the lower-cased ARM id, or the input address where no id is known), so
//! policies look resources up by key instead of scanning. Each entry holds the resource's
//! fields as in the native format plus `key`, `resource_id` (how reports name it) and, for
//! some kinds, derived `facts`. `links` lists every outbound connection with its
//! precomputed facts and, when resolved, its target's entry as `target`, so rules reach a
//! target's settings without a keyed lookup per link.

use std::collections::HashMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::analysis::{Analysis, NetworkFacts, ServiceFacts, WorkspaceFacts};
use crate::estate::Estate;
use crate::links::{OutboundLink, TargetType};
use crate::resource::Resource;
use crate::targets::{ContainerRegistry, EventHubNamespace, KeyVault, StorageAccount};

/// The version of the input document layout. Bumped on incompatible changes.
pub const INPUT_VERSION: u32 = 1;

/// The field of a resolved link that holds its target's entry: the same object as
/// `input[link.target_type][link.target_id]`.
pub const LINK_TARGET_FIELD: &str = "target";

/// A borrowed view of an estate and its analysis that serializes as the policy input.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInput<'a> {
    /// The estate.
    pub estate: &'a Estate,
    /// Its analysis.
    pub analysis: &'a Analysis,
}

impl<'a> PolicyInput<'a> {
    /// The same document except that links have no [`LINK_TARGET_FIELD`]. For a caller
    /// that builds an in-memory document and attaches each target's entry itself, sharing
    /// it with the collection instead of serializing it once more per link.
    pub fn without_link_targets(self) -> WithoutLinkTargets<'a> {
        WithoutLinkTargets(self)
    }
}

/// A [`PolicyInput`] whose links leave out their targets' entries; see
/// [`PolicyInput::without_link_targets`].
#[derive(Debug, Clone, Copy)]
pub struct WithoutLinkTargets<'a>(PolicyInput<'a>);

impl Serialize for WithoutLinkTargets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_document(s, false)
    }
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
    key: String,
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
            let entry = Entry::new(item, &self.facts);
            m.serialize_entry(&entry.key, &entry)?;
        }
        m.end()
    }
}

impl<'a, T: Resource> Entry<'a, T> {
    fn new(item: &'a T, facts: impl Fn(&str) -> Option<FactsRef<'a>>) -> Self {
        let meta = item.meta();
        let key = meta.key();
        Entry {
            resource_id: meta.display_id(),
            resource_type: T::ARM_TYPE,
            resource: item,
            facts: facts(&key),
            key,
        }
    }
}

/// A target resource of any kind.
#[derive(Clone, Copy)]
enum TargetRef<'a> {
    Storage(&'a StorageAccount),
    Registry(&'a ContainerRegistry),
    Namespace(&'a EventHubNamespace),
    Vault(&'a KeyVault),
}

/// An outbound link with its target's entry.
#[derive(Serialize)]
struct LinkEntry<'a> {
    #[serde(flatten)]
    link: &'a OutboundLink,
    target: Option<TargetEntry<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum TargetEntry<'a> {
    Storage(Entry<'a, StorageAccount>),
    Registry(Entry<'a, ContainerRegistry>),
    Namespace(Entry<'a, EventHubNamespace>),
    Vault(Entry<'a, KeyVault>),
}

/// The links, each with its target's entry.
struct LinksWithTargets<'a> {
    input: &'a PolicyInput<'a>,
}

impl Serialize for LinksWithTargets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.input.estate;
        let a = self.input.analysis;
        let mut targets: HashMap<(TargetType, String), TargetRef<'_>> = HashMap::new();
        let mut add = |ty, key: String, t| {
            targets.insert((ty, key), t);
        };
        for t in &e.storage_accounts {
            add(
                TargetType::StorageAccount,
                t.meta().key(),
                TargetRef::Storage(t),
            );
        }
        for t in &e.container_registries {
            add(
                TargetType::ContainerRegistry,
                t.meta().key(),
                TargetRef::Registry(t),
            );
        }
        for t in &e.eventhub_namespaces {
            add(
                TargetType::EventHubNamespace,
                t.meta().key(),
                TargetRef::Namespace(t),
            );
        }
        for t in &e.key_vaults {
            add(TargetType::KeyVault, t.meta().key(), TargetRef::Vault(t));
        }
        let facts = |k: &str| a.targets.get(k).map(FactsRef::Target);
        s.collect_seq(a.links.iter().map(|link| {
            let target = link
                .target_id
                .as_ref()
                .and_then(|id| targets.get(&(link.target_type, id.clone())))
                .map(|t| match *t {
                    TargetRef::Storage(r) => TargetEntry::Storage(Entry::new(r, facts)),
                    TargetRef::Registry(r) => TargetEntry::Registry(Entry::new(r, facts)),
                    TargetRef::Namespace(r) => TargetEntry::Namespace(Entry::new(r, facts)),
                    TargetRef::Vault(r) => TargetEntry::Vault(Entry::new(r, facts)),
                });
            LinkEntry { link, target }
        }))
    }
}

impl Serialize for PolicyInput<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize_document(s, true)
    }
}

impl PolicyInput<'_> {
    fn serialize_document<S: Serializer>(
        &self,
        s: S,
        link_targets: bool,
    ) -> Result<S::Ok, S::Error> {
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
        if link_targets {
            m.serialize_entry("links", &LinksWithTargets { input: self })?;
        } else {
            m.serialize_entry("links", &a.links)?;
        }
        m.end()
    }
}
