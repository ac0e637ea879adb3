//! The report for people: findings grouped by resource, most severe first, with the
//! offending values and the fix; then undetermined checks, waived findings, notes and a
//! summary line. Styles are ANSI; the caller strips them when colour is off.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ahds_guard::{Severity, Violation};
use anstyle::{AnsiColor, Effects, Style};

use crate::Context;

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::new()
            .fg_color(Some(AnsiColor::BrightRed.into()))
            .effects(Effects::BOLD),
        Severity::High => Style::new()
            .fg_color(Some(AnsiColor::Red.into()))
            .effects(Effects::BOLD),
        Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Severity::Info => Style::new().fg_color(Some(AnsiColor::Blue.into())),
    }
}

const BOLD: Style = Style::new().effects(Effects::BOLD);
const DIM: Style = Style::new().effects(Effects::DIMMED);

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// `key=value` pairs of an evidence object, compactly.
fn evidence(v: &serde_json::Value) -> Option<String> {
    let obj = v.as_object()?;
    let parts: Vec<String> = obj
        .iter()
        .map(|(k, x)| match x {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn location(v: &Violation) -> Option<String> {
    let s = v.source.as_ref()?;
    Some(match (s.line, &s.address) {
        (Some(l), _) => format!("{}:{l}", s.file),
        (None, Some(a)) if a != &v.resource_id => format!("{} ({a})", s.file),
        _ => s.file.clone(),
    })
}

fn summary(cx: &Context<'_>) -> String {
    let sum = &cx.report.summary;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|sev| {
            let n = sum.by_severity.get(sev).copied().unwrap_or(0);
            let text = format!("{n} {sev}");
            if n > 0 {
                paint(severity_style(*sev), &text)
            } else {
                text
            }
        })
        .collect();
    format!(
        "{} ({}), {} undetermined, {} suppressed, {} errors{}{}; {} resources checked by {} rules{}\n",
        paint(BOLD, &format!("{} violations", sum.violations)),
        counts.join(", "),
        sum.undetermined,
        sum.suppressed,
        sum.errors,
        if sum.baselined > 0 || sum.resolved > 0 {
            format!(
                ", {} baselined ({} baseline entries resolved)",
                sum.baselined, sum.resolved
            )
        } else {
            String::new()
        },
        if sum.input_errors > 0 {
            format!(
                ", {} input errors (those parts of the input were not checked)",
                sum.input_errors
            )
        } else {
            String::new()
        },
        sum.resources,
        sum.rules,
        skipped_by_reason(cx)
    )
}

/// `" (skipped: 5 resource type not modelled: ...; 1 its `condition` is false)"`.
fn skipped_by_reason(cx: &Context<'_>) -> String {
    let mut by_reason: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for s in &cx.report.skipped {
        *by_reason.entry(s.reason.as_str()).or_default() += 1;
    }
    if by_reason.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = by_reason
        .iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    format!(" (skipped: {})", parts.join("; "))
}

pub(crate) fn render(cx: &Context<'_>, quiet: bool) -> String {
    if quiet {
        return summary(cx);
    }
    let report = cx.report;
    let mut s = String::new();
    // Group by resource, most severe resource first.
    let mut by_resource: BTreeMap<&str, Vec<&Violation>> = BTreeMap::new();
    for v in &report.violations {
        by_resource.entry(&v.resource_id).or_default().push(v);
    }
    let mut groups: Vec<(&str, Vec<&Violation>)> = by_resource.into_iter().collect();
    groups.sort_by(|a, b| {
        let max = |g: &Vec<&Violation>| g.iter().map(|v| v.severity).max();
        max(&b.1).cmp(&max(&a.1)).then_with(|| a.0.cmp(b.0))
    });
    for (resource, violations) in &groups {
        let _ = writeln!(s, "{}", paint(BOLD, resource));
        if let Some(loc) = location(violations[0]) {
            let _ = writeln!(s, "  {}", paint(DIM, &loc));
        }
        for v in violations {
            let label = format!("{:<8}", v.severity.as_str().to_uppercase());
            let _ = writeln!(
                s,
                "  {} {}  {}",
                paint(severity_style(v.severity), &label),
                v.rule_id,
                v.message
            );
            if let Some(e) = v.evidence.as_ref().and_then(evidence) {
                let _ = writeln!(s, "           {} {e}", paint(DIM, "found:"));
            }
            let _ = writeln!(s, "           {} {}", paint(DIM, "fix:"), v.remediation);
        }
        s.push('\n');
    }
    if !report.undetermined.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            paint(
                BOLD,
                &format!(
                    "Undetermined ({}): a value these checks need is not known yet",
                    report.undetermined.len()
                )
            )
        );
        for u in &report.undetermined {
            let _ = writeln!(s, "  {}  {}: {}", u.rule_id, u.resource_id, u.message);
            let _ = writeln!(
                s,
                "           {} {}",
                paint(DIM, "not known:"),
                u.missing.join(", ")
            );
        }
        s.push('\n');
    }
    if !report.suppressed.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            paint(BOLD, &format!("Suppressed ({})", report.suppressed.len()))
        );
        for x in &report.suppressed {
            let _ = writeln!(
                s,
                "  {}  {}: {} [{}{}]",
                x.violation.rule_id,
                x.violation.resource_id,
                x.justification,
                x.waiver,
                x.expires
                    .as_ref()
                    .map(|e| format!(", until {e}"))
                    .unwrap_or_default()
            );
        }
        s.push('\n');
    }
    for e in &report.errors {
        let _ = writeln!(
            s,
            "{} rule {} failed: {}",
            paint(severity_style(Severity::Critical), "error:"),
            e.rule_id,
            e.message
        );
    }
    for n in &report.notes {
        let _ = writeln!(s, "{} {n}", paint(DIM, "note:"));
    }
    for r in &report.resolved {
        let _ = writeln!(
            s,
            "{} baseline entry {} {}{} matches no finding any more (fixed); refresh the file with `ahds-guard baseline update`",
            paint(DIM, "note:"),
            r.rule_id,
            r.resource,
            r.feature
                .as_deref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        );
    }
    if !report.errors.is_empty() || !report.notes.is_empty() || !report.resolved.is_empty() {
        s.push('\n');
    }
    s.push_str(&summary(cx));
    s
}
