//! Each bundled rule's examples in the languages users write: a Terraform configuration and
//! an ARM template the rule fails, and the same with the fix (`testdata/rules/<ID>/`,
//! embedded at build time, run through the real readers by the CLI's tests).

use crate::policy::bundle::EXAMPLES;

/// A rule's example in one input language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LanguageExample {
    /// `terraform` or `arm`.
    pub language: &'static str,
    /// A configuration the rule fails.
    pub failing: &'static str,
    /// The same configuration with the fix.
    pub passing: &'static str,
}

impl LanguageExample {
    /// The language as people name it.
    pub fn language_name(&self) -> &'static str {
        match self.language {
            "terraform" => "Terraform",
            "arm" => "an ARM template",
            other => other,
        }
    }

    /// The failing example's file under `testdata/rules/<ID>/`.
    pub fn failing_file(&self) -> &'static str {
        match self.language {
            "terraform" => "terraform/fail/main.tf",
            _ => "arm/fail.json",
        }
    }

    /// The fix as a unified diff from the failing example to the passing one.
    pub fn diff(&self) -> String {
        let name = match self.language {
            "terraform" => "main.tf",
            _ => "template.json",
        };
        similar::TextDiff::from_lines(self.failing, self.passing)
            .unified_diff()
            .context_radius(4)
            .header(&format!("fails/{name}"), &format!("passes/{name}"))
            .to_string()
    }
}

/// The examples of the bundled rule `rule_id` (empty for a rule that has none yet, and for
/// custom rules).
pub fn rule_examples(rule_id: &str) -> Vec<LanguageExample> {
    EXAMPLES
        .iter()
        .filter(|(id, ..)| id.eq_ignore_ascii_case(rule_id))
        .map(|&(_, language, failing, passing)| LanguageExample {
            language,
            failing,
            passing,
        })
        .collect()
}
