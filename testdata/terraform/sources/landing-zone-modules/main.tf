# A landing zone as platform teams write one: the Health Data Services come from local
# modules three deep, called with `count`; the root reads their outputs by index, names
# its storage account with a hash of the resource group (`md5`), reaches the workspace
# through an approved private endpoint and grants the FHIR service's identity its role.
variable "environment" {
  type    = string
  default = "prod"
}

locals {
  prefix = "contoso${substr(md5("rg-hds-${var.environment}"), 0, 4)}"
  zones = {
    workspace = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.workspace.azurehealthcareapis.com"
    fhir      = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.fhir.azurehealthcareapis.com"
  }
}

resource "azurerm_storage_account" "export" {
  name                     = "${local.prefix}export"
  resource_group_name      = "rg-hds-${var.environment}"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Deny"
    bypass         = ["None"]
  }
}

module "hds" {
  source     = "./modules/hds"
  count      = 1
  depends_on = [azurerm_storage_account.export]

  name           = "hds${var.environment}"
  export_account = azurerm_storage_account.export.name
}

resource "azurerm_private_endpoint" "workspace" {
  name                = "pe-hds-${var.environment}"
  location            = "westeurope"
  resource_group_name = "rg-hds-${var.environment}"
  subnet_id           = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/pe"

  private_service_connection {
    name                           = "psc-hds"
    private_connection_resource_id = module.hds[0].workspace_id
    subresource_names              = ["healthcareworkspace"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "hds"
    private_dns_zone_ids = values(local.zones)
  }
}

resource "azurerm_role_assignment" "fhir_export" {
  scope                = azurerm_storage_account.export.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = module.hds[0].fhir_principal_id
}
