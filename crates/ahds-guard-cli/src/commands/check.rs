//! `ahds-guard check`.

use std::io::Write;

use ahds_guard::Severity;

use crate::cli::{CheckArgs, ColorArg, ReportFormat};
use crate::commands::write_colored;
use crate::output;
use crate::setup::{evaluator, read_inputs};
use crate::{EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, Failure};

pub(crate) fn run(args: &CheckArgs) -> Result<u8, Failure> {
    let evaluator = evaluator(&args.policy)?;
    let inputs = read_inputs(&args.inputs, args.input_format)?;
    {
        let mut err = std::io::stderr().lock();
        for p in &inputs.ingested.problems {
            let _ = writeln!(err, "error: {p}");
        }
        for s in &inputs.skipped {
            let _ = writeln!(err, "note: {s}: not in a known input format; passed over");
        }
    }
    let report = evaluator.evaluate(&inputs.ingested.estate)?;
    let rules = evaluator.active_rules();
    let cx = output::Context {
        report: &report,
        rules: &rules,
        estate: &inputs.ingested.estate,
    };
    let text = match args.format {
        ReportFormat::Json => output::json::render(&report)?,
        ReportFormat::Text => output::text::render(&cx, args.quiet),
        ReportFormat::Sarif => output::sarif::render(&cx)?,
        ReportFormat::Junit => output::junit::render(&cx)?,
    };
    match &args.output {
        Some(path) => {
            let text = if args.color == ColorArg::Always {
                text
            } else {
                anstream::adapter::strip_str(&text).to_string()
            };
            std::fs::write(path, text).map_err(|e| {
                Failure(vec![format!(
                    "{}: cannot write the report: {e}",
                    path.display()
                )])
            })?;
        }
        None => write_colored(&text, args.color)?,
    }
    let fail_on = args
        .fail_on
        .or(evaluator.config().fail_on)
        .unwrap_or(Severity::Low);
    Ok(
        if !report.errors.is_empty() || !inputs.ingested.problems.is_empty() {
            EXIT_ERROR
        } else if report.fails_at(fail_on) {
            EXIT_VIOLATIONS
        } else {
            EXIT_OK
        },
    )
}
