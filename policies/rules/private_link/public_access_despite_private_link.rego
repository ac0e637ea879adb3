# METADATA
# title: Public network access left on behind Private Link
# description: |
#   Once a workspace has an approved private endpoint, leaving public network access
#   enabled on the workspace or its FHIR and DICOM services keeps the public endpoint open
#   next to the private one, so the private endpoint isolates nothing. Public access is
#   enabled unless it is explicitly disabled.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/healthcare-apis-configure-private-link
#     description: Configure Private Link for Azure Health Data Services
# custom:
#   id: AHDS-PL-002
#   name: public-access-despite-private-link
#   severity: medium
#   applies_to: [workspaces, fhir_services, dicom_services]
#   remediation: >-
#     Set `publicNetworkAccess` to `Disabled` on the workspace and on each FHIR and DICOM
#     service. The azurerm provider cannot set it on a workspace or a FHIR service: use
#     `azapi_update_resource` with that resource's `type` and
#     `body = { properties = { publicNetworkAccess = "Disabled" } }`; a DICOM service
#     takes `public_network_access_enabled = false`.
package ahds.rules.private_link.public_access_despite_private_link

import data.ahds.lib

kinds := ["workspaces", "fhir_services", "dicom_services"]

# Whether each workspace has an approved private endpoint, by workspace key: decided once
# per workspace rather than once for each of its services.
private_link_by_workspace := {key: lib.approved_private_link(ws) | some key, ws in input.workspaces}

# The private-link verdict of the workspace a resource (under its key) is or belongs to.
workspace_verdict("workspaces", key, _) := private_link_by_workspace[key]

workspace_verdict(kind, _, r) := private_link_by_workspace[r.facts.workspace] if kind != "workspaces"

exposed(kind, key, r) := lib.tri_and(
	workspace_verdict(kind, key, r),
	lib.tri_eq(r.public_network_access, "Enabled"),
)

whose("workspaces") := "it"

whose(kind) := "its workspace" if kind != "workspaces"

deny contains v if {
	some kind in kinds
	some key, r in lib.collection(kind)
	exposed(kind, key, r) == true
	v := {
		"msg": sprintf("%s still has public network access enabled although %s has an approved private endpoint", [lib.label(kind, r), whose(kind)]),
		"resource_id": r.resource_id,
		"evidence": {"public_network_access": r.public_network_access},
		"fix": {"action": "disable_public_network_access"},
	}
}

undetermined contains u if {
	some kind in kinds
	some key, r in lib.collection(kind)
	exposed(kind, key, r) == null
	u := {
		"msg": sprintf("%s: cannot tell whether public access stays open next to Private Link", [lib.label(kind, r)]),
		"resource_id": r.resource_id,
		"missing": [m |
			some m in ["public_network_access"]
			r[m] == null
		],
	}
}
