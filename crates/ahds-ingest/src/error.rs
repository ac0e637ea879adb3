//! Errors that name the place in the input.

use std::fmt;

use ahds_model::Place;

/// Where in a file, as the readers find it; an error turns it into a [`Place`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Position {
    /// 1-based line, when known.
    pub(crate) line: Option<usize>,
    /// 1-based column, when known.
    pub(crate) column: Option<usize>,
    /// JSON pointer to the offending value, when known.
    pub(crate) pointer: Option<String>,
}

impl Position {
    /// A location given by line and column.
    pub(crate) fn at(line: usize, column: usize) -> Self {
        Position {
            line: Some(line),
            column: Some(column),
            pointer: None,
        }
    }

    /// A location given by a JSON pointer.
    pub(crate) fn pointer(pointer: impl Into<String>) -> Self {
        Position {
            line: None,
            column: None,
            pointer: Some(pointer.into()),
        }
    }
}

/// An input that could not be read into the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IngestError {
    /// Where: the file (`-` for standard input) and, as far as known, the line and column
    /// or the JSON pointer.
    pub place: Place,
    /// What is wrong.
    pub message: String,
    /// What kind of problem it is.
    pub kind: IngestErrorKind,
}

/// Kinds of input problem a caller may treat differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IngestErrorKind {
    /// The input is in a known format but part of it cannot be read.
    #[default]
    Invalid,
    /// The document is in none of the formats the readers know (a directory walk passes
    /// such files over).
    Unrecognised,
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

impl IngestError {
    /// An error at a place in `file`.
    pub(crate) fn new(file: &str, location: Position, message: impl Into<String>) -> Self {
        let number = |n: Option<usize>| n.and_then(|n| u32::try_from(n).ok());
        let place = Place {
            file: file.to_string(),
            pointer: location.pointer,
            address: None,
            line: number(location.line),
            column: number(location.column),
        };
        IngestError {
            place,
            message: message.into(),
            kind: IngestErrorKind::Invalid,
        }
    }

    /// The same error, of another kind.
    pub(crate) fn of_kind(mut self, kind: IngestErrorKind) -> Self {
        self.kind = kind;
        self
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub(crate) fn escape_pointer_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Turns a `serde_path_to_error` path (`a.b[3].c`) into a JSON pointer (`/a/b/3/c`).
pub(crate) fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&escape_pointer_segment(key)),
            Segment::Enum { variant } => out.push_str(&escape_pointer_segment(variant)),
            // serde cannot name the segment (a syntax error inside a value): stop at the
            // last one it could.
            Segment::Unknown => {
                out.pop();
                break;
            }
        }
    }
    out
}
