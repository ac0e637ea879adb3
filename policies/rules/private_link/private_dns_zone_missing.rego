# METADATA
# title: Private endpoint lacks the private DNS zones of the workspace's services
# description: |
#   Clients find FHIR and DICOM services behind a workspace private endpoint through private
#   DNS zones. DICOM needs privatelink.dicom.azurehealthcareapis.com. For FHIR, the private
#   endpoint DNS reference lists privatelink.fhir.azurehealthcareapis.com, while Microsoft's
#   own samples and landing-zone zone lists put the workspace and FHIR records in
#   privatelink.azurehealthcareapis.com; either layout resolves, and the finding says which
#   one it found. An approved endpoint whose DNS zone groups cover neither leaves those
#   names resolving to public addresses, so clients bypass the endpoint or fail once public
#   access is disabled.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/healthcare-apis-configure-private-link
#     description: Configure Private Link for Azure Health Data Services
#   - ref: https://learn.microsoft.com/azure/private-link/private-endpoint-dns
#     description: Azure private endpoint DNS configuration
# custom:
#   id: AHDS-PL-004
#   name: private-dns-zone-missing
#   severity: medium
#   applies_to: [private_endpoints]
#   remediation: >-
#     Add a private DNS zone group to the private endpoint that links the zones
#     privatelink.fhir.azurehealthcareapis.com (FHIR; or the shared
#     privatelink.azurehealthcareapis.com) and privatelink.dicom.azurehealthcareapis.com
#     (DICOM), each linked to the client virtual networks.
package ahds.rules.private_link.private_dns_zone_missing

import data.ahds.lib

# The zones that resolve each kind of service behind a workspace endpoint, preferred first.
zone_choices := {
	"FHIR": ["privatelink.fhir.azurehealthcareapis.com", "privatelink.azurehealthcareapis.com"],
	"DICOM": ["privatelink.dicom.azurehealthcareapis.com"],
}

needed(ws) := {k |
	count(ws.facts.fhir_services) > 0
	k := "FHIR"
} | {k |
	count(ws.facts.dicom_services) > 0
	k := "DICOM"
}

covered(kind, linked) if {
	some z in zone_choices[kind]
	z in linked
}

# An approved connection whose private endpoint is in the input.
checked(c) if {
	c.status == "Approved"
	c.endpoint_in_input == true
}

deny contains v if {
	some ws in input.workspaces
	some c in ws.facts.connections
	checked(c)
	kinds := needed(ws)
	count(kinds) > 0
	c.dns_zones != null
	every z in c.dns_zones {
		z != null
	}
	linked := {lower(z) | some z in c.dns_zones}
	missing := sort([kind | some kind in kinds; not covered(kind, linked)])
	count(missing) > 0
	v := {
		"msg": sprintf("private endpoint %s of %s links no private DNS zone for %s", [c.private_endpoint_resource_id, lib.label("workspaces", ws), concat(" and ", [wanted(k) | some k in missing])]),
		"resource_id": c.private_endpoint_resource_id,
		"evidence": {
			"missing_zones": [zone_choices[k][0] | some k in missing],
			"linked_zones": sort(linked),
			"found_zones": {k: [z | some z in zone_choices[k]; z in linked] | some k in kinds; covered(k, linked)},
		},
		"fix": {"decision": sprintf("which private DNS zones (%s) the endpoint's zone group links: their resource ids in your DNS subscription", [concat(", ", [zone_choices[k][0] | some k in missing])])},
	}
}

# How a message names the zones a kind of service needs.
wanted(kind) := sprintf("%s (%s)", [kind, concat(", or the shared ", zone_choices[kind])])

undetermined contains u if {
	some ws in input.workspaces
	some c in ws.facts.connections
	checked(c)
	count(needed(ws)) > 0
	c.dns_zones == null
	u := {
		"msg": sprintf("private endpoint %s of %s: its DNS zone groups are not known yet", [c.private_endpoint_resource_id, lib.label("workspaces", ws)]),
		"resource_id": c.private_endpoint_resource_id,
		"missing": ["dns_zone_groups"],
	}
}

undetermined contains u if {
	some ws in input.workspaces
	some c in ws.facts.connections
	checked(c)
	c.dns_zones != null
	some z in c.dns_zones
	z == null
	linked := {lower(n) | some n in c.dns_zones; n != null}
	some kind in needed(ws)
	not covered(kind, linked)
	u := {
		"msg": sprintf("private endpoint %s of %s: some linked DNS zone names are not known yet", [c.private_endpoint_resource_id, lib.label("workspaces", ws)]),
		"resource_id": c.private_endpoint_resource_id,
		"missing": ["dns_zone_groups[].zones[].zone_name"],
	}
}
