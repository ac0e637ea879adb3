variable "name" {
  type = string
}

variable "export_account" {
  type = string
}

resource "azurerm_healthcare_workspace" "this" {
  name                = var.name
  resource_group_name = "rg-${var.name}"
  location            = "westeurope"
}

module "fhir" {
  source         = "./fhir"
  for_each       = toset(["clinical"])
  workspace_id   = azurerm_healthcare_workspace.this.id
  name           = each.key
  export_account = var.export_account
}

output "id" {
  value = azurerm_healthcare_workspace.this.id
}

output "fhir_principal_id" {
  value = module.fhir["clinical"].principal_id
}
