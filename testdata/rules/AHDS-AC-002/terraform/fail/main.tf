resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
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
}
