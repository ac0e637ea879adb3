//! From paths to a report: what `ahds-guard check` does before it writes anything.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ahds_ingest::{IngestError, PathInputs, PathOptions, PathsError, read_paths};

use crate::eval::error::EvaluateError;
use crate::eval::{EvalStats, Evaluator};
use crate::report::{InputError, Report};

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
pub(crate) fn input_error(problem: &IngestError) -> InputError {
    InputError::new(problem.place.clone(), problem.message.clone())
}
