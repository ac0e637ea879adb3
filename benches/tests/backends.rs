//! The bytecode VM and the interpreter give byte-identical reports: on every fixture and on
//! generated estates in all three input formats. The VM only runs the bundled rules
//! because this holds (see `crates/ahds-guard/src/eval/backend.rs`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use ahds_guard::{EngineChoice, Evaluator};
use ahds_guard_benches::{arm, native, plan};
use ahds_ingest::{InputFormat, read};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every estate fixture: rule fixtures, examples, and each reader's samples.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let dirs = [
        root().join("testdata/examples"),
        root().join("testdata/terraform"),
        root().join("testdata/arm"),
        root().join("testdata/equivalence"),
    ];
    // Each rule's failing fixture: the hardened example with the rule's patch applied.
    let base: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("testdata/examples/contoso-clinical-hardened.json")).unwrap(),
    )
    .unwrap();
    for rule in std::fs::read_dir(root().join("testdata/rules")).unwrap() {
        let path = rule.unwrap().path().join("fail.patch.json");
        let patch: json_patch::Patch =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let mut doc = base.clone();
        json_patch::patch(&mut doc, &patch).unwrap();
        out.push((
            path.display().to_string(),
            serde_json::to_vec(&doc).unwrap(),
        ));
    }
    for dir in dirs {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            // Parameter files are read together with their template, not on their own.
            if name.ends_with(".json") && !name.ends_with(".parameters.json") {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn assert_same_reports(name: &str, bytes: &[u8], vm: &Evaluator, interpreter: &Evaluator) {
    let estate = read(bytes, name, InputFormat::Auto)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .estate;
    let a = vm
        .evaluate(&estate)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let b = interpreter
        .evaluate(&estate)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        a.errors.is_empty(),
        "{name}: rule errors on the VM: {:?}",
        a.errors
    );
    let a = serde_json::to_string_pretty(&a).unwrap();
    let b = serde_json::to_string_pretty(&b).unwrap();
    assert!(
        a == b,
        "{name}: the VM and the interpreter disagree\nVM:\n{a}\ninterpreter:\n{b}"
    );
}

fn evaluators() -> (Evaluator, Evaluator) {
    let today = jiff::civil::date(2026, 6, 1);
    let vm = Evaluator::bundled().unwrap().with_today(today);
    assert!(
        vm.engine_description().starts_with("bytecode VM"),
        "the bundled catalog no longer compiles for the VM: {}",
        vm.engine_description()
    );
    let interpreter = vm.clone().with_engine(EngineChoice::Interpreter);
    assert!(interpreter.engine_description().starts_with("interpreter"));
    (vm, interpreter)
}

#[test]
fn vm_and_interpreter_agree_on_every_fixture() {
    let (vm, interpreter) = evaluators();
    let fixtures = fixtures();
    // Nineteen rule fixtures, the examples and the readers' samples.
    assert!(
        fixtures.len() > 25,
        "fixtures not found: {}",
        fixtures.len()
    );
    for (name, bytes) in fixtures {
        assert_same_reports(&name, &bytes, &vm, &interpreter);
    }
}

#[test]
fn vm_and_interpreter_agree_on_generated_estates() {
    let (vm, interpreter) = evaluators();
    for (name, text) in [
        ("native(25)", native(25)),
        ("arm(6)", arm(6)),
        ("plan(6)", plan(6)),
    ] {
        assert_same_reports(name, text.as_bytes(), &vm, &interpreter);
    }
}

#[test]
fn reports_do_not_depend_on_the_number_of_threads() {
    let today = jiff::civil::date(2026, 6, 1);
    let serial = Evaluator::bundled()
        .unwrap()
        .with_today(today)
        .with_threads(1);
    let parallel = serial.clone().with_threads(3);
    let estate = read(native(12).as_bytes(), "native(12)", InputFormat::Auto)
        .unwrap()
        .estate;
    let a = serde_json::to_string(&serial.evaluate(&estate).unwrap()).unwrap();
    let (report, stats) = parallel.evaluate_with_stats(&estate).unwrap();
    assert_eq!(stats.threads, 3);
    let b = serde_json::to_string(&report).unwrap();
    assert!(a == b, "serial and parallel reports differ");
    // And the same again: nothing depends on thread timing.
    let c = serde_json::to_string(&parallel.evaluate(&estate).unwrap()).unwrap();
    assert!(b == c, "two parallel runs differ");
}

#[test]
fn the_analysis_does_not_depend_on_the_number_of_threads() {
    let mut estates: Vec<(String, Vec<u8>)> = fixtures();
    estates.push(("native(12)".into(), native(12).into_bytes()));
    let mut links = 0;
    for (name, bytes) in estates {
        let estate = read(&bytes, &name, InputFormat::Auto)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"))
            .estate;
        let serial = ahds_model::analyze(&estate);
        let split = ahds_model::analyze_on_threads(&estate, 2);
        assert!(serial == split, "{name}: the analyses differ");
        // Whichever thread derived them, links come in service order.
        let rank = |l: &ahds_model::OutboundLink| match (l.via.is_some(), l.service_type) {
            (true, _) => 3,
            (_, "fhir_services") => 0,
            (_, "dicom_services") => 1,
            (_, "medtech_services") => 2,
            _ => 3,
        };
        let ranks: Vec<u8> = split.links.iter().map(rank).collect();
        assert!(
            ranks.is_sorted(),
            "{name}: links out of service order: {ranks:?}"
        );
        links += serial.links.len();
    }
    assert!(links > 100, "only {links} links compared");
}
