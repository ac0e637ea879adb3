package ahds.rules.service_tags.service_tag_only_isolation_test

import data.ahds.rules.service_tags.service_tag_only_isolation as rule

doc(status) := {
	"workspaces": {"ws": {"key": "ws", "resource_id": "ws-id", "name": "ws", "facts": {"connections": [{"status": status}]}}},
	"network_security_groups": {"n": {
		"key": "n", "resource_id": "nsg-id", "name": "nsg",
		"security_rules": [{
			"name": "r1", "direction": "Inbound", "access": "Allow",
			"source_address_prefixes": ["AzureHealthcareAPIs"],
			"destination_address_prefixes": ["10.0.0.0/24"],
		}],
	}},
	"firewalls": {},
}

test_fails_without_private_link if {
	some v in rule.deny with input as doc("Pending")
	v.resource_id == "nsg-id"
}

test_passes_with_private_link if {
	count(rule.deny) == 0 with input as doc("Approved")
}

test_unknown_private_link_is_undetermined if {
	count(rule.deny) == 0 with input as doc(null)
	count(rule.undetermined) == 1 with input as doc(null)
}
