variable "name" {}
resource "azurerm_key_vault" "kv" {
  name                = var.name
  resource_group_name = "rg"
  location            = "westeurope"
  sku_name            = "premium"
  tenant_id           = "72f988bf-86f1-41af-91ab-2d7cd011db47"
}
