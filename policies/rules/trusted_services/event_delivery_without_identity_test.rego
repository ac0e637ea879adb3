package ahds.rules.trusted_services.event_delivery_without_identity_test

import data.ahds.rules.trusted_services.event_delivery_without_identity as rule
import data.ahds.test.fixtures

events(delivery, network_patch) := fixtures.doc(
	{
		"feature": "workspace.events",
		"service_type": "workspaces",
		"target_type": "eventhub_namespaces",
		"via": "es",
		"via_resource_id": "es-id",
		"facts": {"delivery_with_identity": delivery},
	},
	network_patch,
	{},
)

test_fails_without_delivery_identity if {
	some v in rule.deny with input as events(false, {})
	v.resource_id == "es-id"
	v.feature == "workspace.events"
}

test_passes_with_delivery_identity if {
	count(rule.deny) == 0 with input as events(true, {})
}

test_passes_for_an_open_namespace if {
	count(rule.deny) == 0 with input as events(false, {"default_action": "Allow"})
}

test_unknown_delivery_is_undetermined if {
	count(rule.undetermined) == 1 with input as events(null, {})
}

test_unresolved_namespace_is_undetermined if {
	d := {"links": [object.union(fixtures.link, {"feature": "workspace.events", "target_type": "eventhub_namespaces", "status": "not_found", "target_id": null, "target_resource_id": null, "reference": {"by": "resource_id", "value": "evhns-x"}})]}
	count(rule.deny) == 0 with input as d
	count(rule.undetermined) == 1 with input as d
}
