# METADATA
# title: Service data is not encrypted with a customer-managed key
# description: |
#   A FHIR or DICOM service without a customer-managed key is encrypted with a
#   Microsoft-managed key only. A customer-managed key in your key vault lets you control
#   rotation and revoke access to the data.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/healthcare-apis/fhir/configure-customer-managed-key
#     description: Configure customer-managed keys for the FHIR service
# custom:
#   id: AHDS-AC-002
#   name: customer-managed-key-not-used
#   severity: low
#   applies_to: [fhir_services, dicom_services]
#   remediation: >-
#     Configure encryption with a key in your key vault (a user-assigned identity with Key
#     Vault Crypto Service Encryption User on the vault) when the service is created.
package ahds.rules.access.customer_managed_key_not_used

import data.ahds.lib

kinds := ["fhir_services", "dicom_services"]

deny contains v if {
	some kind in kinds
	some s in lib.collection(kind)
	not s.customer_managed_key
	object.get(s, "settings_listed", true) == true
	v := {
		"msg": sprintf("%s is encrypted with a Microsoft-managed key only", [lib.label(kind, s)]),
		"resource_id": s.resource_id,
		"fix": {"decision": "which key vault key encrypts the service's data and which user-assigned identity reads it; the key is set when the service is created, so the service is created again"},
	}
}

# A live listing without the service's settings does not show its encryption.
undetermined contains u if {
	some kind in kinds
	some s in lib.collection(kind)
	object.get(s, "settings_listed", true) == false
	u := {
		"msg": sprintf("%s: its encryption settings are not in the input (listed without properties)", [lib.label(kind, s)]),
		"resource_id": s.resource_id,
		"missing": ["customer_managed_key"],
	}
}
