# Names known only after apply (`random_string`), reached by reference: the export
# account, the OCI artifact registry (its computed `login_server`) and the key vault of the
# customer-managed key link to their resources by address all the same.
resource "random_string" "suffix" {
  length  = 6
  special = false
  upper   = false
}

resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsrefs"
  resource_group_name = "rg-refs"
  location            = "westeurope"
}

resource "azurerm_storage_account" "export" {
  name                     = "stexport${random_string.suffix.result}"
  resource_group_name      = "rg-refs"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_container_registry" "deid" {
  name                          = "crdeid${random_string.suffix.result}"
  resource_group_name           = "rg-refs"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
  network_rule_bypass_option    = "None"
}

resource "azurerm_key_vault" "cmk" {
  name                      = "kvcmk${random_string.suffix.result}"
  resource_group_name       = "rg-refs"
  location                  = "westeurope"
  sku_name                  = "premium"
  tenant_id                 = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  enable_rbac_authorization = true

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

resource "azurerm_user_assigned_identity" "fhir" {
  name                = "id-fhir"
  resource_group_name = "rg-refs"
  location            = "westeurope"
}

resource "azurerm_healthcare_fhir_service" "fhir" {
  name                = "fhir"
  resource_group_name = "rg-refs"
  location            = "westeurope"
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://wsrefs-fhir.fhir.azurehealthcareapis.com"
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.fhir.id]
  }

  configuration_export_storage_account_name = azurerm_storage_account.export.name
  encryption_key_url                        = azurerm_key_vault_key.cmk.versionless_id

  oci_artifact {
    login_server = azurerm_container_registry.deid.login_server
    image_name   = "deid-config"
  }
}
