# METADATA
# title: CORS allows any origin
# description: |
#   A FHIR or DICOM service whose CORS settings allow the origin * lets script on any web
#   site call the service from a signed-in user's browser. Allow only the origins of your
#   own applications.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-cross-origin-resource-sharing
#     description: Configure cross-origin resource sharing for the FHIR service
# custom:
#   id: AHDS-AC-001
#   name: cors-allows-any-origin
#   severity: medium
#   applies_to: [fhir_services, dicom_services]
#   remediation: Replace the * origin with the exact origins of your applications.
package ahds.rules.access.cors_allows_any_origin

import data.ahds.lib

kinds := ["fhir_services", "dicom_services"]

deny contains v if {
	some kind in kinds
	some s in lib.collection(kind)
	"*" in s.cors.origins
	v := {
		"msg": sprintf("%s allows cross-origin requests from any origin (*)", [lib.label(kind, s)]),
		"resource_id": s.resource_id,
		"evidence": {"origins": s.cors.origins},
		"fix": {"decision": "which origins the browser applications that call the service are served from, to list in place of *"},
	}
}

undetermined contains u if {
	some kind in kinds
	some s in lib.collection(kind)
	s.cors.origins == null
	u := {
		"msg": sprintf("%s: its CORS origins are not known yet", [lib.label(kind, s)]),
		"resource_id": s.resource_id,
		"missing": ["cors.origins"],
	}
}
