//! `ahds-guard`: the command-line gate for Azure Health Data Services network access
//! security. Thin by design: argument parsing, reading inputs, formatting and exit codes;
//! everything else lives in the library crates.

mod cli;
mod commands;
mod pages;
mod setup;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Exit code: nothing at or above `--fail-on`.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: violations at or above `--fail-on`, or failing tests.
pub(crate) const EXIT_VIOLATIONS: u8 = 1;
/// Exit code: bad usage, unreadable or invalid input, or a policy that failed.
pub(crate) const EXIT_ERROR: u8 = 2;

/// A failure that ends the command with exit code 2 and a message on stderr.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) Vec<String>);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(vec![e.to_string()])
    }
}

/// regorus reports conditions it recovers from as `anyhow` errors; with `RUST_BACKTRACE=1`
/// (common in CI) each one captures a stack trace, which made loading the catalog three
/// times slower (20 ms to 70 ms). Library backtraces are never shown to users; backtraces
/// of panics still follow `RUST_BACKTRACE`. An explicit `RUST_LIB_BACKTRACE` is respected.
fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: the first statement of `main`, before any other thread exists, so no
        // one reads the environment while it changes.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("RUST_LIB_BACKTRACE", "0");
        }
    }
}

fn main() -> ExitCode {
    quiet_library_backtraces();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        cli::Command::Check(args) => commands::check::run(&args),
        cli::Command::Rules(args) => commands::rules::run(&args),
        cli::Command::Explain(args) => commands::rules::explain(&args),
        cli::Command::Test(args) => commands::test::run(&args),
        cli::Command::Input(args) => commands::input::input(&args),
        cli::Command::Schema(args) => commands::input::schema(&args),
        cli::Command::Baseline(args) => commands::baseline::run(&args),
        cli::Command::Collect(args) => commands::collect::run(&args),
        cli::Command::Graph(args) => commands::graph::run(&args),
        cli::Command::Fix(args) => commands::fix::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure(messages)) => {
            let mut err = std::io::stderr().lock();
            for m in messages {
                let _ = writeln!(err, "error: {m}");
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}
