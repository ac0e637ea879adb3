package contoso.rules.approved_ip_ranges_test

import data.contoso.rules.approved_ip_ranges as rule

storage(rules) := {"key": "sa", "resource_id": "sa-id", "name": "stexport", "network": {"ip_rules": rules}}

# Export and import both reach the same account.
doc(rules) := {"links": [
	{"status": "resolved", "feature": "fhir.export", "target_type": "storage_accounts", "target": storage(rules)},
	{"status": "resolved", "feature": "fhir.import", "target_type": "storage_accounts", "target": storage(rules)},
]}

test_unapproved_range_is_denied_once_per_target if {
	findings := rule.deny with input as doc(["203.0.113.0/24", "198.51.100.7"])
	count(findings) == 1
	some v in findings
	v.resource_id == "sa-id"
	v.evidence.ip_rule == "198.51.100.7"
	startswith(v.fix.decision, "whether 198.51.100.7 should be approved")
}

test_approved_ranges_pass if {
	count(rule.deny) == 0 with input as doc(["203.0.113.0/24"])
	count(rule.undetermined) == 0 with input as doc(["203.0.113.0/24"])
}

test_unknown_rules_are_undetermined_not_denied if {
	count(rule.deny) == 0 with input as doc(null)
	some u in rule.undetermined with input as doc(null)
	u.missing == ["network.ip_rules"]
}
