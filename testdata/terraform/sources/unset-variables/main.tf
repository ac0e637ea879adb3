variable "workspace_id" { type = string }
variable "tre_resource_id" { type = string }
variable "deploy_fhir" { type = bool }

locals {
  short_workspace_id = substr(var.workspace_id, -4, -1)
  short_service_id   = substr(var.tre_resource_id, -4, -1)
  suffix             = "${local.short_workspace_id}svc${local.short_service_id}"
}

module "environment" {
  source = "git::https://example.com/environment-configuration.git?ref=1.0.0"
}

data "azurerm_resource_group" "ws" {
  name = "rg-ws-${local.short_workspace_id}"
}

data "azurerm_subnet" "services" {
  name                 = "ServicesSubnet"
  virtual_network_name = "vnet-ws-${local.short_workspace_id}"
  resource_group_name  = data.azurerm_resource_group.ws.name
}

data "azurerm_private_dns_zone" "health" {
  name                = module.environment.private_links["privatelink.azurehealthcareapis.com"]
  resource_group_name = "rg-core"
}

resource "azurerm_healthcare_workspace" "ws" {
  name                = "hs${local.suffix}"
  location            = data.azurerm_resource_group.ws.location
  resource_group_name = data.azurerm_resource_group.ws.name
}

resource "azurerm_healthcare_fhir_service" "fhir" {
  count               = var.deploy_fhir ? 1 : 0
  name                = lower("fhir${local.suffix}")
  location            = data.azurerm_resource_group.ws.location
  resource_group_name = data.azurerm_resource_group.ws.name
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/${var.workspace_id}"
    audience  = "https://${azurerm_healthcare_workspace.ws.name}-fhir${local.suffix}.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_private_endpoint" "ws" {
  name                = "pe-${azurerm_healthcare_workspace.ws.name}"
  location            = data.azurerm_resource_group.ws.location
  resource_group_name = data.azurerm_resource_group.ws.name
  subnet_id           = data.azurerm_subnet.services.id

  private_dns_zone_group {
    name                 = "private-dns-zone-group"
    private_dns_zone_ids = [data.azurerm_private_dns_zone.health.id]
  }

  private_service_connection {
    name                           = "psc-${azurerm_healthcare_workspace.ws.name}"
    private_connection_resource_id = azurerm_healthcare_workspace.ws.id
    subresource_names              = ["healthcareworkspace"]
    is_manual_connection           = false
  }
}
