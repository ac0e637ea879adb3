resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
}

resource "azurerm_eventhub_namespace" "devices" {
  name                = "evhns-example"
  location            = "westeurope"
  resource_group_name = "rg-example"
  sku                 = "Standard"

  network_rulesets {
    default_action                 = "Deny"
    trusted_service_access_enabled = true
  }
}

resource "azurerm_healthcare_medtech_service" "devices" {
  name                         = "devices"
  workspace_id                 = azurerm_healthcare_workspace.ws.id
  location                     = "westeurope"
  eventhub_namespace_name      = azurerm_eventhub_namespace.devices.name
  eventhub_name                = "telemetry"
  eventhub_consumer_group_name = "medtech"
  device_mapping_json          = jsonencode({ templateType = "CollectionContent", template = [] })
}
