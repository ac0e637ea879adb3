resource "azurerm_healthcare_workspace" "ws" {
  name                = "wssuppress"
  location            = "westeurope"
  resource_group_name = "rg-suppress"
}

# Reached only from the hub network through the firewall; reviewed by the platform team.
# ahds-guard:ignore AHDS-ST-001 expires=2099-12-31 -- outbound tag rule kept until the hub firewall takes over
resource "azurerm_network_security_group" "clients" {
  name                = "nsg-suppress"
  location            = "westeurope"
  resource_group_name = "rg-suppress-net"

  # ahds-guard:ignore AHDS-ST-002 expires=2020-01-31 -- expired: reported again
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

resource "azurerm_storage_account" "export" {
  # ahds-guard:ignore AHDS-TS-001
  # ahds-guard:ignore AHDS-XX-999 -- no such rule
  # ahds-guard:ignore AHDS-PL-001 -- nothing of the kind on this account
  name                     = "stsuppress"
  resource_group_name      = "rg-suppress"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_healthcare_fhir_service" "fhir" {
  name                                      = "fhir"
  location                                  = "westeurope"
  resource_group_name                       = "rg-suppress"
  workspace_id                              = azurerm_healthcare_workspace.ws.id
  kind                                      = "fhir-R4"
  configuration_export_storage_account_name = azurerm_storage_account.export.name

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://wssuppress-fhir.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }
}
