# METADATA
# title: Nested literal
# custom:
#   id: BAD-6
#   severity: low
package bad.nested

x := [{"a": [{"a": [{"a": [{"a": [{"a": [{"a": [{"a": [{"a": [{"a": [{"a": 1}]}]}]}]}]}]}]}]}]}]
