//! One unreadable path never hides the others: links that lead nowhere or in a loop, a
//! `.bicep` file without the Bicep CLI, a Bicep CLI that hangs or writes without end, and
//! special files found in a walk. Each is an input error (or a skipped file) next to the
//! findings of everything else, and the run ends in exit 2 within its limits.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::root;

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ahds-guard-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        Scratch(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// A fake `bicep` on a PATH of its own.
    fn bicep(&self, script: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = self.path("bin/bicep");
        // The tools the script uses come from the system's own directories.
        std::fs::write(&p, format!("#!/bin/sh\nPATH=/usr/bin:/bin\n{script}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    fn check(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
            .arg("check")
            .args(args)
            .args(["--format", "json"])
            .env("PATH", self.path("bin"))
            .current_dir(&self.0)
            .output()
            .unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn report(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

fn input_errors(r: &serde_json::Value) -> Vec<String> {
    r["input_errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e["file"].as_str().unwrap(),
                        e["message"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn copy_example(to: &Path) {
    std::fs::copy(root().join("testdata/examples/contoso-clinical.json"), to).unwrap();
}

#[test]
fn broken_links_and_missing_tools_are_listed_and_the_rest_is_checked() {
    let s = Scratch::new("paths-broken");
    copy_example(&s.path("good.json"));
    std::os::unix::fs::symlink("nowhere.json", s.path("dangling.json")).unwrap();
    std::os::unix::fs::symlink("loop-b.json", s.path("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", s.path("loop-b.json")).unwrap();
    std::fs::write(s.path("main.bicep"), "param x string\n").unwrap();
    let o = s.check(&["."]);
    assert_eq!(o.status.code(), Some(2));
    let r = report(&o);
    // The good file's findings are all there.
    assert!(r["summary"]["violations"].as_u64().unwrap() > 10, "{r}");
    let errors = input_errors(&r);
    for file in ["dangling.json", "loop-a.json", "loop-b.json", "main.bicep"] {
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("./{file}"))),
            "{file}: {errors:#?}"
        );
    }
    assert!(
        errors.iter().any(|e| e.contains("needs the Bicep CLI")),
        "{errors:#?}"
    );
}

#[test]
fn a_fifo_in_a_walked_directory_is_skipped_not_waited_for() {
    let s = Scratch::new("paths-fifo");
    copy_example(&s.path("good.json"));
    let made = Command::new("mkfifo")
        .arg(s.path("pipe.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let o = s.check(&["."]);
    let r = report(&o);
    assert_eq!(o.status.code(), Some(1), "{r}");
    assert!(input_errors(&r).is_empty());
}

#[test]
fn a_bicep_cli_that_hangs_is_stopped_and_one_that_floods_is_cut_off() {
    let s = Scratch::new("paths-bicep");
    copy_example(&s.path("good.json"));
    std::fs::write(s.path("main.bicep"), "param x string\n").unwrap();
    s.bicep("exec sleep 600");
    let o = s.check(&[".", "--tool-timeout", "1"]);
    assert_eq!(o.status.code(), Some(2));
    let errors = input_errors(&report(&o));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("did not finish within 1 s")),
        "{errors:#?}"
    );
    s.bicep("exec yes '{}'");
    let o = s.check(&[".", "--max-input-size", "64K"]);
    assert_eq!(o.status.code(), Some(2));
    let errors = input_errors(&report(&o));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("wrote more than the input size limit")),
        "{errors:#?}"
    );
}
