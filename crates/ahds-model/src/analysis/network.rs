//! IP facts per outbound target: broad ranges, the CGNAT allowance, egress addresses.

use super::*;

/// The shared carrier-grade NAT range the FHIR service uses towards storage in its own region.
pub const CGNAT_RANGE: Ipv4Net = Ipv4Net::new_assert(std::net::Ipv4Addr::new(100, 64, 0, 0), 10);

impl<'a> Context<'a> {
    pub(super) fn target_facts(&mut self, egress: &EgressTable) {
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
}

pub(super) fn network_facts(acl: &NetworkAcl, egress: &EgressTable) -> NetworkFacts {
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
