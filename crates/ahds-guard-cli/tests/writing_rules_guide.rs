//! `docs/writing-rules.md` is a guide whose snippets must work: every file it shows is the
//! file in the repository, word for word, and every `ahds-guard` command it shows runs with
//! the exit code its comment states.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn guide() -> String {
    std::fs::read_to_string(root().join("docs/writing-rules.md")).unwrap()
}

/// The fenced blocks of a Markdown text: (info string, body, the line before the fence).
fn blocks(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    let mut previous = "";
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            for inner in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            out.push((info.to_string(), body, previous.to_string()));
        }
        previous = line;
    }
    out
}

#[test]
fn every_file_shown_is_the_file_in_the_repository() {
    let mut shown = 0;
    for (info, body, before) in blocks(&guide()) {
        let Some(rel) = before
            .strip_prefix("<!-- file: ")
            .and_then(|r| r.strip_suffix(" -->"))
        else {
            continue;
        };
        let file = std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| {
            panic!("the guide shows {rel} ({info}), which cannot be read: {e}")
        });
        assert_eq!(
            body, file,
            "the guide's copy of {rel} differs from the file"
        );
        shown += 1;
    }
    assert_eq!(shown, 3, "the guide shows the data, the rule and its test");
}

#[test]
fn every_command_shown_runs_with_the_exit_code_it_states() {
    let mut ran = 0;
    for (info, body, _) in blocks(&guide()) {
        if info != "sh" {
            continue;
        }
        for line in body.lines().filter(|l| l.starts_with("ahds-guard ")) {
            let (command, exit) = line
                .split_once("# exit ")
                .unwrap_or_else(|| panic!("`{line}` does not state its exit code"));
            let want: i32 = exit.trim().parse().unwrap();
            let args: Vec<&str> = command.split_whitespace().skip(1).collect();
            let out = Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
                .args(&args)
                .current_dir(root())
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(want),
                "`{line}`\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 6, "only {ran} commands found in the guide");
}
