//! Report formatters: text for people, JSON (the report contract), SARIF 2.1.0 for code
//! scanning, JUnit XML for CI test viewers.

pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod sarif;
pub(crate) mod text;

use ahds_guard::{Report, RuleInfo};
use ahds_model::Estate;

/// What the formatters need besides the report.
pub(crate) struct Context<'a> {
    pub(crate) report: &'a Report,
    /// The rules that ran (with configured severities).
    pub(crate) rules: &'a [RuleInfo],
    /// The resources checked.
    pub(crate) estate: &'a Estate,
    /// The directory SARIF artifact URIs are relative to (`--sarif-root`), absolute.
    pub(crate) sarif_root: &'a std::path::Path,
}
