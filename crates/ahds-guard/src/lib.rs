//! Policy-as-code for the network access security of Azure Health Data Services.
//!
//! The [`Evaluator`] runs the bundled Rego catalog (embedded in this crate) and any custom
//! policies on an [`ahds_model::Estate`] with the regorus engine, and returns a [`Report`]
//! of violations, undetermined checks, suppressed findings and rule errors.
//!
//! ```
//! use ahds_guard::{Evaluator, Severity};
//! use ahds_model::Estate;
//!
//! let evaluator = Evaluator::bundled()?;
//! let estate: Estate = serde_json::from_str(r#"{
//!   "workspaces": [{
//!     "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws",
//!     "name": "ws"
//!   }]
//! }"#)?;
//! let report = evaluator.evaluate(&estate)?;
//! assert!(report.violations.iter().any(|v| v.rule_id == "AHDS-PL-001"));
//! assert!(report.fails_at(Severity::High));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backend;
mod baseline;
mod bundle;
mod by_resource;
mod catalog;
mod config;
pub mod docs;
mod error;
mod evaluator;
mod metadata;
mod policy_set;
mod report;
mod sandbox;
mod severity;
mod summary;
mod testing;
mod to_value;
mod waivers;

pub use backend::EngineChoice;
pub use baseline::{BASELINE_VERSION, Baseline, BaselineEntry, BaselineError};
pub use catalog::{COLLECTIONS, RuleInfo, RuleOrigin};
pub use config::{CONFIG_FILE_NAME, Config, ConfigError, RuleSelection, Waiver};
pub use error::{EvaluateError, LoadError};
pub use evaluator::{DEFAULT_RULE_MEMORY, DEFAULT_RULE_TIMEOUT, EvalStats, Evaluator};
pub use metadata::MetadataError;
pub use policy_set::{PolicyModule, PolicySet};
pub use report::{
    InputError, REPORT_VERSION, Report, RuleError, Summary, Suppressed, ToolInfo, Undetermined,
    Violation, WaiverKind,
};
pub use sandbox::{DENIED_BUILTINS, MAX_LITERAL_NESTING, MAX_POLICY_BYTES, MAX_RULE_CHAIN};
pub use severity::{Severity, SeverityParseError};
pub use testing::{
    Coverage, FileCoverage, TestOptions, TestOutcome, TestResult, TestRun, run_tests,
    run_tests_with,
};
pub use waivers::{EXPIRES_TAG, IGNORE_TAG, JUSTIFICATION_TAG};

#[cfg(test)]
mod tests {
    #[test]
    fn evaluator_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::Evaluator>();
    }
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
