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

# The matchers iterate the input directly instead of collecting tuples of whole NSG and
# firewall objects into a set: hashing those objects dominated evaluation time on large
# estates.

# nsg_tag_prefix yields each AHDS tag prefix in a NSG rule together with its relation.
nsg_tag_prefix(rule) := {[relation, prefix] |
	some field, relation in nsg_relations
	is_array(rule[field]) # iterating null is an error in regorus (docs/writing-rules.md)
	some prefix in rule[field]
	is_ahds_tag(prefix)
}

# firewall_tag_prefix does the same for a firewall network rule.
firewall_tag_prefix(rule) := {[relation, prefix] |
	some field, relation in firewall_relations
	is_array(rule[field])
	some prefix in rule[field]
	is_ahds_tag(prefix)
}

allowing contains m if {
	some nsg in input.network_security_groups
	some rule in nsg.security_rules
	rule.access == "Allow"
	some [relation, prefix] in nsg_tag_prefix(rule)
	m := {
		"resource_id": nsg_rule_id(nsg, rule),
		"rule": sprintf("NSG %q rule %q", [nsg.name, rule.name]),
		"direction": lower(rule.direction),
		"relation": relation,
		"tag": prefix,
	}
}

allowing contains m if {
	some fw in input.firewalls
	some collection in fw.network_rule_collections
	collection.action == "Allow"
	some rule in collection.rules
	some [relation, prefix] in firewall_tag_prefix(rule)
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
	some nsg in input.network_security_groups
	some rule in nsg.security_rules
	rule.access == null
	count(nsg_tag_prefix(rule)) > 0
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
	some fw in input.firewalls
	some collection in fw.network_rule_collections
	collection.action == null
	some rule in collection.rules
	count(firewall_tag_prefix(rule)) > 0
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
