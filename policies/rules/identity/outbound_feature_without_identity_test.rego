package ahds.rules.identity.outbound_feature_without_identity_test

import data.ahds.rules.identity.outbound_feature_without_identity as rule

doc(has_identity, features) := {
	"fhir_services": {"f": {
		"key": "f", "resource_id": "f-id", "name": "fhir",
		"identity": {"type": "None"},
		"facts": {"features": features, "has_identity": has_identity},
	}},
	"dicom_services": {},
	"medtech_services": {},
}

test_fails_once_per_service_without_identity if {
	vs := rule.deny with input as doc(false, ["fhir.export", "fhir.import"])
	count(vs) == 1
	some v in vs
	v.resource_id == "f-id"
	contains(v.msg, "uses export ($export) and import ($import) but")
	v.fix == {"action": "enable_system_identity"}
}

test_a_missing_user_assigned_identity_needs_a_decision if {
	d := object.union(doc(false, ["fhir.export"]), {"fhir_services": {"f": {"identity": {"type": "UserAssigned"}}}})
	some v in rule.deny with input as d
	contains(v.fix.decision, "which managed identity")
}

test_passes_with_an_identity if {
	count(rule.deny) == 0 with input as doc(true, ["fhir.export"])
}

test_passes_without_outbound_features if {
	count(rule.deny) == 0 with input as doc(false, [])
}

test_unknown_identity_is_undetermined if {
	count(rule.undetermined) == 1 with input as doc(null, ["fhir.export"])
}
