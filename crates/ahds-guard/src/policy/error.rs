//! Why policies could not be loaded.

use std::path::PathBuf;

use ahds_model::Place;

use super::metadata::MetadataError;

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
    #[error("{place}: {message}")]
    Policy {
        /// The policy file, and the line when known.
        place: Place,
        /// What is wrong.
        message: String,
    },
    /// A `data.json` file is not valid JSON or conflicts with other data.
    #[error("{place}: {message}")]
    Data {
        /// The data file.
        place: Place,
        /// What is wrong.
        message: String,
    },
    /// The policy engine rejected the policy set as a whole.
    #[error("policy engine: {0}")]
    Engine(String),
}

/// A place in a policy file: the file, and the line when known.
pub(crate) fn policy_place(file: impl Into<String>, line: Option<u32>) -> Place {
    Place {
        line,
        ..Place::in_file(file)
    }
}
