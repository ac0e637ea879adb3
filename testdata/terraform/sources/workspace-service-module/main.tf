variable "environment" {
  type    = string
  default = "dev"
}

variable "services" {
  type = map(object({ kind = string }))
  default = {
    research = { kind = "fhir-R4" }
  }
}

resource "azurerm_healthcare_workspace" "ws" {
  name                = "ws${var.environment}"
  location            = "westeurope"
  resource_group_name = "rg-${var.environment}"
}

resource "azurerm_container_registry" "templates" {
  name                          = "cr${var.environment}templates"
  resource_group_name           = "rg-${var.environment}"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
}

module "fhir" {
  source   = "./modules/ahds"
  for_each = var.services

  name          = "${each.key}-${var.environment}"
  kind          = each.value.kind
  workspace_id  = azurerm_healthcare_workspace.ws.id
  registry      = azurerm_container_registry.templates.login_server
  export_prefix = "st${var.environment}"
}

module "network" {
  source  = "Azure/network/azurerm"
  version = "1.0.0"
  prefix  = var.environment
}

# The module's export account is reached by the FHIR service's identity.
resource "azurerm_role_assignment" "export" {
  for_each             = module.fhir
  scope                = each.value.export_account_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = each.value.principal_id
}
