# METADATA
# title: A rule whose METADATA is not YAML
# custom: [id: BROKEN-YAML-001
package broken.bad_yaml

deny contains v if {
	false
	v := {}
}
