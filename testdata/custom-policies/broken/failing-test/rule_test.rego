package broken.failing_test

import data.broken.failing

test_passes if {
	count(failing.deny) == 0 with input as {"workspaces": {"a": {"name": "contoso", "resource_id": "a"}}}
}

# Wrong on purpose: the rule does deny this workspace.
test_fails if {
	count(failing.deny) == 0 with input as {"workspaces": {"a": {"name": "fabrikam", "resource_id": "a"}}}
}
