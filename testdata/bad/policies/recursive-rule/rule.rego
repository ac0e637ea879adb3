# METADATA
# title: Recursive rule
# custom:
#   id: BAD-1
#   severity: low
package bad.recursive_rule

a if b

b if a

deny contains {"msg": "m", "resource_id": "r"} if a
