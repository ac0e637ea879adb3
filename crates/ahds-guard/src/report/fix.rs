//! How to change the input so a finding goes away, in the language the input is written in.
//! The report carries these; the fix stage builds them and applies them to `.tf` files.

use serde::{Deserialize, Serialize};

/// The change that removes a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fix {
    /// True when the change needs no choice by a person: `ahds-guard fix` applies it to
    /// Terraform sources. False when someone must first decide ([`Fix::decision`]).
    pub automatic: bool,
    /// What must be decided before the finding can be fixed (which origins to allow, which
    /// key to use), when the fix is not automatic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The language of the input the resource was read from, which the text report and
    /// SARIF show the fix in.
    pub language: FixLanguage,
    /// The change as ARM property paths, whatever the input language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arm: Vec<ArmChange>,
    /// The change in HCL, for resources read from Terraform sources or plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform: Option<TerraformFix>,
    /// `az` commands that make the change on a deployed resource.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub azure_cli: Vec<String>,
}

/// The language a fix is shown in: the one the resource was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FixLanguage {
    /// Terraform `.tf` sources: `ahds-guard fix` can apply the change.
    Terraform,
    /// A Terraform plan: the change goes into the configuration the plan was made from.
    TerraformPlan,
    /// An ARM template, or Bicep built to one.
    Arm,
    /// A live estate (a resource listing or an export): `az` commands.
    AzureCli,
    /// The native format: ARM property paths.
    Native,
}

impl FixLanguage {
    /// The name used in reports (`terraform`, `azure-cli`).
    pub fn as_str(self) -> &'static str {
        match self {
            FixLanguage::Terraform => "terraform",
            FixLanguage::TerraformPlan => "terraform-plan",
            FixLanguage::Arm => "arm",
            FixLanguage::AzureCli => "azure-cli",
            FixLanguage::Native => "native",
        }
    }
}

/// One ARM property to set (or one item to add to an array property) on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ArmChange {
    /// The resource to change: its ARM id, or the input address where no id is known.
    pub resource_id: String,
    /// Its ARM type.
    pub resource_type: String,
    /// The property path from the resource's root (`properties.networkAcls.bypass`).
    pub path: String,
    /// The value to set, or the item to add.
    pub value: serde_json::Value,
    /// True when `value` is an item to add to the array at `path`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub add: bool,
}

/// The HCL change at one resource of a Terraform configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TerraformFix {
    /// The resource's address (`module.hds[0].azurerm_storage_account.export`).
    pub address: String,
    /// The edits inside the resource's block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<HclEdit>,
    /// A resource block to add after it (an `azapi_update_resource` for a setting azurerm
    /// cannot express, a role assignment), as HCL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_resource: Option<String>,
}

/// One edit inside a Terraform resource block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HclEdit {
    /// Set `argument = value` in the nested block `block` (empty: the resource's own
    /// body), creating the blocks that are missing.
    Set {
        /// Nested block names from the resource body down (`["network_rules"]`).
        block: Vec<String>,
        /// The argument.
        argument: String,
        /// Its value, as an HCL expression.
        value: String,
        /// Arguments a block created for this edit must also hold (the provider requires
        /// them), as `name = value` pairs.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        with: Vec<(String, String)>,
    },
    /// Add a nested block `name { arguments }` inside `block`, creating the blocks that are
    /// missing.
    AddBlock {
        /// Where to add it.
        block: Vec<String>,
        /// The new block's type.
        name: String,
        /// Its arguments, as `name = value` pairs of HCL.
        arguments: Vec<(String, String)>,
    },
}
