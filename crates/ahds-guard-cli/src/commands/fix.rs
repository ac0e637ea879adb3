//! `ahds-guard fix`: the findings' Terraform fixes written into the `.tf` files they were
//! read from, or shown as a diff.

use std::fmt::Write as _;

use ahds_guard::{Checked, plan_fixes, text_safe};

use crate::cli::FixArgs;
use crate::commands::check::{load_baseline, print_input_problems};
use crate::commands::write_stdout;
use crate::setup::{check, evaluator};
use crate::{EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, Failure};

pub(crate) fn run(args: &FixArgs) -> Result<u8, Failure> {
    let evaluator = evaluator(&args.policy)?;
    let Checked {
        mut report, inputs, ..
    } = check(&evaluator, &args.source)?;
    print_input_problems(&inputs);
    if report.is_incomplete() {
        // Fixing part of an input that could not be read whole could hide what is left.
        return Ok(EXIT_ERROR);
    }
    if let Some(path) = &args.baseline {
        load_baseline(path)?.apply(&mut report);
    }
    let plan = plan_fixes(&report, &args.rules);
    let mut out = String::new();
    if args.dry_run {
        for file in &plan.files {
            out.push_str(&file.unified_diff());
        }
    } else {
        for file in &plan.files {
            // Written beside the file and renamed over it, so an interrupted run leaves the
            // file whole, old or new.
            let mut tmp = file.path.clone().into_os_string();
            tmp.push(".ahds-guard-fix");
            let tmp = std::path::PathBuf::from(tmp);
            // A link is written through (renaming over it would replace the link); a file
            // keeps its permissions.
            let linked =
                std::fs::symlink_metadata(&file.path).is_ok_and(|m| m.file_type().is_symlink());
            let written = if linked {
                std::fs::write(&file.path, &file.after)
            } else {
                std::fs::write(&tmp, &file.after)
                    .and_then(|()| std::fs::metadata(&file.path))
                    .and_then(|m| std::fs::set_permissions(&tmp, m.permissions()))
                    .and_then(|()| std::fs::rename(&tmp, &file.path))
            };
            written.map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Failure(vec![format!("cannot write {}: {e}", file.path.display())])
            })?;
            let _ = writeln!(out, "fixed {}", text_safe(&file.path.display().to_string()));
        }
    }
    let mut notes = String::new();
    for (what, items) in [
        ("needs a decision", &plan.needs_decision),
        ("not applied", &plan.not_applied),
    ] {
        for s in items {
            let _ = writeln!(
                notes,
                "{what}: {} {}: {}",
                s.rule_id,
                text_safe(&s.resource_id),
                text_safe(&s.reason)
            );
        }
    }
    let verb = if args.dry_run { "would fix" } else { "fixed" };
    let _ = writeln!(
        notes,
        "{verb} {} finding(s) in {} file(s); {} need a decision, {} not applied",
        plan.fixed.len(),
        plan.files.len(),
        plan.needs_decision.len(),
        plan.not_applied.len()
    );
    write_stdout(&out)?;
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), notes.as_bytes());
    // Findings left after the fixes fail as `check` would fail on them.
    let left = plan.needs_decision.len() + plan.not_applied.len();
    Ok(if left > 0 { EXIT_VIOLATIONS } else { EXIT_OK })
}
