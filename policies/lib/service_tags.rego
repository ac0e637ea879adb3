# METADATA
# title: Service-tag matching shared by AHDS-ST-001 and AHDS-ST-002
# description: |
#   Finds NSG and Azure Firewall rules that allow traffic to or from the
#   AzureHealthcareAPIs service tag, in any case and with or without a `.Region` suffix,
#   in single and plural prefix fields.
# scope: package
package ahds.lib.service_tags

tag := "azurehealthcareapis"

# is_ahds_tag matches `AzureHealthcareAPIs` and `AzureHealthcareAPIs.<Region>`.
is_ahds_tag(prefix) if lower(prefix) == tag

is_ahds_tag(prefix) if startswith(lower(prefix), concat("", [tag, "."]))

nsg_relations := {"source_address_prefixes": "from", "destination_address_prefixes": "to"}

firewall_relations := {"source_addresses": "from", "destination_addresses": "to"}

nsg_rule_id(nsg, rule) := rule.address if rule.address

nsg_rule_id(nsg, rule) := nsg.resource_id if not rule.address

firewall_rule_id(fw, collection) := collection.address if collection.address

firewall_rule_id(fw, collection) := fw.resource_id if not collection.address

# NSG security rules with the tag in a prefix field.
nsg_matches contains [nsg, rule, relation, prefix] if {
	some nsg in input.network_security_groups
	some rule in nsg.security_rules
	some field, relation in nsg_relations
	is_array(rule[field]) # regorus, unlike OPA, errors on iterating null
	some prefix in rule[field]
	is_ahds_tag(prefix)
}

# Firewall network rules with the tag in an address field.
firewall_matches contains [fw, collection, rule, relation, prefix] if {
	some fw in input.firewalls
	some collection in fw.network_rule_collections
	some rule in collection.rules
	some field, relation in firewall_relations
	is_array(rule[field])
	some prefix in rule[field]
	is_ahds_tag(prefix)
}

allowing contains m if {
	some [nsg, rule, relation, prefix] in nsg_matches
	rule.access == "Allow"
	m := {
		"resource_id": nsg_rule_id(nsg, rule),
		"rule": sprintf("NSG %q rule %q", [nsg.name, rule.name]),
		"direction": lower(rule.direction),
		"relation": relation,
		"tag": prefix,
	}
}

allowing contains m if {
	some [fw, collection, rule, relation, prefix] in firewall_matches
	collection.action == "Allow"
	m := {
		"resource_id": firewall_rule_id(fw, collection),
		"rule": sprintf("firewall %q rule %q in collection %q", [fw.name, rule.name, collection.name]),
		"direction": "network",
		"relation": relation,
		"tag": prefix,
	}
}

# Rules whose action or prefixes are not known yet.
undecided contains m if {
	some [nsg, rule, _, _] in nsg_matches
	rule.access == null
	m := {"resource_id": nsg_rule_id(nsg, rule), "rule": sprintf("NSG %q rule %q", [nsg.name, rule.name]), "missing": ["access"]}
}

undecided contains m if {
	some nsg in input.network_security_groups
	some rule in nsg.security_rules
	rule.access != "Deny"
	some field, _ in nsg_relations
	rule[field] == null
	m := {"resource_id": nsg_rule_id(nsg, rule), "rule": sprintf("NSG %q rule %q", [nsg.name, rule.name]), "missing": [field]}
}

undecided contains m if {
	some [fw, collection, _, _, _] in firewall_matches
	collection.action == null
	m := {"resource_id": firewall_rule_id(fw, collection), "rule": sprintf("firewall %q collection %q", [fw.name, collection.name]), "missing": ["action"]}
}

undecided contains m if {
	some fw in input.firewalls
	some collection in fw.network_rule_collections
	collection.action != "Deny"
	some rule in collection.rules
	some field, _ in firewall_relations
	rule[field] == null
	m := {"resource_id": firewall_rule_id(fw, collection), "rule": sprintf("firewall %q rule %q", [fw.name, rule.name]), "missing": [field]}
}
