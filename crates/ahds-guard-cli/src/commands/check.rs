//! `ahds-guard check`.

use std::io::{Read, Write};
use std::path::Path;

use ahds_guard::Evaluator;
use ahds_ingest::{InputFormat, read};

use crate::cli::{CheckArgs, InputFormatArg, ReportFormat};
use crate::commands::write_stdout;
use crate::output;
use crate::{EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, Failure};

pub(crate) fn run(args: &CheckArgs) -> Result<u8, Failure> {
    let (bytes, name) = read_input(&args.input)?;
    let format = match args.input_format {
        InputFormatArg::Auto => InputFormat::Auto,
        InputFormatArg::Native => InputFormat::Native,
        InputFormatArg::TerraformPlan => InputFormat::TerraformPlan,
        InputFormatArg::Arm => InputFormat::Arm,
    };
    let ingested = read(&bytes, &name, format)
        .map_err(|errors| Failure(errors.iter().map(ToString::to_string).collect()))?;
    for p in &ingested.problems {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "error: {p}");
    }
    let evaluator = Evaluator::bundled()?;
    let report = evaluator.evaluate(&ingested.estate)?;
    let text = match args.format {
        ReportFormat::Json => output::json::render(&report)?,
        ReportFormat::Text => output::text::render(&report),
    };
    write_stdout(&text)?;
    Ok(
        if !report.errors.is_empty() || !ingested.problems.is_empty() {
            EXIT_ERROR
        } else if report.fails_at(args.fail_on) {
            EXIT_VIOLATIONS
        } else {
            EXIT_OK
        },
    )
}

fn read_input(path: &Path) -> Result<(Vec<u8>, String), Failure> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure(vec![format!("-: cannot read standard input: {e}")]))?;
        return Ok((buf, "-".into()));
    }
    let name = path.display().to_string();
    std::fs::read(path)
        .map(|b| (b, name.clone()))
        .map_err(|e| Failure(vec![format!("{name}: cannot read: {e}")]))
}
