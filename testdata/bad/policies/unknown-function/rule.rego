# METADATA
# title: Unknown function
# custom:
#   id: BAD-5
#   severity: low
package bad.unknown

deny contains {"msg": "m", "resource_id": "r"} if strings.no_such_thing("a")
