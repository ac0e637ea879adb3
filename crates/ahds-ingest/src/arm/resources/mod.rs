//! Azure Resource Manager resource JSON (as Azure returns it, and as template evaluation
//! produces it) mapped onto the model. Property names match case-insensitively.
//!
//! One table ([`mappers`]) says how each modelled type is read; the mappers live by area:
//! [`services`] (workspaces, FHIR, DICOM, MedTech), [`targets`] (storage, registries,
//! Event Hubs, key vaults), [`network`] (private endpoints, NSGs, firewalls) and [`access`]
//! (role assignments, identities, Event Grid). [`fields`] reads the values they share.

macro_rules! build {
    ($t:ident, $c:expr, { $($f:ident : $v:expr),* $(,)? }) => {{
        let c = $c;
        ahds_model::$t {
            id: c.id,
            address: c.address,
            name: c.name,
            location: c.location,
            tags: c.tags,
            subscription: None,
            place: Some(c.source),
            $($f: $v,)*
        }
    }};
}

mod access;
mod fields;
mod network;
mod services;
mod targets;

use std::collections::{BTreeMap, HashMap, HashSet};

use ahds_model::{Estate, Known, Place, ResourceId, ResourceRef, SkippedResource};
use serde_json::Value;

use super::props::{known_str, prop, str_at};
use crate::error::{IngestError, Position};
use crate::util::ResourceIndex;
use fields::{id_of, reference};

/// One resource to map, with where it came from.
#[derive(Debug, Clone)]
pub(crate) struct ArmResource<'a> {
    /// The file it was read from.
    pub(crate) file: &'a str,
    pub(crate) value: &'a Value,
    pub(crate) pointer: String,
    pub(crate) line: Option<u32>,
    /// The template's symbolic name, for templates.
    pub(crate) address: Option<String>,
}

pub(super) struct Bad {
    pub(super) at: String,
    pub(super) message: String,
    /// The resource is a child whose parent the input does not hold (a template that
    /// deploys only the child): listed as skipped, never an input error.
    pub(super) orphan: bool,
}

pub(super) type Mapped<T> = Result<T, Bad>;

/// Moves a problem found inside a sub-object (`ipRules/0`) under that object's pointer.
pub(super) fn under(prefix: &'static str) -> impl Fn(Bad) -> Bad {
    move |b| Bad {
        at: format!("{prefix}{}", b.at),
        message: b.message,
        orphan: b.orphan,
    }
}

pub(super) fn bad(at: &str, message: impl Into<String>) -> Bad {
    Bad {
        at: at.to_string(),
        message: message.into(),
        orphan: false,
    }
}

/// A child whose parent (`what`, `parent`) is not in the input.
pub(super) fn orphan(what: &str, parent: &dyn std::fmt::Display) -> Bad {
    Bad {
        at: "/id".into(),
        message: format!(
            "its parent {what} `{parent}` is not in the input, so there is nothing to attach it to (a template that deploys only the child)"
        ),
        orphan: true,
    }
}

/// The fields every model resource has.
pub(super) struct Common {
    pub(super) id: Option<ResourceId>,
    pub(super) address: Option<String>,
    pub(super) name: Known<String>,
    pub(super) location: Known<String>,
    pub(super) tags: BTreeMap<String, String>,
    pub(super) source: Place,
}

/// A mapper: reads one resource into the estate (or attaches it to its parent).
type MapFn<'f> = for<'m, 'r, 'v> fn(&'m mut Mapper<'f>, &'r ArmResource<'v>) -> Mapped<()>;

/// Whether a type is read in the first pass, or attaches to a parent read in it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Resource,
    Child,
}

/// The types read into the model (lower case), each with its pass and mapper. Their
/// property kinds are checked first ([`super::shapes::check`]).
fn mappers<'f>() -> [(&'static str, Pass, MapFn<'f>); 21] {
    [
        (
            "microsoft.healthcareapis/workspaces",
            Pass::Resource,
            Mapper::workspace,
        ),
        (
            "microsoft.healthcareapis/workspaces/fhirservices",
            Pass::Resource,
            Mapper::fhir,
        ),
        (
            "microsoft.healthcareapis/workspaces/dicomservices",
            Pass::Resource,
            Mapper::dicom,
        ),
        (
            "microsoft.healthcareapis/workspaces/iotconnectors",
            Pass::Resource,
            Mapper::medtech,
        ),
        (
            "microsoft.healthcareapis/workspaces/privateendpointconnections",
            Pass::Child,
            Mapper::workspace_connection,
        ),
        (
            "microsoft.healthcareapis/workspaces/iotconnectors/fhirdestinations",
            Pass::Child,
            Mapper::fhir_destination,
        ),
        (
            "microsoft.storage/storageaccounts",
            Pass::Resource,
            Mapper::storage,
        ),
        (
            "microsoft.containerregistry/registries",
            Pass::Resource,
            Mapper::registry,
        ),
        (
            "microsoft.eventhub/namespaces",
            Pass::Resource,
            Mapper::namespace,
        ),
        (
            "microsoft.eventhub/namespaces/networkrulesets",
            Pass::Child,
            Mapper::network_rule_set,
        ),
        ("microsoft.keyvault/vaults", Pass::Resource, Mapper::vault),
        (
            "microsoft.network/privateendpoints",
            Pass::Resource,
            Mapper::private_endpoint,
        ),
        (
            "microsoft.network/privateendpoints/privatednszonegroups",
            Pass::Child,
            Mapper::dns_zone_group,
        ),
        (
            "microsoft.network/networksecuritygroups",
            Pass::Resource,
            Mapper::nsg,
        ),
        (
            "microsoft.network/networksecuritygroups/securityrules",
            Pass::Child,
            Mapper::security_rule_resource,
        ),
        (
            "microsoft.network/azurefirewalls",
            Pass::Resource,
            Mapper::firewall,
        ),
        (
            "microsoft.network/firewallpolicies/rulecollectiongroups",
            Pass::Resource,
            Mapper::rule_collection_group,
        ),
        (
            "microsoft.authorization/roleassignments",
            Pass::Resource,
            Mapper::role_assignment,
        ),
        (
            "microsoft.managedidentity/userassignedidentities",
            Pass::Resource,
            Mapper::user_identity,
        ),
        (
            "microsoft.eventgrid/systemtopics",
            Pass::Resource,
            Mapper::system_topic,
        ),
        (
            "microsoft.eventgrid/systemtopics/eventsubscriptions",
            Pass::Child,
            Mapper::event_subscription,
        ),
    ]
}

/// Every ARM type the mapping reads, lower case: the types a live collection must fetch.
pub(crate) fn types_read() -> Vec<&'static str> {
    mappers()
        .iter()
        .map(|(t, _, _)| *t)
        .chain(LINKED_ONLY.iter().copied())
        .collect()
}

/// Types read only for the links other resources make to them, not checked on their own.
const LINKED_ONLY: &[&str] = &[
    "microsoft.eventhub/namespaces/eventhubs",
    "microsoft.network/privatednszones",
];

/// Where resource JSON comes from, which decides what an absent setting means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provenance {
    /// A template (or Bicep) declares it: an absent setting is the platform default.
    Template,
    /// A live listing (an export, `az resource list`, Resource Graph rows): an absent
    /// setting, or a child the listing does not carry, is unknown.
    Listing,
}

pub(crate) fn map_resources(
    resources: &[ArmResource<'_>],
    file: &str,
    provenance: Provenance,
) -> (Estate, Vec<IngestError>) {
    let mut mapping = Mapping::new(file, provenance);
    if resources.len() >= RESERVE_FROM {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for r in resources {
            if let Some(ty) = str_at(r.value, &["type"]) {
                *counts.entry(ty).or_insert(0) += 1;
            }
        }
        mapping.reserve(counts);
    }
    // Children attach to their parents in a second pass, so the order of the list does
    // not matter.
    let mut children: Vec<(ChildMap<'_>, &ArmResource<'_>)> = Vec::new();
    for r in resources {
        if let Some(map) = mapping.add(r) {
            children.push((map, r));
        }
    }
    for (map, r) in children {
        mapping.add_child(map, r);
    }
    mapping.finish()
}

/// Inputs with fewer resources let the estate's collections grow as they are read:
/// counting each type first ([`Mapping::reserve`]) saves nothing there.
pub(crate) const RESERVE_FROM: usize = 4096;

/// Maps resources one at a time, so a reader can hand them over as it parses them and
/// free each one's JSON straight after. Children (rule sets, DNS zone groups, ...) attach
/// to parents that may come later in the input: [`Mapping::add`] hands back their mapper,
/// to be called with [`Mapping::add_child`] once every other resource is in.
pub(crate) struct Mapping<'f> {
    m: Mapper<'f>,
    mappers: [(&'static str, Pass, MapFn<'f>); 21],
}

/// The mapper of a child resource, deferred until its parents are mapped.
#[derive(Clone, Copy)]
pub(crate) struct ChildMap<'f>(MapFn<'f>);

impl<'f> Mapping<'f> {
    pub(crate) fn new(file: &'f str, provenance: Provenance) -> Self {
        Mapping {
            m: Mapper {
                file,
                estate: Estate::new(),
                index: ResourceIndex::default(),
                problems: Vec::new(),
                role_assignments: None,
                role_assignment_room: Vec::new(),
                provenance,
                namespaces_with_rules: HashSet::new(),
            },
            mappers: mappers(),
        }
    }

    /// Maps a resource, lists it as skipped when no rule reads its type, or (for a child)
    /// returns the mapper to call with [`Mapping::add_child`] after the other resources.
    pub(crate) fn add(&mut self, r: &ArmResource<'_>) -> Option<ChildMap<'f>> {
        let m = &mut self.m;
        let ty = str_at(r.value, &["type"])
            .unwrap_or("")
            .to_ascii_lowercase();
        match self.mappers.iter().find(|(t, _, _)| *t == ty) {
            Some((_, pass, map)) => {
                if let Err((at, message)) = super::shapes::check(r.value) {
                    m.report(r, Err(bad(&at, message)));
                } else if *pass == Pass::Child {
                    return Some(ChildMap(*map));
                } else {
                    let result = map(m, r);
                    m.report(r, result);
                }
            }
            None if LINKED_ONLY.contains(&ty.as_str()) => {}
            None => {
                let skipped = SkippedResource {
                    resource_type: str_at(r.value, &["type"])
                        .unwrap_or("(no type)")
                        .to_string(),
                    resource: str_at(r.value, &["id"])
                        .or(r.address.as_deref())
                        .or(str_at(r.value, &["name"]))
                        .unwrap_or("(unnamed)")
                        .to_string(),
                    reason: "resource type not modelled: no network-access rule reads it".into(),
                    source: Some(m.source(r)),
                };
                m.estate.skipped.push(skipped);
            }
        }
        None
    }

    /// Attaches a child [`Mapping::add`] deferred.
    pub(crate) fn add_child(&mut self, map: ChildMap<'f>, r: &ArmResource<'_>) {
        let result = (map.0)(&mut self.m, r);
        self.m.report(r, result);
    }

    /// Makes room, before anything is mapped, for the resources `counts` gives per type as
    /// spelt in the input; spellings of one type add up. Only a hint: a wrong count costs an
    /// allocation, nothing else.
    pub(crate) fn reserve<'t>(&mut self, counts: impl IntoIterator<Item = (&'t str, usize)>) {
        use ahds_model::Resource;
        // `reserve` on a vector that already has room would not add to it. Room the
        // allocator refuses (a hostile listing of bare role assignment types asks 520 bytes
        // an entry, 50 times its text) is left out: the collection then grows as it is
        // filled, instead of the process aborting here.
        fn more<T>(v: &mut Vec<T>, n: usize) {
            let _ = v.try_reserve_exact((v.capacity() - v.len()).saturating_add(n));
        }
        let m = &mut self.m;
        'counts: for (ty, n) in counts {
            if ty.eq_ignore_ascii_case(ahds_model::RoleAssignment::ARM_TYPE) {
                // Kept apart: an estate without role assignments has none rather than an
                // empty list (role checks are skipped, not failed).
                more(&mut m.role_assignment_room, n);
                continue;
            }
            macro_rules! reserve {
                ($f:ident, $t:ty) => {
                    if ty.eq_ignore_ascii_case(<$t as Resource>::ARM_TYPE) {
                        more(&mut m.estate.$f, n);
                        continue 'counts;
                    }
                };
            }
            ahds_model::for_each_collection!(reserve);
        }
    }

    /// The estate and the problems of single resources.
    pub(crate) fn finish(mut self) -> (Estate, Vec<IngestError>) {
        let m = &mut self.m;
        m.note_namespaces_without_rules();
        m.estate.role_assignments = m.role_assignments.take();
        (self.m.estate, self.m.problems)
    }
}

pub(super) struct Mapper<'f> {
    pub(super) file: &'f str,
    pub(super) estate: Estate,
    /// The estate's resources by id and address, for the children that attach to parents.
    pub(super) index: ResourceIndex,
    pub(super) problems: Vec<IngestError>,
    pub(super) role_assignments: Option<Vec<ahds_model::RoleAssignment>>,
    /// Room made for role assignments before the first is read ([`Mapping::reserve`]).
    pub(super) role_assignment_room: Vec<ahds_model::RoleAssignment>,
    pub(super) provenance: Provenance,
    /// Event Hubs namespaces (by slot) whose `networkRuleSets/default` child was read.
    pub(super) namespaces_with_rules: HashSet<usize>,
}

impl Mapper<'_> {
    fn source(&self, r: &ArmResource<'_>) -> Place {
        Place {
            column: None,
            file: r.file.to_string(),
            pointer: Some(r.pointer.clone()),
            address: r.address.clone(),
            line: r.line,
        }
    }

    /// A reference the resource is still useful without: a malformed one is unknown, with
    /// a note, rather than a reason to leave the whole resource out.
    fn lenient_reference(
        &mut self,
        r: &ArmResource<'_>,
        v: &Value,
        names: &[&str],
        what: &str,
    ) -> Option<Known<ResourceRef>> {
        match reference(v, names) {
            Ok(found) => found,
            Err(b) => {
                let resource = str_at(r.value, &["id"])
                    .or(r.address.as_deref())
                    .unwrap_or("resource");
                self.estate.notes.push(format!(
                    "{}: `{resource}` kept with {what} unknown ({}): {}",
                    r.file, b.at, b.message
                ));
                Some(Known::Unknown)
            }
        }
    }

    fn report(&mut self, r: &ArmResource<'_>, result: Mapped<()>) {
        if let Err(b) = result {
            if b.orphan {
                let skipped = SkippedResource {
                    resource_type: str_at(r.value, &["type"])
                        .unwrap_or("(no type)")
                        .to_string(),
                    resource: str_at(r.value, &["id"])
                        .or(r.address.as_deref())
                        .unwrap_or("(unnamed)")
                        .to_string(),
                    reason: b.message,
                    source: Some(self.source(r)),
                };
                self.estate.skipped.push(skipped);
                return;
            }
            let what = str_at(r.value, &["id"])
                .or(r.address.as_deref())
                .or(str_at(r.value, &["name"]))
                .unwrap_or("resource");
            self.problems.push(IngestError::new(
                r.file,
                Position {
                    line: r.line.map(|l| l as usize),
                    column: None,
                    pointer: Some(format!("{}{}", r.pointer, b.at)),
                },
                format!("`{what}` left out: {}", b.message),
            ));
        }
    }

    fn common(&self, r: &ArmResource<'_>) -> Mapped<Common> {
        let id = id_of(r.value)?;
        let tags = match prop(r.value, "tags") {
            Some(Value::Object(m)) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
            _ => BTreeMap::new(),
        };
        // A child's `name` in a listing is the last segment; in a template it may be the
        // full `parent/child` path. The id's last name segment is authoritative.
        let name = match (&id, known_str(r.value, &["name"])) {
            (Some(id), _) if id.name().is_some() => {
                Known::Value(id.name().unwrap_or_default().to_string())
            }
            (_, Some(Known::Value(n))) => {
                Known::Value(n.rsplit('/').next().unwrap_or(&n).to_string())
            }
            (_, other) => other.unwrap_or(Known::Unknown),
        };
        Ok(Common {
            address: if id.is_none() {
                r.address.clone()
            } else {
                None
            },
            id,
            name,
            location: known_str(r.value, &["location"]).unwrap_or(Known::Unknown),
            tags,
            source: self.source(r),
        })
    }
}

impl Common {
    /// A copy for resources that also need the id afterwards.
    fn clone_workspace(&self) -> Common {
        Common {
            id: self.id.clone(),
            address: self.address.clone(),
            name: self.name.clone(),
            location: self.location.clone(),
            tags: self.tags.clone(),
            source: self.source.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_made_for_every_spelling_of_a_type_and_role_assignments_stay_none() {
        let mut mapping = Mapping::new("l.json", Provenance::Listing);
        mapping.reserve([
            ("Microsoft.Storage/storageAccounts", 100),
            ("microsoft.storage/STORAGEACCOUNTS", 50),
            ("Microsoft.Authorization/roleAssignments", 30),
            ("Microsoft.Unmodelled/things", 1_000),
        ]);
        assert_eq!(mapping.m.estate.storage_accounts.capacity(), 150);
        assert_eq!(mapping.m.role_assignment_room.capacity(), 30);
        let (estate, problems) = mapping.finish();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(estate.role_assignments, None);
        assert_eq!(estate.storage_accounts.capacity(), 150);
    }

    #[test]
    fn a_count_no_allocator_can_meet_is_left_out() {
        let mut mapping = Mapping::new("l.json", Provenance::Listing);
        mapping.reserve([
            ("Microsoft.Authorization/roleAssignments", usize::MAX / 2),
            ("Microsoft.Storage/storageAccounts", usize::MAX / 2),
            ("Microsoft.Storage/storageAccounts", usize::MAX / 2),
            ("Microsoft.KeyVault/vaults", 10),
        ]);
        assert_eq!(mapping.m.role_assignment_room.capacity(), 0);
        assert_eq!(mapping.m.estate.storage_accounts.capacity(), 0);
        assert_eq!(mapping.m.estate.key_vaults.capacity(), 10);
    }
}
