# Who may reach what: role assignments, the client subnet's NSG, the events topic.
locals {
  grants = {
    fhir_export  = { principal = azapi_resource.fhir.identity[0].principal_id, scope = azurerm_storage_account.export.id, role = "Storage Blob Data Contributor" }
  }
}

resource "azurerm_role_assignment" "fhir_export" {
  scope                = local.grants.fhir_export.scope
  role_definition_name = local.grants.fhir_export.role
  principal_id         = local.grants.fhir_export.principal
}

resource "azurerm_role_assignment" "dicom_kv" {
  scope                = azurerm_key_vault.cmk.id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azapi_resource.dicom.identity[0].principal_id
}

resource "azurerm_role_assignment" "medtech_recv" {
  scope                = azurerm_eventhub.telemetry.id
  role_definition_name = "Azure Event Hubs Data Receiver"
  principal_id         = azapi_resource.devices.identity[0].principal_id
}

resource "azurerm_network_security_group" "clients" {
  name                = "nsg-${var.prefix}"
  resource_group_name = "${local.rg}-net"
  location            = local.location

  security_rule {
    name                       = "allow-ahds"
    priority                   = 120
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = cidrsubnet("10.40.0.0/16", 8, 1)
    destination_address_prefix = "AzureHealthcareAPIs"
  }
}

resource "azurerm_eventgrid_system_topic" "ws" {
  name                   = "egst-${azapi_resource.ws.name}"
  resource_group_name    = local.rg
  location               = local.location
  source_arm_resource_id = azapi_resource.ws.id
  topic_type             = "Microsoft.HealthcareApis.Workspaces"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_eventgrid_system_topic_event_subscription" "fhir_events" {
  name                  = "fhir-events"
  system_topic          = azurerm_eventgrid_system_topic.ws.name
  resource_group_name   = local.rg
  eventhub_endpoint_id  = azurerm_eventhub.fhir_events.id
  event_delivery_schema = "EventGridSchema"
}
