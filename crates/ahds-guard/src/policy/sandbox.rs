//! What a policy may be and do, checked when it is loaded, before regorus sees it.
//!
//! Custom policies are code run inside the host. Four things in them can hurt it, and each
//! is refused here with the file and line:
//!
//! - **Size and literal nesting.** regorus's parser takes time exponential in the depth of
//!   nested array/object literals (20 levels: 9 s; the catalog needs 8), so sources over
//!   [`MAX_POLICY_BYTES`] or nested deeper than [`MAX_LITERAL_NESTING`] are refused
//!   before parsing.
//! - **Recursion.** OPA refuses rules and functions that depend on themselves; regorus
//!   detects recursive rules only while evaluating and overflows the stack (an abort, not
//!   an error) on recursive functions. The dependency graph of every rule is checked for
//!   cycles at load.
//! - **The outside world.** Policies may read only `input` and `data`. regorus is built
//!   without its time, http, uuid and runtime builtins, but some such builtins (`rand.intn`)
//!   come with its `std` feature; calls to any of [`DENIED_BUILTINS`] are refused by name,
//!   whatever regorus was built with.
//! - **Unknown functions.** A call to a function that is neither a regorus builtin nor a
//!   rule of the policy set would fail only when the rule runs; it is refused at load.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regorus::unstable::BUILTINS;

use crate::policy::error::{LoadError, policy_place};
use crate::policy::module_summary::ModuleSummary;

/// The largest policy file accepted (1 MiB; the whole bundled catalog is under 200 KiB).
pub const MAX_POLICY_BYTES: usize = 1 << 20;

/// The deepest nesting of `[`, `{` and `(` accepted in a policy (the catalog needs 8).
pub const MAX_LITERAL_NESTING: usize = 16;

/// The longest chain of rules depending on each other accepted. regorus evaluates such a
/// chain recursively, a few KiB of stack per link; the rule threads' 64 MiB hold about
/// 10,000 links, so this leaves a margin of more than two. The catalog's longest is 6.
pub const MAX_RULE_CHAIN: usize = 4_000;

/// Builtins that would let a policy see something other than `input` and `data`, or give
/// different answers for the same input, with what each would do.
pub const DENIED_BUILTINS: &[(&str, &str)] = &[
    ("time.now_ns", "reads the clock"),
    ("rand.intn", "returns random numbers"),
    ("uuid.rfc4122", "returns random identifiers"),
    ("http.send", "reaches the network"),
    ("net.lookup_ip_addr", "reaches the network"),
    // Lists every address of a range: `::/0` would run and allocate without end.
    (
        "net.cidr_expand",
        "lists every address of a range, without bound",
    ),
    ("opa.runtime", "reads the process environment"),
];

/// Refuses a source that is too large or nested too deeply to parse safely.
pub(crate) fn check_source(path: &str, source: &str) -> Result<(), LoadError> {
    if source.len() > MAX_POLICY_BYTES {
        return Err(LoadError::Policy {
            place: policy_place(path.to_string(), Some(1)),
            message: format!(
                "policy file is {} bytes; the limit is {MAX_POLICY_BYTES} bytes",
                source.len()
            ),
        });
    }
    if let Some(line) = too_deep(source) {
        return Err(LoadError::Policy {
            place: policy_place(path.to_string(), Some(line)),
            message: format!(
                "brackets nested more than {MAX_LITERAL_NESTING} deep; split the literal into named parts"
            ),
        });
    }
    Ok(())
}

/// The line where `[`, `{` or `(` first nests deeper than the limit, outside strings and
/// comments.
fn too_deep(source: &str) -> Option<u32> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > MAX_LITERAL_NESTING {
                    return Some(line);
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Checks a whole policy set: denied and unknown functions, and recursion.
pub(crate) fn check_set(modules: &[&ModuleSummary]) -> Result<(), LoadError> {
    // Every rule of the set, by full path, with where it is declared.
    let mut rules: BTreeMap<&str, (&ModuleSummary, u32)> = BTreeMap::new();
    for m in modules {
        for (path, (line, _)) in &m.rules {
            rules.entry(path.as_str()).or_insert((m, *line));
        }
    }
    for m in modules {
        for (name, line) in &m.calls {
            check_call(m, name, *line, &rules)?;
        }
    }
    check_recursion(modules, &rules)
}

fn check_call(
    module: &ModuleSummary,
    name: &str,
    line: u32,
    rules: &BTreeMap<&str, (&ModuleSummary, u32)>,
) -> Result<(), LoadError> {
    let error = |message: String| LoadError::Policy {
        place: policy_place(module.path.clone(), Some(line)),
        message,
    };
    if let Some((_, why)) = DENIED_BUILTINS.iter().find(|(n, _)| *n == name) {
        return Err(error(format!(
            "`{name}` {why}; policies may read only `input` and `data`"
        )));
    }
    let first = name.split('.').next().unwrap_or(name);
    let known = if first == "data" {
        rules.contains_key(name)
    } else {
        // A function of the package may be declared in another of its files.
        rules.contains_key(format!("data.{}.{first}", module.package).as_str())
            || module.aliases.contains(first)
            || name == "print"
            || BUILTINS.contains_key(name)
    };
    if known {
        return Ok(());
    }
    Err(error(format!(
        "unknown function `{name}`: not a builtin this build provides, nor a function of the policy set"
    )))
}

/// Refuses a rule or function that depends on itself, directly or through others.
fn check_recursion(
    modules: &[&ModuleSummary],
    rules: &BTreeMap<&str, (&ModuleSummary, u32)>,
) -> Result<(), LoadError> {
    // Edges between known rules only. A reference into a rule's value (`data.p.r.x`)
    // depends on `data.p.r`: take the longest prefix that is a rule.
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in modules {
        for (path, (_, refs)) in &m.rules {
            let targets = edges.entry(path.as_str()).or_default();
            for (r, _) in refs {
                if let Some(target) = longest_rule_prefix(r, rules) {
                    targets.insert(target);
                }
            }
        }
    }
    // Iterative depth-first search; `on_path` holds the current chain.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark: HashMap<&str, Mark> = edges.keys().map(|k| (*k, Mark::New)).collect();
    // Nodes in the order they finish: every rule after the rules it depends on.
    let mut finished: Vec<&str> = Vec::with_capacity(edges.len());
    for &start in edges.keys() {
        if mark.get(start) != Some(&Mark::New) {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> =
            vec![(start, edges[start].iter().copied().collect())];
        mark.insert(start, Mark::Active);
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            let Some(next) = pending.pop() else {
                mark.insert(node, Mark::Done);
                finished.push(node);
                stack.pop();
                continue;
            };
            match mark.get(next).copied().unwrap_or(Mark::Done) {
                Mark::Done => {}
                Mark::Active => {
                    let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                    cycle.push(next);
                    let (module, line) = rules
                        .get(next)
                        .copied()
                        .ok_or_else(|| LoadError::Engine(format!("recursive rule `{next}`")))?;
                    let short: Vec<&str> = cycle
                        .iter()
                        .map(|p| p.strip_prefix("data.").unwrap_or(p))
                        .collect();
                    return Err(LoadError::Policy {
                        place: policy_place(module.path.clone(), Some(line)),
                        message: format!(
                            "`{}` depends on itself ({}); Rego does not allow recursion",
                            short[0],
                            short.join(" → ")
                        ),
                    });
                }
                Mark::New => {
                    mark.insert(next, Mark::Active);
                    let children = edges
                        .get(next)
                        .map(|e| e.iter().copied().collect())
                        .unwrap_or_default();
                    stack.push((next, children));
                }
            }
        }
    }
    check_chain_length(&finished, &edges, rules)
}

/// Refuses chains of dependent rules too long to evaluate within the rule threads' stack.
fn check_chain_length(
    finished: &[&str],
    edges: &BTreeMap<&str, BTreeSet<&str>>,
    rules: &BTreeMap<&str, (&ModuleSummary, u32)>,
) -> Result<(), LoadError> {
    let mut length: HashMap<&str, usize> = HashMap::with_capacity(finished.len());
    for &node in finished {
        let longest_below = edges
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|n| length.get(n))
            .max()
            .copied()
            .unwrap_or(0);
        let n = longest_below + 1;
        if n > MAX_RULE_CHAIN {
            let (module, line) = rules
                .get(node)
                .copied()
                .ok_or_else(|| LoadError::Engine(format!("rule chain at `{node}`")))?;
            return Err(LoadError::Policy {
                place: policy_place(module.path.clone(), Some(line)),
                message: format!(
                    "`{}` starts a chain of more than {MAX_RULE_CHAIN} rules, each depending on the next; evaluating it could exhaust the stack",
                    node.strip_prefix("data.").unwrap_or(node)
                ),
            });
        }
        length.insert(node, n);
    }
    Ok(())
}

fn longest_rule_prefix<'r>(
    path: &str,
    rules: &BTreeMap<&'r str, (&ModuleSummary, u32)>,
) -> Option<&'r str> {
    let mut end = path.len();
    loop {
        if let Some((k, _)) = rules.get_key_value(&path[..end]) {
            return Some(k);
        }
        end = path[..end].rfind('.')?;
    }
}
