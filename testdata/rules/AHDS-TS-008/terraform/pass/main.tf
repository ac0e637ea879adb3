resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
}

resource "azurerm_eventhub_namespace" "events" {
  name                = "evhns-example-events"
  location            = "westeurope"
  resource_group_name = "rg-example"
  sku                 = "Standard"

  network_rulesets {
    default_action                 = "Deny"
    trusted_service_access_enabled = true
  }
}

resource "azurerm_eventhub" "events" {
  name              = "fhir-events"
  namespace_id      = azurerm_eventhub_namespace.events.id
  partition_count   = 2
  message_retention = 1
}

resource "azurerm_eventgrid_system_topic" "ws" {
  name                   = "evgt-wsexample"
  resource_group_name    = "rg-example"
  location               = "westeurope"
  source_arm_resource_id = azurerm_healthcare_workspace.ws.id
  topic_type             = "Microsoft.HealthcareApis.Workspaces"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_eventgrid_system_topic_event_subscription" "fhir" {
  name                 = "fhir-resource-events"
  system_topic         = azurerm_eventgrid_system_topic.ws.name
  resource_group_name  = "rg-example"
  eventhub_endpoint_id = azurerm_eventhub.events.id

  delivery_identity {
    type = "SystemAssigned"
  }
}
