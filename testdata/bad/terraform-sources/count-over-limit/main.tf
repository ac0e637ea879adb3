resource "azurerm_storage_account" "sa" {
  count                    = 100001
  name                     = "st${count.index}"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
