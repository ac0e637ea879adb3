resource "azurerm_storage_account" "ok" {
  name                     = "stok"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
