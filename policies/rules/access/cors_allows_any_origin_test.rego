package ahds.rules.access.cors_allows_any_origin_test

import data.ahds.rules.access.cors_allows_any_origin as rule

doc(origins) := {
	"fhir_services": {"f": {"key": "f", "resource_id": "f-id", "name": "fhir", "cors": {"origins": origins}}},
	"dicom_services": {"d": {"key": "d", "resource_id": "d-id", "name": "dicom", "cors": {"origins": ["https://viewer.contoso.com"]}}},
}

test_fails_for_a_wildcard_origin if {
	some v in rule.deny with input as doc(["https://app.contoso.com", "*"])
	v.resource_id == "f-id"
}

test_passes_for_explicit_origins if {
	count(rule.deny) == 0 with input as doc(["https://app.contoso.com"])
	count(rule.deny) == 0 with input as doc([])
}

test_unknown_origins_are_undetermined if {
	count(rule.undetermined) == 1 with input as doc(null)
}
