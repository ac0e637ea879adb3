# The resources the services reach, with azurerm as landing zones write them.
resource "azurerm_storage_account" "export" {
  name                     = "st${var.short}export"
  resource_group_name      = local.rg
  location                 = local.location
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
  }
}

resource "azurerm_storage_account" "dicom" {
  name                     = "st${var.short}dicom"
  resource_group_name      = local.rg
  location                 = local.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  is_hns_enabled           = true

  network_rules {
    default_action = "Deny"
    bypass         = ["None"]
  }
}

resource "azurerm_container_registry" "templates" {
  name                       = "cr${var.prefix}"
  resource_group_name        = local.rg
  location                   = local.location
  sku                        = "Premium"
  admin_enabled              = false
  network_rule_bypass_option = "AzureServices"

  network_rule_set {
    default_action = "Allow"
  }
}

resource "azurerm_eventhub_namespace" "devices" {
  name                = "evhns-${var.prefix}"
  resource_group_name = local.rg
  location            = local.location
  sku                 = "Standard"

  network_rulesets {
    default_action                 = "Deny"
    trusted_service_access_enabled = true

    dynamic "ip_rule" {
      for_each = var.device_ranges
      content {
        ip_mask = ip_rule.value
        action  = "Allow"
      }
    }
  }
}

resource "azurerm_eventhub_namespace" "events" {
  name                = "evhns-${var.prefix}-events"
  resource_group_name = local.rg
  location            = local.location
  sku                 = "Standard"

  network_rulesets {
    default_action                 = "Deny"
    trusted_service_access_enabled = true
  }
}

resource "azurerm_eventhub" "telemetry" {
  name                = "telemetry"
  namespace_name      = azurerm_eventhub_namespace.devices.name
  resource_group_name = local.rg
  partition_count     = 2
  message_retention   = 1
}

resource "azurerm_eventhub" "fhir_events" {
  name                = "fhir"
  namespace_name      = azurerm_eventhub_namespace.events.name
  resource_group_name = local.rg
  partition_count     = 2
  message_retention   = 1
}

resource "azurerm_key_vault" "cmk" {
  name                      = "kv${var.prefix}"
  resource_group_name       = local.rg
  location                  = local.location
  sku_name                  = "premium"
  tenant_id                 = local.tenant
  enable_rbac_authorization = true

  network_acls {
    default_action = "Allow"
    bypass         = "AzureServices"
  }
}
