# METADATA
# title: Managed identity lacks the role its outbound feature needs
# description: |
#   Each outbound feature's identity needs a data-plane role on its target: Storage Blob
#   Data Contributor for FHIR export and import and DICOM storage, AcrPull for
#   $convert-data, Key Vault Crypto Service Encryption User for customer-managed keys (or an
#   access policy with get, wrapKey and unwrapKey on vaults without Azure RBAC), Azure Event
#   Hubs Data Receiver for MedTech ingestion, and Azure Event Hubs Data Sender for the Event
#   Grid system topic that delivers events. Without it the connection passes the network
#   but is refused. Checked only when the input carries role assignments.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-export-data
#     description: Configure export settings for the FHIR service
#   - ref: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
#     description: Azure built-in roles
# custom:
#   id: AHDS-ID-002
#   name: identity-role-missing
#   severity: medium
#   applies_to: [fhir_services, dicom_services, medtech_services, system_topics]
#   remediation: >-
#     Assign the feature's role to the identity at the target's scope (or its resource
#     group or subscription).
package ahds.rules.identity.identity_role_missing

import data.ahds.lib
import data.ahds.wording

checked(link) if {
	link.status == "resolved"
	link.identity.has_identity == true
	link.facts.role.checked == true
}

grant_text(link) := sprintf("an access policy with key permissions get, wrapKey and unwrapKey on %s", [lib.target_label(link)]) if {
	link.facts.role.model == "access_policy"
} else := sprintf("the %s role on %s or a parent scope", [link.facts.role.required_role, lib.target_label(link)]) if {
	link.facts.role.model != "access_policy"
}

finding(link, msg) := {
	"msg": msg,
	"resource_id": link.identity.owner,
	"feature": link.feature,
	"target_id": link.target_resource_id,
}

deny contains v if {
	some link in input.links
	link.facts.role.checked == true # implied by checked(link); tested first for speed
	link.facts.role.held == false
	checked(link)
	service := lib.service_label(link)
	grant := grant_text(link)
	v := object.union(
		finding(link, sprintf("the managed identity of %s lacks %s, which %s needs", [service, grant, wording.feature_names[link.feature]])),
		{
			"evidence": {"required_role": link.facts.role.required_role, "required_role_id": link.facts.role.required_role_id, "model": link.facts.role.model, "principals": [p | some p in link.identity.principals; not startswith(p, "identity:")]},
			"remediation": sprintf("Grant %s to the managed identity of %s.", [grant, service]),
			"fix": {"decision": sprintf("at which scope to grant it: %s itself, the narrowest, or a parent scope the identity may also use", [lib.target_label(link)])},
		},
	)
}

undetermined contains u if {
	some link in input.links
	link.facts.role.checked == true # implied by checked(link); tested first for speed
	link.facts.role.held == null
	checked(link)
	u := object.union(
		finding(link, sprintf("cannot tell whether the managed identity of %s holds %s", [lib.service_label(link), grant_text(link)])),
		{"missing": ["role_assignments[].principal_id", "role_assignments[].scope", "role_assignments[].role_definition_id"]},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
	link.identity.has_identity == true
	link.facts.role.checked == true
}

# Role checks need role assignments; say so once when the input has none.
notes contains msg if {
	not input.role_assignments_included
	skipped := [l | some l in input.links; l.status == "resolved"; l.facts.role.model == "rbac"; l.identity.has_identity == true]
	count(skipped) > 0
	msg := sprintf("the input carries no role assignments, so role checks were skipped for %d outbound link(s)", [count(skipped)])
}
