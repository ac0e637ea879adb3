//! Derives what the rules need from an estate: outbound links with resolved targets,
//! identities and role grants, private-link state per workspace, and IP facts per target.
//!
//! Everything here is a keyed lookup or a single pass over a collection, so analysis is
//! linear in the size of the estate.

use std::collections::{BTreeSet, HashMap};

use ipnet::{IpNet, Ipv4Net};
use serde::Serialize;

use crate::egress::{EgressTable, normalize_location};
use crate::estate::Estate;
use crate::identity::ManagedIdentity;
use crate::index::{EstateIndex, host_of};
use crate::known::{Known, Tri, tri_and, tri_or};
use crate::links::{
    Feature, LinkFacts, LinkIdentity, OutboundLink, PrivilegedGrant, ReferenceKind, Resolution,
    RoleFacts, TargetReference, TargetType,
};
use crate::network::NetworkAcl;
use crate::private_link::ConnectionStatus;
use crate::rbac::{BuiltInRole, RoleAssignment, builtin_role, roles};
use crate::resource::{Meta, Resource};
use crate::resource_id::{ResourceId, ResourceRef};
use crate::services::CustomerManagedKey;
use crate::symbolic;

/// The shared carrier-grade NAT range the FHIR service uses towards storage in its own region.
pub const CGNAT_RANGE: Ipv4Net = Ipv4Net::new_assert(std::net::Ipv4Addr::new(100, 64, 0, 0), 10);

/// A private endpoint connection of a workspace, from either side.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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
pub struct ServiceFacts {
    /// The key of its workspace (whether or not the workspace is in the input).
    pub workspace: Option<String>,
    /// The outbound features the service uses, sorted.
    pub features: Vec<Feature>,
    /// Whether the service has a managed identity its features can use.
    pub has_identity: Tri,
}

/// IP firewall facts of an outbound target.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NetworkFacts {
    /// IP rules wider than /16 (IPv4) or /32 (IPv6), other than the documented
    /// `100.64.0.0/10` allowance; `null` when the rules are unknown.
    pub broad_ip_rules: Known<Vec<String>>,
    /// Whether an IP rule admits all of `100.64.0.0/10`.
    pub cgnat_allowed: Tri,
    /// Regions whose published FHIR egress address an IP rule admits.
    pub egress_regions: Known<Vec<String>>,
}

/// Everything derived from an estate.
#[derive(Debug, Clone, PartialEq, Default)]
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
pub fn analyze(estate: &Estate, egress: &EgressTable) -> Analysis {
    analyze_on_threads(estate, egress, 1)
}

/// [`analyze`] with the work split over two threads when `threads` is more than one: the
/// FHIR and DICOM links on one; the workspace and target facts, the MedTech and event
/// links on the other. The result is the same either way; on 10,000 workspaces the split
/// takes about a quarter off the analysis.
pub fn analyze_on_threads(estate: &Estate, egress: &EgressTable, threads: usize) -> Analysis {
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
        cx.target_facts(egress);
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

    fn workspace_facts(&mut self) {
        let estate = self.estate;
        let mut facts: HashMap<String, WorkspaceFacts> = estate
            .workspaces
            .iter()
            .map(|w| (w.meta().key(), WorkspaceFacts::default()))
            .collect();

        // Endpoints in the input, by the canonical key of the resource they connect to.
        let mut by_target: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (pi, pe) in estate.private_endpoints.iter().enumerate() {
            for (ci, c) in pe.connections.iter().enumerate() {
                if let Some(t) = c.target.value() {
                    by_target
                        .entry(self.idx.canonical(t))
                        .or_default()
                        .push((pi, ci));
                }
            }
        }
        let endpoint_slots: HashMap<String, usize> = estate
            .private_endpoints
            .iter()
            .enumerate()
            .flat_map(|(i, pe)| {
                let m = pe.meta();
                m.id.map(|id| id.key().to_string())
                    .into_iter()
                    .chain(m.address.map(str::to_string))
                    .map(move |k| (k, i))
            })
            .collect();

        for ws in &estate.workspaces {
            let key = ws.meta().key();
            let mut seen = BTreeSet::new();
            let mut connections = Vec::new();
            for c in &ws.private_endpoint_connections {
                let pe_key = c.private_endpoint.value().map(|r| self.idx.canonical(r));
                let slot = pe_key.as_ref().and_then(|k| endpoint_slots.get(k)).copied();
                if let Some(k) = &pe_key {
                    seen.insert(k.clone());
                }
                connections.push(ConnectionFact {
                    private_endpoint_resource_id: slot
                        .map(|s| estate.private_endpoints[s].meta().display_id())
                        .or_else(|| c.private_endpoint.value().map(|r| r.to_string())),
                    private_endpoint: pe_key,
                    endpoint_in_input: slot.is_some(),
                    status: c.status,
                    dns_zones: slot.map(|s| dns_zones(&estate.private_endpoints[s])),
                });
            }
            for &(pi, ci) in by_target.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                let pe = &estate.private_endpoints[pi];
                let pe_key = pe.meta().key();
                if !seen.insert(pe_key.clone()) {
                    continue; // the workspace's own record of the connection wins
                }
                connections.push(ConnectionFact {
                    private_endpoint: Some(pe_key),
                    private_endpoint_resource_id: Some(pe.meta().display_id()),
                    endpoint_in_input: true,
                    status: pe.connections[ci].status,
                    dns_zones: Some(dns_zones(pe)),
                });
            }
            if let Some(f) = facts.get_mut(&key) {
                f.connections = connections;
            }
        }

        macro_rules! services {
            ($field:ident) => {
                for s in &estate.$field {
                    let ws = self.workspace_key(&s.workspace);
                    let key = s.meta().key();
                    if let Some(f) = ws.as_ref().and_then(|w| facts.get_mut(w)) {
                        f.$field.push(key.clone());
                    }
                    let has_identity = self.identity_of(&s.identity, s.meta()).has_identity;
                    self.analysis.services.insert(
                        key,
                        ServiceFacts {
                            workspace: ws,
                            features: Vec::new(),
                            has_identity,
                        },
                    );
                }
            };
        }
        services!(fhir_services);
        services!(dicom_services);
        services!(medtech_services);
        self.analysis.workspaces = facts;
    }

    fn target_facts(&mut self, egress: &EgressTable) {
        let e = self.estate;
        let t = &mut self.analysis.targets;
        for r in &e.storage_accounts {
            t.insert(r.meta().key(), network_facts(&r.network, egress));
        }
        for r in &e.container_registries {
            t.insert(r.meta().key(), network_facts(&r.network, egress));
        }
        for r in &e.eventhub_namespaces {
            t.insert(r.meta().key(), network_facts(&r.network, egress));
        }
        for r in &e.key_vaults {
            t.insert(r.meta().key(), network_facts(&r.network, egress));
        }
    }

    fn service_end(
        &self,
        service_type: &'static str,
        meta: Meta<'a>,
        workspace: &Known<ResourceRef>,
        identity: &ManagedIdentity,
    ) -> ServiceEnd<'a> {
        ServiceEnd {
            service_type,
            meta,
            workspace: self.workspace_key(workspace),
            identity: self.identity_of(identity, meta),
        }
    }

    fn fhir_links(&mut self) {
        let estate = self.estate;
        for s in &estate.fhir_services {
            let end = self.service_end("fhir_services", s.meta(), &s.workspace, &s.identity);
            if let Some(export) = &s.export {
                let (status, target) = self.resolve_storage_by_name(&export.storage_account_name);
                self.push_link(
                    &end,
                    Feature::FhirExport,
                    reference(ReferenceKind::AccountName, &export.storage_account_name),
                    status,
                    target,
                    None,
                );
            }
            if let Some(import) = &s.import {
                // A disabled import configuration makes no connections.
                if import.enabled != Known::Value(false) {
                    let (status, target) =
                        self.resolve_storage_by_name(&import.storage_account_name);
                    self.push_link(
                        &end,
                        Feature::FhirImport,
                        reference(ReferenceKind::AccountName, &import.storage_account_name),
                        status,
                        target,
                        None,
                    );
                }
            }
            let mut seen = BTreeSet::new();
            for server in &s.acr_login_servers {
                if let Some(v) = server.value() {
                    if !seen.insert(host_of(v)) {
                        continue;
                    }
                }
                let (status, target) = match server.value() {
                    None => (Resolution::Unknown, None),
                    Some(v) => found(
                        EstateIndex::by_host(
                            &self.idx.registry_by_host,
                            &self.idx.registry_by_name,
                            v,
                        )
                        .map(Target::Registry),
                    ),
                };
                self.push_link(
                    &end,
                    Feature::FhirConvert,
                    reference(ReferenceKind::LoginServer, server),
                    status,
                    target,
                    None,
                );
            }
            if let Some(cmk) = &s.customer_managed_key {
                self.push_cmk(&end, Feature::FhirCmk, cmk);
            }
        }
    }

    fn dicom_links(&mut self) {
        let estate = self.estate;
        for s in &estate.dicom_services {
            let end = self.service_end("dicom_services", s.meta(), &s.workspace, &s.identity);
            if let Some(storage) = &s.storage {
                let (status, target) = match storage.storage_account.value() {
                    None => (Resolution::Unknown, None),
                    Some(r) => found(
                        self.idx
                            .storage_by_key
                            .get(&self.idx.canonical(r))
                            .or_else(|| self.idx.storage_by_key.get(r.key()))
                            .copied()
                            .map(Target::Storage),
                    ),
                };
                self.push_link(
                    &end,
                    Feature::DicomStorage,
                    reference(
                        ReferenceKind::ResourceId,
                        &storage.storage_account.as_ref().map(|r| r.to_string()),
                    ),
                    status,
                    target,
                    None,
                );
            }
            if let Some(cmk) = &s.customer_managed_key {
                self.push_cmk(&end, Feature::DicomCmk, cmk);
            }
        }
    }

    fn medtech_links(&mut self) {
        let estate = self.estate;
        for s in &estate.medtech_services {
            let end = self.service_end("medtech_services", s.meta(), &s.workspace, &s.identity);
            let Some(ingestion) = &s.ingestion else {
                continue;
            };
            let (status, target) = match ingestion.eventhub_namespace.value() {
                None => (Resolution::Unknown, None),
                Some(v) => found(
                    EstateIndex::by_host(
                        &self.idx.namespace_by_host,
                        &self.idx.namespace_by_name,
                        v,
                    )
                    .map(Target::Namespace),
                ),
            };
            let hub = ingestion.eventhub_name.value().map(String::as_str);
            self.push_link(
                &end,
                Feature::MedTechIngestion,
                reference(ReferenceKind::Hostname, &ingestion.eventhub_namespace),
                status,
                target,
                hub.map(|h| ChildScope::EventHub(h.to_string())),
            );
        }
    }

    fn event_links(&mut self) {
        let estate = self.estate;
        for es in &estate.event_subscriptions {
            let dest = &es.destination;
            match dest.endpoint_type.value() {
                Some(t) if t.eq_ignore_ascii_case("EventHub") => {}
                Some(_) => continue, // not an Event Hubs delivery: no trusted-service setting applies
                None => {}
            }
            let topic_slot = es
                .topic
                .value()
                .and_then(|t| self.idx.topics.get(&self.idx.canonical(t)))
                .copied();
            let topic = topic_slot.map(|i| &estate.system_topics[i]);
            // A subscription scoped to the workspace itself uses its implicit system topic.
            let source = match topic {
                Some(t) => t.source.value(),
                None => es.topic.value(),
            };
            let workspace_slot = source
                .and_then(|s| self.idx.workspaces.get(&self.idx.canonical(s)))
                .copied();
            let (service_type, meta) = match (workspace_slot, topic) {
                (Some(w), _) => ("workspaces", estate.workspaces[w].meta()),
                (None, Some(t)) => ("system_topics", t.meta()),
                (None, None) => ("event_subscriptions", es.meta()),
            };
            let delivery = match &es.delivery_identity {
                None => Some(false),
                Some(d) => d.kind.value().map(|_| true),
            };
            let identity = match (&es.delivery_identity, topic) {
                (Some(d), Some(t)) => {
                    let mut ident = self.identity_of(&t.identity, t.meta());
                    if let Some(uai) = &d.user_assigned_identity {
                        // Deliver with one named user-assigned identity of the topic.
                        ident.principals = self.user_identity_principals(uai);
                    }
                    ident
                }
                (Some(_), None) => LinkIdentity {
                    owner: es.meta().display_id(),
                    has_identity: None,
                    principals: Vec::new(),
                },
                (None, t) => LinkIdentity {
                    owner: t.map_or_else(|| es.meta().display_id(), |t| t.meta().display_id()),
                    has_identity: Some(false),
                    principals: Vec::new(),
                },
            };
            let end = ServiceEnd {
                service_type,
                meta,
                workspace: workspace_slot.map(|w| estate.workspaces[w].meta().key()),
                identity,
            };

            // The namespace: the parent of an event hub id, or the namespace the reader named.
            let (ns_ref, hub): (Known<ResourceRef>, Option<String>) =
                match dest.resource_id.as_ref().and_then(|r| r.value()) {
                    Some(ResourceRef::Id(id)) if id.parent().is_some() => (
                        Known::Value(ResourceRef::Id(id.parent().unwrap_or_else(|| id.clone()))),
                        id.name().map(str::to_string),
                    ),
                    Some(r) => match &dest.eventhub_namespace {
                        Some(ns) => (ns.clone(), None),
                        None => (Known::Value(r.clone()), None),
                    },
                    None => (
                        dest.eventhub_namespace.clone().unwrap_or(Known::Unknown),
                        None,
                    ),
                };
            let (status, target) = match ns_ref.value() {
                None => (Resolution::Unknown, None),
                Some(r) => found(
                    self.idx
                        .namespace_by_key
                        .get(&self.idx.canonical(r))
                        .copied()
                        .map(Target::Namespace),
                ),
            };
            let reference_value = dest
                .resource_id
                .clone()
                .unwrap_or(ns_ref.clone())
                .map(|r| r.to_string());
            let link = self.link(
                &end,
                Feature::WorkspaceEvents,
                reference(ReferenceKind::ResourceId, &reference_value),
                status,
                target,
                hub.map(ChildScope::EventHub),
            );
            let mut link = link;
            link.via = Some(es.meta().key());
            link.via_resource_id = Some(es.meta().display_id());
            link.facts.delivery_with_identity = delivery;
            self.analysis.links.push(link);
        }
    }

    fn push_cmk(&mut self, end: &ServiceEnd<'a>, feature: Feature, cmk: &CustomerManagedKey) {
        let (status, target) = match cmk.key_url.value() {
            None => (Resolution::Unknown, None),
            Some(url) => found(
                EstateIndex::by_host(&self.idx.vault_by_host, &self.idx.vault_by_name, url)
                    .map(Target::Vault),
            ),
        };
        self.push_link(
            end,
            feature,
            reference(ReferenceKind::KeyUrl, &cmk.key_url),
            status,
            target,
            None,
        );
    }

    fn resolve_storage_by_name(&self, name: &Known<String>) -> (Resolution, Option<Target>) {
        match name.value() {
            None => (Resolution::Unknown, None),
            Some(n) => found(
                self.idx
                    .storage_by_name
                    .get(&n.trim().to_ascii_lowercase())
                    .copied()
                    .map(Target::Storage),
            ),
        }
    }

    fn push_link(
        &mut self,
        end: &ServiceEnd<'a>,
        feature: Feature,
        reference: TargetReference,
        status: Resolution,
        target: Option<Target>,
        child: Option<ChildScope>,
    ) {
        let link = self.link(end, feature, reference, status, target, child);
        self.analysis.links.push(link);
    }

    fn target_meta(&self, t: Target) -> Meta<'a> {
        let e = self.estate;
        match t {
            Target::Storage(i) => e.storage_accounts[i].meta(),
            Target::Registry(i) => e.container_registries[i].meta(),
            Target::Namespace(i) => e.eventhub_namespaces[i].meta(),
            Target::Vault(i) => e.key_vaults[i].meta(),
        }
    }

    fn link(
        &self,
        end: &ServiceEnd<'a>,
        feature: Feature,
        reference: TargetReference,
        status: Resolution,
        target: Option<Target>,
        child: Option<ChildScope>,
    ) -> OutboundLink {
        // A name fixed only at deployment may still be one of the input's resources.
        let status = if status == Resolution::NotFound
            && self.may_be_in_input(feature.target_type(), &reference)
        {
            Resolution::Unknown
        } else {
            status
        };
        let target_meta = target.map(|t| self.target_meta(t));
        let service_region = end.meta.location.as_ref().map(|l| normalize_location(l));
        let mut facts = LinkFacts {
            service_region: service_region.clone(),
            same_region: None,
            same_subscription: None,
            instance_rule: None,
            delivery_with_identity: None,
            role: RoleFacts {
                required_role: feature.required_role().name,
                required_role_id: feature.required_role().guid,
                model: "rbac",
                checked: self.estate.role_assignments.is_some(),
                held: None,
            },
            privileged_roles: Vec::new(),
        };
        if let (Some(t), Some(tm)) = (target, target_meta) {
            facts.same_region = match (service_region.value(), tm.location.value()) {
                (Some(a), Some(b)) => symbolic::same(a, &normalize_location(b)),
                _ => None,
            };
            facts.same_subscription = match (end.meta.subscription(), tm.subscription()) {
                (Some(a), Some(b)) => symbolic::same(a, b),
                _ => None,
            };
            if let (Target::Storage(i), Feature::FhirExport | Feature::FhirImport) = (t, feature) {
                facts.instance_rule = self.instance_rule(i, end);
            }
            let scope = self.scope_of(tm, child.as_ref());
            let required = feature.required_role();
            let rbac = self
                .grants
                .holds(&end.identity.principals, &scope, required);
            facts.role.held = rbac;
            if let Target::Vault(i) = t {
                let kv = &self.estate.key_vaults[i];
                let policies = self.access_policies_grant(i, &end.identity.principals);
                match kv.enable_rbac_authorization {
                    Known::Value(true) => {}
                    Known::Value(false) => {
                        facts.role.model = "access_policy";
                        facts.role.checked = true;
                        facts.role.held = policies;
                    }
                    Known::Unknown => {
                        facts.role.model = "unknown";
                        facts.role.checked = true;
                        facts.role.held = if rbac == policies { rbac } else { None };
                    }
                }
            }
            facts.privileged_roles = self.grants.privileged(&end.identity.principals, &scope);
        }
        OutboundLink {
            service_type: end.service_type,
            service_id: end.meta.key(),
            service_resource_id: end.meta.display_id(),
            service_name: end.meta.name.clone(),
            workspace_id: end.workspace.clone(),
            feature,
            target_type: feature.target_type(),
            reference,
            status,
            target_id: target_meta.map(|m| m.key()),
            target_resource_id: target_meta.map(|m| m.display_id()),
            via: None,
            via_resource_id: None,
            identity: end.identity.clone(),
            facts,
        }
    }

    /// Whether a reference that matched nothing exactly could still name a target of the
    /// input once symbolic names are fixed at deployment.
    fn may_be_in_input(&self, kind: TargetType, reference: &TargetReference) -> bool {
        let Some(value) = reference.value.value() else {
            return false;
        };
        if !symbolic::is_symbolic(value) && !self.idx.symbolic_targets.contains(&kind) {
            return false;
        }
        let e = self.estate;
        let undecided = |a: &str, b: &str| symbolic::same(a, b).is_none();
        // An event hub id names its namespace as its parent.
        let parent = ResourceId::parse(value).ok().and_then(|v| v.parent());
        let host = host_of(value);
        let could_be = |m: Meta<'_>| match reference.by {
            ReferenceKind::ResourceId => m.id.is_some_and(|id| {
                undecided(id.as_str(), value)
                    || parent
                        .as_ref()
                        .is_some_and(|p| undecided(id.as_str(), p.as_str()))
            }),
            ReferenceKind::AccountName => m.name.value().is_some_and(|n| undecided(n, value)),
            ReferenceKind::LoginServer | ReferenceKind::KeyUrl | ReferenceKind::Hostname => m
                .name
                .value()
                .is_some_and(|n| undecided(n, crate::index::name_part(&host))),
        };
        match kind {
            TargetType::StorageAccount => e.storage_accounts.iter().any(|r| could_be(r.meta())),
            TargetType::ContainerRegistry => {
                e.container_registries.iter().any(|r| could_be(r.meta()))
            }
            TargetType::EventHubNamespace => {
                e.eventhub_namespaces.iter().any(|r| could_be(r.meta()))
            }
            TargetType::KeyVault => e.key_vaults.iter().any(|r| could_be(r.meta())),
        }
    }

    /// The scope role assignments must cover: the target, or a child of it (an event hub).
    fn scope_of(&self, target: Meta<'_>, child: Option<&ChildScope>) -> Scope {
        let key = target.key();
        let mut keys = vec![key.clone()];
        let mut id = target.id.cloned();
        if let Some(ChildScope::EventHub(hub)) = child {
            let child_key = format!("{key}/eventhubs/{}", hub.to_ascii_lowercase());
            keys.push(child_key);
            id = id
                .and_then(|ns| ResourceId::parse(&format!("{}/eventhubs/{hub}", ns.as_str())).ok());
        }
        Scope { keys, id }
    }

    fn instance_rule(&self, storage: usize, end: &ServiceEnd<'_>) -> Tri {
        let sa = &self.estate.storage_accounts[storage];
        let rules = sa.network.resource_access_rules.value()?;
        let mut admitted_keys = vec![end.meta.key()];
        if let Some(ws) = &end.workspace {
            admitted_keys.push(ws.clone());
        }
        let mut result = Some(false);
        for rule in rules {
            match rule.resource_id.value() {
                None => result = tri_or(result, None),
                Some(_) => {
                    if admitted_keys.iter().any(|k| rule.admits(k)) {
                        return Some(true);
                    }
                }
            }
        }
        result
    }

    fn access_policies_grant(&self, vault: usize, principals: &[String]) -> Tri {
        let kv = &self.estate.key_vaults[vault];
        let mut result = Some(false);
        for p in &kv.access_policies {
            let mut keys = Vec::new();
            if let Some(o) = p.object_id.value() {
                keys.push(o.to_ascii_lowercase());
            }
            if let Some(r) = &p.object_of {
                keys.push(format!("identity:{}", self.idx.canonical(r)));
            }
            let principal = if keys.is_empty() {
                None
            } else {
                Some(keys.iter().any(|k| principals.contains(k)))
            };
            let perms = p.key_permissions.value().map(|perms| {
                ["get", "wrapkey", "unwrapkey"]
                    .iter()
                    .all(|need| perms.iter().any(|have| have.eq_ignore_ascii_case(need)))
            });
            result = tri_or(result, tri_and(principal, perms));
        }
        result
    }

    /// The principals of a managed identity: known object ids, plus a symbolic
    /// `identity:<key>` for each identity so references to an identity that does not exist
    /// yet (a plan) still match.
    fn identity_of(&self, identity: &ManagedIdentity, owner: Meta<'_>) -> LinkIdentity {
        let owner_key = owner.key();
        let mut principals = Vec::new();
        let kind = identity.kind.value().copied();
        if kind.is_none_or(|k| k.has_system()) {
            if let Some(p) = identity.principal_id.value() {
                principals.push(p.to_ascii_lowercase());
            }
            if kind.is_some() {
                principals.push(format!("identity:{owner_key}"));
            }
        }
        if kind.is_none_or(|k| k.has_user()) {
            for uai in &identity.user_assigned {
                if let Some(p) = uai.principal_id.value() {
                    principals.push(p.to_ascii_lowercase());
                }
                principals.extend(self.user_identity_principals(&uai.id));
            }
        }
        principals.sort();
        principals.dedup();
        let has_identity =
            kind.map(|k| k.has_system() || (k.has_user() && !identity.user_assigned.is_empty()));
        LinkIdentity {
            owner: owner.display_id(),
            has_identity,
            principals,
        }
    }

    fn user_identity_principals(&self, r: &ResourceRef) -> Vec<String> {
        let key = self.idx.canonical(r);
        let mut out = vec![format!("identity:{key}")];
        if let Some(&i) = self.idx.user_identities.get(&key) {
            if let Some(p) = self.estate.user_assigned_identities[i].principal_id.value() {
                out.push(p.to_ascii_lowercase());
            }
        }
        out
    }
}

enum ChildScope {
    EventHub(String),
}

/// The scope a role must cover: canonical keys of the target (and a child scope), and its
/// ARM id when known.
struct Scope {
    keys: Vec<String>,
    id: Option<ResourceId>,
}

impl Scope {
    /// Every key a role assignment scope containing this one could have: the keys and each
    /// segment-boundary prefix of the id (resource group, subscription, parent resources).
    fn candidate_keys(&self) -> Vec<String> {
        let mut out = self.keys.clone();
        if let Some(id) = &self.id {
            let k = id.key();
            for (i, _) in k.match_indices('/').skip(1) {
                out.push(k[..i].to_string());
            }
            out.push(k.to_string());
        }
        out.sort();
        out.dedup();
        out
    }
}

fn found(t: Option<Target>) -> (Resolution, Option<Target>) {
    match t {
        Some(t) => (Resolution::Resolved, Some(t)),
        None => (Resolution::NotFound, None),
    }
}

fn reference(by: ReferenceKind, value: &Known<String>) -> TargetReference {
    TargetReference {
        by,
        value: value.clone(),
        symbols: value.value().map_or_else(Vec::new, |v| {
            symbolic::symbols(v)
                .into_iter()
                .map(str::to_string)
                .collect()
        }),
    }
}

fn dns_zones(pe: &crate::private_link::PrivateEndpoint) -> Known<Vec<Known<String>>> {
    pe.dns_zone_groups.as_ref().map(|groups| {
        groups
            .iter()
            .flat_map(|g| g.zones.iter().map(|z| z.zone_name.clone()))
            .collect()
    })
}

fn network_facts(acl: &NetworkAcl, egress: &EgressTable) -> NetworkFacts {
    let Some(rules) = acl.ip_rules.value() else {
        return NetworkFacts {
            broad_ip_rules: Known::Unknown,
            cgnat_allowed: None,
            egress_regions: Known::Unknown,
        };
    };
    let cgnat = IpNet::V4(CGNAT_RANGE);
    let broad = rules
        .iter()
        .filter(|r| {
            let net = r.net();
            net != cgnat
                && match net {
                    IpNet::V4(n) => n.prefix_len() < 16,
                    IpNet::V6(n) => n.prefix_len() < 32,
                }
        })
        .map(|r| r.to_string())
        .collect();
    let egress_regions = egress
        .iter()
        .filter(|(_, addr)| rules.iter().any(|r| r.contains_addr(addr)))
        .map(|(region, _)| region.to_string())
        .collect();
    NetworkFacts {
        broad_ip_rules: Known::Value(broad),
        cgnat_allowed: Some(rules.iter().any(|r| r.contains_net(&cgnat))),
        egress_regions: Known::Value(egress_regions),
    }
}

/// Role assignments indexed by principal, so each link looks up only its identity's grants.
struct Grants<'a> {
    idx: &'a EstateIndex,
    by_principal: foldhash::HashMap<String, Vec<&'a RoleAssignment>>,
    /// Assignments whose principal is unknown, by the canonical key of their scope.
    unattributed_by_scope: foldhash::HashMap<String, Vec<&'a RoleAssignment>>,
    /// Assignments whose principal and scope are both unknown, or whose scope is not a
    /// resource we can place.
    unattributed_anywhere: Vec<&'a RoleAssignment>,
}

impl<'a> Grants<'a> {
    fn build(estate: &'a Estate, idx: &'a EstateIndex) -> Self {
        let mut g = Grants {
            idx,
            by_principal: foldhash::HashMap::default(),
            unattributed_by_scope: foldhash::HashMap::default(),
            unattributed_anywhere: Vec::new(),
        };
        for ra in estate.role_assignments.iter().flatten() {
            let mut keys = Vec::new();
            // A principal fixed only at deployment (a parameter) might be anyone's.
            if let Some(p) = ra
                .principal_id
                .value()
                .filter(|p| !symbolic::is_symbolic(p))
            {
                keys.push(p.to_ascii_lowercase());
            }
            if let Some(r) = &ra.principal_of {
                keys.push(format!("identity:{}", idx.canonical(r)));
            }
            if keys.is_empty() {
                match ra.scope.value() {
                    Some(s) => g
                        .unattributed_by_scope
                        .entry(idx.canonical(s))
                        .or_default()
                        .push(ra),
                    None => g.unattributed_anywhere.push(ra),
                }
                continue;
            }
            for k in keys {
                g.by_principal.entry(k).or_default().push(ra);
            }
        }
        g
    }

    /// Whether the scope of `ra` covers `scope`.
    fn covers(&self, ra: &RoleAssignment, scope: &Scope) -> Tri {
        match ra.scope.value()? {
            ResourceRef::Id(s) => match &scope.id {
                Some(t) => Some(s.contains(t) || scope.keys.iter().any(|k| k == s.key())),
                // A new target has no id yet: an existing resource's id cannot be it, but a
                // resource group or subscription might contain it.
                None if s.is_resource() => Some(false),
                None => None,
            },
            ResourceRef::Address(a) => {
                let key = self.idx.canonical_key(a);
                if scope.keys.contains(&key) {
                    Some(true)
                } else if self.idx.contains(a) {
                    Some(false)
                } else {
                    None // an address of something the input does not model (a resource group)
                }
            }
        }
    }

    fn role_matches(ra: &RoleAssignment, role: BuiltInRole) -> Tri {
        let id = ra.role_definition_id.as_ref();
        let name = ra.role_definition_name.as_ref();
        let id_v = id.and_then(|k| k.value()).map(String::as_str);
        let name_v = name.and_then(|k| k.value()).map(String::as_str);
        if let Some(r) = builtin_role(id_v, name_v) {
            return Some(r == role);
        }
        let unknown = id.is_some_and(Known::is_unknown)
            || name.is_some_and(Known::is_unknown)
            || id_v.is_some_and(symbolic::is_symbolic)
            || name_v.is_some_and(symbolic::is_symbolic);
        if unknown { None } else { Some(false) }
    }

    fn assignments_for(&self, principals: &[String]) -> Vec<&'a RoleAssignment> {
        let mut out: Vec<&RoleAssignment> = principals
            .iter()
            .filter_map(|p| self.by_principal.get(p))
            .flatten()
            .copied()
            .collect();
        out.sort_by_key(|ra| *ra as *const RoleAssignment);
        out.dedup_by_key(|ra| *ra as *const RoleAssignment);
        out
    }

    fn holds(&self, principals: &[String], scope: &Scope, role: BuiltInRole) -> Tri {
        let mut result = Some(false);
        for ra in self.assignments_for(principals) {
            result = tri_or(
                result,
                tri_and(self.covers(ra, scope), Self::role_matches(ra, role)),
            );
            if result == Some(true) {
                return result;
            }
        }
        // Assignments to a principal not known yet might be this identity's.
        let candidates = scope.candidate_keys();
        let unattributed = candidates
            .iter()
            .filter_map(|k| self.unattributed_by_scope.get(k))
            .flatten()
            .chain(self.unattributed_anywhere.iter());
        for ra in unattributed {
            if tri_and(self.covers(ra, scope), Self::role_matches(ra, role)) != Some(false) {
                return tri_or(result, None);
            }
        }
        result
    }

    fn privileged(&self, principals: &[String], scope: &Scope) -> Vec<PrivilegedGrant> {
        let mut out = Vec::new();
        for ra in self.assignments_for(principals) {
            for role in [
                roles::OWNER,
                roles::CONTRIBUTOR,
                roles::USER_ACCESS_ADMINISTRATOR,
            ] {
                if Self::role_matches(ra, role) == Some(true)
                    && self.covers(ra, scope) == Some(true)
                {
                    out.push(PrivilegedGrant {
                        role: role.name,
                        scope: ra.scope.value().map(|s| s.to_string()).unwrap_or_default(),
                        assignment: ra.meta().display_id(),
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.assignment, a.role).cmp(&(&b.assignment, b.role)));
        out
    }
}

impl TargetType {
    /// The name of the collection in the policy input.
    pub fn collection(self) -> &'static str {
        match self {
            TargetType::StorageAccount => "storage_accounts",
            TargetType::ContainerRegistry => "container_registries",
            TargetType::EventHubNamespace => "eventhub_namespaces",
            TargetType::KeyVault => "key_vaults",
        }
    }
}
