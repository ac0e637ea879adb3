# METADATA
# title: Outbound target firewall admits an overly broad IP range
# description: |
#   An IP rule on the target of an AHDS outbound feature admits an IPv4 range wider than /16
#   or an IPv6 range wider than /32. Such a rule opens the target to a large part of the
#   internet (often whole cloud regions) and usually stands in for the trusted-service
#   exception. The documented 100.64.0.0/10 allowance is judged by AHDS-TS-004 instead.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/network-access-security
#     description: Manage network access security in Azure Health Data Services
# custom:
#   id: AHDS-TS-005
#   name: overly-broad-ip-rule
#   severity: high
#   applies_to: [storage_accounts, container_registries, eventhub_namespaces, key_vaults]
#   remediation: >-
#     Remove the broad IP rule; admit the AHDS service as a trusted Microsoft service and
#     admit clients by narrow ranges or private endpoints.
package ahds.rules.trusted_services.overly_broad_ip_rule

import data.ahds.lib

deny contains v if {
	some link in input.links
	link.status == "resolved"
	t := link.target
	# Cheap tests first: most targets have no IP rules (docs/writing-rules.md).
	is_array(t.facts.ip_ranges) # null while the IP rules are unknown; OPA rejects count(null)
	count(t.facts.ip_ranges) > 0
	t.network.public_network_access == "Enabled" # implied by the next line; tested first for speed
	lib.ip_rules_in_effect(t.network) == true
	broad := lib.broad_ip_rules(t)
	count(broad) > 0
	ranges := concat(", ", broad)
	target := lib.target_label(link)
	v := object.union(
		lib.target_finding(
			link,
			sprintf("%s, whose firewall admits the overly broad range(s) %s", [lib.describe(link), ranges]),
			{"broad_ip_rules": broad},
		),
		{
			"remediation": sprintf("Remove %s from the IP rules of %s.", [ranges, target]),
			"fix": {"decision": sprintf("which narrower ranges the callers %s admits need, to list in place of %s", [target, ranges])},
		},
	)
}

undetermined contains u if {
	some link in input.links
	link.status == "resolved"
	t := link.target
	t.facts.ip_ranges == null
	lib.ip_rules_in_effect(t.network) != false
	u := object.union(
		lib.target_finding(link, sprintf("%s: its IP rules are not known yet", [lib.describe(link)]), null),
		{"missing": ["ip_rules"]},
	)
}

undetermined contains u if {
	some link in input.links
	link.status == "resolved"
	t := link.target
	# Cheap tests first: most targets have no IP rules (docs/writing-rules.md).
	is_array(t.facts.ip_ranges) # null while the IP rules are unknown; OPA rejects count(null)
	count(t.facts.ip_ranges) > 0
	some field in ["public_network_access", "default_action"] # implied by the next line; tested first for speed
	t.network[field] == null
	lib.ip_rules_in_effect(t.network) == null
	broad := lib.broad_ip_rules(t)
	count(broad) > 0
	u := object.union(
		lib.target_finding(link, sprintf("%s: its firewall has the broad range(s) %s but whether it is in effect is not known yet", [lib.describe(link), concat(", ", broad)]), null),
		{"missing": lib.unknown_fields(t.network, ["public_network_access", "default_action"])},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
}
