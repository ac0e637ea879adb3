package ahds.rules.private_link.workspace_without_private_link_test

import data.ahds.rules.private_link.workspace_without_private_link as rule

ws(connections) := {"workspaces": {"ws": {
	"key": "ws",
	"resource_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws",
	"name": "ws",
	"facts": {"connections": connections},
}}}

test_fails_without_connections if {
	some v in rule.deny with input as ws([])
	v.resource_id == "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws"
	contains(v.msg, `workspace "ws"`)
}

test_fails_when_only_pending if {
	vs := rule.deny with input as ws([{"status": "Pending"}, {"status": "Rejected"}])
	count(vs) == 1
	some v in vs
	contains(v.msg, "its connections are Pending and Rejected")
}

test_passes_with_an_approved_connection if {
	count(rule.deny) == 0 with input as ws([{"status": "Pending"}, {"status": "Approved"}])
	count(rule.undetermined) == 0 with input as ws([{"status": "Approved"}])
}

test_unknown_state_is_undetermined if {
	count(rule.deny) == 0 with input as ws([{"status": null}])
	some u in rule.undetermined with input as ws([{"status": null}])
	u.missing == ["private_endpoint_connections[].status"]
}

unlisted(connections) := {"workspaces": {"ws": object.union(ws(connections).workspaces.ws, {"settings_listed": false})}}

test_a_workspace_listed_without_settings_is_undetermined_unless_an_endpoint_approves_it if {
	count(rule.deny) == 0 with input as unlisted([])
	some u in rule.undetermined with input as unlisted([])
	u.missing == ["private_endpoint_connections"]
	# An endpoint in the input that approves it decides it all the same.
	count(rule.deny) == 0 with input as unlisted([{"status": "Approved"}])
	count(rule.undetermined) == 0 with input as unlisted([{"status": "Approved"}])
}
