//! Report writers: text for people, JSON (the report contract), SARIF 2.1.0, JUnit XML,
//! Markdown, HTML, and drawings of the estate's data paths.

mod graph;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod svg;
mod text;

use std::io::Write;
use std::path::{Path, PathBuf};

use ahds_model::Estate;

use crate::policy::RuleInfo;
use crate::report::Report;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// For people: findings grouped by severity, then a summary line. ANSI styles mark
    /// severities; strip them (for example with `anstream`) where no terminal shows them.
    Text {
        /// Only the summary line.
        quiet: bool,
        /// Wrap lines to this many columns, continuing each under its own indent; `None`
        /// writes each item on one line.
        width: Option<usize>,
    },
    /// The report contract, pretty-printed: what `ahds-guard check --format json` writes.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning and other SARIF viewers accept it.
    Sarif,
    /// JUnit XML: a suite per rule, a case per resource it checked.
    Junit,
    /// Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY`: the summary, a
    /// Mermaid flowchart of the failing data paths, and the failing findings by resource,
    /// within GitHub's comment size limit (what is left out is counted).
    Markdown,
    /// One self-contained HTML file (inline CSS, SVG and a small script; nothing loaded
    /// from the network): the summary, the data paths drawn and coloured by their findings,
    /// the findings as a table that filters by severity, rule and text, and the
    /// undetermined, suppressed, baselined and skipped items.
    Html,
}

/// What the formats need besides the report.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    report: &'a Report,
    rules: &'a [RuleInfo],
    estate: &'a Estate,
    sarif_root: &'a Path,
}

impl<'a> Context<'a> {
    /// The report; the rules that ran, with their configured severities
    /// ([`Evaluator::active_rules`]); the estate checked (JUnit lists a passing case for
    /// each resource a rule checked without a finding); and the absolute directory SARIF
    /// artifact URIs are made relative to (the repository root, for code scanning).
    pub fn new(
        report: &'a Report,
        rules: &'a [RuleInfo],
        estate: &'a Estate,
        sarif_root: &'a Path,
    ) -> Self {
        Context {
            report,
            rules,
            estate,
            sarif_root,
        }
    }
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// JSON or SARIF serialisation failed.
    #[error("cannot write the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// JUnit serialisation failed.
    #[error("cannot write the report as JUnit XML: {0}")]
    Junit(#[from] quick_junit::SerializeError),
    /// The writer refused the report.
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the report in a format to `out`, as [`render`] would return it. The JSON report
/// is written as it is serialised, never held whole (at 10,000 workspaces it runs to
/// 260 MB).
pub fn render_to(
    format: Format,
    cx: &Context<'_>,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    match format {
        Format::Json => {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
            json::write(cx.report, &mut buffered)?;
            buffered.flush()?;
        }
        other => out.write_all(render(other, cx)?.as_bytes())?,
    }
    Ok(())
}

/// Writes the report in a format.
pub fn render(format: Format, cx: &Context<'_>) -> Result<String, RenderError> {
    Ok(match format {
        Format::Text { quiet, width } => text::render(cx, quiet, width),
        Format::Json => json::render(cx.report)?,
        Format::Sarif => sarif::render(cx)?,
        Format::Junit => junit::render(cx)?,
        Format::Markdown => markdown::render(cx),
        Format::Html => html::render(cx),
    })
}

/// A drawing of the estate's data paths (see [`render_graph`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphFormat {
    /// Graphviz DOT, one rank per column (`dot -Tsvg` draws it).
    Dot,
    /// A Mermaid flowchart, as GitHub and many documentation tools render it.
    Mermaid,
    /// A standalone SVG drawing, laid out in layers, details on hover.
    Svg,
}

/// The estate as a graph of its data paths: private DNS zones → private endpoints →
/// workspaces → FHIR, DICOM and MedTech services → each outbound feature's target (the
/// edge labelled with the feature and the role its identity needs there). Nodes and edges
/// are coloured by their worst finding and dashed where a check is undetermined; with
/// `failing_only`, only the paths with a finding or an undetermined check are drawn.
pub fn render_graph(format: GraphFormat, cx: &Context<'_>, failing_only: bool) -> String {
    let mut g = graph::build(cx.estate, cx.report);
    if failing_only {
        g = g.failing();
    }
    match format {
        GraphFormat::Dot => graph::dot(&g),
        GraphFormat::Mermaid => graph::mermaid(&g),
        GraphFormat::Svg => svg::render(&g),
    }
}

/// Text from the input as the text report prints it: control characters, ANSI escapes
/// and bidirectional overrides written as escapes, so no value can begin a line of its own
/// (a CI workflow command such as `::add-mask::`).
///
/// ```
/// assert_eq!(ahds_guard::text_safe("a\n::error::x"), "a\\n::error::x");
/// ```
pub fn text_safe(s: &str) -> std::borrow::Cow<'_, str> {
    text::clean(s)
}

/// The directory SARIF artifact URIs are relative to by default: the working directory.
pub fn default_sarif_root() -> std::io::Result<PathBuf> {
    std::env::current_dir().and_then(std::fs::canonicalize)
}
