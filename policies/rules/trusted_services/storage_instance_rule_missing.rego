# METADATA
# title: Export or import storage lacks a resource-instance rule for the workspace
# description: |
#   The documented set-up for FHIR export and import lets trusted Microsoft services through
#   the storage firewall and adds a resource-instance rule for the AHDS workspace (or the
#   FHIR service). The rule limits the trusted-service exception to your own workspace
#   instead of any instance of the service.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-export-data
#     description: Configure export settings for the FHIR service
#   - ref: https://learn.microsoft.com/azure/storage/common/storage-network-security
#     description: Azure Storage resource-instance rules
# custom:
#   id: AHDS-TS-003
#   name: storage-instance-rule-missing
#   severity: medium
#   applies_to: [storage_accounts]
#   remediation: >-
#     Add a resource-instance rule (networkAcls.resourceAccessRules; Terraform
#     network_rules.private_link_access) for the workspace or the FHIR service to the
#     storage account.
package ahds.rules.trusted_services.storage_instance_rule_missing

import data.ahds.lib
import data.ahds.wording

# missing_rule is lib.all_of([restricted, trusted services on, no instance rule]), each fact
# evaluated only while the ones before it leave the answer open.
# Where a cheap fact is false the answer is false even if a later fact is undefined (the
# plain fold is then undefined); the rules test only == true and == null, so they report the
# same. The test file holds it to the plain fold on 972 combinations of settings.
missing_rule(link, t) := lib.all_of([restricted, trusted_on, lib.tri_eq(link.facts.instance_rule, false)]) if {
	trusted_on := lib.tri_eq(t.network.trusted_services, true)
	trusted_on != false
	restricted := lib.restricted(t.network)
	restricted != false
} else := false

storage_link(link) if {
	link.status == "resolved"
	link.feature in wording.fhir_storage_features
}

deny contains v if {
	some link in input.links
	link.facts.instance_rule == false # implied by the next lines; tested first for speed
	storage_link(link)
	t := link.target
	t.network.trusted_services == true # implied by the next line; tested first for speed
	missing_rule(link, t) == true
	v := object.union(
		lib.target_finding(
			link,
			sprintf("%s; the account lets trusted Microsoft services through but has no resource-instance rule for the workspace or the FHIR service", [lib.describe(link)]),
			{"resource_access_rules": t.network.resource_access_rules},
		),
		{
			"remediation": sprintf("Add a resource-instance rule for %s (or its workspace) to %s.", [lib.service_label(link), lib.target_label(link)]),
			"fix": {"action": "add_instance_rule", "resource_id": lib.instance_rule_resource(link)},
		},
	)
}

undetermined contains u if {
	some link in input.links
	link.facts.instance_rule != true # implied by the next lines; tested first for speed
	storage_link(link)
	t := link.target
	t.network.trusted_services != false # implied by the next line; tested first for speed
	missing_rule(link, t) == null
	u := object.union(
		lib.target_finding(link, sprintf("%s: cannot tell whether a resource-instance rule admits the workspace", [lib.describe(link)]), null),
		{"missing": array.concat(
			lib.unknown_fields(t.network, ["public_network_access", "default_action", "trusted_services", "resource_access_rules"]),
			[f | some f in ["instance_rule"]; link.facts[f] == null],
		)},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
	link.feature in wording.fhir_storage_features
}
