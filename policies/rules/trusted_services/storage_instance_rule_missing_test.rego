package ahds.rules.trusted_services.storage_instance_rule_missing_test

import data.ahds.rules.trusted_services.storage_instance_rule_missing as rule
import data.ahds.lib
import data.ahds.test.fixtures

test_fails_without_an_instance_rule if {
	d := fixtures.doc({"facts": {"instance_rule": false}}, {}, {})
	some v in rule.deny with input as d
	v.feature == "fhir.export"
	contains(v.msg, "no resource-instance rule")
	# Without the workspace in the input, the rule to add admits the service itself.
	v.fix == {"action": "add_instance_rule", "resource_id": "fhir-id"}
}

test_fix_admits_the_workspace_when_it_is_in_the_input if {
	d := object.union(
		fixtures.doc({"facts": {"instance_rule": false}}, {}, {}),
		{"workspaces": {"ws": {"key": "ws", "resource_id": "ws-id", "name": "ws"}}},
	)
	some v in rule.deny with input as d
	v.fix == {"action": "add_instance_rule", "resource_id": "ws-id"}
}

test_fails_for_import_too if {
	d := fixtures.doc({"feature": "fhir.import", "facts": {"instance_rule": false}}, {}, {})
	count(rule.deny) == 1 with input as d
}

test_passes_with_an_instance_rule if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}

test_passes_for_dicom_storage if {
	d := fixtures.doc({"feature": "dicom.storage", "facts": {"instance_rule": null}}, {}, {})
	count(rule.deny) == 0 with input as d
	count(rule.undetermined) == 0 with input as d
}

test_unknown_rules_are_undetermined if {
	d := fixtures.doc({"facts": {"instance_rule": null}}, {"resource_access_rules": null}, {})
	some u in rule.undetermined with input as d
	u.missing == ["resource_access_rules", "instance_rule"]
}

test_unresolved_target_is_undetermined if {
	count(rule.deny) == 0 with input as fixtures.unresolved("not_found")
	count(rule.undetermined) == 1 with input as fixtures.unresolved("not_found")
}

# missing_rule stops at the first cheap fact that is false; it agrees with the whole fold.
test_missing_rule_matches_its_definition if {
	count(fixtures.storage_cases) == 972
	every case in fixtures.storage_cases {
		[link, t] := case
		rule.missing_rule(link, t) == lib.all_of([
			lib.restricted(t.network),
			lib.tri_eq(t.network.trusted_services, true),
			lib.tri_eq(link.facts.instance_rule, false),
		])
	}
}
