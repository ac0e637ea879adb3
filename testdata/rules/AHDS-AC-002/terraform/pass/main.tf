resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsexample"
  resource_group_name = "rg-example"
  location            = "westeurope"
}

resource "azurerm_user_assigned_identity" "cmk" {
  name                = "id-fhir-cmk"
  resource_group_name = "rg-example"
  location            = "westeurope"
}

resource "azurerm_key_vault" "cmk" {
  name                      = "kvexamplecmk"
  resource_group_name       = "rg-example"
  location                  = "westeurope"
  sku_name                  = "premium"
  tenant_id                 = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  enable_rbac_authorization = true
  purge_protection_enabled  = true

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

resource "azurerm_key_vault_key" "cmk" {
  name         = "fhir"
  key_vault_id = azurerm_key_vault.cmk.id
  key_type     = "RSA"
  key_size     = 2048
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "azurerm_role_assignment" "cmk" {
  scope                = azurerm_key_vault.cmk.id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.cmk.principal_id
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
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.cmk.id]
  }

  encryption_key_url = azurerm_key_vault_key.cmk.versionless_id
}
