//! `ahds-guard test`.

use std::fmt::Write as _;

use ahds_guard::{PolicySet, TestOutcome, run_tests};

use crate::cli::TestArgs;
use crate::commands::write_stdout;
use crate::{EXIT_OK, EXIT_VIOLATIONS, Failure};

pub(crate) fn run(args: &TestArgs) -> Result<u8, Failure> {
    let mut set = PolicySet::bundled()?;
    for dir in &args.dirs {
        set.add_dir(dir)?;
    }
    let run = run_tests(&set, |_| true)?;
    let mut s = String::new();
    for r in &run.results {
        match &r.outcome {
            TestOutcome::Pass => {
                let _ = writeln!(s, "PASS {}", r.name);
            }
            TestOutcome::Fail => {
                let _ = writeln!(s, "FAIL {} ({})", r.name, r.file);
            }
            TestOutcome::Error(e) => {
                let _ = writeln!(s, "ERROR {} ({}): {e}", r.name, r.file);
            }
        }
    }
    let _ = writeln!(
        s,
        "{} passed, {} failed",
        run.passed(),
        run.failed() + run.errored()
    );
    write_stdout(&s)?;
    Ok(if run.success() {
        EXIT_OK
    } else {
        EXIT_VIOLATIONS
    })
}
