resource "azurerm_storage_account" "sa" {
  for_each                 = 5
  name                     = "st${each.key}"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
