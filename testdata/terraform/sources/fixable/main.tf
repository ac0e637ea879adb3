# A workspace whose findings `ahds-guard fix` can each fix on its own: the outbound targets
# of a FHIR, a DICOM and a MedTech service that block or admit the wrong traffic, a MedTech
# service without an identity, and public access left on next to Private Link. Formatted as
# `terraform fmt` formats it; `crates/ahds-guard-cli/tests/fix.rs` fixes a copy and checks it
# again.

locals {
  zones = {
    workspace = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.workspace.azurehealthcareapis.com"
    fhir      = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.fhir.azurehealthcareapis.com"
    dicom     = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.dicom.azurehealthcareapis.com"
  }
}

resource "azurerm_healthcare_workspace" "ws" {
  name                = "wsfix"
  resource_group_name = "rg-fix"
  location            = "westeurope"
}

resource "azurerm_private_endpoint" "ws" {
  name                = "pe-wsfix"
  location            = "westeurope"
  resource_group_name = "rg-fix"
  subnet_id           = "/subscriptions/3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/pe"

  private_service_connection {
    name                           = "psc-wsfix"
    private_connection_resource_id = azurerm_healthcare_workspace.ws.id
    subresource_names              = ["healthcareworkspace"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "hds"
    private_dns_zone_ids = values(local.zones)
  }
}

# Export storage open to every network.
resource "azurerm_storage_account" "export" {
  name                     = "stfixexport"
  resource_group_name      = "rg-fix"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  is_hns_enabled           = false
}

# Registry of de-identification configurations: restricted, trusted services shut out.
resource "azurerm_container_registry" "deid" {
  name                          = "crfixdeid"
  resource_group_name           = "rg-fix"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
  network_rule_bypass_option    = "None"
}

resource "azurerm_healthcare_fhir_service" "fhir" {
  name                = "fhir"
  resource_group_name = "rg-fix"
  location            = "westeurope"
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://wsfix-fhir.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }

  configuration_export_storage_account_name = azurerm_storage_account.export.name

  oci_artifact {
    login_server = azurerm_container_registry.deid.login_server
    image_name   = "deid-config"
  }
}

# A second FHIR service exports to storage that lets trusted services through but has no
# resource-instance rule for the workspace.
resource "azurerm_storage_account" "research" {
  name                     = "stfixresearch"
  resource_group_name      = "rg-fix"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
  }
}

resource "azurerm_healthcare_fhir_service" "research" {
  name                = "research"
  resource_group_name = "rg-fix"
  location            = "westeurope"
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"

  authentication {
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://wsfix-research.fhir.azurehealthcareapis.com"
  }

  identity {
    type = "SystemAssigned"
  }

  configuration_export_storage_account_name = azurerm_storage_account.research.name
}

# DICOM data lake storage that restricts access but lets no trusted service through.
resource "azurerm_storage_account" "dicom" {
  name                     = "stfixdicom"
  resource_group_name      = "rg-fix"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  is_hns_enabled           = true

  network_rules {
    default_action = "Deny"
    bypass         = ["None"]
  }
}

resource "azurerm_healthcare_dicom_service" "dicom" {
  name         = "dicom"
  workspace_id = azurerm_healthcare_workspace.ws.id
  location     = "westeurope"

  identity {
    type = "SystemAssigned"
  }

  storage {
    storage_account_id = azurerm_storage_account.dicom.id
    file_system_name   = "dicom"
  }
}

# Device telemetry: the namespace keeps trusted services out, and the MedTech service that
# reads it has no identity.
resource "azurerm_eventhub_namespace" "devices" {
  name                = "evhns-fix"
  location            = "westeurope"
  resource_group_name = "rg-fix"
  sku                 = "Standard"

  network_rulesets {
    default_action                 = "Deny"
    trusted_service_access_enabled = false
  }
}

resource "azurerm_healthcare_medtech_service" "devices" {
  name                         = "devices"
  workspace_id                 = azurerm_healthcare_workspace.ws.id
  location                     = "westeurope"
  eventhub_namespace_name      = azurerm_eventhub_namespace.devices.name
  eventhub_name                = "telemetry"
  eventhub_consumer_group_name = "medtech"
  device_mapping_json          = jsonencode({ templateType = "CollectionContent", template = [] })
}
