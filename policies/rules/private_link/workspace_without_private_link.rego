# METADATA
# title: Workspace has no approved private endpoint
# description: |
#   A workspace whose private endpoint connections are all missing, pending, rejected or
#   disconnected is reached only through its public endpoint. Private Link keeps traffic to
#   the workspace and its FHIR and DICOM services on Microsoft's private network and lets
#   you restrict access to chosen virtual networks.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/healthcare-apis-configure-private-link
#     description: Configure Private Link for Azure Health Data Services
# custom:
#   id: AHDS-PL-001
#   name: workspace-without-private-link
#   severity: high
#   applies_to: [workspaces]
#   remediation: >-
#     Create a private endpoint with group id `healthcareworkspace` for the workspace and
#     approve its connection.
package ahds.rules.private_link.workspace_without_private_link

import data.ahds.lib

what(states) := "no private endpoint connection" if count(states) == 0

what(states) := sprintf("no approved private endpoint connection (its connections are %s)", [lib.join_and(states)]) if {
	count(states) > 0
}

deny contains v if {
	some ws in input.workspaces
	lib.approved_private_link(ws) == false
	states := [s | some c in ws.facts.connections; s := c.status]
	v := {
		"msg": sprintf("%s has %s", [lib.label("workspaces", ws), what(states)]),
		"resource_id": ws.resource_id,
		"evidence": {"connection_states": states},
		"fix": {"decision": "which virtual network subnet the workspace's private endpoint goes in, and which private DNS zones it registers in"},
	}
}

undetermined contains u if {
	some ws in input.workspaces
	lib.approved_private_link(ws) == null
	u := object.union({"resource_id": ws.resource_id}, unknown_connections(ws))
}

unknown_connections(ws) := {
	"msg": sprintf("%s: its private endpoint connections are not in the input (listed without properties)", [lib.label("workspaces", ws)]),
	"missing": ["private_endpoint_connections"],
} if {
	object.get(ws, "settings_listed", true) == false
} else := {
	"msg": sprintf("%s has private endpoint connections whose state is not known yet", [lib.label("workspaces", ws)]),
	"missing": ["private_endpoint_connections[].status"],
}
