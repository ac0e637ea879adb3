package contoso.rules.approved_ip_ranges_test

import data.contoso.rules.approved_ip_ranges as rule

doc(rules) := {
	"links": [{"status": "resolved", "target_type": "storage_accounts", "target_id": "sa"}],
	"storage_accounts": {"sa": {"key": "sa", "resource_id": "sa-id", "name": "stexport", "network": {"ip_rules": rules}}},
}

test_unapproved_range_is_denied if {
	some v in rule.deny with input as doc(["203.0.113.0/24", "198.51.100.7"])
	v.resource_id == "sa-id"
	v.evidence.ip_rule == "198.51.100.7"
}

test_approved_ranges_pass if {
	count(rule.deny) == 0 with input as doc(["203.0.113.0/24"])
}

test_unknown_rules_are_not_judged if {
	count(rule.deny) == 0 with input as doc(null)
}
