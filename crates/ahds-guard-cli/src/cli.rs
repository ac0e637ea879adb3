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
    /// Print the policy input document rules see for an input.
    Input(InputArgs),
    /// Print the JSON Schema of the native format or the policy input.
    Schema(SchemaArgs),
}

/// Report formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Grouped by resource, for people.
    Text,
    /// The report as JSON.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, Azure DevOps).
    Sarif,
    /// JUnit XML, for CI test-report viewers.
    Junit,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    /// When writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
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

/// Policies and configuration shared by the commands that evaluate or list rules.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// A directory of custom Rego policies (and `data.json` files) to load besides the
    /// bundled catalog. Repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    pub(crate) policies: Vec<PathBuf>,
    /// Configuration file (rule selection, severities, waivers). Defaults to
    /// `.ahds-guard.toml` in the working directory when it exists.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Ignore `.ahds-guard.toml` in the working directory.
    #[arg(long, conflicts_with = "config")]
    pub(crate) no_config: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Input files or directories (`-` for standard input).
    #[arg(value_name = "PATH", default_value = "-")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,
    /// Exit with 1 when a violation is at or above this severity [default: `fail_on` of the
    /// configuration, else low].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub(crate) fail_on: Option<Severity>,
    /// Input format.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub(crate) input_format: InputFormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub(crate) color: ColorArg,
    /// Print only the summary line (text format).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Print how long each phase took to standard error.
    #[arg(long)]
    pub(crate) stats: bool,
    /// Engine for the bundled rules: `auto` runs them on regorus's bytecode VM (custom
    /// rules always run on the interpreter); `interpreter` runs everything there.
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    pub(crate) engine: EngineArg,
    /// Threads that evaluate rules [default: one per core for estates of 500 resources or
    /// more, else one]. The report does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// `--engine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EngineArg {
    /// The bytecode VM for the bundled rules when they compile for it.
    Auto,
    /// The tree-walking interpreter for every rule.
    Interpreter,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// Formats of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
    /// The Markdown rule reference (`docs/rules.md`).
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Rule id (`AHDS-TS-001`) or name (`outbound-target-publicly-accessible`).
    pub(crate) rule: String,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// Formats of test results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TestFormat {
    /// PASS/FAIL lines and a closing count.
    Text,
    /// JSON results (and coverage).
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Policy directories whose tests run besides the bundled ones.
    #[arg(value_name = "DIR")]
    pub(crate) dirs: Vec<PathBuf>,
    /// Run only tests whose full name (`data.<package>.<test>`) matches this regular
    /// expression.
    #[arg(long, value_name = "REGEX")]
    pub(crate) run: Option<String>,
    /// Report line coverage of the policies.
    #[arg(long)]
    pub(crate) coverage: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub(crate) format: TestFormat,
    /// Leave the bundled policies out (test only the given directories).
    #[arg(long)]
    pub(crate) no_bundled: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Input files or directories (`-` for standard input).
    #[arg(value_name = "PATH", default_value = "-")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Input format.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub(crate) input_format: InputFormatArg,
}

/// Which schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemaKind {
    /// The native input format.
    Native,
    /// The policy input document.
    Input,
}

/// Formats of schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemaFormat {
    /// JSON Schema.
    Json,
    /// A Markdown field reference (input only).
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum)]
    pub(crate) kind: SchemaKind,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
    pub(crate) format: SchemaFormat,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
        .map_err(|e: ahds_guard::SeverityParseError| e.to_string())
}
