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

# Each target once, however many features reach it.
targets contains [link.target_type, link.target_id] if {
	some link in input.links
	lib.resolved(link)
}

deny contains v if {
	some [kind, key] in targets
	t := input[kind][key]
	is_array(t.network.ip_rules)
	some rule in t.network.ip_rules
	not rule in approved
	v := {
		"msg": sprintf("%s admits %s, which is not an approved Contoso range", [lib.label(kind, t), rule]),
		"resource_id": t.resource_id,
		"evidence": {"ip_rule": rule, "approved": sort(approved)},
	}
}
