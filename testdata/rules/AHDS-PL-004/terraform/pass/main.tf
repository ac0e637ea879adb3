resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
}

resource "azurerm_healthcare_fhir_service" "fhir" {
  name                = "fhir"
  resource_group_name = "rg-example"
  location            = "westeurope"
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://wsexample-fhir.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_private_endpoint" "ws" {
  name                = "pe-wsexample"
  location            = "westeurope"
  resource_group_name = "rg-example"
  subnet_id           = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/pe"

  private_service_connection {
    name                           = "psc-wsexample"
    private_connection_resource_id = azurerm_healthcare_workspace.ws.id
    subresource_names              = ["healthcareworkspace"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name = "hds"
    private_dns_zone_ids = [
      "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.workspace.azurehealthcareapis.com",
      "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.fhir.azurehealthcareapis.com",
    ]
  }
}
