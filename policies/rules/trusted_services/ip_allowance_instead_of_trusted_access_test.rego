package ahds.rules.trusted_services.ip_allowance_instead_of_trusted_access_test

import data.ahds.rules.trusted_services.ip_allowance_instead_of_trusted_access as rule
import data.ahds.lib
import data.ahds.test.fixtures

test_fails_for_the_cgnat_range_in_the_same_region if {
	d := fixtures.doc({}, {"trusted_services": false}, fixtures.ip_ranges(["100.64.0.0/10"]))
	some v in rule.deny with input as d
	contains(v.msg, "100.64.0.0/10 (same region)")
}

test_fails_for_the_egress_address_from_another_region if {
	d := fixtures.doc({"facts": {"same_region": false}}, {"trusted_services": false}, fixtures.ip_ranges(["20.62.128.148/32"]))
	some v in rule.deny with input as d
	contains(v.msg, "20.62.128.148 (the FHIR egress address of eastus; the account is in another region)")
}

test_passes_when_trusted_services_are_allowed if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, fixtures.ip_ranges(["100.64.0.0/10"]))
}

test_passes_when_the_allowance_does_not_match_the_region if {
	# The CGNAT range works only in the same region.
	d := fixtures.doc({"facts": {"same_region": false}}, {"trusted_services": false}, fixtures.ip_ranges(["100.64.0.0/10"]))
	count(rule.deny) == 0 with input as d
}

test_unknown_region_is_undetermined if {
	d := fixtures.doc({"facts": {"same_region": null, "service_region": null}}, {"trusted_services": false}, fixtures.ip_ranges(["100.64.0.0/10"]))
	count(rule.deny) == 0 with input as d
	some u in rule.undetermined with input as d
	u.missing == ["same_region", "service_region"]
}

test_unresolved_target_is_undetermined if {
	count(rule.deny) == 0 with input as fixtures.unresolved("not_found")
	count(rule.undetermined) == 1 with input as fixtures.unresolved("not_found")
}

# by_ip stops at the first cheap fact that is false; it agrees with the whole fold.
test_by_ip_matches_its_definition if {
	count(fixtures.storage_cases) == 972
	every case in fixtures.storage_cases {
		[link, t] := case
		rule.by_ip(link, t) == lib.all_of([
			lib.restricted(t.network),
			lib.tri_eq(t.network.trusted_services, false),
			lib.ip_allowance(link, t),
		])
	}
}
