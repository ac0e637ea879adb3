//! `ahds-guard baseline create|update`: the findings a gate accepts as they stand.

use std::io::Write;

use ahds_guard::Baseline;

use crate::cli::{BaselineAction, BaselineArgs};
use crate::commands::check::{load_baseline, print_input_problems};
use crate::setup::{check, evaluator};
use crate::{EXIT_OK, Failure};

pub(crate) fn run(args: &BaselineArgs) -> Result<u8, Failure> {
    let previous = match args.action {
        BaselineAction::Create => None,
        BaselineAction::Update => Some(load_baseline(&args.output)?),
    };
    let evaluator = evaluator(&args.policy)?;
    let checked = check(&evaluator, &args.source)?;
    print_input_problems(&checked.inputs);
    let report = checked.report;
    if report.is_incomplete() {
        // A baseline of a partial reading would accept findings it never saw.
        return Err(Failure(vec![format!(
            "{}: not written: the input or a rule could not be read completely",
            args.output.display()
        )]));
    }
    let baseline = Baseline::from_report(&report);
    std::fs::write(&args.output, baseline.to_json()).map_err(|e| {
        Failure(vec![format!(
            "{}: cannot write the baseline: {e}",
            args.output.display()
        )])
    })?;
    let mut err = std::io::stderr().lock();
    match previous {
        None => {
            let _ = writeln!(
                err,
                "{}: {} finding(s) baselined",
                args.output.display(),
                baseline.findings.len()
            );
        }
        Some(old) => {
            let gone = old
                .findings
                .iter()
                .filter(|e| !baseline.findings.contains(e))
                .count();
            let added = baseline
                .findings
                .iter()
                .filter(|e| !old.findings.contains(e))
                .count();
            let _ = writeln!(
                err,
                "{}: {} finding(s) baselined ({gone} resolved and removed, {added} added)",
                args.output.display(),
                baseline.findings.len()
            );
        }
    }
    Ok(EXIT_OK)
}
