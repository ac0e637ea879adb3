# METADATA
# title: Storage admits the FHIR service by IP instead of as a trusted service
# description: |
#   The storage firewall admits the FHIR service only through the documented IP allowance:
#   100.64.0.0/10 for an account in the same region, or the FHIR service region's published
#   egress address for an account in another region. Both ranges are shared by every
#   customer in the region, so anyone's FHIR service (and more) passes the firewall. Trusted
#   access with a resource-instance rule admits only your workspace.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-export-data
#     description: Configure export settings for the FHIR service
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-import-data
#     description: Configure import settings for the FHIR service
# custom:
#   id: AHDS-TS-004
#   name: ip-allowance-instead-of-trusted-access
#   severity: medium
#   applies_to: [storage_accounts]
#   remediation: >-
#     Let trusted Microsoft services through the storage firewall with a resource-instance
#     rule for the workspace, then remove the 100.64.0.0/10 or regional egress IP rule.
package ahds.rules.trusted_services.ip_allowance_instead_of_trusted_access

import data.ahds.lib
import data.ahds.wording

# by_ip is lib.all_of([restricted, trusted services off, admitted by IP rule]), with the IP
# allowance (a dozen calls) evaluated only when the cheap facts leave it open.
# Where a cheap fact is false the answer is false even if a later fact is undefined (the
# plain fold is then undefined); the rules test only == true and == null, so they report the
# same. The test file holds it to the plain fold on 972 combinations of settings.
by_ip(link, t) := lib.all_of([restricted, trusted_off, lib.ip_allowance(link, t)]) if {
	restricted := lib.restricted(t.network)
	restricted != false
	trusted_off := lib.tri_eq(t.network.trusted_services, false)
	trusted_off != false
} else := false

storage_link(link) if {
	link.status == "resolved"
	link.feature in wording.fhir_storage_features
}

allowance(link) := "100.64.0.0/10 (same region)" if link.facts.same_region == true

allowance(link) := sprintf("%s (the FHIR egress address of %s; the account is in another region)", [address, region]) if {
	link.facts.same_region == false
	region := link.facts.service_region
	address := data.ahds.fhir_egress[region]
}

deny contains v if {
	some link in input.links
	t := link.target
	t.network.trusted_services == false # implied by the lines below; tested first for speed
	storage_link(link)
	by_ip(link, t) == true
	v := object.union(
		lib.target_finding(
			link,
			sprintf("%s, and the account admits the FHIR service only through the IP allowance %s", [lib.describe(link), allowance(link)]),
			{"ip_rules": t.network.ip_rules, "trusted_services": false, "same_region": link.facts.same_region},
		),
		{"fix": {"decision": sprintf("whether %s serves anything but the FHIR service; let trusted Microsoft services through and remove it if not", [allowance(link)])}},
	)
}

undetermined contains u if {
	some link in input.links
	t := link.target
	t.network.trusted_services != true # implied by the lines below; tested first for speed
	storage_link(link)
	by_ip(link, t) == null
	u := object.union(
		lib.target_finding(link, sprintf("%s: cannot tell whether the FHIR service is admitted by IP rule", [lib.describe(link)]), null),
		{"missing": array.concat(
			lib.unknown_fields(t.network, ["public_network_access", "default_action", "trusted_services", "ip_rules"]),
			[f | some f in ["same_region", "service_region"]; link.facts[f] == null],
		)},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
	link.feature in wording.fhir_storage_features
}
