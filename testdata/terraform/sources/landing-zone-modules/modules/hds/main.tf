variable "name" {
  type = string
}

variable "export_account" {
  type = string
}

module "workspace" {
  source         = "./workspace"
  name           = var.name
  export_account = var.export_account
}

output "workspace_id" {
  value = module.workspace.id
}

output "fhir_principal_id" {
  value = module.workspace.fhir_principal_id
}
