# METADATA
# title: Denied network
# custom:
#   id: BAD-4
#   severity: low
package bad.denied_network

deny contains {"msg": sprintf("%v", [x]), "resource_id": "r"} if x := http.send({"method": "get", "url": "https://example.com"})
