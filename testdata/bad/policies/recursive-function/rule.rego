# METADATA
# title: Recursive function
# custom:
#   id: BAD-2
#   severity: low
package bad.recursive_function

count_down(n) := count_down(n - 1) if n > 0

deny contains {"msg": "m", "resource_id": "r"} if count_down(3)
