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

use ahds_model::for_each_collection;
use ahds_model::{
    Analysis, ContainerRegistry, Estate, EventHubNamespace, KeyVault, NetworkFacts, OutboundLink,
    Resource, ServiceFacts, StorageAccount, TargetType, WorkspaceFacts,
};

/// The version of the input document layout. Bumped on incompatible changes.
pub const INPUT_VERSION: u32 = 2;

/// The field of a resolved link that holds its target's entry: the same object as
/// `input[link.target_type][link.target_id]`.
pub(crate) const LINK_TARGET_FIELD: &str = "target";

/// A borrowed view of an estate and its analysis that serializes as the policy input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyInput<'a> {
    /// The estate.
    pub(crate) estate: &'a Estate,
    /// Its analysis.
    pub(crate) analysis: &'a Analysis,
}

impl<'a> PolicyInput<'a> {
    /// The same document except that links have no [`LINK_TARGET_FIELD`]. For a caller
    /// that builds an in-memory document and attaches each target's entry itself, sharing
    /// it with the collection instead of serializing it once more per link.
    pub(crate) fn without_link_targets(self) -> WithoutLinkTargets<'a> {
        WithoutLinkTargets(self)
    }
}

/// A [`PolicyInput`] whose links leave out their targets' entries; see
/// [`PolicyInput::without_link_targets`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub(crate) struct WithoutLinkTargets<'a>(PolicyInput<'a>);

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

impl<'a> TargetRef<'a> {
    fn kind(self) -> TargetType {
        match self {
            TargetRef::Storage(_) => TargetType::StorageAccount,
            TargetRef::Registry(_) => TargetType::ContainerRegistry,
            TargetRef::Namespace(_) => TargetType::EventHubNamespace,
            TargetRef::Vault(_) => TargetType::KeyVault,
        }
    }

    fn key(self) -> String {
        match self {
            TargetRef::Storage(r) => r.meta().key(),
            TargetRef::Registry(r) => r.meta().key(),
            TargetRef::Namespace(r) => r.meta().key(),
            TargetRef::Vault(r) => r.meta().key(),
        }
    }

    fn entry(self, facts: impl Fn(&str) -> Option<FactsRef<'a>>) -> TargetEntry<'a> {
        match self {
            TargetRef::Storage(r) => TargetEntry::Storage(Entry::new(r, facts)),
            TargetRef::Registry(r) => TargetEntry::Registry(Entry::new(r, facts)),
            TargetRef::Namespace(r) => TargetEntry::Namespace(Entry::new(r, facts)),
            TargetRef::Vault(r) => TargetEntry::Vault(Entry::new(r, facts)),
        }
    }
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
        let targets: HashMap<(TargetType, String), TargetRef<'_>> = (e.storage_accounts.iter())
            .map(TargetRef::Storage)
            .chain(e.container_registries.iter().map(TargetRef::Registry))
            .chain(e.eventhub_namespaces.iter().map(TargetRef::Namespace))
            .chain(e.key_vaults.iter().map(TargetRef::Vault))
            .map(|t| ((t.kind(), t.key()), t))
            .collect();
        let facts = |k: &str| a.targets.get(k).map(FactsRef::Target);
        s.collect_seq(a.links.iter().map(|link| {
            let target = link
                .target_id
                .as_ref()
                .and_then(|id| targets.get(&(link.target_type, id.clone())))
                .map(|t| t.entry(facts));
            LinkEntry { link, target }
        }))
    }
}

impl Serialize for PolicyInput<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_parts(self.parts(), s)
    }
}

impl Serialize for WithoutLinkTargets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_parts(self.parts(), s)
    }
}

fn serialize_parts<'a, S: Serializer>(
    parts: impl ExactSizeIterator<Item = InputPart<'a>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(parts.len()))?;
    for part in parts {
        m.serialize_entry(part.name(), &part)?;
    }
    m.end()
}

impl<'a> PolicyInput<'a> {
    /// The document's top-level members, in order: an object of each part under its
    /// [`InputPart::name`] is the document. A caller building a large document can
    /// serialize the parts on several threads.
    pub(crate) fn parts(self) -> impl ExactSizeIterator<Item = InputPart<'a>> {
        part_names().into_iter().map(move |name| InputPart {
            name,
            input: self,
            link_targets: true,
        })
    }
}

impl<'a> WithoutLinkTargets<'a> {
    /// The document's top-level members, as [`PolicyInput::parts`] but with links
    /// leaving out their targets' entries.
    pub(crate) fn parts(self) -> impl ExactSizeIterator<Item = InputPart<'a>> {
        self.0.parts().map(|p| InputPart {
            link_targets: false,
            ..p
        })
    }
}

/// The top-level members of the input document, in order: the estate's collections as
/// `for_each_collection!` lists them, between the version and the role assignments.
fn part_names() -> Vec<&'static str> {
    let mut names = vec!["version"];
    macro_rules! name {
        ($f:ident, $t:ty) => {
            names.push(stringify!($f));
        };
    }
    for_each_collection!(name);
    names.extend(["role_assignments", "role_assignments_included", "links"]);
    names
}

/// One top-level member of the policy input document; see [`PolicyInput::parts`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub(crate) struct InputPart<'a> {
    name: &'static str,
    input: PolicyInput<'a>,
    link_targets: bool,
}

impl InputPart<'_> {
    /// The member's name in the document.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// About how many records the part holds: links and resources count one each.
    pub(crate) fn weight(&self) -> usize {
        let e = self.input.estate;
        macro_rules! len {
            ($f:ident, $t:ty) => {
                if self.name == stringify!($f) {
                    return e.$f.len();
                }
            };
        }
        for_each_collection!(len);
        match self.name {
            "links" => self.input.analysis.links.len(),
            "role_assignments" => e.role_assignments.as_ref().map_or(0, Vec::len),
            _ => 1,
        }
    }
}

impl Serialize for InputPart<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.input.estate;
        let a = self.input.analysis;
        // Which derived facts a collection's entries carry.
        let facts = |k: &str| match self.name {
            "workspaces" => a.workspaces.get(k).map(FactsRef::Workspace),
            "fhir_services" | "dicom_services" | "medtech_services" => {
                a.services.get(k).map(FactsRef::Service)
            }
            "storage_accounts" | "container_registries" | "eventhub_namespaces" | "key_vaults" => {
                a.targets.get(k).map(FactsRef::Target)
            }
            _ => None,
        };
        macro_rules! collection {
            ($f:ident, $t:ty) => {
                if self.name == stringify!($f) {
                    return Collection {
                        items: &e.$f,
                        facts,
                    }
                    .serialize(s);
                }
            };
        }
        for_each_collection!(collection);
        match self.name {
            "version" => INPUT_VERSION.serialize(s),
            "role_assignments" => Collection {
                items: e.role_assignments.as_deref().unwrap_or(&[]),
                facts,
            }
            .serialize(s),
            "role_assignments_included" => e.role_assignments.is_some().serialize(s),
            "links" if self.link_targets => LinksWithTargets { input: &self.input }.serialize(s),
            "links" => a.links.serialize(s),
            other => Err(serde::ser::Error::custom(format!(
                "internal error: no input document part `{other}`"
            ))),
        }
    }
}
