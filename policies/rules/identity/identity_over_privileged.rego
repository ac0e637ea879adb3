# METADATA
# title: Outbound feature identity holds an administrative role on its target
# description: |
#   The identity an outbound feature uses holds Owner, Contributor or User Access
#   Administrator on the target or a parent scope. The feature needs one data-plane role;
#   an administrative role lets anyone who controls the service change the target's network
#   rules and access, or hand out further access.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/role-based-access-control/best-practices
#     description: Best practices for Azure RBAC (least privilege)
# custom:
#   id: AHDS-ID-003
#   name: identity-over-privileged
#   severity: low
#   applies_to: [role_assignments]
#   remediation: >-
#     Remove the Owner, Contributor or User Access Administrator assignment and keep only
#     the data-plane role the feature needs.
package ahds.rules.identity.identity_over_privileged

import data.ahds.lib

deny contains v if {
	some link in input.links
	link.status == "resolved"
	some grant in link.facts.privileged_roles
	v := {
		"msg": sprintf("role assignment %s grants %s at scope %s to the managed identity of %s, which needs only a data-plane role", [grant.assignment, grant.role, grant.scope, lib.service_label(link)]),
		"resource_id": grant.assignment,
		"evidence": {"role": grant.role, "scope": grant.scope, "identity_owner": link.identity.owner},
		"fix": {"decision": sprintf("whether anything else needs %s on %s from this identity; if nothing does, remove the role assignment", [grant.role, grant.scope])},
	}
}
