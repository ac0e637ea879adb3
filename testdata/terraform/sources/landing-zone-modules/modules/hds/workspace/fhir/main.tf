variable "workspace_id" {
  type = string
}

variable "name" {
  type = string
}

variable "export_account" {
  type = string
}

resource "azurerm_healthcare_fhir_service" "this" {
  name                = var.name
  resource_group_name = "rg-hds"
  location            = "westeurope"
  workspace_id        = var.workspace_id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://hds-${var.name}.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }

  configuration_export_storage_account_name = var.export_account
}

output "principal_id" {
  value = azurerm_healthcare_fhir_service.this.identity[0].principal_id
}
