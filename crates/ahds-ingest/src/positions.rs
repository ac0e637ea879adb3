//! Start lines of JSON values by JSON pointer, so findings can point into the file a person
//! edits. serde_json keeps no positions, so this scans the (already parsed, hence valid)
//! text once.

use std::collections::HashMap;

use crate::error::escape_pointer_segment;

/// Start lines of the objects and arrays of a JSON document, down to a depth.
#[derive(Debug, Default)]
pub(crate) struct Positions {
    lines: HashMap<String, usize>,
}

enum Frame {
    Object {
        pointer: String,
        key: Option<String>,
    },
    Array {
        pointer: String,
        index: usize,
    },
    /// A container below the recorded depth: only its nesting matters.
    Deep,
}

impl Positions {
    /// Positions of containers up to two levels deep (`/storage_accounts/3`).
    pub(crate) fn of(text: &str) -> Self {
        Self::with_depth(text, 2)
    }

    /// Positions of containers up to `max_depth` levels deep. Below that depth nothing is
    /// allocated: large documents are mostly deep content.
    pub(crate) fn with_depth(text: &str, max_depth: usize) -> Self {
        let mut lines = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut line = 1usize;
        let bytes = text.as_bytes();
        let mut i = 0;
        // The pointer of the value that starts at the current position.
        let child_pointer = |stack: &[Frame]| -> Option<String> {
            match stack.last() {
                None => Some(String::new()),
                Some(Frame::Object { pointer, key }) => key
                    .as_ref()
                    .map(|k| format!("{pointer}/{}", escape_pointer_segment(k))),
                Some(Frame::Array { pointer, index }) => Some(format!("{pointer}/{index}")),
                Some(Frame::Deep) => None,
            }
        };
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line += 1,
                b'"' => {
                    let start = i + 1;
                    let mut escaped = false;
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        if bytes[i] == b'\\' {
                            escaped = true;
                            i += 1;
                        }
                        i += 1;
                    }
                    // A string directly inside an object without a pending key is a key.
                    if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                        if key.is_none() {
                            let raw = &text[start..i.min(text.len())];
                            *key = Some(if escaped {
                                serde_json::from_str::<String>(&format!("\"{raw}\""))
                                    .unwrap_or_else(|_| raw.to_string())
                            } else {
                                raw.to_string()
                            });
                        }
                    }
                }
                b'{' | b'[' => {
                    let frame = if stack.len() > max_depth {
                        Frame::Deep
                    } else {
                        let pointer = child_pointer(&stack).unwrap_or_default();
                        lines.entry(pointer.clone()).or_insert(line);
                        if stack.len() == max_depth {
                            // Its children are not recorded, so it needs no pointer.
                            Frame::Deep
                        } else if bytes[i] == b'{' {
                            Frame::Object { pointer, key: None }
                        } else {
                            Frame::Array { pointer, index: 0 }
                        }
                    };
                    stack.push(frame);
                }
                b'}' | b']' => {
                    stack.pop();
                }
                b',' => match stack.last_mut() {
                    Some(Frame::Object { key, .. }) => *key = None,
                    Some(Frame::Array { index, .. }) => *index += 1,
                    Some(Frame::Deep) | None => {}
                },
                _ => {}
            }
            i += 1;
        }
        Positions { lines }
    }

    /// The start line of the value at `pointer`, if it is a recorded container.
    pub(crate) fn line_of(&self, pointer: &str) -> Option<usize> {
        self.lines.get(pointer).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_lines_of_nested_containers() {
        let text = "{\n  \"a\": [\n    {\"x\": \"]{\"},\n    {\n      \"y\": 1\n    }\n  ],\n  \"b/c\": {}\n}";
        let p = Positions::with_depth(text, 3);
        assert_eq!(p.line_of(""), Some(1));
        assert_eq!(p.line_of("/a"), Some(2));
        assert_eq!(p.line_of("/a/0"), Some(3));
        assert_eq!(p.line_of("/a/1"), Some(4));
        assert_eq!(p.line_of("/b~1c"), Some(8));
    }
}
