package ahds.rules.identity.identity_role_missing_test

import data.ahds.rules.identity.identity_role_missing as rule
import data.ahds.test.fixtures

role(patch) := {"facts": {"role": patch}}

test_fails_without_the_role if {
	some v in rule.deny with input as fixtures.doc(role({"held": false}), {}, {})
	v.resource_id == "fhir-id"
	contains(v.msg, "Storage Blob Data Contributor")
}

test_fails_without_an_access_policy if {
	d := fixtures.doc(object.union(role({"held": false, "model": "access_policy"}), {"target_type": "key_vaults", "feature": "fhir.cmk"}), {}, {})
	some v in rule.deny with input as d
	contains(v.msg, "get, wrapKey and unwrapKey")
}

test_passes_with_the_role if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}

test_skipped_without_role_assignments if {
	d := object.union(fixtures.doc(role({"held": false, "checked": false}), {}, {}), {"role_assignments_included": false})
	count(rule.deny) == 0 with input as d
	count(rule.notes) == 1 with input as d
}

test_skipped_without_identity if {
	d := fixtures.doc({"identity": {"has_identity": false}, "facts": {"role": {"held": false}}}, {}, {})
	count(rule.deny) == 0 with input as d
}

test_unknown_grant_is_undetermined if {
	count(rule.undetermined) == 1 with input as fixtures.doc(role({"held": null}), {}, {})
}

test_unresolved_target_is_undetermined if {
	count(rule.deny) == 0 with input as fixtures.unresolved("not_found")
	count(rule.undetermined) == 1 with input as fixtures.unresolved("not_found")
}
