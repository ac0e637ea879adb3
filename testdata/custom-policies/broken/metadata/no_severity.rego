# METADATA
# title: A rule whose metadata lacks a severity
# custom:
#   id: BROKEN-META-001
package broken.no_severity

deny contains v if {
	false
	v := {}
}
