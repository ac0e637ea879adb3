resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
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
