package ahds.rules.trusted_services.export_storage_other_subscription_test

import data.ahds.rules.trusted_services.export_storage_other_subscription as rule
import data.ahds.test.fixtures

test_fails_across_subscriptions if {
	some v in rule.deny with input as fixtures.doc({"facts": {"same_subscription": false}}, {}, {})
	v.resource_id == "fhir-id"
}

test_passes_in_the_same_subscription if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}

test_import_is_not_restricted if {
	count(rule.deny) == 0 with input as fixtures.doc({"feature": "fhir.import", "facts": {"same_subscription": false}}, {}, {})
}

test_unknown_subscription_is_undetermined if {
	count(rule.undetermined) == 1 with input as fixtures.doc({"facts": {"same_subscription": null}}, {}, {})
}

test_unresolved_target_is_undetermined if {
	count(rule.deny) == 0 with input as fixtures.unresolved("not_found")
	count(rule.undetermined) == 1 with input as fixtures.unresolved("not_found")
}
