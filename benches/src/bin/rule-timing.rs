//! `rule-timing [POLICY_DIR] [[tenant:]WORKSPACES] [ENTRY_POINT]...`: how long each rule set
//! (`deny`, `undetermined`, `notes`) of a policy directory takes in regorus's bytecode VM on
//! the generated ARM estate of WORKSPACES workspaces, or the tenant-wide export of that many
//! with `tenant:` (default: the repository's `policies/` and 1,000 workspaces), and how many
//! entries it yields; further entry points (`data.pkg.rule`) are
//! timed after the catalog's. The policies are read from disk at every
//! run, so a rule can be reworded and timed again without rebuilding anything: the tool
//! for finding where a rule spends its time before changing it.
//!
//! Times are the median of five runs on one thread, after one run that warms the caches.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ahds_guard::{Evaluator, InputFormat, PolicySet, read};
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::vm::RegoVM;
use regorus::{Engine, Value};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "policies".into()));
    let size = args.next();
    let (tenant, size) = match size.as_deref().map(|s| s.strip_prefix("tenant:")) {
        Some(Some(n)) => (true, Some(n.to_string())),
        _ => (false, size),
    };
    let workspaces: usize = match size.map(|n| n.parse()) {
        None => 1000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("rule-timing: WORKSPACES: {e}");
            return ExitCode::from(2);
        }
    };
    // Further entry points to time, e.g. `data.scratch.walk` of a module in POLICY_DIR.
    let extra: Vec<String> = args.collect();
    let (estate, what) = if tenant {
        (
            ahds_guard_benches::tenant(workspaces),
            format!("tenant of {workspaces} workspaces"),
        )
    } else {
        (
            ahds_guard_benches::arm(workspaces),
            format!("{workspaces} workspaces"),
        )
    };
    match run(&dir, &estate, &what, &extra) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rule-timing: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(dir: &std::path::Path, estate: &str, what: &str, extra: &[String]) -> Result<(), String> {
    let mut set = PolicySet::empty();
    set.add_dir(dir).map_err(|e| e.to_string())?;
    let estate = read(estate.as_bytes(), "estate.json", InputFormat::Auto)
        .map_err(|e| format!("{e:?}"))?
        .estate;
    let document = Evaluator::bundled()
        .map_err(|e| e.to_string())?
        .input_document(&estate)
        .map_err(|e| e.to_string())?;
    let links = document["links"].as_array().map_or(0, Vec::len);

    let mut engine = Engine::new();
    engine
        .add_data(Value::from(serde_json::Value::Object(set.data().clone())))
        .map_err(|e| e.to_string())?;
    for m in set.modules() {
        if !m.is_test_file() {
            engine
                .add_policy(m.path.clone(), m.source.clone())
                .map_err(|e| e.to_string())?;
        }
    }
    let mut entries = Vec::new();
    for rule in set.rules() {
        entries.push((rule.id.clone(), format!("data.{}.deny", rule.package)));
        if rule.has_undetermined {
            entries.push((
                rule.id.clone(),
                format!("data.{}.undetermined", rule.package),
            ));
        }
        if rule.has_notes {
            entries.push((rule.id.clone(), format!("data.{}.notes", rule.package)));
        }
    }
    for path in extra {
        entries.push(("(extra)".into(), path.clone()));
    }
    let Some((_, first)) = entries.first() else {
        return Err(format!("no rules in {}", dir.display()));
    };
    let policy = engine
        .compile_with_entrypoint(&first.as_str().into())
        .map_err(|e| e.to_string())?;
    let refs: Vec<&str> = entries.iter().map(|(_, p)| p.as_str()).collect();
    let program = Compiler::compile_from_policy(&policy, &refs).map_err(|e| e.to_string())?;
    let input = Value::from(document);
    let data = Value::from(serde_json::Value::Object(set.data().clone()));

    println!(
        "{what}, {} resources, {links} links; median of 5 runs",
        estate.resource_count()
    );
    println!(
        "{:<12} {:<13} {:>10} {:>8} {:>12}",
        "rule", "set", "ms", "entries", "µs/entry"
    );
    let mut total = Duration::ZERO;
    for (id, path) in &entries {
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..6 {
            // A fresh VM per run: rule results are cached for the VM's life.
            let mut vm = RegoVM::new_with_policy(policy.clone());
            vm.load_program(program.clone());
            vm.set_max_instructions(usize::MAX);
            vm.set_data(data.clone()).map_err(|e| e.to_string())?;
            vm.set_input(input.clone());
            let started = Instant::now();
            let value = vm
                .execute_entry_point_by_name(path)
                .map_err(|e| format!("{path}: {e}"))?;
            times.push(started.elapsed());
            count = match value {
                Value::Set(s) => s.len(),
                _ => 0,
            };
        }
        times.remove(0);
        times.sort();
        let median = times[times.len() / 2];
        total += median;
        let set_name = path.rsplit('.').next().unwrap_or("");
        let per_entry = if count == 0 {
            String::from("-")
        } else {
            format!("{:.1}", median.as_secs_f64() * 1e6 / count as f64)
        };
        println!(
            "{id:<12} {set_name:<13} {:>10.2} {count:>8} {per_entry:>12}",
            median.as_secs_f64() * 1e3
        );
    }
    println!("{:<26} {:>10.2}", "total", total.as_secs_f64() * 1e3);
    Ok(())
}
