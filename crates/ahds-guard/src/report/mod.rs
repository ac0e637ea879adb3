//! The report an evaluation returns: violations, undetermined checks, suppressed findings,
//! rule errors, skipped resources and a summary.

pub(crate) mod baseline;
pub(crate) mod by_resource;
pub(crate) mod fix;
pub(crate) mod severity;
pub(crate) mod waivers;

use std::collections::BTreeMap;

use ahds_model::{Place, SkippedResource};
use serde::{Deserialize, Serialize};

use crate::report::fix::Fix;
use crate::report::severity::Severity;

/// The version of the report layout.
pub const REPORT_VERSION: u32 = 1;

/// A rule found a problem with a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Violation {
    /// Catalog id (`AHDS-TS-001`).
    pub rule_id: String,
    /// Kebab-case rule name (`outbound-target-publicly-accessible`).
    pub rule_name: String,
    /// Severity, after configuration overrides.
    pub severity: Severity,
    /// The rule's title.
    pub title: String,
    /// The resource: ARM id, or the input address where no id is known.
    pub resource_id: String,
    /// The resource's ARM type (`Microsoft.Storage/storageAccounts`), whatever the input
    /// language; absent for a resource the input does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// One sentence naming the resource and the offending value.
    pub message: String,
    /// The outbound feature (`fhir.export`), for outbound rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// The outbound target, for outbound rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// The values the rule based its finding on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Value>,
    /// What to change.
    pub remediation: String,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// Where the resource was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Place>,
    /// The change that removes the finding, in the input's language, when the rule gives
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A rule could not decide because a fact it needs is unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Undetermined {
    /// Catalog id.
    pub rule_id: String,
    /// Kebab-case rule name.
    pub rule_name: String,
    /// The severity the finding would have.
    pub severity: Severity,
    /// The resource.
    pub resource_id: String,
    /// The resource's ARM type, whatever the input language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// What could not be decided, and why.
    pub message: String,
    /// The facts that are unknown.
    pub missing: Vec<String>,
    /// The outbound feature, for outbound rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// The outbound target, for outbound rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// Where the resource was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Place>,
}

/// A violation that a waiver suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Suppressed {
    /// The violation.
    #[serde(flatten)]
    pub violation: Violation,
    /// Why it is accepted.
    pub justification: String,
    /// Where the waiver came from, for people (`config (.ahds-guard.toml:12)`,
    /// `tag (ahds-guard-ignore)`).
    pub waiver: String,
    /// The kind of waiver: in the configuration, or on the resource itself.
    pub waiver_kind: WaiverKind,
    /// When the waiver expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// Where a waiver is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WaiverKind {
    /// A `[[waiver]]` of the configuration file.
    Config,
    /// The resource's own `ahds-guard-ignore` tag (in the source, for SARIF).
    Tag,
    /// An `# ahds-guard:ignore` comment at the resource in its source file.
    Inline,
}

/// A rule that failed to evaluate. Its findings are missing from the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleError {
    /// Catalog id, or the package path for a rule without one.
    pub rule_id: String,
    /// Where the rule is: its policy file and the line of its `# METADATA` block.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// What went wrong.
    pub message: String,
}

/// A part of the input that could not be read (a malformed resource, say). It is missing
/// from the evaluation, so a report with input errors is incomplete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputError {
    /// Where: the input file (`-` for standard input) and, as far as known, the line and
    /// column or the JSON pointer of the offending value.
    #[serde(flatten)]
    pub place: Place,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    /// An input error at a place.
    pub fn new(place: Place, message: impl Into<String>) -> Self {
        InputError {
            place,
            message: message.into(),
        }
    }
}

/// Counts for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Summary {
    /// Number of violations.
    pub violations: usize,
    /// Violations by severity (every severity present, zero included).
    pub by_severity: BTreeMap<Severity, usize>,
    /// Number of undetermined checks.
    pub undetermined: usize,
    /// Number of suppressed violations.
    pub suppressed: usize,
    /// Number of rule errors.
    pub errors: usize,
    /// Number of input errors.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub input_errors: usize,
    /// Resources evaluated.
    pub resources: usize,
    /// Rules evaluated.
    pub rules: usize,
    /// Resources the readers skipped (unsupported types).
    pub skipped: usize,
    /// The highest violation severity, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_severity: Option<Severity>,
    /// Violations a baseline accepts.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub baselined: usize,
    /// Baseline entries that match nothing any more.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resolved: usize,
    /// Root Terraform variables that had no value.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unset_variables: usize,
}

/// The tool that wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolInfo {
    /// `ahds-guard`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        ToolInfo {
            name: "ahds-guard".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// The outcome of evaluating an estate. Every list is in a deterministic order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Report {
    /// Report layout version.
    pub version: u32,
    /// The tool.
    pub tool: ToolInfo,
    /// Violations, most severe first.
    pub violations: Vec<Violation>,
    /// Checks that could not be decided.
    pub undetermined: Vec<Undetermined>,
    /// Violations suppressed by waivers.
    pub suppressed: Vec<Suppressed>,
    /// Rules that failed to evaluate.
    pub errors: Vec<RuleError>,
    /// Parts of the input that could not be read, and so were not evaluated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_errors: Vec<InputError>,
    /// Resources the readers did not model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedResource>,
    /// Remarks about the evaluation as a whole (checks skipped, waivers unused).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Root variables of a Terraform configuration that had no value and were read as
    /// symbols (`var.env`): how much of the run was symbolic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unset_variables: Vec<String>,
    /// Violations a baseline accepts (`check --baseline`): reported, not failing the gate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baselined: Vec<Violation>,
    /// Baseline entries that match no finding any more: fixed, so the baseline can be
    /// refreshed (`ahds-guard baseline update`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved: Vec<crate::report::baseline::BaselineEntry>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Sorts every list into its canonical order and recomputes the summary.
    pub(crate) fn finish(&mut self, resources: usize, rules: usize) {
        self.version = REPORT_VERSION;
        self.violations.sort_by(violation_order);
        self.violations.dedup();
        self.undetermined.sort_by(|a, b| {
            (
                &a.rule_id,
                &a.resource_id,
                &a.feature,
                &a.target_id,
                &a.message,
            )
                .cmp(&(
                    &b.rule_id,
                    &b.resource_id,
                    &b.feature,
                    &b.target_id,
                    &b.message,
                ))
        });
        self.undetermined.dedup();
        self.suppressed
            .sort_by(|a, b| violation_order(&a.violation, &b.violation));
        self.errors
            .sort_by(|a, b| (&a.rule_id, &a.message).cmp(&(&b.rule_id, &b.message)));
        self.notes.sort();
        self.notes.dedup();
        self.unset_variables.sort();
        self.unset_variables.dedup();
        self.summary.resources = resources;
        self.summary.rules = rules;
        self.recount();
    }

    /// Recomputes the summary from the lists (keeping the resource and rule counts).
    pub(crate) fn recount(&mut self) {
        self.baselined.sort_by(violation_order);
        let mut by_severity: BTreeMap<Severity, usize> =
            Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for v in &self.violations {
            *by_severity.entry(v.severity).or_default() += 1;
        }
        self.summary = Summary {
            violations: self.violations.len(),
            by_severity,
            undetermined: self.undetermined.len(),
            suppressed: self.suppressed.len(),
            errors: self.errors.len(),
            input_errors: self.input_errors.len(),
            resources: self.summary.resources,
            rules: self.summary.rules,
            skipped: self.skipped.len(),
            max_severity: self.violations.iter().map(|v| v.severity).max(),
            baselined: self.baselined.len(),
            resolved: self.resolved.len(),
            unset_variables: self.unset_variables.len(),
        };
    }

    /// Records the parts of the input that could not be read, in file order.
    pub fn add_input_errors(&mut self, errors: impl IntoIterator<Item = InputError>) {
        self.input_errors.extend(errors);
        self.input_errors.sort_by(|a, b| {
            (
                &a.place.file,
                a.place.line,
                a.place.column,
                &a.place.pointer,
                &a.message,
            )
                .cmp(&(
                    &b.place.file,
                    b.place.line,
                    b.place.column,
                    &b.place.pointer,
                    &b.message,
                ))
        });
        self.summary.input_errors = self.input_errors.len();
    }

    /// True when the evaluation is incomplete: a rule failed or part of the input was not
    /// read. Such a report must not pass a gate.
    pub fn is_incomplete(&self) -> bool {
        !self.errors.is_empty() || !self.input_errors.is_empty()
    }

    /// True when some violation is at or above `threshold`.
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.violations.iter().any(|v| v.severity >= threshold)
    }

    /// True when some undetermined check would be at or above `threshold`.
    pub fn undetermined_at(&self, threshold: Severity) -> bool {
        self.undetermined.iter().any(|u| u.severity >= threshold)
    }
}

fn violation_order(a: &Violation, b: &Violation) -> std::cmp::Ordering {
    b.severity.cmp(&a.severity).then_with(|| {
        (
            &a.rule_id,
            &a.resource_id,
            &a.feature,
            &a.target_id,
            &a.message,
        )
            .cmp(&(
                &b.rule_id,
                &b.resource_id,
                &b.feature,
                &b.target_id,
                &b.message,
            ))
    })
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
