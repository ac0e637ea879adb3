//! An application that embeds `ahds-guard` with one dependency: it reads paths as
//! `ahds-guard check` does, prints the failing findings, writes SARIF, and exits 1 when a
//! finding is HIGH or worse. The code between the markers is the README's embedding
//! example, word for word (a test below compares them).
//!
//! `cargo run -p ahds-guard-embedder -- testdata/examples/contoso-clinical.json`

// Printing is this program's job, as it would be an embedder's.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

// README: begin
use std::path::{Path, PathBuf};

use ahds_guard::model::TargetType;
use ahds_guard::{Context, Evaluator, Format, PathOptions, Severity, check_paths, render};

fn check(paths: &[PathBuf], sarif: &Path) -> Result<bool, Box<dyn std::error::Error>> {
    // Build once; it embeds the bundled policies and is safe to share between threads.
    let evaluator = Evaluator::bundled()?;
    // Directories are walked, templates paired with their parameters, `.tf` directories
    // read as Terraform root modules; what cannot be read is an input error in the report.
    let checked = check_paths(&evaluator, paths, &PathOptions::default())?;
    let report = &checked.report;
    for v in &report.violations {
        println!(
            "{} {} {}: {}",
            v.severity, v.rule_id, v.resource_id, v.message
        );
    }
    // The model the rules read is there too: here, the storage accounts outbound links reach.
    let estate = &checked.inputs.ingested.estate;
    let analysis = ahds_guard::model::analyze(estate);
    let storage = analysis
        .links
        .iter()
        .filter(|l| l.target_type == TargetType::StorageAccount)
        .count();
    println!("{storage} outbound link(s) reach a storage account");
    // Every format the CLI writes, from the report alone.
    let rules = evaluator.active_rules();
    let root = std::env::current_dir()?;
    let cx = Context::new(report, &rules, estate, &root);
    std::fs::write(sarif, render(Format::Sarif, &cx)?)?;
    Ok(report.is_incomplete() || report.fails_at(Severity::High))
}
// README: end

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    match check(&paths, Path::new("ahds-guard.sarif")) {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::Path;

    fn workspace() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    #[test]
    fn the_bundled_example_fails_and_its_sarif_is_written() {
        let dir = std::env::temp_dir().join(format!("ahds-embedder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sarif = dir.join("out.sarif");
        let example = workspace().join("testdata/examples/contoso-clinical.json");
        let failed = super::check(&[example], &sarif).unwrap();
        assert!(failed, "the Contoso example has HIGH findings");
        let written = std::fs::read_to_string(&sarif).unwrap();
        assert!(written.contains(r#""version": "2.1.0""#), "{written}");
        assert!(written.contains(r#""ruleId": "AHDS-"#), "{written}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The README shows the code between the markers of this file, unchanged.
    #[test]
    fn the_readme_shows_this_code() {
        let me = include_str!("main.rs");
        let begin = me.find("// README: begin\n").unwrap() + "// README: begin\n".len();
        let end = me.find("// README: end").unwrap();
        let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
        assert!(
            readme.contains(&me[begin..end]),
            "README.md's embedding example differs from examples/embedder/src/main.rs"
        );
    }
}
