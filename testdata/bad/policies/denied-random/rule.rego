# METADATA
# title: Denied random
# custom:
#   id: BAD-4
#   severity: low
package bad.denied_random

deny contains {"msg": sprintf("%v", [x]), "resource_id": "r"} if x := rand.intn("seed", 10)
