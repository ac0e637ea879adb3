# Builders for the policy input documents rule tests evaluate against. Only loaded with
# the tests (the file name ends in _test.rego).
package ahds.test.fixtures

network := {
	"public_network_access": "Enabled",
	"default_action": "Deny",
	"trusted_services": true,
	"ip_rules": [],
	"virtual_network_rules": [],
	"resource_access_rules": [],
}

target_facts := {"ip_ranges": []}

# ip_ranges is a facts patch for IP rules written in canonical CIDR form, stated as the
# analysis states them.
ip_ranges(cidrs) := {"ip_ranges": [r |
	some c in cidrs
	r := {"rule": c, "cidr": c, "family": family(c), "prefix_len": to_number(split(c, "/")[1])}
]}

family(cidr) := "ipv6" if contains(cidr, ":")

family(cidr) := "ipv4" if not contains(cidr, ":")

link := {
	"service_type": "fhir_services",
	"service_id": "fhir",
	"service_resource_id": "fhir-id",
	"service_name": "fhir",
	"workspace_id": "ws",
	"feature": "fhir.export",
	"target_type": "storage_accounts",
	"reference": {"by": "account_name", "value": "sa"},
	"status": "resolved",
	"target_id": "sa",
	"target_resource_id": "sa-id",
	"via": null,
	"via_resource_id": null,
	"identity": {"owner": "fhir-id", "has_identity": true, "principals": ["p1"]},
	"facts": {
		"service_region": "eastus",
		"same_region": true,
		"same_subscription": true,
		"instance_rule": true,
		"delivery_with_identity": null,
		"role": {
			"required_role": "Storage Blob Data Contributor",
			"required_role_id": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
			"model": "rbac",
			"checked": true,
			"held": true,
		},
		"privileged_roles": [],
	},
}

# doc is an input with one link (the default patched by link_patch) and its target (the
# default network and facts patched by network_patch and facts_patch).
doc(link_patch, network_patch, facts_patch) := d if {
	l := object.union(link, link_patch)
	t := {
		"key": l.target_id,
		"resource_id": l.target_resource_id,
		"name": "sa",
		"resource_type": resource_types[l.target_type],
		"network": object.union(network, network_patch),
		"facts": object.union(target_facts, facts_patch),
	}
	d := {
		"links": [object.union(l, {"target": t})],
		"role_assignments_included": true,
		l.target_type: {l.target_id: t},
	}
}

resource_types := {
	"storage_accounts": "Microsoft.Storage/storageAccounts",
	"container_registries": "Microsoft.ContainerRegistry/registries",
	"eventhub_namespaces": "Microsoft.EventHub/namespaces",
	"key_vaults": "Microsoft.KeyVault/vaults",
}

# unresolved is an input with one link whose target is not in the input.
unresolved(status) := {"links": [object.union(link, {
	"status": status,
	"target_id": null,
	"target_resource_id": null,
	"target": null,
})]}

# storage_cases: a FHIR export link and its storage target under every combination of the
# settings the storage rules decide on (network access, trusted services, IP rules, region,
# instance rule), each known or unknown; for tests that check a rule's written-out verdict
# against its definition.
storage_cases := [[l, t] |
	some pna in ["Enabled", "Disabled", null]
	some action in ["Allow", "Deny", null]
	some trusted in [true, false, null]
	some ranges in [{"ip_ranges": null}, ip_ranges([]), ip_ranges(["100.64.0.0/10"]), ip_ranges(["20.62.128.148/32"])]
	some same_region in [true, false, null]
	some instance_rule in [true, false, null]
	l := object.union(link, {"facts": {"same_region": same_region, "instance_rule": instance_rule}})
	t := {
		"network": object.union(network, {"public_network_access": pna, "default_action": action, "trusted_services": trusted}),
		"facts": ranges,
	}
]
