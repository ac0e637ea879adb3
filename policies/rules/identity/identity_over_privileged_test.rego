package ahds.rules.identity.identity_over_privileged_test

import data.ahds.rules.identity.identity_over_privileged as rule
import data.ahds.test.fixtures

grant := {"role": "Contributor", "scope": "/subscriptions/s/resourceGroups/rg", "assignment": "ra-id"}

test_fails_for_a_contributor_grant if {
	d := fixtures.doc({"facts": {"privileged_roles": [grant]}}, {}, {})
	some v in rule.deny with input as d
	v.resource_id == "ra-id"
	contains(v.msg, "Contributor at scope /subscriptions/s/resourceGroups/rg")
}

test_one_finding_per_assignment_across_links if {
	l1 := object.union(fixtures.link, {"facts": {"privileged_roles": [grant]}})
	l2 := object.union(l1, {"feature": "fhir.import", "target_id": "sa2", "target_resource_id": "sa2-id"})
	count(rule.deny) == 1 with input as {"links": [l1, l2]}
}

test_passes_without_privileged_roles if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}
