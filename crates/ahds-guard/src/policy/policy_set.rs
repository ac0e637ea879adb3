//! A set of policies: the bundled catalog plus any custom policy directories, with their
//! data documents and catalog entries.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use ahds_model::Place;
use regorus::unstable::{Parser, Rule, RuleHead};

use crate::policy::bundle;
use crate::policy::catalog::{RuleInfo, RuleOrigin, rule_info};
use crate::policy::error::{LoadError, policy_place};
use crate::policy::metadata::{AnnotationBlock, AnnotationTarget, parse_annotations};
use crate::policy::module_summary::{InputUse, ModuleSummary, summarize};
use crate::policy::sandbox::check_source;

/// One Rego file of a policy set.
#[derive(Debug, Clone)]
pub struct PolicyModule {
    /// The file path (bundled files: relative to `policies/`).
    pub path: String,
    /// The Rego source.
    pub source: String,
    /// The package (`ahds.rules.private_link.workspace_without_private_link`).
    pub package: String,
    /// Bundled or custom.
    pub origin: RuleOrigin,
    /// Names of the rules and functions the file declares.
    pub rule_names: BTreeSet<String>,
    /// The file's annotation blocks (the catalog entry comes from its package block).
    pub(crate) annotations: Vec<AnnotationBlock>,
    /// Its rules' dependencies and calls, for the load-time safety checks.
    pub(crate) summary: ModuleSummary,
}

impl PolicyModule {
    /// True for test files (`*_test.rego`, OPA's convention).
    pub fn is_test_file(&self) -> bool {
        self.path.ends_with("_test.rego")
    }

    /// Names of the `test_*` rules in the file, in source order of first appearance.
    pub fn test_names(&self) -> Vec<String> {
        self.rule_names
            .iter()
            .filter(|n| n.starts_with("test_"))
            .cloned()
            .collect()
    }
}

/// Policies, data and catalog entries, ready to build an evaluator or a test run from.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    modules: Vec<PolicyModule>,
    data: serde_json::Map<String, serde_json::Value>,
    rules: Vec<RuleInfo>,
    /// Leave test files out (see [`PolicySet::without_tests`]).
    skip_tests: bool,
}

impl PolicySet {
    /// An empty set (no bundled catalog).
    pub fn empty() -> Self {
        PolicySet::default()
    }

    /// The bundled catalog with its tests, embedded in this crate at build time.
    pub fn bundled() -> Result<Self, LoadError> {
        PolicySet::empty().with_bundled()
    }

    /// The bundled catalog without its tests: what evaluation needs, loaded faster.
    pub fn bundled_without_tests() -> Result<Self, LoadError> {
        PolicySet::empty().without_tests().with_bundled()
    }

    /// From now on, leaves test files (`*_test.rego`) out: evaluation never runs them, and
    /// parsing them was a third of loading the bundled catalog.
    pub fn without_tests(mut self) -> Self {
        self.skip_tests = true;
        self
    }

    fn with_bundled(mut self) -> Result<Self, LoadError> {
        for f in bundle::FILES {
            if f.path.ends_with(".rego") {
                self.add_module(f.path, f.contents, RuleOrigin::Bundled)?;
            } else if f.path.ends_with("data.json") {
                self.add_data_file(f.path, Path::new(f.path).parent(), f.contents)?;
            }
        }
        Ok(self)
    }

    /// Loads every `.rego` file under `dir` (recursively) and every `data.json`, which is
    /// placed at its folder's path relative to `dir` (OPA's bundle convention).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), LoadError> {
        let mut files = Vec::new();
        collect_files(dir, &mut files)?;
        files.sort();
        for path in files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let display = path.display().to_string();
            if name.ends_with(".rego") {
                let source = read(&path)?;
                self.add_module(&display, &source, RuleOrigin::Custom)?;
            } else if name == "data.json" {
                let source = read(&path)?;
                let rel = path.parent().and_then(|p| p.strip_prefix(dir).ok());
                self.add_data_file(&display, rel, &source)?;
            }
        }
        Ok(())
    }

    /// Adds one Rego module from source text.
    pub fn add_module(
        &mut self,
        path: &str,
        source: &str,
        origin: RuleOrigin,
    ) -> Result<(), LoadError> {
        if self.skip_tests && path.ends_with("_test.rego") {
            return Ok(());
        }
        let module = parse_module(path, source, origin)?;
        if !module.is_test_file() {
            self.register_rule(&module)?;
        }
        self.modules.push(module);
        Ok(())
    }

    fn register_rule(&mut self, module: &PolicyModule) -> Result<(), LoadError> {
        let package_block = module
            .annotations
            .iter()
            .find(|b| b.target == AnnotationTarget::Package);
        let declares_deny = module.rule_names.contains("deny");
        let Some(block) = package_block.filter(|b| b.annotations.custom.contains_key("id")) else {
            if declares_deny {
                return Err(LoadError::Policy {
                    place: policy_place(module.path.clone(), Some(1)),
                    message: format!(
                        "package `{}` declares `deny` but has no package `# METADATA` block with `custom.id`, `custom.severity` and `title`",
                        module.package
                    ),
                });
            }
            return Ok(());
        };
        let mut info =
            rule_info(block, &module.package, &module.path, module.origin).map_err(|p| {
                LoadError::Policy {
                    place: policy_place(module.path.clone(), Some(p.line)),
                    message: p.message,
                }
            })?;
        if !declares_deny {
            return Err(LoadError::Policy {
                place: policy_place(module.path.clone(), Some(block.line)),
                message: format!("rule `{}` declares no `deny` rule", info.id),
            });
        }
        if let Some(first) = self.rules.iter().find(|r| r.id == info.id) {
            let what = if first.origin == RuleOrigin::Bundled {
                "a bundled rule"
            } else {
                "another rule"
            };
            return Err(LoadError::Policy {
                place: policy_place(module.path.clone(), Some(block.line)),
                message: format!(
                    "rule id `{}` is already used by {what} ({}:{})",
                    info.id, first.file, first.line
                ),
            });
        }
        if let Some(first) = self.rules.iter().find(|r| r.package == info.package) {
            return Err(LoadError::Policy {
                place: policy_place(module.path.clone(), Some(block.line)),
                message: format!(
                    "package `{}` already holds rule `{}` ({}); put one rule in each package",
                    info.package, first.id, first.file
                ),
            });
        }
        info.has_undetermined = module.rule_names.contains("undetermined");
        info.has_notes = module.rule_names.contains("notes");
        self.rules.push(info);
        Ok(())
    }

    fn add_data_file(
        &mut self,
        file: &str,
        folder: Option<&Path>,
        contents: &str,
    ) -> Result<(), LoadError> {
        let value: serde_json::Value =
            serde_json::from_str(contents).map_err(|e| LoadError::Data {
                place: Place::in_file(file.to_string()),
                message: format!(
                    "invalid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            })?;
        let mut path: Vec<String> = folder
            .map(|f| {
                f.components()
                    .filter_map(|c| c.as_os_str().to_str())
                    .filter(|c| !c.is_empty() && *c != ".")
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        // Wrap the document in its folder path: `a/b/data.json` holds `data.a.b`.
        let mut doc = value;
        while let Some(seg) = path.pop() {
            let mut m = serde_json::Map::new();
            m.insert(seg, doc);
            doc = serde_json::Value::Object(m);
        }
        let serde_json::Value::Object(doc) = doc else {
            return Err(LoadError::Data {
                place: Place::in_file(file.to_string()),
                message: "a data.json at the root of a policy directory must hold an object".into(),
            });
        };
        merge(&mut self.data, doc, "data").map_err(|message| LoadError::Data {
            place: Place::in_file(file.to_string()),
            message,
        })
    }

    /// Every module, tests included.
    pub fn modules(&self) -> &[PolicyModule] {
        &self.modules
    }

    /// What the load-time checks read of each module.
    /// What of the input document the set's modules can read, together.
    pub(crate) fn input_use(&self) -> InputUse {
        let mut used = InputUse::default();
        for m in &self.modules {
            used.extend(&m.summary.input);
        }
        used
    }

    /// What of the input document each package's modules name themselves (not through the
    /// helpers they call), by package.
    pub(crate) fn input_use_by_package(&self) -> HashMap<String, InputUse> {
        let mut by_package: HashMap<String, InputUse> = HashMap::new();
        for m in &self.modules {
            by_package
                .entry(m.package.clone())
                .or_default()
                .extend(&m.summary.input);
        }
        by_package
    }

    pub(crate) fn summaries(&self) -> Vec<&ModuleSummary> {
        self.modules.iter().map(|m| &m.summary).collect()
    }

    /// The merged data document.
    pub fn data(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.data
    }

    /// The catalog: one entry per rule package, in load order.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let ty = entry.file_type().map_err(io)?;
        if ty.is_dir() {
            collect_files(&path, out)?;
        } else if ty.is_file() || (ty.is_symlink() && path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

fn merge(
    into: &mut serde_json::Map<String, serde_json::Value>,
    from: serde_json::Map<String, serde_json::Value>,
    at: &str,
) -> Result<(), String> {
    for (k, v) in from {
        let path = format!("{at}.{k}");
        match (into.get_mut(&k), v) {
            (None, v) => {
                into.insert(k, v);
            }
            (Some(serde_json::Value::Object(a)), serde_json::Value::Object(b)) => {
                merge(a, b, &path)?;
            }
            (Some(a), b) if *a == b => {}
            (Some(_), _) => return Err(format!("`{path}` is defined twice with different values")),
        }
    }
    Ok(())
}

/// Parses a module with regorus's parser to learn its package and rule names.
fn parse_module(path: &str, source: &str, origin: RuleOrigin) -> Result<PolicyModule, LoadError> {
    check_source(path, source)?;
    let annotations = parse_annotations(path, source)?;
    let rego_error = |e: anyhow::Error| {
        let message = e.to_string();
        let line = rego_error_line(&message, path);
        LoadError::Policy {
            place: policy_place(path, line),
            message: strip_location(&message, path),
        }
    };
    let src =
        regorus::Source::from_contents(path.to_string(), source.to_string()).map_err(rego_error)?;
    let mut parser = Parser::new(&src).map_err(rego_error)?;
    parser.enable_rego_v1().map_err(rego_error)?;
    let module = parser.parse().map_err(rego_error)?;
    let package = Parser::get_path_ref_components(&module.package.refr)
        .map_err(rego_error)?
        .iter()
        .map(|s| s.text().to_string())
        .collect::<Vec<_>>()
        .join(".");
    let mut rule_names = BTreeSet::new();
    for rule in &module.policy {
        let refr = match rule.as_ref() {
            Rule::Spec { head, .. } => match head {
                RuleHead::Compr { refr, .. }
                | RuleHead::Set { refr, .. }
                | RuleHead::Func { refr, .. } => refr,
            },
            Rule::Default { refr, .. } => refr,
        };
        if let Ok(parts) = Parser::get_path_ref_components(refr) {
            if let Some(first) = parts.first() {
                rule_names.insert(first.text().to_string());
            }
        }
    }
    let summary = summarize(&module, path, &package);
    Ok(PolicyModule {
        path: path.to_string(),
        source: source.to_string(),
        package,
        origin,
        rule_names,
        annotations,
        summary,
    })
}

/// regorus formats errors as `\n--> <file>:<line>:<col>\n<source diagram>\nerror: <message>`;
/// pull the line out.
fn rego_error_line(message: &str, path: &str) -> Option<u32> {
    let marker = format!("--> {path}:");
    message
        .find(&marker)
        .map(|i| &message[i + marker.len()..])
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.trim().parse().ok())
}

/// The message without regorus's location header (we print `file:line:` ourselves), with
/// the source diagram kept below it.
fn strip_location(message: &str, _path: &str) -> String {
    let trimmed = message.trim();
    match trimmed.rfind("error: ") {
        Some(i) if trimmed.starts_with("-->") => {
            let what = trimmed[i + "error: ".len()..].trim();
            let diagram = trimmed[..i].lines().skip(1).collect::<Vec<_>>().join("\n");
            format!("{what}\n{diagram}")
        }
        _ => trimmed.to_string(),
    }
}
