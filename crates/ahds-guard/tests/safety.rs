//! Custom policies cannot take the host down, and evaluation is the same however it is
//! scheduled: load-time refusals, the rule time limit, deep rule chains, eight threads at
//! once, byte-identical reports.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::Duration;

use ahds_guard::{
    DENIED_BUILTINS, Evaluator, LoadError, MAX_LITERAL_NESTING, PolicySet, Report, RuleOrigin,
};
use ahds_ingest::Estate;

fn header(id: &str, package: &str) -> String {
    format!(
        "# METADATA\n# title: Test rule\n# custom:\n#   id: {id}\n#   severity: low\npackage {package}\n\n"
    )
}

/// Loads the bundled catalog plus one custom module and builds an evaluator.
fn load(source: &str) -> Result<Evaluator, LoadError> {
    let mut set = PolicySet::bundled_without_tests()?;
    set.add_module("custom/rule.rego", source, RuleOrigin::Custom)?;
    Evaluator::new(&set)
}

/// The report of the bundled catalog plus one custom module on an empty estate.
fn report_on_empty_estate(source: &str) -> Report {
    load(source)
        .unwrap()
        .evaluate(&ahds_ingest::Estate::new())
        .unwrap()
}

fn policy_error(source: &str) -> (String, u32, String) {
    match load(source) {
        Err(LoadError::Policy { place, message }) => (
            place.file,
            place.line.expect("a policy error names its line"),
            message,
        ),
        Err(other) => panic!("expected a policy error, got {other}"),
        Ok(_) => panic!("expected a policy error, the policy loaded:\n{source}"),
    }
}

/// regorus reports a syntax error as text only; the line is read from it. This fails if
/// regorus changes how it writes the place.
#[test]
fn a_syntax_error_names_its_file_and_line() {
    let source = format!(
        "{}deny contains {{\"msg\": \"m\", \"resource_id\": \"r\"}} if {{\n\tx := [1, 2\n}}\n",
        header("T-SYN-1", "t.syntax")
    );
    let (file, line, message) = policy_error(&source);
    assert_eq!(file, "custom/rule.rego");
    // The unclosed bracket is on line 9; the parser may stop there or on the next line.
    assert!((9..=10).contains(&line), "line {line}: {message}");
    assert!(
        !message.starts_with("-->"),
        "the place is stripped: {message}"
    );
}

#[test]
fn every_denied_builtin_is_refused_at_load_with_file_and_line() {
    for (name, why) in DENIED_BUILTINS {
        // Arity does not matter to the check; one argument fits most.
        let source = format!(
            "{}deny contains {{\"msg\": \"m\", \"resource_id\": \"r\"}} if {{\n\tx := {name}(\"a\")\n\tx != null\n}}\n",
            header("T-SB-1", "t.sandbox")
        );
        let (file, line, message) = policy_error(&source);
        assert_eq!((file.as_str(), line), ("custom/rule.rego", 9), "{name}");
        assert!(message.contains(why), "{name}: {message}");
    }
}

#[test]
fn recursion_is_refused_at_load_in_every_form() {
    let cases = [
        (
            "direct rule",
            "a if a\n\ndeny contains {\"msg\": \"m\", \"resource_id\": \"r\"} if a\n",
        ),
        (
            "function",
            "f(x) := y if { y := f(x) }\n\ndeny contains {\"msg\": \"m\", \"resource_id\": \"r\"} if f(1)\n",
        ),
        (
            "through a comprehension",
            "s := {x | some x in t}\n\nt := {x | some x in s}\n\ndeny contains {\"msg\": \"m\", \"resource_id\": \"r\"} if count(s) > 0\n",
        ),
        (
            "through a full data path",
            "a if data.t.rec.b\n\nb if data.t.rec.a\n\ndeny contains {\"msg\": \"m\", \"resource_id\": \"r\"} if a\n",
        ),
        (
            "through else",
            "a := 1 if false else := b\n\nb := a\n\ndeny contains {\"msg\": \"m\", \"resource_id\": \"r\"} if a == 1\n",
        ),
    ];
    for (what, body) in cases {
        let source = format!("{}{body}", header("T-REC-1", "t.rec"));
        let (_, line, message) = policy_error(&source);
        assert!(message.contains("depends on itself"), "{what}: {message}");
        assert!(line >= 7, "{what}: line {line}");
    }
}

#[test]
fn rules_that_only_look_alike_are_not_taken_for_recursion() {
    // A chain of rules, a function called with its own name's rule as an argument, and a
    // rule named like a builtin namespace: none depends on itself.
    let source = format!(
        "{}limit := 3\n\nsmall(x) := x < limit\n\ncount_of := count(input.storage_accounts)\n\nok if small(count_of)\n\ndeny contains {{\"msg\": \"m\", \"resource_id\": \"r\"}} if not ok\n",
        header("T-OK-1", "t.ok")
    );
    assert!(load(&source).is_ok());
}

#[test]
fn a_package_split_over_files_calls_and_recurses_across_them() {
    // Calling a function declared in another file of the same package is fine...
    let mut set = PolicySet::bundled_without_tests().unwrap();
    let rule = format!(
        "{}deny contains {{\"msg\": \"m\", \"resource_id\": \"r\"}} if helper(1)\n",
        header("T-SPLIT-1", "t.split")
    );
    set.add_module("custom/rule.rego", &rule, RuleOrigin::Custom)
        .unwrap();
    set.add_module(
        "custom/helpers.rego",
        "package t.split\n\nhelper(x) := x > 0\n",
        RuleOrigin::Custom,
    )
    .unwrap();
    assert!(Evaluator::new(&set).is_ok());
    // ...and recursion through the other file is still refused.
    let mut set = PolicySet::bundled_without_tests().unwrap();
    let rule = format!(
        "{}ping(x) := pong(x)\n\ndeny contains {{\"msg\": \"m\", \"resource_id\": \"r\"}} if ping(1)\n",
        header("T-SPLIT-2", "t.split2")
    );
    set.add_module("custom/rule.rego", &rule, RuleOrigin::Custom)
        .unwrap();
    set.add_module(
        "custom/helpers.rego",
        "package t.split2\n\npong(x) := ping(x)\n",
        RuleOrigin::Custom,
    )
    .unwrap();
    match Evaluator::new(&set) {
        Err(LoadError::Policy { message, .. }) => {
            assert!(message.contains("depends on itself"), "{message}")
        }
        other => panic!("expected a recursion error, got {:?}", other.err()),
    }
}

#[test]
fn unknown_functions_and_deep_literals_are_refused_at_load() {
    let source = format!(
        "{}deny contains {{\"msg\": \"m\", \"resource_id\": \"r\"}} if no_such_function(1)\n",
        header("T-UF-1", "t.unknown")
    );
    let (_, line, message) = policy_error(&source);
    assert_eq!(line, 8);
    assert!(
        message.contains("unknown function `no_such_function`"),
        "{message}"
    );

    let depth = MAX_LITERAL_NESTING + 1;
    let source = format!(
        "{}x := {}1{}\n",
        header("T-NEST-1", "t.nest"),
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (_, line, message) = policy_error(&source);
    assert_eq!(line, 8);
    assert!(message.contains("nested more than"), "{message}");
    // At the limit it loads.
    let source = format!(
        "package t.nest2\n\nx := {}1{}\n",
        "[".repeat(MAX_LITERAL_NESTING),
        "]".repeat(MAX_LITERAL_NESTING)
    );
    assert!(load(&source).is_ok());
}

#[test]
fn a_rule_over_the_time_limit_is_an_error_and_the_others_still_report() {
    let source = format!(
        "{}deny contains {{\"msg\": \"never\", \"resource_id\": \"r\"}} if {{\n\tsome a in numbers.range(1, 10000)\n\tsome b in numbers.range(1, 10000)\n\ta * b == -1\n}}\n",
        header("T-SLOW-1", "t.slow")
    );
    let evaluator = load(&source)
        .unwrap()
        .with_rule_timeout(Duration::from_millis(100));
    let report = evaluator
        .evaluate(&common::estate("testdata/examples/contoso-clinical.json"))
        .unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].rule_id, "T-SLOW-1");
    assert!(
        report.errors[0]
            .message
            .contains("ran longer than the rule time limit of 100ms and was stopped"),
        "{:?}",
        report.errors
    );
    assert!(report.is_incomplete());
    assert!(
        !report.violations.is_empty(),
        "the bundled rules' findings are kept"
    );
}

#[test]
fn a_malformed_entry_is_an_error_of_its_rule_that_says_what_is_wrong() {
    let nothing = "deny contains {\"msg\": \"m\", \"resource_id\": \"r\"} if false\n";
    let cases = [
        (
            "deny contains \"just text\"\n".to_string(),
            "`deny` produced \"just text\", not an object",
        ),
        (
            "deny contains {\"resource_id\": \"r\"}\n".to_string(),
            "`deny` entry has no `msg` string",
        ),
        (
            "deny contains {\"msg\": 1, \"resource_id\": \"r\"}\n".to_string(),
            "`deny` entry has no `msg` string",
        ),
        (
            format!("{nothing}undetermined contains {{\"msg\": \"m\"}}\n"),
            "`undetermined` entry has no `resource_id` string",
        ),
        (
            format!("{nothing}notes contains 7\n"),
            "`notes` entry is not a string: 7",
        ),
    ];
    for (body, want) in cases {
        let source = format!("{}{body}", header("T-SHAPE-1", "t.shape"));
        let report = report_on_empty_estate(&source);
        assert_eq!(report.errors.len(), 1, "{body}: {:?}", report.errors);
        assert_eq!(report.errors[0].rule_id, "T-SHAPE-1");
        assert!(
            report.errors[0].message.contains(want),
            "{body}: {}",
            report.errors[0].message
        );
    }
}

#[test]
fn every_field_of_an_entry_reaches_the_report() {
    let source = format!(
        "{}deny contains {{\"msg\": \"d\", \"resource_id\": \"r\", \"feature\": \"f\", \"target_id\": \"t\", \"remediation\": \"do it\", \"evidence\": {{\"n\": 1, \"s\": [\"x\", null]}}}}\n\nundetermined contains {{\"msg\": \"u\", \"resource_id\": \"r\", \"missing\": [\"a\", 2]}}\n\nundetermined contains {{\"msg\": \"v\", \"resource_id\": \"r\", \"missing\": \"b\"}}\n",
        header("T-FIELDS-1", "t.fields")
    );
    let report = report_on_empty_estate(&source);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let v = report
        .violations
        .iter()
        .find(|v| v.rule_id == "T-FIELDS-1")
        .unwrap();
    assert_eq!(
        (
            v.message.as_str(),
            v.resource_id.as_str(),
            v.feature.as_deref(),
            v.target_id.as_deref(),
            v.remediation.as_str()
        ),
        ("d", "r", Some("f"), Some("t"), "do it")
    );
    assert_eq!(
        v.evidence,
        Some(serde_json::json!({"n": 1, "s": ["x", null]}))
    );
    let mut missing: Vec<(String, Vec<String>)> = report
        .undetermined
        .iter()
        .filter(|u| u.rule_id == "T-FIELDS-1")
        .map(|u| (u.message.clone(), u.missing.clone()))
        .collect();
    missing.sort();
    assert_eq!(
        missing,
        vec![
            ("u".to_string(), vec!["a".to_string(), "2".to_string()]),
            ("v".to_string(), vec!["b".to_string()]),
        ]
    );
}

#[test]
fn a_long_chain_of_rules_evaluates_on_the_rule_thread_stack() {
    // Each rule depends on the next: evaluation recurses once per link.
    let links = 2_000;
    let mut source = header("T-CHAIN-1", "t.chain");
    for i in 0..links {
        source.push_str(&format!("r{i} := r{} + 1\n", i + 1));
    }
    source.push_str(&format!("r{links} := 0\n\n"));
    source.push_str(&format!(
        "deny contains {{\"msg\": sprintf(\"%d\", [r0]), \"resource_id\": \"r\"}} if r0 == {links}\n"
    ));
    let report = report_on_empty_estate(&source);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let chain: Vec<_> = report
        .violations
        .iter()
        .filter(|v| v.rule_id == "T-CHAIN-1")
        .collect();
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0].message, links.to_string());
}

#[test]
fn a_chain_of_rules_longer_than_the_stack_allows_is_refused_at_load() {
    let links = ahds_guard::MAX_RULE_CHAIN + 1;
    let mut source = header("T-CHAIN-2", "t.chain2");
    for i in 0..links {
        source.push_str(&format!("r{i} := r{} + 1\n", i + 1));
    }
    source.push_str(&format!(
        "r{links} := 0\n\ndeny contains {{\"msg\": \"m\", \"resource_id\": \"r\"}} if r0 == 0\n"
    ));
    let (_, line, message) = policy_error(&source);
    assert!(message.contains("starts a chain of more than"), "{message}");
    assert!(line >= 8, "{line}");
}

/// Every fixture that has findings, for the concurrency tests: each rule's failing
/// fixture and the examples (the hardened one is every rule's passing fixture).
fn fixtures() -> Vec<(String, Estate)> {
    let mut out = Vec::new();
    let dir = common::root().join("testdata/rules");
    for e in std::fs::read_dir(dir).unwrap() {
        let id = e.unwrap().file_name().to_str().unwrap().to_string();
        out.push((format!("{id} fail"), common::rule_estate(&id, "fail")));
    }
    for rel in [
        "testdata/examples/contoso-clinical.json",
        "testdata/examples/contoso-clinical-hardened.json",
    ] {
        out.push((rel.to_string(), common::estate(rel)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap()
}

#[test]
fn eight_threads_at_once_report_exactly_what_serial_runs_report() {
    let evaluator = common::evaluator();
    let (files, estates): (Vec<String>, Vec<Estate>) = fixtures().into_iter().unzip();
    let serial: Vec<String> = estates
        .iter()
        .map(|e| json(&evaluator.evaluate(e).unwrap()))
        .collect();
    for round in 0..3 {
        let parallel: Vec<(usize, String)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|t| {
                    let estates = &estates;
                    scope.spawn(move || {
                        // Each thread takes a different slice, in a different order.
                        let mut out = Vec::new();
                        for i in (0..estates.len())
                            .filter(|i| i % 8 == (t + round) % 8)
                            .rev()
                        {
                            out.push((i, json(&evaluator.evaluate(&estates[i]).unwrap())));
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert_eq!(parallel.len(), files.len());
        for (i, report) in parallel {
            assert_eq!(
                report, serial[i],
                "{} differs when run concurrently",
                files[i]
            );
        }
    }
}

#[test]
fn the_same_input_gives_byte_identical_json_every_time() {
    let estate = common::estate("testdata/examples/contoso-clinical.json");
    let first = json(&common::evaluator().evaluate(&estate).unwrap());
    let fresh = Evaluator::bundled().unwrap();
    for threads in [1, 2, 4] {
        let e = fresh.clone().with_threads(threads);
        for _ in 0..3 {
            assert_eq!(
                json(&e.evaluate(&estate).unwrap()),
                first,
                "threads {threads}"
            );
        }
    }
}
