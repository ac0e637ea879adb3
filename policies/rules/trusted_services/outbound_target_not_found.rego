# METADATA
# title: Outbound target is not in the input
# description: |
#   An AHDS outbound feature names a target (by account name, login server, key URL, host
#   name or id) that is not part of the checked input, so its network settings and role
#   assignments cannot be verified. Check the target together with the service, or confirm
#   it by other means.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/network-access-security
#     description: Manage network access security in Azure Health Data Services
# custom:
#   id: AHDS-TS-006
#   name: outbound-target-not-found
#   severity: info
#   applies_to: [fhir_services, dicom_services, medtech_services, workspaces]
#   remediation: >-
#     Include the target resource in the checked input (the same plan, template or resource
#     export), or fix the name in the service's configuration if it is wrong.
package ahds.rules.trusted_services.outbound_target_not_found

import data.ahds.lib
import data.ahds.wording

deny contains v if {
	some link in input.links
	link.status == "not_found"
	v := object.union(
		lib.service_finding(
			link,
			sprintf("%s, which is not in the input; its network settings cannot be verified", [lib.describe(link)]),
			{"reference": link.reference},
		),
		{"fix": {"decision": sprintf("where %s is defined: check that input together with this one, or correct the reference", [lib.target_label(link)])}},
	)
}

undetermined contains u if {
	some link in input.links
	link.status == "unknown"
	u := object.union(
		lib.service_finding(link, unknown_message(link), null),
		{"missing": unknown_missing(link)},
	)
}

# A reference fixed only at deployment names its symbols; one not known at all, its kind.
unknown_message(link) := sprintf("%s uses %s %q for %s, a name fixed only at deployment that no resource in the input is known to have", [lib.service_label(link), wording.kind_names[link.target_type], link.reference.value, wording.feature_names[link.feature]]) if {
	count(object.get(link.reference, "symbols", [])) > 0
} else := sprintf("%s uses %s for %s whose name is not known yet", [lib.service_label(link), wording.kind_names[link.target_type], wording.feature_names[link.feature]])

unknown_missing(link) := [sprintf("value of {%s}", [s]) | some s in link.reference.symbols] if {
	count(object.get(link.reference, "symbols", [])) > 0
} else := [sprintf("%s reference (%s)", [wording.kind_names[link.target_type], link.reference.by])]
