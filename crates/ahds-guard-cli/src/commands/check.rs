//! `ahds-guard check`.

use std::io::Write;

use ahds_guard::Severity;

use crate::cli::{CheckArgs, ReportFormat};
use crate::commands::write_stdout;
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
    let text = match args.format {
        ReportFormat::Json => output::json::render(&report)?,
        ReportFormat::Text => output::text::render(&report),
    };
    write_stdout(&text)?;
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
