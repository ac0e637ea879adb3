//! The report for pull-request comments and `$GITHUB_STEP_SUMMARY`: the summary, a Mermaid
//! flowchart of the failing data paths (service → feature → target), and the failing
//! findings grouped by resource, kept within GitHub's comment size limit.

use std::fmt::Write as _;

use crate::{Severity, Violation};

use super::text::{by_resource, cleaned, heading};
use super::{Context, graph};

/// GitHub refuses a comment body longer than this many characters.
pub(crate) const COMMENT_LIMIT: usize = 65_536;
/// Room kept for the lines that close the document after the findings.
const CLOSING_ROOM: usize = 2_000;
/// Mermaid refuses diagrams of more than 500 edges by default; fewer stay readable.
const MAX_EDGES: usize = 150;

pub(crate) fn render(cx: &Context<'_>) -> String {
    let report = cleaned(cx.report);
    let sum = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## ahds-guard: {} violation{}, {} undetermined\n",
        sum.violations,
        if sum.violations == 1 { "" } else { "s" },
        sum.undetermined
    );
    out.push_str(
        "| critical | high | medium | low | info | undetermined | suppressed | errors |\n",
    );
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let count = |s: Severity| sum.by_severity.get(&s).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        count(Severity::Info),
        sum.undetermined,
        sum.suppressed,
        sum.errors
    );
    let _ = write!(
        out,
        "{} resources checked by {} rules",
        sum.resources, sum.rules
    );
    if !report.skipped.is_empty() {
        let _ = write!(out, "; {} skipped", report.skipped.len());
    }
    if sum.input_errors > 0 {
        let _ = write!(
            out,
            "; **{} input errors**: those parts of the input were not checked",
            sum.input_errors
        );
    }
    out.push_str(".\n\n");
    for e in &report.input_errors {
        let _ = writeln!(
            out,
            "- input error: {}: {}",
            escape(&e.place.to_string()),
            escape(&e.message)
        );
    }
    for e in &report.errors {
        let _ = writeln!(
            out,
            "- rule error: {} failed: {}",
            e.rule_id,
            escape(&e.message)
        );
    }
    if !report.input_errors.is_empty() || !report.errors.is_empty() {
        out.push('\n');
    }
    flowchart(cx, &report, &mut out);
    findings(&report.violations, &mut out);
    if !report.undetermined.is_empty() {
        let mut section = format!(
            "<details><summary>Undetermined ({}): a value these checks need is not known yet</summary>\n\n",
            report.undetermined.len()
        );
        for u in &report.undetermined {
            let line = format!(
                "- {} {}: {} (not known: {})\n",
                u.rule_id,
                escape(&heading(&u.resource_id, u.resource_type.as_deref()).0),
                escape(&u.message),
                escape(&u.missing.join(", "))
            );
            if out.len() + section.len() + line.len() + CLOSING_ROOM / 2 > COMMENT_LIMIT {
                section.push_str("- … more undetermined checks not shown\n");
                break;
            }
            section.push_str(&line);
        }
        section.push_str("\n</details>\n");
        out.push_str(&section);
    }
    out
}

/// The failing findings, most severe resource first, until the comment limit; then a line
/// counting what was left out.
fn findings(violations: &[Violation], out: &mut String) {
    if violations.is_empty() {
        return;
    }
    let groups = by_resource(violations);
    out.push_str("### Findings\n\n");
    let mut shown = 0;
    for (resource, vs) in &groups {
        let mut section = String::new();
        let (label, id) = heading(resource, vs[0].resource_type.as_deref());
        let _ = writeln!(section, "#### {}\n", escape(&label));
        let mut place = id.map(|id| format!("`{}`", code(&id))).unwrap_or_default();
        if let Some(s) = &vs[0].source {
            let at = match s.line {
                Some(l) => format!("{}:{l}", s.file),
                None => s.file.clone(),
            };
            if !place.is_empty() {
                place.push_str(" · ");
            }
            let _ = write!(place, "`{}`", code(&at));
        }
        if !place.is_empty() {
            let _ = writeln!(section, "{place}\n");
        }
        for v in vs {
            let rule = match &v.doc_url {
                Some(url) => format!("[{}]({url})", v.rule_id),
                None => v.rule_id.clone(),
            };
            let _ = writeln!(
                section,
                "- **{}** {rule} {}\n  - Fix: {}",
                v.severity.as_str().to_uppercase(),
                escape(&v.message),
                escape(&v.remediation)
            );
        }
        section.push('\n');
        if out.len() + section.len() + CLOSING_ROOM > COMMENT_LIMIT {
            break;
        }
        out.push_str(&section);
        shown += vs.len();
    }
    if shown < violations.len() {
        let _ = writeln!(
            out,
            "… {} more findings not shown: the comment would pass GitHub's size limit (the full report: `--format json` or `--format sarif`).\n",
            violations.len() - shown
        );
    }
}

/// The failing and undetermined data paths as a Mermaid flowchart (see [`super::graph`]).
fn flowchart(cx: &Context<'_>, report: &crate::Report, out: &mut String) {
    let g = graph::build(cx.estate, report).failing();
    if g.edges.is_empty() {
        return;
    }
    // The failing graph has the worst paths first, so a cut keeps what matters.
    let (g, left_out) = g.keep_edges(MAX_EDGES);
    out.push_str("### Failing data paths\n\n```mermaid\n");
    out.push_str(&graph::mermaid(&g));
    out.push_str("```\n\n");
    if left_out > 0 {
        let _ = writeln!(out, "{left_out} more paths with findings are not drawn.\n");
    }
}

/// Text from the input as Markdown shows it literally: no HTML, links, emphasis, tables,
/// headings or mentions.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("&#64;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span: a backtick would end it.
fn code(s: &str) -> String {
    s.replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of `n` findings on `n` resources, each named `name` plus its number.
    fn report(n: usize, name: &str) -> crate::Report {
        let violations = (0..n)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "rule_id": "AHDS-TS-001", "rule_name": "r", "severity": "high",
                    "title": "t", "resource_id": format!("{name}{i}"),
                    "message": format!("{name}{i} accepts traffic from all networks, {}", "and more words ".repeat(20)),
                    "remediation": "Restrict it.",
                }))
                .unwrap()
            })
            .collect();
        let mut r = crate::Report {
            violations,
            ..Default::default()
        };
        r.summary.violations = n;
        r
    }

    fn rendered(r: &crate::Report) -> String {
        let estate = ahds_model::Estate::new();
        render(&Context::new(r, &[], &estate, std::path::Path::new("/")))
    }

    #[test]
    fn a_comment_stays_within_githubs_limit_and_counts_what_it_leaves_out() {
        let out = rendered(&report(2_000, "st"));
        assert!(out.chars().count() <= COMMENT_LIMIT, "{}", out.len());
        let shown = out.matches("- **HIGH**").count();
        assert!(shown > 50 && shown < 2_000, "{shown}");
        assert!(
            out.contains(&format!("… {} more findings not shown", 2_000 - shown)),
            "{}",
            &out[out.len() - 400..]
        );
        // A small report is whole.
        let small = rendered(&report(3, "st"));
        assert_eq!(small.matches("- **HIGH**").count(), 3);
        assert!(!small.contains("not shown"));
    }

    #[test]
    fn a_resource_named_like_markup_is_text() {
        let out = rendered(&report(1, "<script>alert(1)</script>@org/"));
        assert!(!out.contains("<script>"), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;&#64;org/0"),
            "{out}"
        );
    }

    #[test]
    fn markup_in_input_values_prints_as_text() {
        assert_eq!(
            escape("<script>alert(1)</script> @team *x* [a](b) | #1"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &#64;team \\*x\\* \\[a\\](b) \\| \\#1"
        );
    }
}
