# METADATA
# title: Network rule relies on the AzureHealthcareAPIs service tag
# description: |
#   The AzureHealthcareAPIs service tag (and its regional forms) covers the addresses of
#   every customer's AHDS instances, every workspace and every AHDS service. A rule that
#   allows traffic to or from it admits all of them, so it gives no isolation of your own
#   services. Use Private Link and trusted-service access instead.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/network-access-security
#     description: Manage network access security in Azure Health Data Services (service tags)
#   - ref: https://learn.microsoft.com/azure/virtual-network/service-tags-overview
#     description: Azure service tags
# custom:
#   id: AHDS-ST-001
#   name: service-tag-allows-ahds
#   severity: medium
#   applies_to: [network_security_groups, firewalls]
#   remediation: >-
#     Replace the AzureHealthcareAPIs allow rule with a private endpoint to the workspace
#     and trusted-service access on outbound targets.
package ahds.rules.service_tags.service_tag_allows_ahds

import data.ahds.lib.service_tags

deny contains v if {
	some m in service_tags.allowing
	v := {
		"msg": sprintf("%s allows %s traffic %s the shared service tag %s", [m.rule, m.direction, m.relation, m.tag]),
		"resource_id": m.resource_id,
		"evidence": {"rule": m.rule, "tag": m.tag},
		"fix": {"decision": sprintf("which addresses %s should allow instead of %s: the private endpoint addresses of your own workspaces", [m.rule, m.tag])},
	}
}

undetermined contains u if {
	some m in service_tags.undecided
	u := {
		"msg": sprintf("%s: cannot tell whether it allows traffic with the AzureHealthcareAPIs service tag", [m.rule]),
		"resource_id": m.resource_id,
		"missing": m.missing,
	}
}
