package ahds.rules.access.customer_managed_key_not_used_test

import data.ahds.rules.access.customer_managed_key_not_used as rule

doc(fhir) := {"fhir_services": {"f": fhir}, "dicom_services": {}}

test_fails_without_a_key if {
	some v in rule.deny with input as doc({"key": "f", "resource_id": "f-id", "name": "fhir"})
	v.resource_id == "f-id"
}

test_passes_with_a_key if {
	d := doc({"key": "f", "resource_id": "f-id", "name": "fhir", "customer_managed_key": {"key_url": "https://kv.vault.azure.net/keys/k"}})
	count(rule.deny) == 0 with input as d
}

test_passes_with_a_key_not_known_yet if {
	d := doc({"key": "f", "resource_id": "f-id", "name": "fhir", "customer_managed_key": {"key_url": null}})
	count(rule.deny) == 0 with input as d
}

test_a_service_listed_without_settings_is_undetermined if {
	d := doc({"key": "f", "resource_id": "f-id", "name": "fhir", "settings_listed": false})
	count(rule.deny) == 0 with input as d
	some u in rule.undetermined with input as d
	u.resource_id == "f-id"
}
