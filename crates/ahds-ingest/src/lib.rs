//! Readers that turn deployment descriptions into the `ahds-model` [`Estate`].
//!
//! Every reader names the place of any problem (file, line and column, or JSON pointer),
//! never panics on bad input, and lists the resources it does not model instead of
//! dropping them.
//!
//! ```
//! use ahds_ingest::{read, InputFormat};
//!
//! let text = br#"{ "storage_accounts": [{ "name": "sa", "network": { "default_action": "Deny" } }] }"#;
//! let ingested = read(text, "estate.json", InputFormat::Auto).map_err(|e| e[0].clone())?;
//! assert_eq!(ingested.format, InputFormat::Native);
//! assert_eq!(ingested.estate.storage_accounts.len(), 1);
//! # Ok::<(), ahds_ingest::IngestError>(())
//! ```

mod arm;
mod detect;
mod error;
mod hcl;
mod native;
mod paths;
mod positions;
mod sanitize;
mod strict_json;
mod terraform;
mod top_level;
mod util;

use std::fmt;
use std::str::FromStr;

pub use ahds_model::Estate;
pub(crate) use error::Position;
pub use error::{IngestError, IngestErrorKind};
pub use hcl::{InlineWaiver, TerraformConfig, TerraformOptions, read_terraform_config};
pub use paths::{PathInputs, PathOptions, PathsError, read_paths};

/// The input formats the readers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Detect the format from the document.
    Auto,
    /// The model's own JSON.
    Native,
    /// `terraform show -json` output of a plan.
    TerraformPlan,
    /// A Terraform root module's `.tf` sources (a directory), read without a plan.
    TerraformConfig,
    /// Azure Resource Manager resources (as Azure returns them) or deployment templates.
    Arm,
}

impl InputFormat {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Native => "native",
            InputFormat::TerraformPlan => "terraform-plan",
            InputFormat::TerraformConfig => "terraform",
            InputFormat::Arm => "arm",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(InputFormat::Auto),
            "native" => Ok(InputFormat::Native),
            "terraform-plan" => Ok(InputFormat::TerraformPlan),
            "terraform" => Ok(InputFormat::TerraformConfig),
            "arm" => Ok(InputFormat::Arm),
            other => Err(format!(
                "unknown input format `{other}`; expected auto, native, terraform-plan, terraform or arm"
            )),
        }
    }
}

/// The Azure Resource Manager resource types the readers map (lower case), children and
/// the types read only for their links included: what a live collection must fetch.
#[doc(hidden)]
pub fn arm_types_read() -> Vec<&'static str> {
    arm::types_read()
}

/// What a reader made of one input.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The resources read.
    pub estate: Estate,
    /// The format the input was read as.
    pub format: InputFormat,
    /// Problems with single resources, which were left out of the estate; the rest of the
    /// input was read. A caller should still fail (exit 2) when this is not empty.
    pub problems: Vec<IngestError>,
}

/// Reads a document in `format` (or the detected format for [`InputFormat::Auto`]).
///
/// Returns the estate, the format it was read as and the problems of single resources; a
/// document that cannot be read at all returns every problem found.
pub fn read(bytes: &[u8], file: &str, format: InputFormat) -> Result<Ingested, Vec<IngestError>> {
    read_scanned(bytes, file, format, None)
}

/// [`read`], given the [`scan`] of `bytes` when it was made already.
pub(crate) fn read_scanned(
    bytes: &[u8],
    file: &str,
    format: InputFormat,
    top: Option<top_level::TopLevel>,
) -> Result<Ingested, Vec<IngestError>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        vec![IngestError::new(
            file,
            Position::at(line, column),
            format!(
                "input is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )]
    })?;
    let text = without_bom(text);
    if text.trim().is_empty() {
        return Err(vec![IngestError::new(
            file,
            Position::at(1, 1),
            "input is empty",
        )]);
    }
    let mut ingested = detect::read_text(text, file, format, top)?;
    let mut invalid = sanitize::drop_invalid(&mut ingested.estate, file);
    ingested.problems.append(&mut invalid);
    Ok(ingested)
}

/// Merges what several inputs hold into one estate (a deployment split over files), and
/// drops resources that are then invalid (the same resource in two files) with a problem
/// each.
pub fn merge(mut inputs: Vec<Ingested>) -> Ingested {
    // One input was checked when it was read; there is nothing to merge.
    if inputs.len() == 1 {
        if let Some(only) = inputs.pop() {
            return only;
        }
    }
    let mut estate = Estate::new();
    let mut problems = Vec::new();
    let mut format = InputFormat::Auto;
    for i in inputs {
        format = if format == InputFormat::Auto || format == i.format {
            i.format
        } else {
            InputFormat::Auto
        };
        estate.merge(i.estate);
        problems.extend(i.problems);
    }
    let mut invalid = sanitize::drop_invalid(&mut estate, "-");
    problems.append(&mut invalid);
    Ingested {
        estate,
        format,
        problems,
    }
}

/// Reads an ARM deployment template with a parameters file
/// (`deploymentParameters.json`), whose values take the place of the defaults.
pub fn read_template_with_parameters(
    template: &[u8],
    parameters: &[u8],
    file: &str,
    parameters_file: &str,
) -> Result<Ingested, Vec<IngestError>> {
    let text = std::str::from_utf8(template).map_err(|_| {
        vec![IngestError::new(
            file,
            Position::at(1, 1),
            "template is not UTF-8",
        )]
    })?;
    let ptext = std::str::from_utf8(parameters).map_err(|_| {
        vec![IngestError::new(
            parameters_file,
            Position::at(1, 1),
            "parameters file is not UTF-8",
        )]
    })?;
    let text = without_bom(text);
    let ptext = without_bom(ptext);
    let doc = detect::parse_json(text, file)?;
    let params = detect::parse_json(ptext, parameters_file)?;
    if !arm::is_template(&doc) {
        return Err(vec![IngestError::new(
            file,
            Position::pointer(""),
            "not an ARM deployment template",
        )]);
    }
    arm::read_template_with_parameters(&doc, &params, text, file).map(|(estate, problems)| {
        Ingested {
            estate,
            format: InputFormat::Arm,
            problems,
        }
    })
}

/// Reads several Azure Resource Manager listings (exports, `az rest` GETs, Azure Resource
/// Graph rows) as one, so that a child resource in one file (an Event Hubs namespace's
/// `networkRuleSets/default`) attaches to its parent in another. A file that cannot be read
/// is a problem naming it; the others are still read.
pub fn read_listings(files: &[(&[u8], &str)]) -> Result<Ingested, Vec<IngestError>> {
    let mut errors = Vec::new();
    let mut texts: Vec<(&str, &str)> = Vec::new();
    for (bytes, file) in files {
        match std::str::from_utf8(bytes) {
            Ok(text) => texts.push((without_bom(text), file)),
            Err(_) => errors.push(IngestError::new(
                file,
                Position::at(1, 1),
                "input is not UTF-8",
            )),
        }
    }
    let mut docs = Vec::new();
    for (text, file) in texts {
        match detect::parse_json(text, file) {
            Ok(doc) if arm::is_template(&doc) || arm::is_parameters_file(&doc) => {
                errors.push(IngestError::new(
                    file,
                    Position::pointer(""),
                    "a deployment template or parameters file, not a listing of resources",
                ));
            }
            Ok(doc) => docs.push((doc, text, file)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if docs.is_empty() {
        return Err(errors);
    }
    let (mut estate, mut problems) = arm::read_listings(&docs);
    problems.append(&mut errors);
    let mut invalid = sanitize::drop_invalid(&mut estate, docs[0].2);
    problems.append(&mut invalid);
    Ok(Ingested {
        estate,
        format: InputFormat::Arm,
        problems,
    })
}

/// True when the bytes are an Azure Resource Manager listing of resources (not a template,
/// parameters file, plan or native document), which [`read_listings`] reads together.
pub(crate) fn is_arm_listing(top: Option<&top_level::TopLevel>) -> bool {
    top.is_some_and(|shape| {
        role_of(shape) == DocumentRole::Other && detect::detect(shape) == Some(InputFormat::Arm)
    })
}

/// What a file is to the template/parameters pairing, from its top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocumentRole {
    /// An ARM deployment template.
    ArmTemplate,
    /// An ARM deployment parameters file, read together with its template.
    ArmParameters,
    /// Anything else, including text that is not JSON (its reader reports that).
    Other,
}

/// The top level of a file's text, after a byte-order mark as [`read`] reads it: once per
/// file, as each scan reads the whole file. `None` when it is not UTF-8 JSON.
pub(crate) fn scan(bytes: &[u8]) -> Option<top_level::TopLevel> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| top_level::TopLevel::read(without_bom(text)).ok())
}

/// A document's text without the byte-order mark editors on Windows save before it, which
/// is no part of the JSON: every reader of JSON documents reads past it.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Classifies a file for pairing templates with parameters files, from its [`scan`].
pub(crate) fn document_role(top: Option<&top_level::TopLevel>) -> DocumentRole {
    top.map_or(DocumentRole::Other, role_of)
}

/// A document's part in template/parameters pairing, from its top-level shape.
fn role_of(shape: &top_level::TopLevel) -> DocumentRole {
    let schema = shape.schema.as_deref().unwrap_or("");
    if arm::names_parameters(schema) {
        DocumentRole::ArmParameters
    } else if arm::names_template(schema) || (shape.has("resources") && shape.has("contentVersion"))
    {
        DocumentRole::ArmTemplate
    } else {
        DocumentRole::Other
    }
}
