# A workspace and FHIR service created with azapi under an azurerm resource group, behind
# an approved private endpoint; `azapi_update_resource` names the FHIR service by its
# parent and name (not by id) to turn its public access off. The workspace's stays on.
resource "azurerm_resource_group" "hds" {
  name     = "rg-hds-upd"
  location = "westeurope"
}

resource "azapi_resource" "ws" {
  type      = "Microsoft.HealthcareApis/workspaces@2024-03-31"
  parent_id = azurerm_resource_group.hds.id
  name      = "wsupd"
  location  = "westeurope"
  body      = {}
}

resource "azapi_resource" "fhir" {
  type      = "Microsoft.HealthcareApis/workspaces/fhirservices@2024-03-31"
  parent_id = azapi_resource.ws.id
  name      = "fhir"
  location  = "westeurope"

  body = {
    kind = "fhir-R4"
    properties = {
      authenticationConfiguration = {
        authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
        audience  = "https://wsupd-fhir.fhir.azurehealthcareapis.com"
      }
    }
  }
}

resource "azapi_update_resource" "fhir_private" {
  type      = "Microsoft.HealthcareApis/workspaces/fhirservices@2024-03-31"
  parent_id = azapi_resource.ws.id
  name      = "fhir"
  body = {
    properties = {
      publicNetworkAccess = "Disabled"
    }
  }
}

resource "azurerm_private_endpoint" "ws" {
  name                = "pe-wsupd"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.hds.name
  subnet_id           = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"

  private_service_connection {
    name                           = "psc-wsupd"
    private_connection_resource_id = azapi_resource.ws.id
    subresource_names              = ["healthcareworkspace"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "zones"
    private_dns_zone_ids = ["/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurehealthcareapis.com"]
  }
}
