# METADATA
# title: Outbound target admits an IP range Contoso has not approved
# description: |
#   Contoso allows IP firewall rules on the storage accounts, registries, namespaces and
#   vaults AHDS features reach only for the ranges the network team approved (the list is
#   policy data in contoso/data.json). Anything else must go through Private Link or the
#   trusted-services exception.
# related_resources:
#   - ref: https://wiki.contoso.example/network/approved-ranges
#     description: Contoso approved IP ranges
# custom:
#   id: CONTOSO-NET-001
#   name: target-ip-range-not-approved
#   severity: high
#   remediation: Remove the range or get it added to the approved list.
package contoso.rules.approved_ip_ranges

import data.ahds.lib

approved := {r | some r in data.contoso.approved_ip_ranges}

# A target several features reach is reported once: `deny` is a set, and the finding names
# the target alone.
deny contains v if {
	some link in input.links
	link.status == "resolved"
	t := link.target
	is_array(t.network.ip_rules)
	some rule in t.network.ip_rules
	not rule in approved
	v := {
		"msg": sprintf("%s admits %s, which is not an approved Contoso range", [lib.label(link.target_type, t), rule]),
		"resource_id": t.resource_id,
		"evidence": {"ip_rule": rule, "approved": sort(approved)},
		"fix": {"decision": sprintf("whether %s should be approved (ask the network team) or removed from the firewall", [rule])},
	}
}

# Rules a plan does not know yet (null) are neither approved nor not: say so.
undetermined contains u if {
	some link in input.links
	link.status == "resolved"
	link.target.network.ip_rules == null
	u := {
		"msg": sprintf("%s: its IP rules are not known yet", [lib.label(link.target_type, link.target)]),
		"resource_id": link.target.resource_id,
		"missing": ["network.ip_rules"],
	}
}
