# The Northwind deployment of northwind-plan.json, as the sources a pull request changes.
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.20"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = "3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65"
}

locals {
  rg       = "rg-${var.prefix}"
  location = var.location
  tenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
}

resource "azurerm_healthcare_workspace" "ws" {
  name                = "ws${var.prefix}"
  resource_group_name = local.rg
  location            = local.location
}

resource "azurerm_healthcare_fhir_service" "fhir" {
  name                = "fhir"
  resource_group_name = local.rg
  location            = local.location
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/${local.tenant}"
    audience  = "https://${azurerm_healthcare_workspace.ws.name}-fhir.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }

  configuration_export_storage_account_name = azurerm_storage_account.export.name
  container_registry_login_server_url       = ["${azurerm_container_registry.templates.name}.azurecr.io"]

  cors {
    allowed_origins = ["*"]
    allowed_headers = ["*"]
    allowed_methods = ["GET"]
  }
}

resource "azurerm_healthcare_dicom_service" "dicom" {
  name                          = "dicom"
  workspace_id                  = azurerm_healthcare_workspace.ws.id
  location                      = local.location
  public_network_access_enabled = true
  data_partitions_enabled       = false
  encryption_key_url            = "https://${azurerm_key_vault.cmk.name}.vault.azure.net/keys/dicom"

  identity {
    type = "SystemAssigned"
  }

  storage {
    storage_account_id = azurerm_storage_account.dicom.id
    file_system_name   = "dicom"
  }
}

resource "azurerm_healthcare_medtech_service" "devices" {
  name                         = "devices"
  workspace_id                 = azurerm_healthcare_workspace.ws.id
  location                     = local.location
  eventhub_namespace_name      = azurerm_eventhub_namespace.devices.name
  eventhub_name                = azurerm_eventhub.telemetry.name
  eventhub_consumer_group_name = "medtech"
  device_mapping_json          = jsonencode({})

  identity {
    type = "SystemAssigned"
  }
}
