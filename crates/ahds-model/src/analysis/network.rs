//! IP facts per outbound target: each IP rule as a canonical range with its family and
//! prefix length. What counts as broad, the CGNAT allowance and the egress addresses are
//! policy, decided in Rego (`policies/lib/ahds.rego`) from these facts.

use super::*;

impl<'a> Context<'a> {
    pub(super) fn target_facts(&mut self) {
        let e = self.estate;
        let t = &mut self.analysis.targets;
        for r in &e.storage_accounts {
            t.insert(r.meta().key(), network_facts(&r.network));
        }
        for r in &e.container_registries {
            t.insert(r.meta().key(), network_facts(&r.network));
        }
        for r in &e.eventhub_namespaces {
            t.insert(r.meta().key(), network_facts(&r.network));
        }
        for r in &e.key_vaults {
            t.insert(r.meta().key(), network_facts(&r.network));
        }
    }
}

pub(super) fn network_facts(acl: &NetworkAcl) -> NetworkFacts {
    let ip_ranges = match acl.ip_rules.value() {
        Some(rules) => Known::Value(rules.iter().map(ip_range).collect()),
        None => Known::Unknown,
    };
    NetworkFacts { ip_ranges }
}

fn ip_range(rule: &crate::network::IpRule) -> IpRange {
    let net = rule.net();
    IpRange {
        rule: rule.to_string(),
        cidr: net.trunc().to_string(),
        family: match net {
            IpNet::V4(_) => IpFamily::Ipv4,
            IpNet::V6(_) => IpFamily::Ipv6,
        },
        prefix_len: net.prefix_len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl(ip_rules: serde_json::Value) -> NetworkAcl {
        let spec: crate::network::NetworkAclSpec =
            serde_json::from_value(serde_json::json!({ "ip_rules": ip_rules })).expect("an ACL");
        spec.resolve(crate::network::AclDefaults::STORAGE)
    }

    fn facts(rules: &[&str]) -> serde_json::Value {
        serde_json::to_value(network_facts(&acl(serde_json::json!(rules)))).expect("serializable")
    }

    #[test]
    fn a_rule_becomes_its_canonical_range_with_family_and_prefix() {
        assert_eq!(
            facts(&["100.64.1.2/10", "20.61.98.66", "2001:db8::1/32"]),
            serde_json::json!({ "ip_ranges": [
                { "rule": "100.64.1.2/10", "cidr": "100.64.0.0/10", "family": "ipv4", "prefix_len": 10 },
                { "rule": "20.61.98.66", "cidr": "20.61.98.66/32", "family": "ipv4", "prefix_len": 32 },
                { "rule": "2001:db8::1/32", "cidr": "2001:db8::/32", "family": "ipv6", "prefix_len": 32 },
            ]})
        );
    }

    #[test]
    fn unknown_rules_give_unknown_ranges() {
        let unknown = network_facts(&acl(serde_json::Value::Null));
        assert_eq!(unknown.ip_ranges, Known::Unknown);
    }
}
