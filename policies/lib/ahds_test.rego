package ahds.lib_test

import data.ahds.lib
import data.ahds.test.fixtures

test_tri_and_truth_table if {
	lib.tri_and(true, true) == true
	lib.tri_and(true, false) == false
	lib.tri_and(false, null) == false
	lib.tri_and(null, false) == false
	lib.tri_and(true, null) == null
	lib.tri_and(null, true) == null
	lib.tri_and(null, null) == null
}

test_tri_or_truth_table if {
	lib.tri_or(false, false) == false
	lib.tri_or(true, null) == true
	lib.tri_or(null, true) == true
	lib.tri_or(false, null) == null
	lib.tri_or(null, null) == null
}

test_folds if {
	lib.all_of([true, null, false]) == false
	lib.all_of([true, null]) == null
	lib.all_of([true, true]) == true
	lib.any_of([false, null, true]) == true
	lib.any_of([false, null]) == null
	lib.any_of([false]) == false
}

test_accepts_all_networks if {
	lib.accepts_all_networks({"public_network_access": "Enabled", "default_action": "Allow"}) == true
	lib.accepts_all_networks({"public_network_access": "Disabled", "default_action": "Allow"}) == false
	lib.accepts_all_networks({"public_network_access": "Enabled", "default_action": "Deny"}) == false
	lib.accepts_all_networks({"public_network_access": null, "default_action": "Deny"}) == false
	lib.accepts_all_networks({"public_network_access": null, "default_action": "Allow"}) == null
	lib.restricted({"public_network_access": "SecuredByPerimeter", "default_action": "Allow"}) == true
}

test_ip_allowance_same_and_other_region if {
	same := {"feature": "fhir.export", "facts": {"same_region": true, "service_region": "eastus"}}
	other := {"feature": "fhir.export", "facts": {"same_region": false, "service_region": "eastus"}}
	cgnat := {"facts": fixtures.ip_ranges(["100.64.0.0/10"])}
	egress := {"facts": fixtures.ip_ranges(["20.62.128.148/32"])}
	lib.ip_allowance(same, cgnat) == true
	lib.ip_allowance(same, egress) == false
	lib.ip_allowance(other, egress) == true
	lib.ip_allowance(other, cgnat) == false
	lib.ip_allowance({"feature": "fhir.convert", "facts": {}}, cgnat) == false
}

test_ip_allowance_unknown if {
	unknown_region := {"feature": "fhir.import", "facts": {"same_region": null, "service_region": null}}
	lib.ip_allowance(unknown_region, {"facts": fixtures.ip_ranges(["100.64.0.0/10"])}) == null
	same := {"feature": "fhir.export", "facts": {"same_region": true, "service_region": "eastus"}}
	lib.ip_allowance(same, {"facts": {"ip_ranges": null}}) == null
}

test_ip_allowance_needs_the_whole_cgnat_range if {
	same := {"feature": "fhir.export", "facts": {"same_region": true, "service_region": "eastus"}}
	lib.ip_allowance(same, {"facts": fixtures.ip_ranges(["100.64.0.0/12"])}) == false
	lib.ip_allowance(same, {"facts": fixtures.ip_ranges(["100.0.0.0/8"])}) == true
}

test_egress_allowance_of_a_region_without_a_published_address if {
	other := {"feature": "fhir.export", "facts": {"same_region": false, "service_region": "nowhere"}}
	lib.ip_allowance(other, {"facts": fixtures.ip_ranges(["0.0.0.0/0"])}) == false
}

test_broad_ip_rules_by_family if {
	t := {"facts": fixtures.ip_ranges(["10.0.0.0/15", "10.2.0.0/16", "100.64.0.0/10", "2001:db8::/31", "2001:db8::/32"])}
	lib.broad_ip_rules(t) == ["10.0.0.0/15", "2001:db8::/31"]
	lib.broad_ip_rules({"facts": {"ip_ranges": null}}) == null
}

# Regions are looked up by the analysis's normalised name (`westeurope`), and a malformed
# address would silently admit nothing.
test_every_published_egress_entry_is_a_normalised_region_and_an_address if {
	bad := [region |
		some region, address in data.ahds.fhir_egress
		not egress_entry_ok(region, address)
	]
	bad == []
	count(data.ahds.fhir_egress) > 0
}

test_join_and if {
	lib.join_and([]) == ""
	lib.join_and(["a"]) == "a"
	lib.join_and(["a", "b"]) == "a and b"
	lib.join_and(["a", "b", "c"]) == "a, b and c"
}

test_labels_of_unresolved_links if {
	named := {"target_type": "storage_accounts", "status": "not_found", "reference": {"value": "sa"}, "target_resource_id": null}
	unnamed := {"target_type": "storage_accounts", "status": "unknown", "reference": {"value": null}, "target_resource_id": null}
	lib.target_label(named) == `storage account "sa"`
	lib.target_label(unnamed) == "an unknown storage account"
	lib.link_target_id(named) == "sa"
	lib.link_target_id(unnamed) == "unknown"
}

test_labels_fall_back_to_ids_when_names_are_unknown if {
	lib.service_label({"service_type": "fhir_services", "service_name": null, "service_resource_id": "azurerm_healthcare_fhir_service.f"}) == "FHIR service azurerm_healthcare_fhir_service.f"
	lib.label("workspaces", {"name": null, "resource_id": "ws-id"}) == `workspace "ws-id"`
}

# The written-out network predicates agree with their tri_and definitions everywhere.
test_network_predicates_match_their_definitions if {
	every pna in ["Enabled", "Disabled", "SecuredByPerimeter", null] {
		every action in ["Allow", "Deny", null] {
			net := {"public_network_access": pna, "default_action": action}
			all_networks := lib.tri_and(lib.tri_eq(pna, "Enabled"), lib.tri_eq(action, "Allow"))
			lib.accepts_all_networks(net) == all_networks
			lib.restricted(net) == lib.tri_not(all_networks)
			lib.ip_rules_in_effect(net) == lib.tri_and(lib.tri_eq(pna, "Enabled"), lib.tri_eq(action, "Deny"))
		}
	}
}

# ip_allowance evaluates only the half of its definition a known region selects; it agrees
# with the whole definition on every combination below, each fact known, unknown (null) or
# left out ("absent"), and is undefined exactly where the definition is.
test_ip_allowance_matches_its_definition if {
	every feature in ["fhir.export", "fhir.import", "fhir.convert"] {
		every same_region in [true, false, null, "absent"] {
			every service_region in ["eastus", "nowhere", null, "absent"] {
				every ranges in [null, ["100.64.0.0/10"], ["20.62.128.148/32"], ["10.0.0.0/8"], [], "absent"] {
					link := {"feature": feature, "facts": present({"same_region": same_region, "service_region": service_region})}
					t := {"facts": ranges_facts(ranges)}
					[v | v := lib.ip_allowance(link, t)] == [v | v := ip_allowance_definition(link, t)]
				}
			}
		}
	}
	# A known region without the target's IP rules: undefined, as the definition is.
	not lib.ip_allowance({"feature": "fhir.export", "facts": {"same_region": false, "service_region": "eastus"}}, {"facts": {}})
}

present(facts) := {k: v | some k, v in facts; v != "absent"}

ranges_facts("absent") := {}

ranges_facts(null) := {"ip_ranges": null}

ranges_facts(cidrs) := fixtures.ip_ranges(cidrs) if {
	cidrs != null
	cidrs != "absent"
}

ip_allowance_definition(link, t) := false if not link.feature in {"fhir.export", "fhir.import"}

ip_allowance_definition(link, t) := lib.tri_or(
	lib.tri_and(link.facts.same_region, lib.cgnat_admitted(t)),
	lib.tri_and(lib.tri_not(link.facts.same_region), lib.egress_admitted(link, t)),
) if link.feature in {"fhir.export", "fhir.import"}

# describe's one-sprintf paths word a link exactly as the labels do, and it falls back to
# them when a name is unknown.
test_describe_matches_the_labels if {
	named := object.union(fixtures.link, {"target": {"name": "sa", "resource_id": "sa-id"}})
	unnamed_target := object.union(fixtures.link, {"target": {"name": null, "resource_id": "sa-id"}})
	unnamed_service := object.union(named, {"service_name": null})
	not_found := object.union(fixtures.link, {"status": "not_found", "target_id": null, "target_resource_id": null})
	not_found_null_target := object.union(not_found, {"target": null})
	symbolic := object.union(not_found, {"status": "unknown", "reference": {"by": "account_name", "value": "{sa}x", "symbols": ["sa"]}})
	unknown_name := object.union(not_found, {"status": "unknown", "reference": {"by": "account_name", "value": null}})
	every link in [named, unnamed_target, unnamed_service, not_found, not_found_null_target, symbolic, unknown_name] {
		lib.describe(link) == sprintf("%s uses %s for %s", [lib.service_label(link), lib.target_label(link), "export ($export)"])
	}
	lib.describe(named) == `FHIR service "fhir" uses storage account "sa" for export ($export)`
	lib.describe(unnamed_target) == `FHIR service "fhir" uses storage account "sa-id" for export ($export)`
	lib.describe(unnamed_service) == `FHIR service fhir-id uses storage account "sa" for export ($export)`
	lib.describe(not_found) == `FHIR service "fhir" uses storage account "sa" for export ($export)`
	lib.describe(unknown_name) == `FHIR service "fhir" uses an unknown storage account for export ($export)`
}

test_unresolved_finding_says_why_and_what_would_decide_it if {
	missing := object.union(fixtures.link, {"status": "not_found", "target_id": null, "target_resource_id": null, "target": null})
	f := lib.unresolved_finding(missing)
	endswith(f.msg, ": the target cannot be checked because it is not in the input")
	f.missing == [`storage account sa`]

	symbolic := object.union(missing, {"status": "unknown", "reference": {"by": "account_name", "value": "{sa}x", "symbols": ["sa"]}})
	g := lib.unresolved_finding(symbolic)
	endswith(g.msg, "because its name is fixed only at deployment")
	g.missing == ["value of {sa}"]

	unknown := object.union(missing, {"status": "unknown", "reference": {"by": "account_name", "value": null}})
	h := lib.unresolved_finding(unknown)
	endswith(h.msg, "because its name is not known yet")
	h.missing == ["storage account unknown"]
}

test_custom_rule_helpers_follow_the_link_status if {
	resolved := object.union(fixtures.link, {"target": {"name": "sa"}})
	lib.target(resolved) == {"name": "sa"}
	lib.resolved(resolved)
	not lib.unresolved(resolved)
	missing := object.union(fixtures.link, {"status": "not_found"})
	lib.unresolved(missing)
	not lib.resolved(missing)
	not lib.target(missing)
}

test_approved_private_link_of_a_workspace_listed_without_settings if {
	listed := {"facts": {"connections": [{"status": "Pending"}]}}
	lib.approved_private_link(listed) == false
	unlisted := object.union(listed, {"settings_listed": false})
	lib.approved_private_link(unlisted) == null
	lib.approved_private_link(object.union(unlisted, {"facts": {"connections": [{"status": "Approved"}]}})) == true
}

egress_entry_ok(region, address) if {
	region == lower(region)
	not contains(region, " ")
	net.cidr_is_valid(sprintf("%s/32", [address]))
}

test_collection_names_each_kind_a_rule_reads if {
	doc := {"workspaces": {"w": 1}, "fhir_services": {"f": 2}, "dicom_services": {"d": 3}, "medtech_services": {"m": 4}}
	every kind, members in doc {
		lib.collection(kind) == members with input as doc
	}
}

test_collection_of_a_kind_the_input_lacks_is_undefined if {
	not lib.collection("dicom_services") with input as {"fhir_services": {}}
	not lib.collection("key_vaults") with input as {"key_vaults": {}}
}
