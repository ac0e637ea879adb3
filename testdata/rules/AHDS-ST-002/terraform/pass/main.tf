resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
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
    name                 = "hds"
    private_dns_zone_ids = ["/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.workspace.azurehealthcareapis.com"]
  }
}

# azurerm has no argument for this setting; the azapi provider sets it.
resource "azapi_update_resource" "ws_public_network_access" {
  type        = "Microsoft.HealthcareApis/workspaces@2024-03-31"
  resource_id = azurerm_healthcare_workspace.ws.id

  body = {
    properties = {
      publicNetworkAccess = "Disabled"
    }
  }
}

resource "azurerm_network_security_group" "apps" {
  name                = "nsg-apps"
  location            = "westeurope"
  resource_group_name = "rg-example"

  security_rule {
    name                       = "allow-fhir"
    priority                   = 100
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "VirtualNetwork"
    destination_address_prefix = "AzureHealthcareAPIs"
  }
}
