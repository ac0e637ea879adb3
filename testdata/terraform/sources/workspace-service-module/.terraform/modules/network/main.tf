variable "prefix" { type = string }

resource "azurerm_network_security_group" "clients" {
  name                = "nsg-${var.prefix}"
  location            = "westeurope"
  resource_group_name = "rg-${var.prefix}-net"

  security_rule {
    name                       = "to-ahds"
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
