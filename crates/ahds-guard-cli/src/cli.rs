//! Command-line arguments.

use std::path::PathBuf;

use ahds_guard::Severity;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Checks the network access security of Azure Health Data Services deployments.
#[derive(Debug, Parser)]
#[command(name = "ahds-guard", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check deployment descriptions against the rule catalog.
    Check(CheckArgs),
    /// List the rules of the catalog.
    Rules(RulesArgs),
    /// Show everything about one rule.
    Explain(ExplainArgs),
    /// Run the Rego tests of the bundled and given policies.
    Test(TestArgs),
}

/// Report formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Grouped by resource, for people.
    Text,
    /// The report as JSON.
    Json,
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormatArg {
    /// Detect the format.
    Auto,
    /// The native JSON format.
    Native,
    /// `terraform show -json` output of a plan.
    TerraformPlan,
    /// Azure Resource Manager resources or deployment templates.
    Arm,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Input file (`-` for standard input).
    #[arg(value_name = "PATH", default_value = "-")]
    pub(crate) input: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,
    /// Exit with 1 when a violation is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub(crate) fail_on: Severity,
    /// Input format.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub(crate) input_format: InputFormatArg,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
}

/// Formats of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Rule id (`AHDS-TS-001`) or name (`outbound-target-publicly-accessible`).
    pub(crate) rule: String,
}

#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Policy directories whose tests run besides the bundled ones.
    #[arg(value_name = "DIR")]
    pub(crate) dirs: Vec<PathBuf>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
        .map_err(|e: ahds_guard::SeverityParseError| e.to_string())
}
