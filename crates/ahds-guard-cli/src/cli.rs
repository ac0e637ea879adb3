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
    /// Write the current findings to a baseline file, for `check --baseline`.
    Baseline(BaselineArgs),
    /// Collect a live Azure estate into one export `check` reads (Azure Resource Graph and
    /// Resource Manager, signed in as Azure tools are).
    Collect(CollectArgs),
    /// Draw the data paths of an input, coloured by their findings (Graphviz DOT or a
    /// Mermaid flowchart).
    Graph(GraphArgs),
    /// Fix findings in Terraform `.tf` files: set the arguments and add the blocks their
    /// fixes name, keeping everything else in the files as it is.
    Fix(FixArgs),
}

/// `fix`.
#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    #[command(flatten)]
    pub(crate) source: InputArgs,
    /// Fix only this rule's findings. Repeatable.
    #[arg(long = "rule", value_name = "ID")]
    pub(crate) rules: Vec<String>,
    /// Print the changes as a unified diff and write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Leave the findings this baseline file accepts as they are.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// `graph`.
#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    #[command(flatten)]
    pub(crate) source: InputArgs,
    /// `dot` for Graphviz, `mermaid` for Markdown, `svg` for a drawing of its own.
    #[arg(long, value_enum, default_value_t = GraphFormatArg::Dot)]
    pub(crate) format: GraphFormatArg,
    /// Draw only the paths with a finding or an undetermined check.
    #[arg(long)]
    pub(crate) failing: bool,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// Formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormatArg {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// A standalone SVG drawing.
    Svg,
}

/// `collect`.
#[derive(Debug, Args)]
pub(crate) struct CollectArgs {
    /// A subscription to collect. Repeatable; each is queried on its own, so one without
    /// access is reported and the others still collected.
    #[arg(
        long = "subscription",
        value_name = "ID",
        required_unless_present = "management_group"
    )]
    pub(crate) subscriptions: Vec<String>,
    /// Every subscription under this management group instead.
    #[arg(long, value_name = "ID", conflicts_with = "subscriptions")]
    pub(crate) management_group: Option<String>,
    /// Write the export to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// The Resource Manager endpoint: another cloud
    /// (`https://management.usgovcloudapi.net`) or a test server.
    #[arg(long, value_name = "URL", default_value = ahds_collect::PUBLIC_CLOUD)]
    pub(crate) endpoint: String,
    /// Print no progress or summary.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// `baseline create|update`.
#[derive(Debug, Args)]
pub(crate) struct BaselineArgs {
    /// `create` writes a new baseline; `update` rewrites an existing one and says what
    /// changed (entries resolved, findings added).
    #[arg(value_enum)]
    pub(crate) action: BaselineAction,
    #[command(flatten)]
    pub(crate) source: InputArgs,
    /// The baseline file to write.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: PathBuf,
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

/// What `baseline` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BaselineAction {
    /// Write the current findings to a new file.
    Create,
    /// Rewrite an existing file with the current findings.
    Update,
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
    /// Markdown, for pull-request comments and `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// One self-contained HTML file, with the data paths drawn.
    Html,
}

/// One report to write: its format and, unless it goes to standard output, its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormatTarget {
    pub(crate) format: ReportFormat,
    pub(crate) path: Option<PathBuf>,
}

fn parse_format_target(s: &str) -> Result<FormatTarget, String> {
    let (name, path) = match s.split_once('=') {
        Some((name, "")) => {
            return Err(format!(
                "`{name}=` names no file; write `{name}=FILE` or `{name}`"
            ));
        }
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (s, None),
    };
    let format = ReportFormat::from_str(name, true).map_err(|_| {
        format!(
            "`{name}` is not a report format; expected text, json, sarif, junit, markdown or html"
        )
    })?;
    Ok(FormatTarget { format, path })
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
    /// Terraform `.tf` sources: a root module directory.
    Terraform,
    /// Azure Resource Manager resources or deployment templates.
    Arm,
    /// Bicep source, built with the Bicep CLI (`bicep` or `az bicep`) whatever its file
    /// name; in directories, `.bicep` files and their `.parameters.json` files.
    Bicep,
}

/// Values for the root variables of Terraform sources, as `terraform plan` takes them
/// (`TF_VAR_*` environment variables are read too).
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct TerraformArgs {
    /// A Terraform variable file (`.tfvars` or `.tfvars.json`), applied after
    /// `terraform.tfvars` and `*.auto.tfvars`. Repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub(crate) var_files: Vec<PathBuf>,
    /// A Terraform root variable, `NAME=VALUE`; applied last. Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub(crate) vars: Vec<(String, String)>,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
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
    #[command(flatten)]
    pub(crate) source: InputArgs,
    /// Report format, and the file to write it to: `text`, `json`, `sarif`, `junit`,
    /// `markdown` or `html`,
    /// optionally `=FILE`. Repeat it for several reports from one run; at most one goes to
    /// standard output (or to `--output`).
    #[arg(long, value_name = "FORMAT[=FILE]", default_value = "text", value_parser = parse_format_target)]
    pub(crate) format: Vec<FormatTarget>,
    /// Exit with 1 when a violation is at or above this severity [default: `fail_on` of the
    /// configuration, else low].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub(crate) fail_on: Option<Severity>,
    /// Also exit with 1 when a check at or above `--fail-on` is undetermined (a value known
    /// only at deployment, a target outside the input): a strict gate decides nothing blind.
    #[arg(long)]
    pub(crate) fail_on_undetermined: bool,
    /// Accept the findings this baseline file lists (`ahds-guard baseline create`): they are
    /// reported as baselined and do not fail the gate; only new findings do.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Stop a rule set that runs longer than this many seconds and report it as an error.
    #[arg(long, value_name = "SECONDS", default_value_t = ahds_guard::DEFAULT_RULE_TIMEOUT.as_secs_f64(), value_parser = parse_seconds)]
    pub(crate) rule_timeout: f64,
    /// Stop a custom rule that allocates more than this (`1G`, `512M`) and report it as an
    /// error; the other rules still report.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub(crate) rule_memory: u64,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// SARIF locations are relative to this directory (`%SRCROOT%`), usually the
    /// repository root; files outside it get absolute `file:` URIs [default: the working
    /// directory].
    #[arg(long, value_name = "DIR")]
    pub(crate) sarif_root: Option<PathBuf>,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub(crate) color: ColorArg,
    /// Print only the summary line (text format).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Wrap the text report to this many columns (0: do not wrap) [default: `COLUMNS`, or
    /// the terminal's width, or 100 in pipes and CI logs].
    #[arg(long, value_name = "COLUMNS")]
    pub(crate) width: Option<usize>,
    /// Print to standard error how long each phase took, the slowest rules, and the heap
    /// in use as each phase ended.
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

/// The inputs to read and how: shared by `check`, `baseline` and `input`.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Input files or directories (`-` for standard input).
    #[arg(value_name = "PATH", default_value = "-")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Input format.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub(crate) input_format: InputFormatArg,
    /// Refuse input files larger than this (`512M`, `2G`, `64K` or bytes).
    #[arg(long, value_name = "SIZE", default_value = "512M", value_parser = parse_size)]
    pub(crate) max_input_size: u64,
    /// Stop an external tool (the Bicep CLI) that runs longer than this on one file.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub(crate) tool_timeout: u64,
    #[command(flatten)]
    pub(crate) terraform: TerraformArgs,
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

/// A size with an optional binary suffix: `512M` is 512 MiB.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, shift) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (t, 0),
        Some((i, _)) => {
            let shift = match t[i..].to_ascii_uppercase().as_str() {
                "K" | "KB" | "KIB" => 10,
                "M" | "MB" | "MIB" => 20,
                "G" | "GB" | "GIB" => 30,
                _ => return Err(format!("`{s}` is not a size; write e.g. 512M, 2G or 65536")),
            };
            (&t[..i], shift)
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size; write e.g. 512M, 2G or 65536"))?;
    n.checked_mul(1 << shift)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{s}` is out of range"))
}

/// A positive number of seconds.
fn parse_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if v.is_finite() && v > 0.0 && v <= 86_400.0 {
        Ok(v)
    } else {
        Err(format!(
            "`{s}`: the rule time limit must be above 0 and at most 86400 seconds"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_seconds, parse_size};

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12T").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
        assert!(parse_size("M").is_err());
    }

    #[test]
    fn rule_timeouts_are_positive_and_bounded() {
        assert_eq!(parse_seconds("0.5"), Ok(0.5));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("NaN").is_err());
        assert!(parse_seconds("1e9").is_err());
    }
}
