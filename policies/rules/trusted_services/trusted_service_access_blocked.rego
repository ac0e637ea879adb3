# METADATA
# title: Restricted outbound target blocks trusted Microsoft services
# description: |
#   The target of an AHDS outbound feature restricts network access but does not let
#   trusted Microsoft services through, and no documented IP allowance admits the service
#   either. The feature's connections are refused: exports and imports fail, $convert-data
#   cannot load templates, events and device messages do not flow, and a service encrypted
#   with a customer-managed key loses access to its key.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/network-access-security
#     description: Manage network access security in Azure Health Data Services
#   - ref: https://learn.microsoft.com/azure/storage/common/storage-network-security
#     description: Azure Storage firewall and trusted service exceptions
# custom:
#   id: AHDS-TS-002
#   name: trusted-service-access-blocked
#   severity: high
#   applies_to: [storage_accounts, container_registries, eventhub_namespaces, key_vaults]
#   remediation: >-
#     Allow trusted Microsoft services on the target: storage networkAcls.bypass includes
#     AzureServices, container registry networkRuleBypassOptions = AzureServices, Event
#     Hubs trustedServiceAccessEnabled = true, key vault networkAcls.bypass = AzureServices.
package ahds.rules.trusted_services.trusted_service_access_blocked

import data.ahds.lib
import data.ahds.wording

# blocked is lib.all_of([restricted, trusted services off, not admitted by IP rule]), with
# the IP allowance (a dozen calls) evaluated only when the cheap facts leave it open.
# Where a cheap fact is false the answer is false even if a later fact is undefined (the
# plain fold is then undefined); the rules test only == true and == null, so they report the
# same. The test file holds it to the plain fold on 972 combinations of settings.
blocked(link, t) := lib.all_of([restricted, trusted_off, lib.tri_not(lib.ip_allowance(link, t))]) if {
	restricted := lib.restricted(t.network)
	restricted != false
	trusted_off := lib.tri_eq(t.network.trusted_services, false)
	trusted_off != false
} else := false

# Letting trusted services into an account FHIR exports to or imports from also takes the
# resource-instance rule that access needs (AHDS-TS-003), so one fix leaves no finding behind.
fix(link) := {"action": "allow_trusted_services", "resource_id": lib.instance_rule_resource(link)} if {
	link.feature in wording.fhir_storage_features
} else := {"action": "allow_trusted_services"}

deny contains v if {
	some link in input.links
	link.status == "resolved"
	t := link.target
	t.network.trusted_services == false # implied by the next line; tested first for speed
	blocked(link, t) == true
	v := object.union(
		lib.target_finding(
			link,
			sprintf("%s, which restricts network access without letting trusted Microsoft services through, so %s fails", [lib.describe(link), wording.feature_names[link.feature]]),
			{
				"public_network_access": t.network.public_network_access,
				"default_action": t.network.default_action,
				"trusted_services": t.network.trusted_services,
			},
		),
		{
			"remediation": sprintf("On %s make sure %s.", [lib.target_label(link), wording.trusted_settings[link.target_type]]),
			"fix": fix(link),
		},
	)
}

undetermined contains u if {
	some link in input.links
	link.status == "resolved"
	t := link.target
	t.network.trusted_services != true # implied by the next line; tested first for speed
	blocked(link, t) == null
	u := object.union(
		lib.target_finding(link, sprintf("%s: cannot tell whether trusted Microsoft services get through", [lib.describe(link)]), null),
		{"missing": array.concat(
			lib.unknown_fields(t.network, ["public_network_access", "default_action", "trusted_services", "ip_rules"]),
			[f | some f in ["same_region", "service_region"]; link.facts[f] == null; link.feature in wording.fhir_storage_features],
		)},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
}
