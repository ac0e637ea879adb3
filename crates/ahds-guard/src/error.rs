//! Errors of loading policies and evaluating estates.

use std::path::PathBuf;

use crate::metadata::MetadataError;

/// A policy or data file that could not be loaded. Every variant names the file, and the
/// line where one is known.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A file or directory could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A `# METADATA` block is malformed.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// A policy does not parse, or breaks a rule of the catalog (missing metadata, a
    /// duplicate id).
    #[error("{file}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Policy {
        /// The policy file.
        file: String,
        /// 1-based line, when known.
        line: Option<u32>,
        /// What is wrong.
        message: String,
    },
    /// A `data.json` file is not valid JSON or conflicts with other data.
    #[error("{file}: {message}")]
    Data {
        /// The data file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The policy engine rejected the policy set as a whole.
    #[error("policy engine: {0}")]
    Engine(String),
}

/// Why an estate could not be evaluated at all. Rule failures do not end up here: they are
/// reported per rule in [`crate::Report::errors`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvaluateError {
    /// The estate has problems no rule can reason around (duplicate resources, say).
    #[error("invalid estate: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidEstate(Vec<ahds_model::EstateProblem>),
    /// The policy input document could not be built.
    #[error("cannot build the policy input: {0}")]
    Input(String),
}
