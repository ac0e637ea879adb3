//! What the CLI's integration tests share: the workspace root and running the binary there.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root, where fixture paths are relative to.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `ahds-guard` with `args` in the workspace root.
pub(crate) fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run ahds-guard")
}
