package ahds.rules.trusted_services.overly_broad_ip_rule_test

import data.ahds.rules.trusted_services.overly_broad_ip_rule as rule
import data.ahds.test.fixtures

test_fails_for_a_broad_range if {
	d := fixtures.doc({}, {}, fixtures.ip_ranges(["10.0.0.0/8"]))
	some v in rule.deny with input as d
	contains(v.msg, "10.0.0.0/8")
	v.evidence.broad_ip_rules == ["10.0.0.0/8"]
}

test_passes_without_broad_ranges if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}

test_passes_when_the_firewall_is_off if {
	# Public access disabled: IP rules are not in effect.
	d := fixtures.doc({}, {"public_network_access": "Disabled"}, fixtures.ip_ranges(["10.0.0.0/8"]))
	count(rule.deny) == 0 with input as d
	count(rule.undetermined) == 0 with input as d
}

test_unknown_rules_are_undetermined if {
	d := fixtures.doc({}, {"ip_rules": null}, {"ip_ranges": null})
	count(rule.undetermined) == 1 with input as d
}

test_broad_rules_with_unknown_public_access_are_undetermined if {
	d := fixtures.doc({}, {"public_network_access": null}, fixtures.ip_ranges(["10.0.0.0/8"]))
	count(rule.deny) == 0 with input as d
	some u in rule.undetermined with input as d
	u.missing == ["public_network_access"]
}

test_unresolved_target_is_undetermined if {
	count(rule.undetermined) == 1 with input as fixtures.unresolved("not_found")
}
