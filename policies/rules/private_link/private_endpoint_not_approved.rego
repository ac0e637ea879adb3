# METADATA
# title: Private endpoint connection to a workspace is not approved
# description: |
#   A private endpoint connection that is pending, rejected or disconnected carries no
#   traffic: clients in the endpoint's network fall back to the public endpoint or fail.
#   Pending connections wait for the workspace owner's approval.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/healthcare-apis-configure-private-link
#     description: Configure Private Link for Azure Health Data Services
# custom:
#   id: AHDS-PL-003
#   name: private-endpoint-not-approved
#   severity: low
#   applies_to: [private_endpoints, workspaces]
#   remediation: >-
#     Approve the connection on the workspace (Networking > Private endpoint connections),
#     or remove the private endpoint if it is not wanted.
package ahds.rules.private_link.private_endpoint_not_approved

import data.ahds.lib

not_approved := {"Pending", "Rejected", "Disconnected"}

# The finding points at the private endpoint when it is known, else at the workspace.
subject(ws, c) := c.private_endpoint_resource_id if c.private_endpoint_resource_id != null

subject(ws, c) := ws.resource_id if c.private_endpoint_resource_id == null

endpoint_label(c) := sprintf("private endpoint %s", [c.private_endpoint_resource_id]) if {
	c.private_endpoint_resource_id != null
}

endpoint_label(c) := "a private endpoint" if c.private_endpoint_resource_id == null

deny contains v if {
	some ws in input.workspaces
	some c in ws.facts.connections
	c.status in not_approved
	v := {
		"msg": sprintf("the connection of %s to %s is %s", [endpoint_label(c), lib.label("workspaces", ws), c.status]),
		"resource_id": subject(ws, c),
		"evidence": {"status": c.status, "workspace": ws.resource_id},
		"fix": {"decision": sprintf("whether the owner of %s approves the connection (or removes it)", [lib.label("workspaces", ws)])},
	}
}

undetermined contains u if {
	some ws in input.workspaces
	some c in ws.facts.connections
	c.status == null
	u := {
		"msg": sprintf("the state of the connection of %s to %s is not known yet", [endpoint_label(c), lib.label("workspaces", ws)]),
		"resource_id": subject(ws, c),
		"missing": ["workspaces[].private_endpoint_connections[].status"],
	}
}
