resource "azurerm_storage_account" "sa" {
  count                    = 1
  for_each                 = toset(["a"])
  name                     = "st${each.key}"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
