//! Baselines: the findings a team accepts as they stand when it turns the gate on, so the
//! gate fails only on what a change adds.
//!
//! A finding's identity is its rule, resource, feature and target — never a line number,
//! so moving code does not reopen it, and never the file alone, so two resources of the same
//! name in different files stay apart. Resource and target compare without case, as ARM
//! ids do.
//!
//! ```
//! use ahds_guard::{Baseline, Report};
//!
//! let mut report = Report::default();
//! let baseline = Baseline::from_report(&report);
//! let text = baseline.to_json();
//! let read = Baseline::parse(&text)?;
//! read.apply(&mut report);
//! assert!(report.baselined.is_empty() && report.resolved.is_empty());
//! # Ok::<(), ahds_guard::BaselineError>(())
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::report::{Report, Violation};

/// The version of the baseline file layout.
pub const BASELINE_VERSION: u32 = 1;

/// One accepted finding, by its identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// Catalog id.
    pub rule_id: String,
    /// The resource: ARM id or Terraform address, lower-cased.
    pub resource: String,
    /// The outbound feature, for outbound rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// The outbound target, lower-cased, for outbound rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl BaselineEntry {
    /// The identity of a violation.
    pub fn of(v: &Violation) -> Self {
        BaselineEntry {
            rule_id: v.rule_id.clone(),
            resource: v.resource_id.to_lowercase(),
            feature: v.feature.clone(),
            target: v.target_id.as_ref().map(|t| t.to_lowercase()),
        }
    }
}

/// A baseline file: sorted, stable JSON that reviews well in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Layout version ([`BASELINE_VERSION`]).
    pub version: u32,
    /// The accepted findings, sorted, each once.
    pub findings: Vec<BaselineEntry>,
}

/// Why a baseline file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// Not JSON of the baseline layout.
    #[error("not an ahds-guard baseline: {message} (line {line}, column {column})")]
    Invalid {
        /// What the parser said.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A layout this version does not read.
    #[error(
        "baseline version {found} is not supported (this ahds-guard reads version {BASELINE_VERSION}); recreate it with `ahds-guard baseline create`"
    )]
    Version {
        /// The version the file declares.
        found: u32,
    },
}

impl Baseline {
    /// The baseline that accepts every violation of a report.
    pub fn from_report(report: &Report) -> Self {
        let findings: BTreeSet<BaselineEntry> =
            report.violations.iter().map(BaselineEntry::of).collect();
        Baseline {
            version: BASELINE_VERSION,
            findings: findings.into_iter().collect(),
        }
    }

    /// The file's text: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Self, BaselineError> {
        let invalid = |e: serde_json::Error| BaselineError::Invalid {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        };
        // The version first, so a newer layout is named as such rather than as malformed.
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let Versioned { version } = serde_json::from_str(text).map_err(invalid)?;
        if version != BASELINE_VERSION {
            return Err(BaselineError::Version { found: version });
        }
        let mut baseline: Baseline = serde_json::from_str(text).map_err(invalid)?;
        baseline.findings.sort();
        baseline.findings.dedup();
        Ok(baseline)
    }

    /// Moves the violations the baseline accepts to [`Report::baselined`], lists its
    /// entries that match nothing any more in [`Report::resolved`], and recounts.
    pub fn apply(&self, report: &mut Report) {
        let accepted: BTreeSet<&BaselineEntry> = self.findings.iter().collect();
        let mut matched: BTreeSet<BaselineEntry> = BTreeSet::new();
        let (baselined, new): (Vec<Violation>, Vec<Violation>) =
            std::mem::take(&mut report.violations)
                .into_iter()
                .partition(|v| {
                    let id = BaselineEntry::of(v);
                    let hit = accepted.contains(&id);
                    if hit {
                        matched.insert(id);
                    }
                    hit
                });
        report.violations = new;
        report.baselined.extend(baselined);
        report.resolved = self
            .findings
            .iter()
            .filter(|e| !matched.contains(*e))
            .cloned()
            .collect();
        report.recount();
    }
}
