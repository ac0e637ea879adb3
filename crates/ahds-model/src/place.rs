//! Where something is in the input: one type for where a resource was read, a reader's error, an
//! input error in a report and a policy or configuration error.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A place in a file: the file and, as far as known, a JSON pointer, a Terraform address or
/// template symbolic name, a line and a column. A part that is not known is absent (never
/// `0`).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Place {
    /// The file (`-` for standard input).
    pub file: String,
    /// JSON pointer to the value in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Terraform address or template symbolic name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Place {
    /// Somewhere in `file`.
    pub fn in_file(file: impl Into<String>) -> Self {
        Place {
            file: file.into(),
            ..Place::default()
        }
    }

    /// The same place at a line (and column, when known).
    #[must_use]
    pub fn at_line(mut self, line: u32, column: Option<u32>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// The same place at a JSON pointer.
    #[must_use]
    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// The same place with a Terraform address or template symbolic name.
    #[must_use]
    pub fn with_address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }
}

/// `file:line:column: at `/pointer``, as far as known; what compilers and editors read.
impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(p) = &self.pointer {
            write!(f, ": at `{}`", if p.is_empty() { "/" } else { p })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Place;

    #[test]
    fn shows_what_is_known_and_nothing_else() {
        assert_eq!(Place::in_file("a.tf").to_string(), "a.tf");
        assert_eq!(
            Place::in_file("a.tf").at_line(3, Some(7)).to_string(),
            "a.tf:3:7"
        );
        assert_eq!(
            Place::in_file("a.tf").at_line(3, None).to_string(),
            "a.tf:3"
        );
        assert_eq!(
            Place::in_file("p.json").at_pointer("/a/0").to_string(),
            "p.json: at `/a/0`"
        );
        assert_eq!(
            Place::in_file("p.json").at_pointer("").to_string(),
            "p.json: at `/`"
        );
    }

    #[test]
    fn unknown_parts_are_absent_from_json() {
        let json = serde_json::to_value(Place::in_file("a.tf").at_line(3, None)).expect("json");
        assert_eq!(json, serde_json::json!({"file": "a.tf", "line": 3}));
    }
}
