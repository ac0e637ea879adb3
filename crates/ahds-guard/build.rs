//! Embeds the bundled policy directory (`policies/`, a link to the workspace's `policies/`
//! folder that `cargo package` turns into real files) so the evaluator needs no files at
//! run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego" || e == "json") {
            out.push(path);
        }
    }
}

/// The rules' examples in the languages users write (`rule-examples/<ID>/terraform/
/// {fail,pass}/main.tf`, `.../arm/{fail,pass}.json`), for `explain` and the rule reference.
fn examples(root: &Path, code: &mut String) {
    println!("cargo:rerun-if-changed={}", root.display());
    let mut ids: Vec<String> = std::fs::read_dir(root)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    code.push_str("/// Each rule's examples: (rule id, language, failing, passing).\npub(crate) static EXAMPLES: &[(&str, &str, &str, &str)] = &[\n");
    for id in ids {
        for (language, fail, pass) in [
            (
                "terraform",
                "terraform/fail/main.tf",
                "terraform/pass/main.tf",
            ),
            ("arm", "arm/fail.json", "arm/pass.json"),
        ] {
            let (fail, pass) = (root.join(&id).join(fail), root.join(&id).join(pass));
            if fail.exists() && pass.exists() {
                println!("cargo:rerun-if-changed={}", fail.display());
                println!("cargo:rerun-if-changed={}", pass.display());
                let _ = writeln!(
                    code,
                    "    ({id:?}, {language:?}, include_str!({:?}), include_str!({:?})),",
                    fail.display().to_string(),
                    pass.display().to_string()
                );
            }
        }
    }
    code.push_str("];\n");
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("policies");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The bundled policy files, relative to `policies/`.\npub(crate) static FILES: &[BundledFile] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            code,
            "    BundledFile {{ path: {rel:?}, contents: include_str!({:?}) }},",
            f.display().to_string()
        );
    }
    code.push_str("];\n");
    examples(&manifest.join("rule-examples"), &mut code);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("bundled.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}
