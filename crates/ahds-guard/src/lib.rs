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

mod check;
mod config;
#[doc(hidden)]
pub mod docs;
mod eval;
pub(crate) mod fix;
mod output;
mod policy;
mod report;
mod testing;

/// The readers (`ahds-ingest`): Terraform plans and configurations, ARM templates and
/// resource listings, Bicep, native and live exports, into a [`model::Estate`].
pub use ahds_ingest as ingest;
/// The typed model of an AHDS deployment the rules read (`ahds-model`): the estate, its
/// services, outbound links, targets and network rules.
pub use ahds_model as model;

pub use ahds_ingest::{InputFormat, PathInputs, PathOptions, read, read_paths};
pub use ahds_model::Estate;
pub use check::{CheckError, Checked, check_paths};
pub use config::{CONFIG_FILE_NAME, Config, ConfigError, RuleSelection, Waiver};
pub use eval::backend::EngineChoice;
pub use eval::error::EvaluateError;
pub use eval::evaluator::{
    DEFAULT_RULE_MEMORY, DEFAULT_RULE_TIMEOUT, EvalStats, Evaluator, HeapUse,
};
pub use eval::input_document::{INPUT_VERSION, input_schema};
pub use fix::{FileChange, FixPlan, FixSkipped, plan_fixes};
pub use output::{
    Context, Format, GraphFormat, RenderError, default_sarif_root, render, render_graph, render_to,
    text_safe,
};
pub use policy::catalog::{RuleInfo, RuleOrigin};
pub use policy::error::LoadError;
pub use policy::examples::{LanguageExample, rule_examples};
pub use policy::metadata::MetadataError;
pub use policy::policy_set::{PolicyModule, PolicySet};
pub use policy::sandbox::{DENIED_BUILTINS, MAX_LITERAL_NESTING, MAX_POLICY_BYTES, MAX_RULE_CHAIN};
pub use report::baseline::{BASELINE_VERSION, Baseline, BaselineEntry, BaselineError};
pub use report::fix::{ArmChange, Fix, FixLanguage, HclEdit, TerraformFix};
pub use report::severity::{Severity, SeverityParseError};
pub use report::waivers::{EXPIRES_TAG, IGNORE_TAG, JUSTIFICATION_TAG};
pub use report::{
    InputError, REPORT_VERSION, Report, RuleError, Summary, Suppressed, ToolInfo, Undetermined,
    Violation, WaiverKind,
};
pub use testing::{
    Coverage, FileCoverage, TestOptions, TestOutcome, TestResult, TestRun, run_tests,
    run_tests_with,
};

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
