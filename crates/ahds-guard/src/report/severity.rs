//! The severity scale of the catalog.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How bad a finding is, from `info` to `critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never a risk by itself.
    Info,
    /// A weakness with little exposure.
    #[default]
    Low,
    /// A weakness that matters in combination with others.
    Medium,
    /// A direct exposure or a broken feature.
    High,
    /// An exposure that needs action now.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name (`high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A string that is not a severity name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}`; expected one of info, low, medium, high, critical")]
pub struct SeverityParseError(pub String);

impl FromStr for Severity {
    type Err = SeverityParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| SeverityParseError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::Severity;

    #[test]
    fn display_honours_width_and_alignment() {
        assert_eq!(format!("{:<8}|", Severity::Low), "low     |");
        assert_eq!(format!("{:>6}", Severity::High), "  high");
        assert_eq!(Severity::Critical.to_string(), "critical");
    }
}
