# METADATA
# title: Service uses outbound features without a managed identity
# description: |
#   AHDS outbound features authenticate to their targets with the service's managed
#   identity: export, import and $convert-data with the FHIR service's identity, Data Lake
#   storage with the DICOM service's, ingestion with the MedTech service's, and
#   customer-managed keys with a user-assigned identity. A service that uses such a feature
#   without any managed identity cannot reach its targets.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-export-data
#     description: Configure export settings (managed identity) for the FHIR service
# custom:
#   id: AHDS-ID-001
#   name: outbound-feature-without-identity
#   severity: high
#   applies_to: [fhir_services, dicom_services, medtech_services]
#   remediation: >-
#     Enable a system-assigned managed identity on the service (and attach the
#     user-assigned identity that customer-managed keys use), then grant it the role each
#     feature needs on its target.
package ahds.rules.identity.outbound_feature_without_identity

import data.ahds.lib
import data.ahds.wording

kinds := ["fhir_services", "dicom_services", "medtech_services"]

deny contains v if {
	some kind in kinds
	some s in lib.collection(kind)
	count(s.facts.features) > 0
	s.facts.has_identity == false
	names := [wording.feature_names[f] | some f in s.facts.features]
	v := {
		"msg": sprintf("%s uses %s but has no managed identity to authenticate with", [lib.label(kind, s), lib.join_and(names)]),
		"resource_id": s.resource_id,
		"evidence": {"features": s.facts.features, "identity_type": s.identity.type},
		"fix": identity_fix(s),
	}
}

# A service with no identity at all gets a system-assigned one; one whose user-assigned
# identity is missing needs someone to say which identity it should use.
identity_fix(s) := {"action": "enable_system_identity"} if {
	s.identity.type in {null, "None"}
} else := {"decision": "which managed identity the service should use: turn on its system-assigned identity, or attach the user-assigned identity it names"}

undetermined contains u if {
	some kind in kinds
	some s in lib.collection(kind)
	count(s.facts.features) > 0
	s.facts.has_identity == null
	u := {
		"msg": sprintf("%s uses outbound features; whether it has a managed identity is not known yet", [lib.label(kind, s)]),
		"resource_id": s.resource_id,
		"missing": ["identity.type"],
	}
}
