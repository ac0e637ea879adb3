//! Private-link facts per workspace: its connections, from either side, and DNS zones.

use super::*;

impl<'a> Context<'a> {
    pub(super) fn workspace_facts(&mut self) {
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
}

pub(super) fn dns_zones(pe: &crate::private_link::PrivateEndpoint) -> Known<Vec<Known<String>>> {
    pe.dns_zone_groups.as_ref().map(|groups| {
        groups
            .iter()
            .flat_map(|g| g.zones.iter().map(|z| z.zone_name.clone()))
            .collect()
    })
}
