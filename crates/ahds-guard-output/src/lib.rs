//! Reads paths into an `ahds-guard` [`Report`] and writes reports in the formats the CLI
//! offers, so an application can do what `ahds-guard check` does without running it.
//!
//! - [`check_paths`] reads files and directories with [`ahds_ingest::read_paths`]
//!   (template and parameters pairing, Terraform roots, Bicep builds), evaluates them, and
//!   returns a report that already lists every part of the input that could not be read.
//! - [`render`] writes a report as text for people, JSON (the report contract), SARIF 2.1.0
//!   for code scanning, or JUnit XML for CI test viewers.
//!
//! ```no_run
//! use ahds_guard::Evaluator;
//! use ahds_guard_output::{Context, Format, check_paths, render};
//! use ahds_ingest::PathOptions;
//!
//! let evaluator = Evaluator::bundled()?;
//! let checked = check_paths(&evaluator, &["infra/".into()], &PathOptions::default())?;
//! let rules = evaluator.active_rules();
//! let root = std::env::current_dir()?;
//! let cx = Context::new(&checked.report, &rules, &checked.inputs.ingested.estate, &root);
//! std::fs::write("ahds.sarif", render(Format::Sarif, &cx)?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod graph;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod svg;
mod text;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ahds_guard::{EvalStats, EvaluateError, Evaluator, InputError, Report, RuleInfo};
use ahds_ingest::{IngestError, PathInputs, PathOptions, PathsError, read_paths};
use ahds_model::Estate;

/// A report and what it was made from.
#[derive(Debug)]
#[non_exhaustive]
pub struct Checked {
    /// The report, with the inputs' unread parts in [`Report::input_errors`] (which makes
    /// it incomplete: [`Report::is_incomplete`]).
    pub report: Report,
    /// What was read: the estate, the problems of unread parts, files passed over.
    pub inputs: PathInputs,
    /// How long reading the paths took.
    pub read: Duration,
    /// How long each phase of the evaluation took.
    pub stats: EvalStats,
}

/// Why paths could not be checked at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// No input could be read (a missing path, an unrecognised named file).
    #[error(transparent)]
    Paths(#[from] PathsError),
    /// The estate could not be evaluated.
    #[error(transparent)]
    Evaluate(#[from] EvaluateError),
}

/// Reads `paths`, evaluates what they hold and lists their unread parts in the report.
pub fn check_paths(
    evaluator: &Evaluator,
    paths: &[PathBuf],
    options: &PathOptions,
) -> Result<Checked, CheckError> {
    let started = Instant::now();
    let inputs = read_paths(paths, options)?;
    let read = started.elapsed();
    let (mut report, stats) = evaluator.evaluate_with_stats(&inputs.ingested.estate)?;
    report.add_input_errors(inputs.ingested.problems.iter().map(input_error));
    Ok(Checked {
        report,
        inputs,
        read,
        stats,
    })
}

/// A reader's problem as the report lists it.
pub fn input_error(problem: &IngestError) -> InputError {
    InputError::new(problem.place.clone(), problem.message.clone())
}

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
/// assert_eq!(ahds_guard_output::text_safe("a\n::error::x"), "a\\n::error::x");
/// ```
pub fn text_safe(s: &str) -> std::borrow::Cow<'_, str> {
    text::clean(s)
}

/// The directory SARIF artifact URIs are relative to by default: the working directory.
pub fn default_sarif_root() -> std::io::Result<PathBuf> {
    std::env::current_dir().and_then(std::fs::canonicalize)
}
