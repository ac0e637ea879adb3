package ahds.rules.private_link.private_dns_zone_missing_test

import data.ahds.rules.private_link.private_dns_zone_missing as rule

doc(zones, fhir, dicom) := {"workspaces": {"ws": {
	"key": "ws", "resource_id": "ws-id", "name": "ws",
	"facts": {
		"connections": [{
			"status": "Approved",
			"endpoint_in_input": true,
			"private_endpoint": "pe",
			"private_endpoint_resource_id": "pe-id",
			"dns_zones": zones,
		}],
		"fhir_services": fhir,
		"dicom_services": dicom,
	},
}}}

test_fails_when_the_dicom_zone_is_missing if {
	d := doc(["privatelink.fhir.azurehealthcareapis.com"], ["f"], ["d"])
	some v in rule.deny with input as d
	v.resource_id == "pe-id"
	v.evidence.missing_zones == ["privatelink.dicom.azurehealthcareapis.com"]
}

test_the_shared_zone_counts_for_fhir_and_is_named if {
	d := doc(["privatelink.azurehealthcareapis.com", "privatelink.dicom.azurehealthcareapis.com"], ["f"], ["d"])
	count(rule.deny) == 0 with input as d
	some v in rule.deny with input as doc(["privatelink.azurehealthcareapis.com"], ["f"], ["d"])
	v.evidence.missing_zones == ["privatelink.dicom.azurehealthcareapis.com"]
	v.evidence.found_zones == {"FHIR": ["privatelink.azurehealthcareapis.com"]}
}

test_the_shared_zone_does_not_count_for_dicom if {
	some v in rule.deny with input as doc(["privatelink.azurehealthcareapis.com"], [], ["d"])
	v.evidence.missing_zones == ["privatelink.dicom.azurehealthcareapis.com"]
}

test_a_fhir_only_workspace_missing_both_layouts_names_both if {
	some v in rule.deny with input as doc(["privatelink.dicom.azurehealthcareapis.com"], ["f"], [])
	v.evidence.missing_zones == ["privatelink.fhir.azurehealthcareapis.com"]
	contains(v.msg, "privatelink.fhir.azurehealthcareapis.com, or the shared privatelink.azurehealthcareapis.com")
}

test_fails_without_any_zone_group if {
	count(rule.deny) == 1 with input as doc([], ["f"], [])
}

test_passes_when_every_service_zone_is_linked if {
	d := doc(["PrivateLink.FHIR.azurehealthcareapis.com", "privatelink.dicom.azurehealthcareapis.com"], ["f"], ["d"])
	count(rule.deny) == 0 with input as d
}

test_passes_for_a_workspace_without_fhir_or_dicom if {
	count(rule.deny) == 0 with input as doc([], [], [])
}

test_ignores_endpoints_outside_the_input if {
	d := {"workspaces": {"ws": {"key": "ws", "resource_id": "ws-id", "name": "ws", "facts": {
		"connections": [{"status": "Approved", "endpoint_in_input": false, "private_endpoint_resource_id": "pe-id"}],
		"fhir_services": ["f"], "dicom_services": [],
	}}}}
	count(rule.deny) == 0 with input as d
	count(rule.undetermined) == 0 with input as d
}

test_unknown_zones_are_undetermined if {
	count(rule.undetermined) == 1 with input as doc(null, ["f"], [])
	count(rule.undetermined) == 1 with input as doc([null], ["f"], [])
	count(rule.deny) == 0 with input as doc([null], ["f"], [])
}
