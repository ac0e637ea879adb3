# METADATA
# title: A rule with a syntax error
# custom:
#   id: BROKEN-SYN-001
#   severity: low
package broken.syntax

deny contains v if {
	v := {"msg": "x", "resource_id": "y"
}
