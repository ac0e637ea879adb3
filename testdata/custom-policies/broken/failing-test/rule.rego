# METADATA
# title: Every workspace is called contoso
# custom:
#   id: BROKEN-TEST-001
#   severity: info
package broken.failing

deny contains v if {
	some ws in input.workspaces
	ws.name != "contoso"
	v := {"msg": sprintf("workspace %q is not called contoso", [ws.name]), "resource_id": ws.resource_id}
}
