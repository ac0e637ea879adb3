//! The outbound links of each service: FHIR, DICOM, MedTech, events and customer-managed keys.

use super::*;

impl<'a> Context<'a> {
    pub(super) fn service_end(
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

    pub(super) fn fhir_links(&mut self) {
        let estate = self.estate;
        for s in &estate.fhir_services {
            let end = self.service_end("fhir_services", s.meta(), &s.workspace, &s.identity);
            if let Some(export) = &s.export {
                let (status, target) = self.resolve_storage_by_name(&export.storage_account_name);
                self.analysis.links.push(self.link(
                    &end,
                    Feature::FhirExport,
                    reference(ReferenceKind::AccountName, &export.storage_account_name),
                    status,
                    target,
                    None,
                ));
            }
            if let Some(import) = &s.import {
                // A disabled import configuration makes no connections.
                if import.enabled != Known::Value(false) {
                    let (status, target) =
                        self.resolve_storage_by_name(&import.storage_account_name);
                    self.analysis.links.push(self.link(
                        &end,
                        Feature::FhirImport,
                        reference(ReferenceKind::AccountName, &import.storage_account_name),
                        status,
                        target,
                        None,
                    ));
                }
            }
            self.registry_links(&end, Feature::FhirConvert, &s.acr_login_servers);
            self.registry_links(
                &end,
                Feature::FhirOciArtifacts,
                &s.oci_artifact_login_servers,
            );
            if let Some(cmk) = &s.customer_managed_key {
                self.push_cmk(&end, Feature::FhirCmk, cmk);
            }
        }
    }

    /// One link per registry a FHIR feature names (each login server once).
    fn registry_links(
        &mut self,
        end: &ServiceEnd<'a>,
        feature: Feature,
        servers: &[Known<String>],
    ) {
        let mut seen = BTreeSet::new();
        for server in servers {
            if let Some(v) = server.value() {
                if !seen.insert(host_of(v)) {
                    continue;
                }
            }
            let (status, target) = match server.value() {
                None => (Resolution::Unknown, None),
                Some(v) => found(
                    EstateIndex::by_host(&self.idx.registry_by_host, &self.idx.registry_by_name, v)
                        .map(Target::Registry),
                ),
            };
            self.analysis.links.push(self.link(
                end,
                feature,
                reference(ReferenceKind::LoginServer, server),
                status,
                target,
                None,
            ));
        }
    }

    pub(super) fn dicom_links(&mut self) {
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
                self.analysis.links.push(self.link(
                    &end,
                    Feature::DicomStorage,
                    reference(
                        ReferenceKind::ResourceId,
                        &storage.storage_account.as_ref().map(|r| r.to_string()),
                    ),
                    status,
                    target,
                    None,
                ));
            }
            if let Some(cmk) = &s.customer_managed_key {
                self.push_cmk(&end, Feature::DicomCmk, cmk);
            }
        }
    }

    pub(super) fn medtech_links(&mut self) {
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
            self.analysis.links.push(self.link(
                &end,
                Feature::MedTechIngestion,
                reference(ReferenceKind::Hostname, &ingestion.eventhub_namespace),
                status,
                target,
                hub.map(|h| ChildScope::EventHub(h.to_string())),
            ));
        }
    }

    pub(super) fn event_links(&mut self) {
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
                    has_identity: Known::Unknown,
                    principals: Vec::new(),
                },
                (None, t) => LinkIdentity {
                    owner: t.map_or_else(|| es.meta().display_id(), |t| t.meta().display_id()),
                    has_identity: Known::Value(false),
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
                .unwrap_or_else(|| ns_ref.clone())
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
            link.facts.delivery_with_identity = delivery.into();
            self.analysis.links.push(link);
        }
    }

    pub(super) fn push_cmk(
        &mut self,
        end: &ServiceEnd<'a>,
        feature: Feature,
        cmk: &CustomerManagedKey,
    ) {
        let (status, target) = match cmk.key_url.value() {
            None => (Resolution::Unknown, None),
            Some(url) => found(
                EstateIndex::by_host(&self.idx.vault_by_host, &self.idx.vault_by_name, url)
                    .map(Target::Vault),
            ),
        };
        self.analysis.links.push(self.link(
            end,
            feature,
            reference(ReferenceKind::KeyUrl, &cmk.key_url),
            status,
            target,
            None,
        ));
    }

    pub(super) fn resolve_storage_by_name(
        &self,
        name: &Known<String>,
    ) -> (Resolution, Option<Target>) {
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
}
