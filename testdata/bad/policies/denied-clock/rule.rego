# METADATA
# title: Denied clock
# custom:
#   id: BAD-4
#   severity: low
package bad.denied_clock

deny contains {"msg": sprintf("%v", [x]), "resource_id": "r"} if x := time.now_ns()
