variable "name" { type = string }
variable "kind" { type = string }
variable "workspace_id" { type = string }
variable "registry" { type = string }
variable "export_prefix" { type = string }

resource "azurerm_storage_account" "export" {
  name                     = "${var.export_prefix}export"
  resource_group_name      = "rg-data"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
  }
}

resource "azurerm_healthcare_fhir_service" "this" {
  name                = var.name
  location            = "westeurope"
  resource_group_name = "rg-data"
  workspace_id        = var.workspace_id
  kind                = var.kind

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://${var.name}.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }

  oci_artifact {
    login_server = var.registry
  }

  configuration_export_storage_account_name = azurerm_storage_account.export.name
}

output "principal_id" {
  value = azurerm_healthcare_fhir_service.this.identity[0].principal_id
}

output "export_account_id" {
  value = azurerm_storage_account.export.id
}
