//! Every reference an estate holds from one resource to another, reachable in one walk, so
//! a reader can rename a resource (a stand-in id it gave a resource created in the same run
//! becomes that resource's address) without a field left pointing at the old name.

use crate::estate::Estate;
use crate::identity::ManagedIdentity;
use crate::known::Known;
use crate::network::NetworkAcl;
use crate::resource_id::ResourceRef;

fn known(r: &mut Known<ResourceRef>, f: &mut dyn FnMut(&mut ResourceRef)) {
    if let Known::Value(r) = r {
        f(r);
    }
}

fn identity(i: &mut ManagedIdentity, f: &mut dyn FnMut(&mut ResourceRef)) {
    for u in &mut i.user_assigned {
        f(&mut u.id);
    }
}

fn network(n: &mut NetworkAcl, f: &mut dyn FnMut(&mut ResourceRef)) {
    if let Known::Value(rules) = &mut n.virtual_network_rules {
        rules.iter_mut().for_each(&mut *f);
    }
}

impl Estate {
    /// Calls `f` on every reference between resources the estate holds: a service's
    /// workspace, a role assignment's scope, a private endpoint's target, an identity's
    /// user-assigned identities, a DICOM service's storage account, and the rest.
    #[doc(hidden)]
    pub fn for_each_reference_mut(&mut self, f: &mut dyn FnMut(&mut ResourceRef)) {
        for s in &mut self.fhir_services {
            known(&mut s.workspace, f);
            identity(&mut s.identity, f);
        }
        for s in &mut self.dicom_services {
            known(&mut s.workspace, f);
            identity(&mut s.identity, f);
            if let Some(st) = &mut s.storage {
                known(&mut st.storage_account, f);
            }
        }
        for s in &mut self.medtech_services {
            known(&mut s.workspace, f);
            identity(&mut s.identity, f);
            for d in &mut s.fhir_destinations {
                known(d, f);
            }
        }
        for w in &mut self.workspaces {
            for c in &mut w.private_endpoint_connections {
                known(&mut c.private_endpoint, f);
            }
        }
        for s in &mut self.storage_accounts {
            network(&mut s.network, f);
        }
        for s in &mut self.container_registries {
            network(&mut s.network, f);
        }
        for s in &mut self.eventhub_namespaces {
            network(&mut s.network, f);
        }
        for k in &mut self.key_vaults {
            network(&mut k.network, f);
            for p in &mut k.access_policies {
                if let Some(r) = &mut p.object_of {
                    f(r);
                }
            }
        }
        for p in &mut self.private_endpoints {
            if let Some(s) = &mut p.subnet {
                known(s, f);
            }
            for c in &mut p.connections {
                known(&mut c.target, f);
            }
            if let Known::Value(groups) = &mut p.dns_zone_groups {
                for z in groups.iter_mut().flat_map(|g| g.zones.iter_mut()) {
                    if let Some(r) = &mut z.zone_id {
                        f(r);
                    }
                }
            }
        }
        for t in &mut self.system_topics {
            known(&mut t.source, f);
            identity(&mut t.identity, f);
        }
        for e in &mut self.event_subscriptions {
            known(&mut e.topic, f);
            if let Some(d) = &mut e.delivery_identity {
                if let Some(r) = &mut d.user_assigned_identity {
                    f(r);
                }
            }
            if let Some(r) = &mut e.destination.resource_id {
                known(r, f);
            }
            if let Some(r) = &mut e.destination.eventhub_namespace {
                known(r, f);
            }
        }
        for r in self.role_assignments.iter_mut().flatten() {
            known(&mut r.scope, f);
            if let Some(p) = &mut r.principal_of {
                f(p);
            }
        }
    }
}
