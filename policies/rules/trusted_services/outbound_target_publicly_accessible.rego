# METADATA
# title: Outbound target accepts traffic from all networks
# description: |
#   The storage account, container registry, Event Hubs namespace or key vault an AHDS
#   feature connects to is open to every network: public network access is on and its
#   firewall's default action is Allow. AHDS outbound features do not need that: restrict
#   the target and let trusted Microsoft services through instead of opening it to the
#   internet.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/network-access-security
#     description: Manage network access security in Azure Health Data Services
# custom:
#   id: AHDS-TS-001
#   name: outbound-target-publicly-accessible
#   severity: high
#   applies_to: [storage_accounts, container_registries, eventhub_namespaces, key_vaults]
#   remediation: >-
#     Set the target's firewall default action to Deny (or disable public network access)
#     and allow trusted Microsoft services to bypass the firewall.
package ahds.rules.trusted_services.outbound_target_publicly_accessible

import data.ahds.lib
import data.ahds.wording

remediation(link) := sprintf(
	"On %s set the firewall default action to Deny and make sure %s, so %s still reaches it as a trusted Microsoft service.",
	[lib.target_label(link), wording.trusted_settings[link.target_type], lib.service_label(link)],
)

# Restricting an account FHIR exports to or imports from also takes the resource-instance
# rule its trusted access needs (AHDS-TS-003), so one fix leaves no finding behind.
fix(link) := {"action": "restrict_network", "resource_id": lib.instance_rule_resource(link)} if {
	link.feature in wording.fhir_storage_features
} else := {"action": "restrict_network"}

deny contains v if {
	some link in input.links
	link.status == "resolved"
	net := link.target.network
	net.public_network_access == "Enabled" # implied by the next line; tested first for speed
	lib.accepts_all_networks(net) == true
	v := object.union(
		lib.target_finding(
			link,
			sprintf("%s, which accepts traffic from all networks (public network access %s, firewall default action %s)", [lib.describe(link), net.public_network_access, net.default_action]),
			{"public_network_access": net.public_network_access, "default_action": net.default_action},
		),
		{"remediation": remediation(link), "fix": fix(link)},
	)
}

undetermined contains u if {
	some link in input.links
	link.status == "resolved"
	net := link.target.network
	some field in ["public_network_access", "default_action"] # implied by the next line; tested first for speed
	net[field] == null
	lib.accepts_all_networks(net) == null
	u := object.union(
		lib.target_finding(link, sprintf("%s: cannot tell whether the target accepts traffic from all networks", [lib.describe(link)]), null),
		{"missing": lib.unknown_fields(net, ["public_network_access", "default_action"])},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
}
