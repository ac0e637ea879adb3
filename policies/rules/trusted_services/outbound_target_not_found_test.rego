package ahds.rules.trusted_services.outbound_target_not_found_test

import data.ahds.rules.trusted_services.outbound_target_not_found as rule
import data.ahds.test.fixtures

test_fails_for_a_missing_target if {
	some v in rule.deny with input as fixtures.unresolved("not_found")
	v.resource_id == "fhir-id"
	v.target_id == "sa"
	contains(v.msg, `storage account "sa"`)
}

test_passes_for_a_resolved_target if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}

test_unknown_reference_is_undetermined if {
	d := {"links": [object.union(fixtures.link, {"status": "unknown", "target_id": null, "target_resource_id": null, "reference": {"by": "account_name", "value": null}})]}
	count(rule.deny) == 0 with input as d
	count(rule.undetermined) == 1 with input as d
}

test_symbolic_reference_is_undetermined_and_names_its_symbols if {
	ref := {"by": "account_name", "value": "st{uniqueString:4a8c2076}{suffix}", "symbols": ["uniqueString:4a8c2076", "suffix"]}
	d := {"links": [object.union(fixtures.link, {"status": "unknown", "target_id": null, "target_resource_id": null, "reference": ref})]}
	count(rule.deny) == 0 with input as d
	some u in rule.undetermined with input as d
	u.missing == ["value of {uniqueString:4a8c2076}", "value of {suffix}"]
	contains(u.msg, `"st{uniqueString:4a8c2076}{suffix}"`)
}
