resource "azurerm_storage_account" "sa" {
  name = "stÿþ"
}
