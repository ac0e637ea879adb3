//! The report as JSON (the contract of DESIGN.md §4).

use crate::Report;

pub(crate) fn render(report: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report).map(|s| s + "\n")
}
