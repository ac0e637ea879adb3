locals {
  s0 = "aaaaaaaa"
  s1 = replace(local.s0, "a", local.s0)
  s2 = replace(local.s1, "a", local.s1)
  s3 = replace(local.s2, "a", local.s2)
  s4 = replace(local.s3, "a", local.s3)
  s5 = replace(local.s4, "a", local.s4)
}

resource "azurerm_storage_account" "sa" {
  name                     = substr(local.s5, 0, 10)
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
