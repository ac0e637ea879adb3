package ahds.rules.private_link.public_access_despite_private_link_test

import data.ahds.rules.private_link.public_access_despite_private_link as rule

doc(status, ws_access, fhir_access) := {
	"workspaces": {"ws": {
		"key": "ws", "resource_id": "ws-id", "name": "ws",
		"public_network_access": ws_access,
		"facts": {"connections": [{"status": status}]},
	}},
	"fhir_services": {"f": {
		"key": "f", "resource_id": "f-id", "name": "fhir",
		"public_network_access": fhir_access,
		"facts": {"workspace": "ws"},
	}},
	"dicom_services": {},
}

test_fails_for_each_open_resource if {
	ids := {v.resource_id | some v in rule.deny} with input as doc("Approved", "Enabled", "Enabled")
	ids == {"ws-id", "f-id"}
	fixes := {v.fix | some v in rule.deny} with input as doc("Approved", "Enabled", "Enabled")
	fixes == {{"action": "disable_public_network_access"}}
}

test_fails_only_where_enabled if {
	ids := {v.resource_id | some v in rule.deny} with input as doc("Approved", "Disabled", "Enabled")
	ids == {"f-id"}
}

test_passes_when_disabled if {
	count(rule.deny) == 0 with input as doc("Approved", "Disabled", "Disabled")
}

test_passes_without_private_link if {
	# PL-001 covers a workspace without private link; PL-002 only fires behind one.
	count(rule.deny) == 0 with input as doc("Pending", "Enabled", "Enabled")
}

test_unknown_access_is_undetermined if {
	us := rule.undetermined with input as doc("Approved", "Disabled", null)
	count(us) == 1
	some u in us
	u.missing == ["public_network_access"]
}
