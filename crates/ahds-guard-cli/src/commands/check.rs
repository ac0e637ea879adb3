//! `ahds-guard check`.

use std::io::Write;
use std::time::Instant;

use ahds_guard::{Checked, Context, Format, RenderError, default_sarif_root, render, render_to};
use ahds_guard::{EngineChoice, Severity};

use crate::cli::{CheckArgs, ColorArg, EngineArg, FormatTarget, ReportFormat};
use crate::commands::{write_colored, write_stdout};
use crate::setup::{Inputs, check, evaluator};
use crate::{EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, Failure};

pub(crate) fn run(args: &CheckArgs) -> Result<u8, Failure> {
    let started = Instant::now();
    let mut evaluator = match args.engine {
        EngineArg::Auto => evaluator(&args.policy)?,
        EngineArg::Interpreter => evaluator(&args.policy)?.with_engine(EngineChoice::Interpreter),
    };
    evaluator = evaluator.with_rule_timeout(std::time::Duration::from_secs_f64(args.rule_timeout));
    evaluator = evaluator.with_rule_memory_limit(Some(args.rule_memory));
    if let Some(n) = args.threads {
        evaluator = evaluator.with_threads(usize::from(n));
    }
    let prepared = started.elapsed();
    let Checked {
        mut report,
        inputs,
        read,
        stats: eval,
        ..
    } = check(&evaluator, &args.source)?;
    print_input_problems(&inputs);
    if let Some(path) = &args.baseline {
        load_baseline(path)?.apply(&mut report);
    }
    let t = Instant::now();
    let rules = evaluator.active_rules();
    let root = match &args.sarif_root {
        Some(dir) => std::fs::canonicalize(dir),
        None => default_sarif_root(),
    }
    .map_err(|e| {
        Failure(vec![format!(
            "{}: cannot use as the SARIF root: {e}",
            args.sarif_root
                .as_deref()
                .unwrap_or(std::path::Path::new("."))
                .display()
        )])
    })?;
    let cx = Context::new(&report, &rules, &inputs.ingested.estate, &root);
    let to_stdout: Vec<&FormatTarget> = args.format.iter().filter(|t| t.path.is_none()).collect();
    if to_stdout.len() > 1 {
        return Err(Failure(vec![format!(
            "{} reports would go to standard output; give all but one a file (`--format sarif=ahds.sarif`)",
            to_stdout.len()
        )]));
    }
    // Every report is written, whatever the gate decides.
    for target in &args.format {
        let format = match target.format {
            ReportFormat::Json => Format::Json,
            ReportFormat::Text => Format::Text {
                quiet: args.quiet,
                width: Some(text_width(
                    args.width,
                    target.path.is_none() && args.output.is_none(),
                )),
            },
            ReportFormat::Sarif => Format::Sarif,
            ReportFormat::Junit => Format::Junit,
            ReportFormat::Markdown => Format::Markdown,
            ReportFormat::Html => Format::Html,
        };
        if format == Format::Json {
            // Written as it is serialised: the largest reports are never held whole.
            write_json(target.path.as_ref().or(args.output.as_ref()), &cx)?;
            continue;
        }
        let text = render(format, &cx)?;
        // JSON and SARIF escape every control character, so there is no style to strip;
        // passing 100 MB of them through the stripper cost a tenth of the run.
        let styled = !matches!(
            format,
            Format::Json | Format::Sarif | Format::Markdown | Format::Html
        );
        match (target.path.as_ref().or(args.output.as_ref()), styled) {
            (Some(path), styled) => {
                write_file(path, text, styled && args.color != ColorArg::Always)?
            }
            (None, true) => write_colored(&text, args.color)?,
            (None, false) => write_stdout(&text)?,
        }
    }
    if args.stats {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "stats: prepare {:.1} ms, read+ingest {:.1} ms, analysis {:.1} ms, input document {:.1} ms, rules {:.1} ms, report {:.1} ms, output {:.1} ms, total {:.1} ms ({} resources)",
            ms(prepared),
            ms(read),
            ms(eval.analysis),
            ms(eval.input),
            ms(eval.rules),
            ms(eval.report),
            ms(t.elapsed()),
            ms(started.elapsed()),
            report.summary.resources
        );
        // The slowest rules are where a custom policy's cost shows up first.
        let mut slowest = eval.per_rule.clone();
        slowest.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
        let top: Vec<String> = slowest
            .iter()
            .take(5)
            .map(|(id, d)| format!("{id} {:.1} ms", ms(*d)))
            .collect();
        let _ = writeln!(err, "stats: slowest rules: {}", top.join(", "));
        if let Some(heap) = eval.heap {
            let mib = |bytes: u64| bytes >> 20;
            // The allocator's live bytes as each phase ended: which phase a large run's
            // memory belongs to, which the process's peak alone does not say.
            let _ = writeln!(
                err,
                "stats: heap MiB: estate {}, analysis {}, input document {}, rules {}, report {}, peak {}",
                mib(heap.estate),
                mib(heap.analysis),
                mib(heap.input),
                mib(heap.rules),
                mib(heap.report),
                mib(heap.peak)
            );
        }
        let _ = writeln!(
            err,
            "stats: engine: {}; {} rule thread(s)",
            evaluator.engine_description(),
            eval.threads
        );
    }
    let fail_on = args
        .fail_on
        .or(evaluator.config().fail_on)
        .unwrap_or(Severity::Low);
    let code = if report.is_incomplete() {
        EXIT_ERROR
    } else if report.fails_at(fail_on)
        || (args.fail_on_undetermined && report.undetermined_at(fail_on))
    {
        EXIT_VIOLATIONS
    } else {
        EXIT_OK
    };
    // The process ends next and the system takes its memory back at once; freeing the
    // estate and the report value by value cost 0.15-0.2 s on 10,000 workspaces.
    std::mem::forget(inputs);
    std::mem::forget(report);
    Ok(code)
}

/// The width the text report wraps to: `--width`, else `COLUMNS`, else the terminal's when
/// the report goes to one, else 100 (pipes, files and CI logs, which do not wrap).
fn text_width(flag: Option<usize>, to_stdout: bool) -> usize {
    use std::io::IsTerminal;
    flag.or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok())
    })
    .or_else(|| {
        (to_stdout && std::io::stdout().is_terminal())
            .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
            .flatten()
    })
    .unwrap_or(100)
}

/// Writes a report to a file, with its ANSI styles stripped when `strip` says so.
/// Writes the JSON report to a file or standard output (a closed pipe is no error).
fn write_json(
    path: Option<&std::path::PathBuf>,
    cx: &ahds_guard::Context<'_>,
) -> Result<(), Failure> {
    match path {
        Some(path) => std::fs::File::create(path)
            .map_err(RenderError::Io)
            .and_then(|mut file| render_to(Format::Json, cx, &mut file))
            .map_err(|e| {
                Failure(vec![format!(
                    "{}: cannot write the report: {}",
                    path.display(),
                    io_cause(&e)
                )])
            }),
        None => {
            let mut out = std::io::stdout().lock();
            match render_to(Format::Json, cx, &mut out).and_then(|()| Ok(out.flush()?)) {
                Err(e) if io_kind(&e) == Some(std::io::ErrorKind::BrokenPipe) => Ok(()),
                Err(e) => Err(Failure(vec![format!(
                    "cannot write the output: {}",
                    io_cause(&e)
                )])),
                Ok(()) => Ok(()),
            }
        }
    }
}

/// The I/O error kind behind a failed write, when there is one.
fn io_kind(e: &RenderError) -> Option<std::io::ErrorKind> {
    match e {
        RenderError::Io(e) => Some(e.kind()),
        RenderError::Json(e) => e.io_error_kind(),
        _ => None,
    }
}

/// What went wrong, without the "cannot write the report" the caller already says.
fn io_cause(e: &RenderError) -> String {
    match e {
        RenderError::Io(e) => e.to_string(),
        other => other.to_string(),
    }
}

fn write_file(path: &std::path::Path, text: String, strip: bool) -> Result<(), Failure> {
    let text = if strip {
        anstream::adapter::strip_str(&text).to_string()
    } else {
        text
    };
    std::fs::write(path, text).map_err(|e| {
        Failure(vec![format!(
            "{}: cannot write the report: {e}",
            path.display()
        )])
    })
}

/// Prints what could not be read, and the files passed over, to standard error.
pub(crate) fn print_input_problems(inputs: &Inputs) {
    let mut err = std::io::stderr().lock();
    for p in &inputs.ingested.problems {
        let _ = writeln!(err, "error: {}", ahds_guard::text_safe(&p.to_string()));
    }
    for s in &inputs.skipped {
        let _ = writeln!(
            err,
            "note: {}: not in a known input format; passed over",
            ahds_guard::text_safe(s)
        );
    }
    for s in &inputs.special {
        let _ = writeln!(
            err,
            "note: {}: not a regular file (a FIFO, socket or device); passed over",
            ahds_guard::text_safe(s)
        );
    }
}

/// Reads a baseline file; an unreadable one or one of another version is exit 2.
pub(crate) fn load_baseline(path: &std::path::Path) -> Result<ahds_guard::Baseline, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure(vec![format!(
            "{}: cannot read the baseline: {e}",
            path.display()
        )])
    })?;
    ahds_guard::Baseline::parse(&text)
        .map_err(|e| Failure(vec![format!("{}: {e}", path.display())]))
}
