provider "azurerm" {
  features {}
  subscription_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
}

provider "azurerm" {
  alias = "data"
  features {}
  subscription_id = "2b5c3f8e-1a4d-4e6f-9b7a-3c8d2e1f0a9b"
}

resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
}

resource "azurerm_storage_account" "export" {
  provider                 = azurerm.data
  name                     = "stexampleexport"
  resource_group_name      = "rg-data"
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
