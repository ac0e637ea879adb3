# METADATA
# title: FHIR export storage is in another subscription
# description: |
#   The FHIR service can export only to a storage account in its own subscription. An
#   export destination in a different subscription makes every $export request fail.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-export-data
#     description: Configure export settings for the FHIR service
# custom:
#   id: AHDS-TS-007
#   name: export-storage-other-subscription
#   severity: high
#   applies_to: [fhir_services]
#   remediation: >-
#     Point the FHIR service's export configuration at a storage account in the FHIR
#     service's own subscription.
package ahds.rules.trusted_services.export_storage_other_subscription

import data.ahds.lib

export_link(link) if {
	link.status == "resolved"
	link.feature == "fhir.export"
}

deny contains v if {
	some link in input.links
	link.feature == "fhir.export" # implied by the next line; tested first for speed
	export_link(link)
	link.facts.same_subscription == false
	v := object.union(
		lib.service_finding(
			link,
			sprintf("%s, which is in another subscription than the FHIR service", [lib.describe(link)]),
			{"service": link.service_resource_id, "target": link.target_resource_id},
		),
		{"fix": {"decision": sprintf("which storage account in the subscription of %s receives the exports", [lib.service_label(link)])}},
	)
}

undetermined contains u if {
	some link in input.links
	link.feature == "fhir.export" # implied by the next line; tested first for speed
	export_link(link)
	link.facts.same_subscription == null
	u := object.union(
		lib.service_finding(link, sprintf("%s: the subscriptions are not known yet", [lib.describe(link)]), null),
		{"missing": ["subscription", "storage_accounts[].subscription"]},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
	link.feature == "fhir.export"
}
