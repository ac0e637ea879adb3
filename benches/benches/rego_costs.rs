//! What the building blocks of a rule cost in regorus's bytecode VM, per link of the
//! generated 1,000-workspace estate (8,000 links): walking the links, reading a field,
//! calling a helper, and building a finding. They bound how fast any rule can be, and
//! they are why the README's "rules that stay fast" advice reads as it does.
//!
//! `cargo bench -p ahds-guard-benches --bench rego_costs`. Criterion's throughput line
//! gives links per second; one over it is the cost per link.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use ahds_guard::Evaluator;
use ahds_guard_benches::native;
use ahds_ingest::{InputFormat, read};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::vm::RegoVM;
use regorus::{Engine, Value};

/// Each case is one `found` set over every link; all select nothing or the same few
/// links, so they differ only in the step named.
const POLICY: &str = r#"package costs

# Walking the links and testing one field.
walk contains 1 if {
	some link in input.links
	link.status == "none"
}

# The same, plus a field three levels down.
read_deep contains 1 if {
	some link in input.links
	link.status == "resolved"
	link.target.network.public_network_access == "none"
}

resolved(link) if link.status == "resolved"

# The same test made through a helper function.
call contains 1 if {
	some link in input.links
	resolved(link)
	link.target.network.public_network_access == "none"
}

# A finding (object and sprintf) for every resolved link.
finding contains v if {
	some link in input.links
	link.status == "resolved"
	v := {
		"msg": sprintf("%s %q uses %q", [link.service_type, link.service_name, link.target.name]),
		"resource_id": link.target_resource_id,
	}
}
"#;

const ENTRIES: [&str; 4] = ["walk", "read_deep", "call", "finding"];

fn costs(c: &mut Criterion) {
    let estate = read(native(1000).as_bytes(), "bench.json", InputFormat::Native)
        .unwrap()
        .estate;
    let document = Evaluator::bundled()
        .unwrap()
        .input_document(&estate)
        .unwrap();
    let links = document["links"].as_array().map_or(0, Vec::len) as u64;
    let input = Value::from(document);

    let mut engine = Engine::new();
    engine
        .add_policy("costs.rego".into(), POLICY.into())
        .unwrap();
    let paths: Vec<String> = ENTRIES.iter().map(|e| format!("data.costs.{e}")).collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let policy = engine.compile_with_entrypoint(&refs[0].into()).unwrap();
    let program = Compiler::compile_from_policy(&policy, &refs).unwrap();
    let mut vm = RegoVM::new_with_policy(policy);
    vm.load_program(program);
    vm.set_max_instructions(usize::MAX);
    vm.set_input(input);

    let mut group = c.benchmark_group("rego_costs");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(links));
    for path in &paths {
        let name = path.trim_start_matches("data.costs.");
        group.bench_function(name, |b| {
            b.iter(|| vm.execute_entry_point_by_name(black_box(path)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, costs);
criterion_main!(benches);
