//! The report for people: findings grouped by resource.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ahds_guard::{Report, Severity};

pub(crate) fn render(report: &Report) -> String {
    let mut s = String::new();
    let mut by_resource: BTreeMap<&str, Vec<&ahds_guard::Violation>> = BTreeMap::new();
    for v in &report.violations {
        by_resource.entry(&v.resource_id).or_default().push(v);
    }
    for (resource, violations) in &by_resource {
        let _ = writeln!(s, "{resource}");
        for v in violations {
            let _ = writeln!(s, "  {:<8} {} {}", v.severity, v.rule_id, v.message);
            let _ = writeln!(s, "           fix: {}", v.remediation);
        }
        s.push('\n');
    }
    if !report.undetermined.is_empty() {
        let _ = writeln!(s, "Undetermined:");
        for u in &report.undetermined {
            let _ = writeln!(
                s,
                "  {} {}: {} (unknown: {})",
                u.rule_id,
                u.resource_id,
                u.message,
                u.missing.join(", ")
            );
        }
        s.push('\n');
    }
    for e in &report.errors {
        let _ = writeln!(s, "error: rule {} failed: {}", e.rule_id, e.message);
    }
    for n in &report.notes {
        let _ = writeln!(s, "note: {n}");
    }
    let sum = &report.summary;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|sev| format!("{} {sev}", sum.by_severity.get(sev).copied().unwrap_or(0)))
        .collect();
    let _ = writeln!(
        s,
        "{} violations ({}), {} undetermined, {} suppressed, {} errors; {} resources, {} rules",
        sum.violations,
        counts.join(", "),
        sum.undetermined,
        sum.suppressed,
        sum.errors,
        sum.resources,
        sum.rules
    );
    s
}
