//! `ahds-guard test`.

use std::fmt::Write as _;

use ahds_guard::{PolicySet, TestOptions, TestOutcome, TestRun, run_tests_with};

use crate::cli::{TestArgs, TestFormat};
use crate::commands::write_stdout;
use crate::{EXIT_OK, EXIT_VIOLATIONS, Failure};

pub(crate) fn run(args: &TestArgs) -> Result<u8, Failure> {
    let mut set = if args.no_bundled {
        PolicySet::empty()
    } else {
        PolicySet::bundled()?
    };
    for dir in &args.dirs {
        set.add_dir(dir)?;
    }
    let filter = match &args.run {
        Some(re) => Some(
            regex::Regex::new(re)
                .map_err(|e| Failure(vec![format!("--run: invalid regular expression: {e}")]))?,
        ),
        None => None,
    };
    let run = run_tests_with(
        &set,
        |name| filter.as_ref().is_none_or(|r| r.is_match(name)),
        TestOptions {
            coverage: args.coverage,
        },
    )?;
    let text = match args.format {
        TestFormat::Json => serde_json::to_string_pretty(&run)? + "\n",
        TestFormat::Text => text(&run),
    };
    write_stdout(&text)?;
    Ok(if run.success() {
        EXIT_OK
    } else {
        EXIT_VIOLATIONS
    })
}

fn text(run: &TestRun) -> String {
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
                let _ = writeln!(s, "ERROR {} ({}): {}", r.name, r.file, e.trim());
            }
            other => {
                let _ = writeln!(s, "{other:?} {} ({})", r.name, r.file);
            }
        }
    }
    if let Some(c) = &run.coverage {
        s.push_str("\nCoverage:\n");
        for f in &c.files {
            let _ = writeln!(
                s,
                "  {:>6.2}%  {}  ({} of {} lines{})",
                f.percent,
                f.path,
                f.covered.len(),
                f.covered.len() + f.not_covered.len(),
                if f.not_covered.is_empty() {
                    String::new()
                } else {
                    format!("; not covered: {}", ranges(&f.not_covered))
                }
            );
        }
        let _ = writeln!(
            s,
            "  {:>6.2}%  total ({} of {} lines)\n",
            c.percent, c.covered_lines, c.coverable_lines
        );
    }
    if run.results.is_empty() {
        s.push_str("no tests found\n");
    }
    let _ = writeln!(
        s,
        "{} passed, {} failed",
        run.passed(),
        run.failed() + run.errored()
    );
    s
}

/// `3-5, 9` for [3, 4, 5, 9].
fn ranges(lines: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}
