//! `ahds-guard rules` and `ahds-guard explain`.

use std::fmt::Write as _;

use ahds_guard::RuleInfo;

use crate::cli::{ExplainArgs, ListFormat, RulesArgs};
use crate::commands::write_stdout;
use crate::setup::evaluator;
use crate::{EXIT_OK, Failure};

pub(crate) fn run(args: &RulesArgs) -> Result<u8, Failure> {
    let mut rules = evaluator(&args.policy)?.active_rules();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let text = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&rules)? + "\n",
        ListFormat::Markdown => ahds_guard::docs::rules_markdown(&rules),
        ListFormat::Text => {
            let mut s = String::new();
            for r in &rules {
                let _ = writeln!(
                    s,
                    "{:<12} {:<8} {:<40} {}",
                    r.id,
                    r.severity.as_str(),
                    r.name,
                    r.title
                );
            }
            s
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_OK)
}

pub(crate) fn explain(args: &ExplainArgs) -> Result<u8, Failure> {
    let rules = evaluator(&args.policy)?.active_rules();
    let wanted = args.rule.trim();
    let rule = rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(wanted) || r.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            Failure(vec![format!(
                "no rule `{wanted}`; `ahds-guard rules` lists them"
            )])
        })?;
    write_stdout(&explain_text(rule))?;
    Ok(EXIT_OK)
}

fn explain_text(r: &RuleInfo) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} {} ({})", r.id, r.name, r.severity);
    let _ = writeln!(s, "{}\n", r.title);
    let _ = writeln!(s, "{}\n", r.description);
    let _ = writeln!(s, "Remediation: {}", r.remediation);
    if let Some(url) = &r.doc_url {
        let _ = writeln!(s, "Documentation: {url}");
    }
    let _ = writeln!(s, "Policy: data.{} ({}:{})", r.package, r.file, r.line);
    for example in ahds_guard::rule_examples(&r.id) {
        let _ = write!(
            s,
            "\nIn {}: a configuration this rule fails, and the change that fixes it:\n\n{}",
            example.language_name(),
            example.diff()
        );
    }
    s
}
