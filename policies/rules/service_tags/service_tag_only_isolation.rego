# METADATA
# title: AzureHealthcareAPIs service tag is the only isolation
# description: |
#   A network rule allows traffic with the AzureHealthcareAPIs service tag and no workspace
#   in the input has an approved private endpoint, so the shared service tag is all that
#   stands between the AHDS services and other networks. The tag admits every customer's
#   AHDS instances and isolates nothing.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/network-access-security
#     description: Manage network access security in Azure Health Data Services (service tags)
# custom:
#   id: AHDS-ST-002
#   name: service-tag-only-isolation
#   severity: high
#   applies_to: [network_security_groups, firewalls]
#   remediation: >-
#     Put the workspace behind an approved private endpoint, then drop the service-tag rule.
package ahds.rules.service_tags.service_tag_only_isolation

import data.ahds.lib
import data.ahds.lib.service_tags

any_private_link := lib.any_of([lib.approved_private_link(ws) | some ws in input.workspaces])

deny contains v if {
	any_private_link == false
	some m in service_tags.allowing
	v := {
		"msg": sprintf("%s allows %s traffic %s the shared service tag %s and no workspace has an approved private endpoint", [m.rule, m.direction, m.relation, m.tag]),
		"resource_id": m.resource_id,
		"evidence": {"rule": m.rule, "tag": m.tag, "workspaces": count(input.workspaces)},
		"fix": {"decision": "which virtual network subnet the workspaces' private endpoints go in; with them, the rule can name their addresses instead of the tag"},
	}
}

undetermined contains u if {
	any_private_link == null
	some m in service_tags.allowing
	u := {
		"msg": sprintf("%s allows traffic with %s; whether a workspace has an approved private endpoint is not known yet", [m.rule, m.tag]),
		"resource_id": m.resource_id,
		"missing": ["workspaces[].private_endpoint_connections[].status"],
	}
}
