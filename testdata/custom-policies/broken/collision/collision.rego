# METADATA
# title: A custom rule that reuses a bundled id
# custom:
#   id: AHDS-PL-001
#   severity: low
package broken.collision

deny contains v if {
	false
	v := {}
}
