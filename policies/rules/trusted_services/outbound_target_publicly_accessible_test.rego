package ahds.rules.trusted_services.outbound_target_publicly_accessible_test

import data.ahds.rules.trusted_services.outbound_target_publicly_accessible as rule
import data.ahds.test.fixtures

test_fails_when_open_to_all_networks if {
	d := fixtures.doc({}, {"default_action": "Allow"}, {})
	some v in rule.deny with input as d
	v.resource_id == "sa-id"
	v.feature == "fhir.export"
	v.target_id == "sa-id"
	contains(v.msg, `FHIR service "fhir" uses storage account "sa" for export`)
	contains(v.remediation, "networkAcls.bypass includes AzureServices")
	# FHIR export storage: the fix adds the resource-instance rule too.
	v.fix == {"action": "restrict_network", "resource_id": "fhir-id"}
}

test_passes_with_default_deny if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}

test_passes_with_public_access_disabled if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {"public_network_access": "Disabled", "default_action": "Allow"}, {})
}

test_unknown_default_action_is_undetermined if {
	d := fixtures.doc({}, {"default_action": null}, {})
	count(rule.deny) == 0 with input as d
	some u in rule.undetermined with input as d
	u.missing == ["default_action"]
}

test_unresolved_target_is_undetermined if {
	count(rule.deny) == 0 with input as fixtures.unresolved("not_found")
	count(rule.undetermined) == 1 with input as fixtures.unresolved("not_found")
}

test_fails_for_a_registry_of_oci_artifacts_open_to_all_networks if {
	d := fixtures.doc({"target_type": "container_registries", "feature": "fhir.oci_artifacts"}, {"default_action": "Allow"}, {})
	some v in rule.deny with input as d
	v.feature == "fhir.oci_artifacts"
	contains(v.msg, "for OCI artifacts (such as de-identified export configurations)")
	contains(v.remediation, "networkRuleBypassOptions is AzureServices")
	v.fix == {"action": "restrict_network"}
}
