# METADATA
# title: Private endpoint lacks the private DNS zones of the workspace's services
# description: |
#   Clients find FHIR and DICOM services behind a workspace private endpoint through the
#   private DNS zones privatelink.fhir.azurehealthcareapis.com and
#   privatelink.dicom.azurehealthcareapis.com. An approved endpoint whose DNS zone groups do
#   not cover the zone of each service in the workspace leaves those names resolving to
#   public addresses, so clients bypass the endpoint or fail once public access is disabled.
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
#     privatelink.fhir.azurehealthcareapis.com (FHIR) and
#     privatelink.dicom.azurehealthcareapis.com (DICOM), each linked to the client virtual
#     networks.
package ahds.rules.private_link.private_dns_zone_missing

import data.ahds.lib

fhir_zone := "privatelink.fhir.azurehealthcareapis.com"

dicom_zone := "privatelink.dicom.azurehealthcareapis.com"

required_zones(ws) := {z |
	count(ws.facts.fhir_services) > 0
	z := fhir_zone
} | {z |
	count(ws.facts.dicom_services) > 0
	z := dicom_zone
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
	required := required_zones(ws)
	count(required) > 0
	c.dns_zones != null
	every z in c.dns_zones {
		z != null
	}
	linked := {lower(z) | some z in c.dns_zones}
	missing := sort([z | some z in required; not z in linked])
	count(missing) > 0
	v := {
		"msg": sprintf("private endpoint %s of %s links no private DNS zone for %s", [c.private_endpoint_resource_id, lib.label("workspaces", ws), concat(" and ", missing)]),
		"resource_id": c.private_endpoint_resource_id,
		"evidence": {"missing_zones": missing, "linked_zones": sort(linked)},
	}
}

undetermined contains u if {
	some ws in input.workspaces
	some c in ws.facts.connections
	checked(c)
	required := required_zones(ws)
	count(required) > 0
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
	required := required_zones(ws)
	count(required) > 0
	c.dns_zones != null
	some z in c.dns_zones
	z == null
	linked := {lower(n) | some n in c.dns_zones; n != null}
	some r in required
	not r in linked
	u := {
		"msg": sprintf("private endpoint %s of %s: some linked DNS zone names are not known yet", [c.private_endpoint_resource_id, lib.label("workspaces", ws)]),
		"resource_id": c.private_endpoint_resource_id,
		"missing": ["dns_zone_groups[].zones[].zone_name"],
	}
}
