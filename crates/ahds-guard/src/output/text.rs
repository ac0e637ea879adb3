//! The report for people: findings grouped by resource, most severe first, with the
//! offending values and the fix; then undetermined checks, waived findings, notes and a
//! summary line. Styles are ANSI; the caller strips them when colour is off.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::{Severity, Undetermined, Violation};
use anstyle::{AnsiColor, Effects, Style};

use super::Context;

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
        "{} ({}), {} undetermined, {} suppressed, {} errors{}{}{}; {} resources checked by {} rules{}\n",
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
        match sum.unset_variables {
            0 => String::new(),
            n => format!(
                ", {n} root variable{} without a value (read as symbols: {})",
                if n == 1 { "" } else { "s" },
                cx.report.unset_variables.join(", ")
            ),
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

/// Undetermined entries that say the same thing of the same resource, feature and target
/// (one unknown blocking several rules, such as a target missing from the input), as one
/// item naming every rule, in the order the first of each appears.
fn undetermined_groups(entries: &[Undetermined]) -> Vec<(Vec<&str>, &Undetermined)> {
    let mut groups: Vec<(Vec<&str>, &Undetermined)> = Vec::new();
    let mut index: HashMap<UndeterminedKey<'_>, usize> = HashMap::new();
    for u in entries {
        let key = (
            u.resource_id.as_str(),
            u.feature.as_deref(),
            u.target_id.as_deref(),
            u.message.as_str(),
            u.missing.as_slice(),
        );
        match index.get(&key) {
            Some(&i) => groups[i].0.push(&u.rule_id),
            None => {
                index.insert(key, groups.len());
                groups.push((vec![&u.rule_id], u));
            }
        }
    }
    groups
}

type UndeterminedKey<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    &'a [String],
);

/// Text from the input as it may be printed: control characters (a line break in a
/// resource name could begin a CI workflow command such as `::add-mask::`), ANSI escapes
/// and bidirectional overrides written as escapes.
pub(crate) fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Every string of the report cleaned (see [`clean`]), so no value from the input prints
/// raw, wherever the text below puts it.
pub(crate) fn cleaned(report: &crate::Report) -> crate::Report {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(c) = clean(s) {
                    *s = c;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(m) => m.values_mut().for_each(walk),
            _ => {}
        }
    }
    let Ok(mut v) = serde_json::to_value(report) else {
        return report.clone();
    };
    walk(&mut v);
    serde_json::from_value(v).unwrap_or_else(|_| report.clone())
}

/// A line that would begin a CI workflow command (`::error`, `##vso[`, `##[group]`) once
/// its colours and indent are stripped starts with an escape instead.
fn defuse(text: String) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut rest = line.trim_start();
        while let Some(r) = rest.strip_prefix('\x1b') {
            rest = r
                .split_once('m')
                .map_or("", |(_, after)| after)
                .trim_start();
        }
        if rest.starts_with("::") || rest.starts_with("##") {
            out.push('\\');
        }
        out.push_str(line);
    }
    out
}

pub(crate) fn render(cx: &Context<'_>, quiet: bool, width: Option<usize>) -> String {
    let clean_report = cleaned(cx.report);
    let cx = &Context {
        report: &clean_report,
        ..*cx
    };
    let text = render_clean(cx, quiet);
    // `--quiet` is one line by contract: scripts read it.
    defuse(match width {
        Some(w) if w > 0 && !quiet => wrap(&text, w),
        _ => text,
    })
}

/// Where the continuation lines of an item start: under the finding's text.
const HANGING_INDENT: &str = "           ";

/// Each line longer than `width` columns (ANSI styles not counted) broken at spaces, or
/// after the `/` and `,` inside an id or a list, continuing under the hanging indent.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if textwrap::core::display_width(body) <= width {
            out.push_str(line);
            continue;
        }
        // The line's own indent is the first line's, so the words are measured after it.
        let rest = body.trim_start_matches(' ');
        let indent = &body[..body.len() - rest.len()];
        let options = textwrap::Options::new(width)
            .initial_indent(indent)
            .subsequent_indent(HANGING_INDENT)
            .break_words(false)
            .word_separator(textwrap::WordSeparator::Custom(break_after_separators))
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            // First fit never lets a line run past the width to balance the others.
            .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
        for (i, part) in textwrap::wrap(rest, options).iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(part);
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The words of a line for wrapping: split at spaces, and also after each `/` and `,` so
/// an ARM id or a list breaks between its segments (as a browser breaks a URL) instead of
/// running past the edge; never at a hyphen, so names stay whole.
fn break_after_separators(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let bytes = line.as_bytes();
    let mut pieces = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b' ' => {
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                pieces.push(&line[start..i]);
                start = i;
            }
            b'/' | b',' => {
                i += 1;
                // A separator a space follows breaks there anyway.
                if i < bytes.len() && bytes[i] != b' ' {
                    pieces.push(&line[start..i]);
                    start = i;
                }
            }
            _ => i += 1,
        }
    }
    if start < line.len() {
        pieces.push(&line[start..]);
    }
    Box::new(pieces.into_iter().map(textwrap::core::Word::from))
}

/// Findings grouped by resource, the resource with the most severe finding first (then by
/// id), each group in report order.
pub(crate) fn by_resource(violations: &[Violation]) -> Vec<(&str, Vec<&Violation>)> {
    let mut groups: BTreeMap<&str, Vec<&Violation>> = BTreeMap::new();
    for v in violations {
        groups.entry(&v.resource_id).or_default().push(v);
    }
    let mut groups: Vec<(&str, Vec<&Violation>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| {
        let max = |g: &Vec<&Violation>| g.iter().map(|v| v.severity).max();
        max(&b.1).cmp(&max(&a.1)).then_with(|| a.0.cmp(b.0))
    });
    groups
}

/// How a group of findings is headed: a short label (`type name (resource group)`, or the
/// Terraform address as it is), and the full ARM id once below it when the label is not
/// the id itself.
pub(crate) fn heading(resource: &str, resource_type: Option<&str>) -> (String, Option<String>) {
    let Ok(id) = ahds_model::ResourceId::parse(resource) else {
        return (resource.to_string(), None);
    };
    let (Some(name), Some(group)) = (id.name(), id.resource_group()) else {
        return (resource.to_string(), None);
    };
    let kind = resource_type
        .map(str::to_string)
        .or_else(|| id.resource_type())
        .unwrap_or_default();
    (
        format!("{kind} {name} ({group})"),
        Some(resource.to_string()),
    )
}

fn render_clean(cx: &Context<'_>, quiet: bool) -> String {
    if quiet {
        return summary(cx);
    }
    let report = cx.report;
    let mut s = String::new();
    for (resource, violations) in &by_resource(&report.violations) {
        let (label, id) = heading(resource, violations[0].resource_type.as_deref());
        let _ = writeln!(s, "{}", paint(BOLD, &label));
        if let Some(id) = id {
            let _ = writeln!(s, "  {}", paint(DIM, &id));
        }
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
            if let Some(fix) = &v.fix {
                // A fix that needs a choice says what to decide; the others, what to change.
                let label = if fix.automatic { "change:" } else { "decide:" };
                for line in crate::fix::lines(fix, &v.resource_id) {
                    let line = line.strip_prefix("decide ").unwrap_or(&line);
                    let _ = writeln!(s, "           {} {line}", paint(DIM, label));
                }
            }
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
        for (rules, u) in undetermined_groups(&report.undetermined) {
            let _ = writeln!(
                s,
                "  {}  {}: {}",
                rules.join(", "),
                u.resource_id,
                u.message
            );
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
            "{} rule {}{} failed: {}",
            paint(severity_style(Severity::Critical), "error:"),
            e.rule_id,
            e.place
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default(),
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
    let fixable = report
        .violations
        .iter()
        .filter(|v| {
            v.fix.as_ref().is_some_and(|f| {
                f.automatic && f.language == crate::FixLanguage::Terraform && f.terraform.is_some()
            })
        })
        .count();
    if fixable > 0 {
        let _ = writeln!(
            s,
            "{} `ahds-guard fix` makes the change of {fixable} finding(s) in their .tf files (`--dry-run` shows the diff)",
            paint(DIM, "note:")
        );
    }
    if !report.errors.is_empty()
        || !report.notes.is_empty()
        || !report.resolved.is_empty()
        || fixable > 0
    {
        s.push('\n');
    }
    s.push_str(&summary(cx));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rule: &str, resource: &str, message: &str, missing: &str) -> Undetermined {
        serde_json::from_value(serde_json::json!({
            "rule_id": rule, "rule_name": "r", "severity": "high", "resource_id": resource,
            "message": message, "missing": [missing], "feature": "fhir.export",
            "target_id": "sa",
        }))
        .expect("an undetermined entry")
    }

    #[test]
    fn long_lines_wrap_under_the_hanging_indent_and_ids_break_after_slashes() {
        let id = "/subscriptions/s/resourceGroups/rg-health-prod/providers/Microsoft.Storage/storageAccounts/st";
        let line = format!(
            "  {}  AHDS-TS-002  storage account {id} restricts network access without letting trusted services through\nshort\n",
            paint(BOLD, "HIGH    ")
        );
        let out = wrap(&line, 50);
        let plain = anstream::adapter::strip_str(&out).to_string();
        let lines: Vec<&str> = plain.lines().collect();
        assert_eq!(lines.last(), Some(&"short"));
        for l in &lines[1..lines.len() - 1] {
            assert!(l.starts_with(HANGING_INDENT), "{l:?}");
        }
        // Every line fits, styles not counted, and the id reads whole when rejoined.
        assert!(lines.iter().all(|l| l.chars().count() <= 50), "{plain}");
        let rejoined: String = plain.split_whitespace().collect();
        assert!(rejoined.contains(id), "{plain}");
        // Names are never broken at their hyphens.
        assert!(
            lines.iter().any(|l| l.contains("rg-health-prod")),
            "{plain}"
        );
        // A list breaks after its commas.
        let list = format!(
            "{HANGING_INDENT}found: principals=[\"{}\",\"{}\"]\n",
            "a".repeat(30),
            "b".repeat(30)
        );
        let wrapped = wrap(&list, 70);
        assert_eq!(wrapped.lines().count(), 2, "{wrapped}");
        assert!(
            wrapped.lines().next().is_some_and(|l| l.ends_with("\",")),
            "{wrapped}"
        );
    }

    #[test]
    fn a_wrapped_line_that_would_start_a_workflow_command_is_escaped() {
        // The command moves to a line of its own, under the indent.
        let text = format!("{} ::error file=x::boom\n", "x".repeat(38));
        let out = defuse(wrap(&text, 40));
        assert!(
            out.lines()
                .any(|l| l.starts_with('\\')
                    && l.trim_start_matches(['\\', ' ']).starts_with("::error")),
            "{out}"
        );
        assert!(
            !out.lines().any(|l| l.trim_start().starts_with("::")),
            "{out}"
        );
    }

    #[test]
    fn headings_are_type_name_and_group_with_the_id_below() {
        let id = "/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.KeyVault/vaults/kv1";
        assert_eq!(
            heading(id, Some("Microsoft.KeyVault/vaults")),
            (
                "Microsoft.KeyVault/vaults kv1 (rg-a)".into(),
                Some(id.into())
            )
        );
        assert_eq!(
            heading("module.a.azurerm_key_vault.kv", None),
            ("module.a.azurerm_key_vault.kv".into(), None)
        );
    }

    #[test]
    fn entries_saying_the_same_of_the_same_link_are_one_item() {
        let entries = [
            entry(
                "AHDS-TS-001",
                "fhir",
                "target not in the input",
                "storage account sa",
            ),
            entry(
                "AHDS-TS-005",
                "dicom",
                "target not in the input",
                "storage account sa",
            ),
            entry(
                "AHDS-TS-002",
                "fhir",
                "target not in the input",
                "storage account sa",
            ),
            entry(
                "AHDS-TS-003",
                "fhir",
                "its rules are unknown",
                "storage account sa",
            ),
            entry(
                "AHDS-TS-004",
                "fhir",
                "target not in the input",
                "value of {x}",
            ),
        ];
        let groups: Vec<(Vec<&str>, &str)> = undetermined_groups(&entries)
            .into_iter()
            .map(|(rules, u)| (rules, u.resource_id.as_str()))
            .collect();
        assert_eq!(
            groups,
            [
                (vec!["AHDS-TS-001", "AHDS-TS-002"], "fhir"),
                (vec!["AHDS-TS-005"], "dicom"),
                (vec!["AHDS-TS-003"], "fhir"),
                (vec!["AHDS-TS-004"], "fhir"),
            ]
        );
    }
}
