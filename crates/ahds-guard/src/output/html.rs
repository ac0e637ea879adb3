//! The report as one self-contained HTML file a reviewer opens from a CI artifact: a
//! summary, the estate's data paths drawn as an SVG graph in layers, the findings as a table
//! that filters by severity, rule and text, and the undetermined, suppressed, baselined and
//! skipped items in their own sections. No network: inline CSS, inline SVG and a small
//! inline script; every value from the input is escaped. The markup is well-formed XML
//! (tags closed, attributes quoted, no `<` or `&` in the script), which the tests check.

use std::fmt::Write as _;

use crate::{Severity, Violation};

use super::Context;
use super::graph;
use super::svg;
use super::text::{cleaned, heading};

/// Edges drawn at most: past this, the drawing keeps the paths with findings, worst first.
const MAX_EDGES: usize = 400;
/// Findings listed at most, most severe first, so the file stays a few MB for a tenant;
/// every finding is in the JSON and SARIF reports.
const MAX_ROWS: usize = 2_500;

const STYLE: &str = "
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #eaeef2; }
th { background: #f6f8fa; }
td.id, code { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
.counts span { display: inline-block; margin-right: 14px; font-weight: 600; }
.sev { font-weight: 700; white-space: nowrap; }
.critical, .high { color: #d73a49; } .medium { color: #e36209; } .low { color: #b08800; } .info { color: #0366d6; }
.filters { margin: 8px 0; } .filters select, .filters input { margin-right: 8px; }
.graph { overflow: auto; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
.note { color: #57606a; }
";

/// Filters the findings table by severity, rule and text: written without `<` and `&` so
/// the document stays well-formed XML.
const SCRIPT: &str = "
function applyFilters() {
  var sev = document.getElementById('f-sev').value;
  var rule = document.getElementById('f-rule').value;
  var text = document.getElementById('f-text').value.toLowerCase();
  var rows = document.querySelectorAll('#findings tbody tr');
  for (var i = 0; i !== rows.length; i++) {
    var r = rows[i];
    var show = true;
    if (sev !== '' ) { if (r.getAttribute('data-sev') !== sev) { show = false; } }
    if (rule !== '') { if (r.getAttribute('data-rule') !== rule) { show = false; } }
    if (text !== '') { if (r.textContent.toLowerCase().indexOf(text) === -1) { show = false; } }
    r.style.display = show ? '' : 'none';
  }
}
";

pub(crate) fn render(cx: &Context<'_>) -> String {
    let report = cleaned(cx.report);
    let sum = &report.summary;
    let mut out = String::with_capacity(64 * 1024 + report.violations.len() * 400);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = writeln!(
        out,
        "<title>ahds-guard: {} violations, {} undetermined</title>",
        sum.violations, sum.undetermined
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<h1>ahds-guard: {} violations, {} undetermined</h1>",
        sum.violations, sum.undetermined
    );
    out.push_str("<p class=\"counts\">");
    for s in Severity::ALL.iter().rev() {
        let n = sum.by_severity.get(s).copied().unwrap_or(0);
        let _ = write!(
            out,
            "<span class=\"{}\">{n} {}</span>",
            s.as_str(),
            s.as_str()
        );
    }
    let _ = writeln!(
        out,
        "<span>{} suppressed</span><span>{} errors</span></p>",
        sum.suppressed, sum.errors
    );
    let _ = write!(
        out,
        "<p>{} resources checked by {} rules; {} skipped",
        sum.resources,
        sum.rules,
        report.skipped.len()
    );
    if sum.input_errors > 0 {
        let _ = write!(
            out,
            "; <strong>{} input errors: those parts of the input were not checked</strong>",
            sum.input_errors
        );
    }
    out.push_str(".</p>\n");
    list(
        &mut out,
        "Input errors",
        report
            .input_errors
            .iter()
            .map(|e| format!("{}: {}", e.place, e.message)),
    );
    list(
        &mut out,
        "Rule errors",
        report
            .errors
            .iter()
            .map(|e| format!("{} failed: {}", e.rule_id, e.message)),
    );
    drawing(cx, &report, &mut out);
    findings(&report.violations, &mut out);
    table(
        &mut out,
        "Undetermined",
        Some("A value these checks need is not known yet."),
        ["Rule", "Resource", "Message", "Not known"],
        report.undetermined.iter().map(|u| {
            [
                u.rule_id.clone(),
                heading(&u.resource_id, u.resource_type.as_deref()).0,
                u.message.clone(),
                u.missing.join(", "),
            ]
        }),
    );
    table(
        &mut out,
        "Suppressed",
        None,
        ["Rule", "Resource", "Justification", "Waiver"],
        report.suppressed.iter().map(|s| {
            let until = s.expires.as_ref().map(|e| format!(", until {e}"));
            [
                s.violation.rule_id.clone(),
                s.violation.resource_id.clone(),
                s.justification.clone(),
                format!("{}{}", s.waiver, until.unwrap_or_default()),
            ]
        }),
    );
    list(
        &mut out,
        "Baselined",
        report
            .baselined
            .iter()
            .map(|v| format!("{} {}: {}", v.rule_id, v.resource_id, v.message)),
    );
    list(
        &mut out,
        "Skipped resources",
        report
            .skipped
            .iter()
            .map(|s| format!("{} {}: {}", s.resource_type, s.resource, s.reason)),
    );
    list(&mut out, "Notes", report.notes.iter().cloned());
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out
}

/// A section with a table of four columns, when there are rows; every cell escaped.
fn table(
    out: &mut String,
    title: &str,
    note: Option<&str>,
    headers: [&str; 4],
    rows: impl Iterator<Item = [String; 4]>,
) {
    let rows: Vec<[String; 4]> = rows.collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>{title} ({})</h2>", rows.len());
    if let Some(note) = note {
        let _ = writeln!(out, "<p class=\"note\">{note}</p>");
    }
    out.push_str("<table>\n<thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(&cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// A section listing items, when there are any.
fn list(out: &mut String, title: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>{title} ({})</h2>\n<ul>", items.len());
    for i in items {
        let _ = writeln!(out, "<li>{}</li>", esc(&i));
    }
    out.push_str("</ul>\n");
}

/// The findings table, with its filters.
fn findings(violations: &[Violation], out: &mut String) {
    let _ = writeln!(out, "<h2>Findings ({})</h2>", violations.len());
    if violations.is_empty() {
        out.push_str("<p>No violations.</p>\n");
        return;
    }
    let mut rules: Vec<&str> = violations.iter().map(|v| v.rule_id.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    out.push_str("<div class=\"filters\"><label>Severity <select id=\"f-sev\" onchange=\"applyFilters()\"><option value=\"\">all</option>");
    for s in Severity::ALL.iter().rev() {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", s.as_str());
    }
    out.push_str("</select></label><label>Rule <select id=\"f-rule\" onchange=\"applyFilters()\"><option value=\"\">all</option>");
    for r in rules {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc(r));
    }
    out.push_str("</select></label><label>Text <input id=\"f-text\" type=\"search\" oninput=\"applyFilters()\"/></label></div>\n");
    out.push_str("<table id=\"findings\">\n<thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th><th>Fix</th><th>Source</th></tr></thead>\n<tbody>\n");
    let mut sorted: Vec<&Violation> = violations.iter().collect();
    sorted.sort_by_key(|v| std::cmp::Reverse(v.severity));
    if sorted.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">The {MAX_ROWS} most severe of {} findings are listed; every finding is in the JSON and SARIF reports.</p>",
            sorted.len()
        );
        sorted.truncate(MAX_ROWS);
    }
    for v in sorted {
        let rule = match &v.doc_url {
            Some(url) => format!("<a href=\"{}\">{}</a>", esc(url), esc(&v.rule_id)),
            None => esc(&v.rule_id),
        };
        let (label, id) = heading(&v.resource_id, v.resource_type.as_deref());
        let source = v
            .source
            .as_ref()
            .map(|s| match s.line {
                Some(l) => format!("{}:{l}", s.file),
                None => s.file.clone(),
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr data-sev=\"{sev}\" data-rule=\"{rid}\"><td class=\"sev {sev}\">{SEV}</td><td>{rule}</td><td title=\"{id}\">{label}</td><td>{msg}</td><td>{fix}</td><td class=\"id\">{source}</td></tr>",
            sev = v.severity.as_str(),
            SEV = v.severity.as_str().to_uppercase(),
            rid = esc(&v.rule_id),
            id = esc(id.as_deref().unwrap_or(&v.resource_id)),
            label = esc(&label),
            msg = esc(&v.message),
            fix = esc(&v.remediation),
            source = esc(&source),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The data paths as an SVG drawing, laid out in one column per layer.
fn drawing(cx: &Context<'_>, report: &crate::Report, out: &mut String) {
    let mut g = graph::build(cx.estate, report);
    let mut note = String::new();
    if g.edges.len() > MAX_EDGES {
        let all = g.edges.len();
        g = g.failing().keep_edges(MAX_EDGES).0;
        let _ = write!(
            note,
            "{all} paths in the estate: only the {} with the worst findings are drawn.",
            g.edges.len()
        );
    }
    if g.nodes.is_empty() {
        return;
    }
    out.push_str("<h2>Data paths</h2>\n<p class=\"note\">Private DNS zones, private endpoints, workspaces, services and the targets of their outbound features; edges and boxes coloured by their worst finding, dashed where a check is undetermined. Hover for details.</p>\n");
    if !note.is_empty() {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&note));
    }
    let _ = writeln!(out, "<div class=\"graph\">{}</div>", svg::render(&g));
}

/// Text and attribute values as HTML and XML read them literally.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_in_text_and_attributes() {
        assert_eq!(
            esc("<script>a & 'b' \"c\"</script>"),
            "&lt;script&gt;a &amp; &#39;b&#39; &quot;c&quot;&lt;/script&gt;"
        );
    }

    /// Reads a document through an XML parser: every tag closed, every attribute quoted.
    pub(crate) fn assert_well_formed(doc: &str) {
        let body = doc.trim_start_matches("<!DOCTYPE html>");
        let mut reader = quick_xml::Reader::from_str(body);
        let mut depth = 0i64;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
            }
        }
        assert_eq!(depth, 0, "unclosed elements");
    }

    #[test]
    fn input_values_are_text_wherever_they_appear() {
        let hostile = "<script>alert(1)</script>\"'&";
        let report = crate::Report {
            violations: vec![
                serde_json::from_value(serde_json::json!({
                    "rule_id": "AHDS-TS-001", "rule_name": "r", "severity": "high", "title": "t",
                    "resource_id": hostile, "message": format!("{hostile} is open"),
                    "remediation": hostile, "doc_url": "https://example.org/?a=1&b=\"2\"",
                    "source": {"file": hostile, "line": 3},
                }))
                .unwrap(),
            ],
            notes: vec![hostile.to_string()],
            ..Default::default()
        };
        let estate = ahds_ingest::read(
            br#"{"version": 1, "workspaces": [{"name": "<b>ws</b>", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws"}]}"#,
            "estate.json",
            ahds_ingest::InputFormat::Native,
        )
        .unwrap()
        .estate;
        let doc = render(&Context::new(
            &report,
            &[],
            &estate,
            std::path::Path::new("/"),
        ));
        assert_well_formed(&doc);
        assert!(!doc.contains("<script>alert"), "{doc}");
        assert!(!doc.contains("<b>ws"), "{doc}");
        assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp; is open"));
        assert_eq!(
            doc.matches("<script>").count(),
            1,
            "only the report's own script"
        );
    }

    #[test]
    fn the_script_keeps_the_document_well_formed() {
        assert!(!SCRIPT.contains('<') && !SCRIPT.contains('&'));
        assert!(!STYLE.contains('<') && !STYLE.contains('&'));
    }
}
