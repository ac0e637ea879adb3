resource "azapi_resource" "fhir" {
  type      = "Microsoft.HealthcareApis/workspaces/fhirservices@2023-11-01"
  name      = "fhir"
  parent_id = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws"
  location  = "westeurope"
  body      = "{ \"properties\": { \"publicNetworkAccess\": \"Disabled\" "
}
