package ahds.rules.private_link.private_endpoint_not_approved_test

import data.ahds.rules.private_link.private_endpoint_not_approved as rule

doc(connections) := {"workspaces": {"ws": {
	"key": "ws", "resource_id": "ws-id", "name": "ws",
	"facts": {"connections": connections},
}}}

test_fails_for_pending_rejected_and_disconnected if {
	d := doc([
		{"status": "Pending", "private_endpoint_resource_id": "pe1"},
		{"status": "Rejected", "private_endpoint_resource_id": "pe2"},
		{"status": "Disconnected", "private_endpoint_resource_id": null},
		{"status": "Approved", "private_endpoint_resource_id": "pe4"},
	])
	ids := {v.resource_id | some v in rule.deny} with input as d
	ids == {"pe1", "pe2", "ws-id"}
}

test_passes_when_approved if {
	count(rule.deny) == 0 with input as doc([{"status": "Approved", "private_endpoint_resource_id": "pe"}])
}

test_unknown_state_is_undetermined if {
	d := doc([{"status": null, "private_endpoint_resource_id": "pe"}])
	count(rule.deny) == 0 with input as d
	count(rule.undetermined) == 1 with input as d
}
