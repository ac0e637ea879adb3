variable "env" {}
resource "azurerm_storage_account" "sa" {
  name                     = "st${var.env}"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
