//! Derives what the rules need from an estate: outbound links with resolved targets,
//! identities and role grants, private-link state per workspace, and IP facts per target.
//!
//! Everything here is a keyed lookup or a single pass over a collection, so analysis is
//! linear in the size of the estate.

// One file per kind of fact; the files share this module's imports and types through
// `use super::*` and add methods to its `Context`.
mod network;
mod outbound;
mod rbac;
mod resolve;
mod workspaces;

use std::collections::{BTreeSet, HashMap};

use ipnet::IpNet;
use serde::Serialize;

use crate::estate::Estate;
use crate::identity::ManagedIdentity;
use crate::index::{EstateIndex, host_of};
use crate::known::Known;
use crate::links::{
    Feature, LinkFacts, LinkIdentity, OutboundLink, PrivilegedGrant, ReferenceKind, Resolution,
    RoleFacts, TargetReference, TargetType,
};
use crate::location::normalize_location;
use crate::network::NetworkAcl;
use crate::private_link::ConnectionStatus;
use crate::rbac::{BuiltInRole, RoleAssignment, builtin_role, roles};
use crate::resource::{Meta, Resource};
use crate::resource_id::{ResourceId, ResourceRef};
use crate::services::CustomerManagedKey;
use crate::symbolic;

use rbac::{ChildScope, Grants};
use resolve::{found, reference};

/// A private endpoint connection of a workspace, from either side.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ConnectionFact {
    /// The private endpoint's key, when known.
    pub private_endpoint: Option<String>,
    /// The private endpoint as reports name it.
    pub private_endpoint_resource_id: Option<String>,
    /// Whether the private endpoint resource is in the input.
    pub endpoint_in_input: bool,
    /// The connection state; `null` when unknown.
    pub status: Known<ConnectionStatus>,
    /// DNS zones linked by the endpoint's zone groups (only when the endpoint is in the
    /// input); `null` when unknown, and a `null` entry for a zone whose name is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_zones: Option<Known<Vec<Known<String>>>>,
}

/// Derived facts about a workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Default, schemars::JsonSchema)]
#[non_exhaustive]
pub struct WorkspaceFacts {
    /// Private endpoint connections, from the workspace and from endpoints targeting it.
    pub connections: Vec<ConnectionFact>,
    /// Keys of the workspace's FHIR services.
    pub fhir_services: Vec<String>,
    /// Keys of the workspace's DICOM services.
    pub dicom_services: Vec<String>,
    /// Keys of the workspace's MedTech services.
    pub medtech_services: Vec<String>,
}

/// Derived facts about a FHIR, DICOM or MedTech service.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ServiceFacts {
    /// The key of its workspace (whether or not the workspace is in the input).
    pub workspace: Option<String>,
    /// The outbound features the service uses, sorted.
    pub features: Vec<Feature>,
    /// Whether the service has a managed identity its features can use.
    pub has_identity: Known<bool>,
}

/// IP firewall facts of an outbound target. Facts only: which ranges count as broad and
/// which admit the AHDS allowances is decided by the policies.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct NetworkFacts {
    /// Each IP rule as a range, in rule order; `null` when the rules are unknown.
    pub ip_ranges: Known<Vec<IpRange>>,
}

/// One IP rule as the address range it admits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct IpRange {
    /// The rule as written (`20.61.98.66`, `100.64.1.2/10`).
    pub rule: String,
    /// The range in canonical CIDR form, host bits cleared (`20.61.98.66/32`,
    /// `100.64.0.0/10`), as `net.cidr_contains` takes it.
    pub cidr: String,
    /// The address family.
    pub family: IpFamily,
    /// The prefix length: smaller is broader.
    pub prefix_len: u8,
}

/// An IP address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IpFamily {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

/// Everything derived from an estate.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Analysis {
    /// Outbound links, in service order.
    pub links: Vec<OutboundLink>,
    /// Facts per workspace key.
    pub workspaces: HashMap<String, WorkspaceFacts>,
    /// Facts per service key (FHIR, DICOM, MedTech).
    pub services: HashMap<String, ServiceFacts>,
    /// IP facts per target key (storage, registries, namespaces, vaults).
    pub targets: HashMap<String, NetworkFacts>,
}

/// Derives links and facts from an estate.
pub fn analyze(estate: &Estate) -> Analysis {
    analyze_on_threads(estate, 1)
}

/// [`analyze`] with the work split over two threads when `threads` is more than one: the
/// FHIR and DICOM links on one; the workspace and target facts, the MedTech and event
/// links on the other. The result is the same either way; on 10,000 workspaces the split
/// takes about a quarter off the analysis.
#[doc(hidden)]
pub fn analyze_on_threads(estate: &Estate, threads: usize) -> Analysis {
    let idx = EstateIndex::build(estate);
    let grants = Grants::build(estate, &idx);
    let context = || Context {
        estate,
        idx: &idx,
        grants: &grants,
        analysis: Analysis::default(),
    };
    let first = || {
        let mut cx = context();
        cx.fhir_links();
        cx.dicom_links();
        cx.analysis
    };
    let second = || {
        let mut cx = context();
        cx.workspace_facts();
        cx.target_facts();
        cx.medtech_links();
        cx.event_links();
        cx.analysis
    };
    let (mut analysis, rest) = if threads > 1 {
        std::thread::scope(|scope| {
            let spawned = std::thread::Builder::new()
                .name("ahds-analysis".into())
                .spawn_scoped(scope, second);
            let analysis = first();
            let rest = match spawned {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread to be had: do its half here.
                Err(_) => second(),
            };
            (analysis, rest)
        })
    } else {
        (first(), second())
    };
    // Links stay in service order: FHIR, DICOM, MedTech, events.
    analysis.links.extend(rest.links);
    analysis.workspaces = rest.workspaces;
    analysis.services = rest.services;
    analysis.targets = rest.targets;
    for link in &analysis.links {
        if let Some(f) = analysis.services.get_mut(&link.service_id) {
            if !f.features.contains(&link.feature) {
                f.features.push(link.feature);
            }
        }
    }
    for f in analysis.services.values_mut() {
        f.features.sort();
    }
    analysis
}

struct Context<'a> {
    estate: &'a Estate,
    idx: &'a EstateIndex,
    grants: &'a Grants<'a>,
    analysis: Analysis,
}

/// A resolved target: which collection and slot.
#[derive(Clone, Copy)]
enum Target {
    Storage(usize),
    Registry(usize),
    Namespace(usize),
    Vault(usize),
}

/// The service end of a link.
struct ServiceEnd<'a> {
    service_type: &'static str,
    meta: Meta<'a>,
    workspace: Option<String>,
    identity: LinkIdentity,
}

impl<'a> Context<'a> {
    fn workspace_key(&self, r: &Known<ResourceRef>) -> Option<String> {
        r.value().map(|r| self.idx.canonical(r))
    }
}
