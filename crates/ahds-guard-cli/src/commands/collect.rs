//! `ahds-guard collect`: a live estate into one export, with a progress line on a terminal
//! and a summary of what was collected per scope and type.

use std::io::{IsTerminal, Write};

use ahds_collect::{CollectOptions, Scope, collect, credential_from_environment};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::CollectArgs;
use crate::commands::write_stdout;
use crate::{EXIT_ERROR, EXIT_OK, Failure};

pub(crate) fn run(args: &CollectArgs) -> Result<u8, Failure> {
    let scope = match &args.management_group {
        Some(mg) => Scope::ManagementGroup(mg.clone()),
        None => Scope::Subscriptions(args.subscriptions.clone()),
    };
    let mut options = CollectOptions::new(scope);
    options.endpoint = args.endpoint.clone();
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new_spinner();
        b.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        b
    });
    let step = |what: &str| {
        if let Some(b) = &bar {
            b.set_message(what.to_string());
        }
    };
    let export = collect(&options, &credential_from_environment(), &step)
        .map_err(|e| Failure(vec![e.to_string()]))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let text = serde_json::to_string_pretty(&export.to_json())? + "\n";
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Failure(vec![format!("{}: cannot write: {e}", path.display())]))?,
        None => write_stdout(&text)?,
    }
    let mut err = std::io::stderr().lock();
    if !args.quiet {
        for (scope, types) in &export.counts {
            let total: usize = types.values().sum();
            let _ = writeln!(err, "{scope}: {total} collected");
            for (ty, n) in types {
                let _ = writeln!(err, "  {n:>5}  {ty}");
            }
        }
    }
    for f in &export.failures {
        let _ = writeln!(err, "error: {}: not collected: {}", f.scope, f.message);
    }
    // A partial export is written, but an audit must not pass as complete.
    Ok(if export.failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}
