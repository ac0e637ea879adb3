# METADATA
# title: Mutual recursion
# custom:
#   id: BAD-3
#   severity: low
package bad.mutual

import data.bad.helper

ping(x) := helper.pong(x)

deny contains {"msg": "m", "resource_id": "r"} if ping(1)
