# A FHIR service with bulk import and a customer-managed key, which the azurerm provider
# cannot configure: created with azapi under an azurerm workspace.
resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsimport"
  location            = "westeurope"
  resource_group_name = "rg-import"
}

resource "azurerm_private_endpoint" "ws" {
  name                = "pe-wsimport"
  location            = "westeurope"
  resource_group_name = "rg-import"
  subnet_id           = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"

  private_service_connection {
    name                           = "psc-wsimport"
    private_connection_resource_id = azurerm_healthcare_workspace.ws.id
    subresource_names              = ["healthcareworkspace"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name = "zones"
    private_dns_zone_ids = [
      "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurehealthcareapis.com",
      "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.dicom.azurehealthcareapis.com",
    ]
  }
}

resource "azurerm_storage_account" "import" {
  name                     = "stimportsrc"
  resource_group_name      = "rg-import"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Deny"
    bypass         = ["None"]
  }
}

resource "azapi_resource" "fhir" {
  type      = "Microsoft.HealthcareApis/workspaces/fhirservices@2023-11-01"
  name      = "fhirimport"
  parent_id = azurerm_healthcare_workspace.ws.id
  location  = "westeurope"

  identity {
    type = "SystemAssigned"
  }

  body = {
    kind = "fhir-R4"
    properties = {
      publicNetworkAccess = "Disabled"
      authenticationConfiguration = {
        authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
        audience  = "https://wsimport-fhirimport.fhir.azurehealthcareapis.com"
      }
      importConfiguration = {
        enabled              = true
        initialImportMode    = false
        integrationDataStore = azurerm_storage_account.import.name
      }
    }
  }
}

# The workspace's public network access, which azurerm does not set.
resource "azapi_update_resource" "ws_private" {
  type        = "Microsoft.HealthcareApis/workspaces@2023-11-01"
  resource_id = azurerm_healthcare_workspace.ws.id
  body = {
    properties = { publicNetworkAccess = "Disabled" }
  }
}
