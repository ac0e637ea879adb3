# METADATA
# title: Denied runtime
# custom:
#   id: BAD-4
#   severity: low
package bad.denied_runtime

deny contains {"msg": sprintf("%v", [x]), "resource_id": "r"} if x := opa.runtime()
