//! What several commands share: loading policies and configuration, and reading inputs.

use std::path::Path;

use ahds_guard::{CONFIG_FILE_NAME, Config, Evaluator, PolicySet};
use ahds_guard::{CheckError, Checked, check_paths};
use ahds_ingest::{InputFormat, PathInputs, PathOptions, TerraformOptions, read_paths};

use crate::Failure;
use crate::cli::{InputArgs, InputFormatArg, PolicyArgs};

/// The bundled catalog plus the custom policy directories.
pub(crate) fn policy_set(args: &PolicyArgs) -> Result<PolicySet, Failure> {
    let mut set = PolicySet::bundled_without_tests()?;
    for dir in &args.policies {
        set.add_dir(dir)?;
    }
    Ok(set)
}

/// The configuration: `--config`, else `.ahds-guard.toml` in the working directory.
pub(crate) fn config(args: &PolicyArgs) -> Result<Option<Config>, Failure> {
    if let Some(path) = &args.config {
        return Ok(Some(Config::load(path)?));
    }
    if args.no_config {
        return Ok(None);
    }
    let default = Path::new(CONFIG_FILE_NAME);
    if default.is_file() {
        return Ok(Some(Config::load(default)?));
    }
    Ok(None)
}

/// An evaluator for the policies and configuration the arguments name.
pub(crate) fn evaluator(args: &PolicyArgs) -> Result<Evaluator, Failure> {
    let evaluator = Evaluator::new(&policy_set(args)?)?;
    match config(args)? {
        Some(c) => Ok(evaluator.with_config(c)?),
        None => Ok(evaluator),
    }
}

fn format_of(arg: InputFormatArg) -> InputFormat {
    match arg {
        InputFormatArg::Auto => InputFormat::Auto,
        InputFormatArg::Native => InputFormat::Native,
        InputFormatArg::TerraformPlan => InputFormat::TerraformPlan,
        InputFormatArg::Terraform => InputFormat::TerraformConfig,
        // Bicep builds to an ARM template.
        InputFormatArg::Arm | InputFormatArg::Bicep => InputFormat::Arm,
    }
}
/// What the inputs hold (see [`ahds_ingest::read_paths`]).
pub(crate) type Inputs = PathInputs;

/// How the inputs the arguments name are read.
pub(crate) fn path_options(source: &InputArgs) -> PathOptions {
    let mut terraform = TerraformOptions::from_environment();
    terraform.var_files = source.terraform.var_files.clone();
    terraform.vars = source.terraform.vars.clone();
    PathOptions {
        format: format_of(source.input_format),
        bicep: source.input_format == InputFormatArg::Bicep,
        max_input_size: source.max_input_size,
        terraform,
        tool_timeout: std::time::Duration::from_secs(source.tool_timeout),
    }
}

/// Reads and evaluates every input the arguments name.
pub(crate) fn check(evaluator: &Evaluator, source: &InputArgs) -> Result<Checked, Failure> {
    crate::pages::for_inputs(&source.inputs);
    check_paths(evaluator, &source.inputs, &path_options(source)).map_err(|e| match e {
        CheckError::Paths(e) => Failure(e.messages),
        other => Failure(vec![other.to_string()]),
    })
}

/// Reads every input the arguments name.
pub(crate) fn read_inputs(source: &InputArgs) -> Result<Inputs, Failure> {
    crate::pages::for_inputs(&source.inputs);
    read_paths(&source.inputs, &path_options(source)).map_err(|e| Failure(e.messages))
}
