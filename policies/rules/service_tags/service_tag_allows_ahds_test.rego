package ahds.rules.service_tags.service_tag_allows_ahds_test

import data.ahds.rules.service_tags.service_tag_allows_ahds as rule

nsg(access, sources, destinations) := {"network_security_groups": {"n": {
	"key": "n", "resource_id": "nsg-id", "name": "nsg",
	"security_rules": [{
		"name": "r1", "direction": "Outbound", "access": access,
		"source_address_prefixes": sources,
		"destination_address_prefixes": destinations,
	}],
}}, "firewalls": {}}

firewall(action, destinations) := {"network_security_groups": {}, "firewalls": {"f": {
	"key": "f", "resource_id": "fw-id", "name": "fw",
	"network_rule_collections": [{
		"name": "c1", "action": action, "address": "azurerm_firewall_network_rule_collection.c1",
		"rules": [{"name": "to-ahds", "source_addresses": ["10.0.0.0/24"], "destination_addresses": destinations}],
	}],
}}}

test_fails_for_the_tag_in_any_case_and_region if {
	every tag in ["AzureHealthcareAPIs", "azurehealthcareapis", "AzureHealthcareAPIs.EastUS"] {
		count(rule.deny) == 1 with input as nsg("Allow", ["10.0.0.0/24"], [tag])
	}
}

test_fails_for_the_tag_as_source if {
	some v in rule.deny with input as nsg("Allow", ["AzureHealthcareAPIs"], ["*"])
	contains(v.msg, "from the shared service tag")
}

test_fails_for_firewall_rules if {
	some v in rule.deny with input as firewall("Allow", ["AzureHealthcareAPIs.WestEurope"])
	v.resource_id == "azurerm_firewall_network_rule_collection.c1"
}

test_passes_for_deny_rules_and_other_tags if {
	count(rule.deny) == 0 with input as nsg("Deny", ["10.0.0.0/24"], ["AzureHealthcareAPIs"])
	count(rule.deny) == 0 with input as nsg("Allow", ["10.0.0.0/24"], ["AzureHealthcareAPIsX", "Storage"])
	count(rule.deny) == 0 with input as firewall("Deny", ["AzureHealthcareAPIs"])
}

test_unknown_prefixes_are_undetermined if {
	count(rule.undetermined) == 1 with input as nsg("Allow", ["10.0.0.0/24"], null)
	count(rule.undetermined) == 1 with input as nsg(null, ["10.0.0.0/24"], ["AzureHealthcareAPIs"])
}

test_unknown_firewall_rules_are_undetermined if {
	count(rule.undetermined) == 1 with input as firewall(null, ["AzureHealthcareAPIs"])
	count(rule.undetermined) == 1 with input as firewall("Allow", null)
}
