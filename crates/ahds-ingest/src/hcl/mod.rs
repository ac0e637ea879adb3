//! Terraform configurations read from their `.tf` sources, without a plan.
//!
//! The root module's files are parsed ([`load`]), every expression is evaluated as far as
//! it is known before a plan ([`eval`]: variables from defaults, `*.tfvars` and the
//! command line; locals; `count`/`for_each`; local modules and modules `terraform init`
//! fetched), and the result is written as the plan Terraform would print for a first
//! apply ([`synth`]), which the plan reader then maps. A value nobody set is a symbol
//! (`{var.env}`) where it stands in a name, and unknown elsewhere.

mod eval;
mod funcs;
mod load;
mod suppress;
mod synth;
mod tfvars;
mod value;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use ahds_model::{Place, SkippedResource};

use crate::error::{IngestError, Position};
use crate::{Ingested, InputFormat};
use eval::{Modules, Session};
use load::ModuleDef;

pub use suppress::InlineWaiver;

/// What a Terraform configuration is read with besides its files: the values of its root
/// variables, as `terraform plan` takes them.
#[derive(Debug, Clone, Default)]
pub struct TerraformOptions {
    /// `--var-file FILE`s, applied in order after `terraform.tfvars` and `*.auto.tfvars`.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`s, applied last, in order.
    pub vars: Vec<(String, String)>,
    /// `TF_VAR_name` environment variables (name without the prefix, value).
    pub env: Vec<(String, String)>,
}

impl TerraformOptions {
    /// Options with the `TF_VAR_*` variables of this process's environment.
    pub fn from_environment() -> Self {
        TerraformOptions {
            env: std::env::vars()
                .filter_map(|(k, v)| Some((k.strip_prefix("TF_VAR_")?.to_string(), v)))
                .collect(),
            ..TerraformOptions::default()
        }
    }
}

/// True when a directory holds `.tf` files: a Terraform module.
pub(crate) fn is_terraform_dir(dir: &Path) -> bool {
    load::tf_files(dir).is_ok_and(|f| !f.is_empty())
}

/// What reading a Terraform root module gave.
#[derive(Debug, Clone)]
pub struct TerraformConfig {
    /// The resources, as [`crate::read`] returns them.
    pub ingested: Ingested,
    /// The module directories its module calls read (canonical paths): a directory among
    /// them is part of this configuration, not a root module of its own.
    pub module_dirs: Vec<PathBuf>,
}

/// Reads the Terraform root module in `dir` (shown as `shown` in messages and findings).
///
/// Problems with single files, modules or variable files are returned with the estate
/// (the rest is still read); a directory where nothing could be read is an error.
///
/// ```
/// use ahds_ingest::{read_terraform_config, TerraformOptions};
///
/// let dir = std::env::temp_dir().join(format!("ahds-guard-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("main.tf"), r#"
/// variable "env" {}
/// resource "azurerm_container_registry" "acr" {
///   name                          = "cr${var.env}"
///   resource_group_name           = "rg"
///   location                      = "westeurope"
///   sku                           = "Premium"
///   public_network_access_enabled = false
/// }
/// "#).unwrap();
/// let read = read_terraform_config(&dir, "infra", &TerraformOptions::default()).unwrap();
/// let acr = &read.ingested.estate.container_registries[0];
/// assert_eq!(acr.name.value().map(String::as_str), Some("cr{var.env}"));
/// assert_eq!(acr.place.as_ref().unwrap().file, "infra/main.tf");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn read_terraform_config(
    dir: &Path,
    shown: &str,
    options: &TerraformOptions,
) -> Result<TerraformConfig, Vec<IngestError>> {
    let mut errors = Vec::new();
    let root = load::load_module(dir, shown, &mut errors);
    if root.files.is_empty() {
        if errors.is_empty() {
            errors.push(IngestError::new(
                shown,
                Position::default(),
                "no `.tf` files in the directory",
            ));
        }
        return Err(errors);
    }
    let root = Rc::new(root);
    let tfvars::RootValues { values, given_in } =
        tfvars::root_values(dir, shown, options, &mut errors);
    let mut notes: Vec<String> = Vec::new();
    for (k, given) in given_in
        .iter()
        .filter(|(k, _)| !root.variables.contains_key(*k))
    {
        if given.starts_with("--var ") {
            // Terraform refuses a `-var` for a variable the configuration lacks.
            errors.push(IngestError::new(
                given,
                Position::default(),
                format!("`{k}` is not a variable of the configuration in `{shown}`"),
            ));
        } else {
            notes.push(format!("{given}: a value for `{k}`, which the configuration does not declare (Terraform warns and ignores it)"));
        }
    }
    notes.sort();
    let unset_variables: Vec<String> = root
        .variables
        .iter()
        .filter(|(k, v)| v.default.is_none() && !values.contains_key(*k))
        .map(|(k, _)| format!("var.{k}"))
        .collect();
    let loader = DirModules::new(dir, shown);
    loader
        .cache
        .borrow_mut()
        .insert(canonical(dir), (Rc::clone(&root), shown.to_string()));
    let session = Session::new(Rc::clone(&root), values, &loader);
    let (doc, places) = synth::plan(&session);
    let sources: HashMap<String, Place> = places
        .iter()
        .map(|(address, (file, line, _))| {
            (
                address.clone(),
                Place {
                    column: None,
                    file: file.clone(),
                    pointer: None,
                    address: Some(address.clone()),
                    line: u32::try_from(*line).ok(),
                },
            )
        })
        .collect();
    let (mut estate, mut problems) =
        crate::terraform::read_plan_with_sources(&doc, shown, &sources)?;
    estate.skipped.extend(loader.skipped.take());
    estate.notes.extend(notes);
    estate.notes.extend(session.notes.take());
    estate.unset_variables = unset_variables;
    estate.inline_waivers = suppress::collect(&session, &places);
    errors.extend(session.errors.take());
    errors.extend(loader.errors.take());
    // A root whose resources all sit in modules that were not fetched (or that has none)
    // must not pass a gate as "nothing wrong".
    let read_anything =
        estate.resource_count() > 0 || estate.skipped.iter().any(|s| s.resource_type != "module");
    if !read_anything && errors.is_empty() && problems.is_empty() {
        let unfetched = estate.skipped.len();
        errors.push(IngestError::new(
            &root.files[0].name,
            Position::at(1, 1),
            if unfetched > 0 {
                format!("no resources to check in `{shown}`: its {unfetched} module(s) are not on disk (run `terraform init`)")
            } else {
                format!("no resources to check in `{shown}`: it declares none")
            },
        ));
    }
    problems.extend(errors);
    let mut invalid = crate::sanitize::drop_invalid(&mut estate, shown);
    problems.append(&mut invalid);
    let root_dir = canonical(dir);
    let module_dirs = loader
        .cache
        .borrow()
        .keys()
        .filter(|d| **d != root_dir)
        .cloned()
        .collect();
    Ok(TerraformConfig {
        ingested: Ingested {
            estate,
            format: InputFormat::TerraformConfig,
            problems,
        },
        module_dirs,
    })
}

/// Module definitions read from directories: local paths, and the modules
/// `terraform init` fetched (`.terraform/modules/modules.json`).
struct DirModules {
    root_dir: PathBuf,
    shown_root: String,
    cache: RefCell<HashMap<PathBuf, (Rc<ModuleDef>, String)>>,
    fetched: Option<HashMap<String, String>>,
    errors: RefCell<Vec<IngestError>>,
    skipped: RefCell<Vec<SkippedResource>>,
}

/// How deep module calls may nest.
const MAX_MODULE_DEPTH: usize = 32;

impl DirModules {
    fn new(root_dir: &Path, shown_root: &str) -> Self {
        let fetched = std::fs::read_to_string(root_dir.join(".terraform/modules/modules.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map(|doc| {
                doc.get("Modules")
                    .and_then(|m| m.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|m| {
                        Some((
                            m.get("Key")?.as_str()?.to_string(),
                            m.get("Dir")?.as_str()?.to_string(),
                        ))
                    })
                    .collect()
            });
        DirModules {
            root_dir: root_dir.to_path_buf(),
            shown_root: shown_root.to_string(),
            cache: RefCell::default(),
            fetched,
            errors: RefCell::default(),
            skipped: RefCell::default(),
        }
    }

    fn shown_dir_of(&self, dir: &Path) -> String {
        self.cache
            .borrow()
            .get(&canonical(dir))
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| dir.display().to_string())
    }

    fn fail(&self, file: &str, line: usize, message: String) {
        self.errors
            .borrow_mut()
            .push(IngestError::new(file, Position::at(line, 1), message));
    }
}

impl Modules for DirModules {
    fn child(&self, session: &Session<'_>, inst: usize, call: usize) -> Option<Rc<ModuleDef>> {
        let def = session.def(inst);
        let c = &def.calls[call];
        let file = def.file_name(c.at).to_string();
        let path = session.path(inst);
        let address = format!("{}module.{}", synth::module_prefix(&path), c.name);
        let Some(source) = &c.source else {
            self.fail(
                &file,
                c.at.line,
                format!("`{address}` has no literal `source`"),
            );
            return None;
        };
        if path.len() >= MAX_MODULE_DEPTH {
            self.fail(
                &file,
                c.at.line,
                format!("`{address}`: modules nest more than {MAX_MODULE_DEPTH} deep"),
            );
            return None;
        }
        let parent_shown = self.shown_dir_of(&def.dir);
        let (dir, shown) = if source.starts_with("./") || source.starts_with("../") {
            (
                def.dir.join(source),
                normalise(&format!("{parent_shown}/{source}")),
            )
        } else {
            let key: Vec<&str> = path
                .iter()
                .map(|(n, _)| n.as_str())
                .chain(std::iter::once(c.name.as_str()))
                .collect();
            match self.fetched.as_ref().and_then(|f| f.get(&key.join("."))) {
                Some(d) => (
                    self.root_dir.join(d),
                    normalise(&format!("{}/{d}", self.shown_root)),
                ),
                None => {
                    self.skipped.borrow_mut().push(SkippedResource {
                        resource_type: "module".into(),
                        resource: address.clone(),
                        reason: format!(
                            "module source `{source}` is not on disk: run `terraform init` so `.terraform/modules` holds it"
                        ),
                        source: Some(Place {
                            column: None,
                            file: file.clone(),
                            pointer: None,
                            address: Some(address),
                            line: u32::try_from(c.at.line).ok(),
                        }),
                    });
                    return None;
                }
            }
        };
        if !dir.is_dir() {
            self.fail(
                &file,
                c.at.line,
                format!("`{address}`: module directory `{shown}` does not exist"),
            );
            return None;
        }
        let real = canonical(&dir);
        // A module that calls itself, directly or through others, never ends.
        let mut ancestor = Some(inst);
        while let Some(a) = ancestor {
            if canonical(&session.def(a).dir) == real {
                self.fail(
                    &file,
                    c.at.line,
                    format!(
                        "`{address}` calls `{shown}`, which is already being read: a module cycle"
                    ),
                );
                return None;
            }
            ancestor = session.insts.borrow()[a].parent.map(|(p, _)| p);
        }
        if let Some((d, _)) = self.cache.borrow().get(&real) {
            // A module whose files could not be read was reported when first called.
            return (!d.files.is_empty()).then(|| Rc::clone(d));
        }
        let mut errors = Vec::new();
        let loaded = Rc::new(load::load_module(&dir, &shown, &mut errors));
        let unreadable = loaded.files.is_empty();
        if unreadable && errors.is_empty() {
            self.fail(
                &file,
                c.at.line,
                format!("`{address}`: no `.tf` files in `{shown}`"),
            );
        }
        self.errors.borrow_mut().extend(errors);
        // Kept even when unreadable: the directory belongs to this configuration and is
        // not a root of its own.
        self.cache
            .borrow_mut()
            .insert(real, (Rc::clone(&loaded), shown));
        if unreadable {
            return None;
        }
        Some(loaded)
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `a/./b/../c` as `a/c`, for paths shown to people.
fn normalise(p: &str) -> String {
    let mut out = PathBuf::new();
    for c in Path::new(p).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if out
                    .components()
                    .next_back()
                    .is_some_and(|l| matches!(l, Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        ".".into()
    } else {
        out.display().to_string()
    }
}
