locals {
  name   = "st${local.suffix}"
  suffix = substr(local.name, 0, 4)
}
resource "azurerm_storage_account" "sa" {
  name                     = local.name
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
