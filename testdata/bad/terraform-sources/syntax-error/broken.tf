resource "azurerm_container_registry" "acr" {
  name = "cracr"
  sku  = "Premium"
  network_rule_set {
    default_action = "Deny"
}
