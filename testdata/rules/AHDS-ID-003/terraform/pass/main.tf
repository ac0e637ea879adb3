resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
}

resource "azurerm_storage_account" "export" {
  name                     = "stexampleexport"
  resource_group_name      = "rg-example"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]

    private_link_access {
      endpoint_resource_id = azurerm_healthcare_workspace.ws.id
    }
  }
}

resource "azurerm_healthcare_fhir_service" "fhir" {
  name                = "fhir"
  resource_group_name = "rg-example"
  location            = "westeurope"
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://wsexample-fhir.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }

  configuration_export_storage_account_name = azurerm_storage_account.export.name
}

resource "azurerm_role_assignment" "fhir_export" {
  scope                = azurerm_storage_account.export.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_healthcare_fhir_service.fhir.identity[0].principal_id
}
