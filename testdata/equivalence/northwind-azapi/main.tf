# The Northwind deployment with its Health Data Services written with azapi (azapi 2.x HCL
# bodies, and a 1.x `jsonencode` body for the DICOM service), under an azapi resource
# group: the shape of the azapi provider's examples. The targets stay azurerm.
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.20"
    }
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
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

resource "azapi_resource" "rg" {
  type     = "Microsoft.Resources/resourceGroups@2021-04-01"
  name     = local.rg
  location = local.location
}

resource "azapi_resource" "ws" {
  type      = "Microsoft.HealthcareApis/workspaces@2023-11-01"
  parent_id = azapi_resource.rg.id
  name      = "ws${var.prefix}"
  location  = local.location
}

resource "azapi_resource" "fhir" {
  type      = "Microsoft.HealthcareApis/workspaces/fhirServices@2023-11-01"
  parent_id = azapi_resource.ws.id
  name      = "fhir"
  location  = local.location

  identity {
    type = "SystemAssigned"
  }

  body = {
    kind = "fhir-R4"
    properties = {
      authenticationConfiguration = {
        authority = "https://login.microsoftonline.com/${local.tenant}"
        audience  = "https://${azapi_resource.ws.name}-fhir.fhir.azurehealthcareapis.com"
      }
      exportConfiguration = {
        storageAccountName = azurerm_storage_account.export.name
      }
      acrConfiguration = {
        loginServers = ["${azurerm_container_registry.templates.name}.azurecr.io"]
      }
      corsConfiguration = {
        origins = ["*"]
        headers = ["*"]
        methods = ["GET"]
      }
    }
  }
}

resource "azapi_resource" "dicom" {
  type      = "Microsoft.HealthcareApis/workspaces/dicomservices@2023-11-01"
  parent_id = azapi_resource.ws.id
  name      = "dicom"
  location  = local.location

  identity {
    type = "SystemAssigned"
  }

  body = jsonencode({
    properties = {
      publicNetworkAccess  = "Enabled"
      enableDataPartitions = false
      storageConfiguration = {
        storageResourceId = azurerm_storage_account.dicom.id
        fileSystemName    = "dicom"
      }
      encryption = {
        customerManagedKeyEncryption = {
          keyEncryptionKeyUrl = "https://${azurerm_key_vault.cmk.name}.vault.azure.net/keys/dicom"
        }
      }
    }
  })
}

resource "azapi_resource" "devices" {
  type      = "Microsoft.HealthcareApis/workspaces/iotConnectors@2023-11-01"
  parent_id = azapi_resource.ws.id
  name      = "devices"
  location  = local.location

  identity {
    type = "SystemAssigned"
  }

  body = {
    properties = {
      ingestionEndpointConfiguration = {
        eventHubName                    = azurerm_eventhub.telemetry.name
        consumerGroup                   = "medtech"
        fullyQualifiedEventHubNamespace = "${azurerm_eventhub_namespace.devices.name}.servicebus.windows.net"
      }
      deviceMapping = {
        content = {
          templateType = "CollectionContent"
          template     = []
        }
      }
    }
  }
}
