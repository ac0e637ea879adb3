locals {
  names = []
}
resource "azurerm_storage_account" "sa" {
  name                     = element(local.names, 0)
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
