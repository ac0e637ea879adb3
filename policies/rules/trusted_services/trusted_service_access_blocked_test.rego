package ahds.rules.trusted_services.trusted_service_access_blocked_test

import data.ahds.rules.trusted_services.trusted_service_access_blocked as rule
import data.ahds.lib
import data.ahds.test.fixtures

test_fails_when_trusted_services_are_blocked if {
	d := fixtures.doc({}, {"trusted_services": false}, {})
	some v in rule.deny with input as d
	v.resource_id == "sa-id"
	contains(v.msg, "without letting trusted Microsoft services through")
	# FHIR export storage: the fix adds the resource-instance rule too.
	v.fix == {"action": "allow_trusted_services", "resource_id": "fhir-id"}
}

test_fix_of_other_targets_is_trusted_access_alone if {
	d := fixtures.doc({"target_type": "key_vaults", "feature": "fhir.cmk"}, {"trusted_services": false}, {})
	some v in rule.deny with input as d
	v.fix == {"action": "allow_trusted_services"}
}

test_fails_for_each_target_kind if {
	every kind in ["container_registries", "eventhub_namespaces", "key_vaults"] {
		d := fixtures.doc({"target_type": kind, "feature": "fhir.convert"}, {"trusted_services": false}, {})
		count(rule.deny) == 1 with input as d
	}
}

test_passes_when_trusted_services_are_allowed if {
	count(rule.deny) == 0 with input as fixtures.doc({}, {}, {})
}

test_passes_when_the_target_is_open if {
	# An open target is AHDS-TS-001's finding; nothing is blocked.
	count(rule.deny) == 0 with input as fixtures.doc({}, {"trusted_services": false, "default_action": "Allow"}, {})
}

test_passes_with_the_documented_ip_allowance if {
	d := fixtures.doc({}, {"trusted_services": false}, fixtures.ip_ranges(["100.64.0.0/10"]))
	count(rule.deny) == 0 with input as d
}

test_ip_allowance_does_not_apply_to_other_features if {
	d := fixtures.doc({"feature": "dicom.storage"}, {"trusted_services": false}, fixtures.ip_ranges(["100.64.0.0/10"]))
	count(rule.deny) == 1 with input as d
}

test_unknown_region_is_undetermined if {
	d := fixtures.doc({"facts": {"same_region": null}}, {"trusted_services": false}, fixtures.ip_ranges(["100.64.0.0/10"]))
	count(rule.deny) == 0 with input as d
	count(rule.undetermined) == 1 with input as d
}

test_unknown_trusted_setting_is_undetermined if {
	d := fixtures.doc({}, {"trusted_services": null}, {})
	some u in rule.undetermined with input as d
	u.missing == ["trusted_services"]
}

test_unresolved_target_is_undetermined if {
	count(rule.deny) == 0 with input as fixtures.unresolved("not_found")
	count(rule.undetermined) == 1 with input as fixtures.unresolved("not_found")
}

test_fails_when_a_registry_of_oci_artifacts_blocks_trusted_services if {
	d := fixtures.doc({"target_type": "container_registries", "feature": "fhir.oci_artifacts"}, {"trusted_services": false}, {})
	some v in rule.deny with input as d
	v.feature == "fhir.oci_artifacts"
}

test_passes_when_a_registry_of_oci_artifacts_lets_trusted_services_through if {
	d := fixtures.doc({"target_type": "container_registries", "feature": "fhir.oci_artifacts"}, {"trusted_services": true}, {})
	count(rule.deny) == 0 with input as d
}

# blocked stops at the first cheap fact that is false; it agrees with the whole fold.
test_blocked_matches_its_definition if {
	count(fixtures.storage_cases) == 972
	every case in fixtures.storage_cases {
		[link, t] := case
		rule.blocked(link, t) == lib.all_of([
			lib.restricted(t.network),
			lib.tri_eq(t.network.trusted_services, false),
			lib.tri_not(lib.ip_allowance(link, t)),
		])
	}
}
