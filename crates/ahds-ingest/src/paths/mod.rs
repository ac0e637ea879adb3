//! Reading inputs named by path: files, directories (walked for `.json`, `.bicep` and
//! `.tf` files), and `-` for standard input. ARM parameters files are paired with their
//! templates, Bicep is built with the Bicep CLI, each directory of `.tf` files is read as a
//! Terraform root module, and live listings given together are read as one.
//!
//! ```no_run
//! use ahds_ingest::{PathOptions, read_paths};
//!
//! let inputs = read_paths(&["infra/".into()], &PathOptions::default())?;
//! println!("{} resources", inputs.ingested.estate.resource_count());
//! # Ok::<(), ahds_ingest::PathsError>(())
//! ```

mod bicep;
mod roots;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::{
    DocumentRole, IngestError, IngestErrorKind, Ingested, InputFormat, TerraformOptions,
    document_role, hcl::is_terraform_dir, is_arm_listing, merge, read_listings, read_scanned,
    read_template_with_parameters, read_terraform_config, scan, top_level::TopLevel,
};

/// Why the inputs could not be read at all: each message names the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .messages.join("\n"))]
pub struct PathsError {
    /// One message per problem.
    pub messages: Vec<String>,
}

impl PathsError {
    fn new(messages: Vec<String>) -> Self {
        PathsError { messages }
    }
}

/// How paths are read.
#[derive(Debug, Clone)]
pub struct PathOptions {
    /// The format, or [`InputFormat::Auto`] to detect it per file.
    pub format: InputFormat,
    /// Every named file is Bicep source (but parameters files), and directories are read
    /// for `.bicep` and `.parameters.json` files only.
    pub bicep: bool,
    /// The largest input read, in bytes.
    pub max_input_size: u64,
    /// Variables for Terraform sources.
    pub terraform: TerraformOptions,
    /// How long an external tool (the Bicep CLI) may run on one file.
    pub tool_timeout: std::time::Duration,
}

impl Default for PathOptions {
    /// Detection, no Bicep forcing, a 512 MiB limit and Terraform variables from the
    /// environment (`TF_VAR_*`).
    fn default() -> Self {
        PathOptions {
            format: InputFormat::Auto,
            bicep: false,
            max_input_size: 512 << 20,
            terraform: TerraformOptions::from_environment(),
            tool_timeout: std::time::Duration::from_secs(300),
        }
    }
}

/// One file to read, and whether the user named it (an unrecognised named file is an
/// error; an unrecognised file found in a directory is passed over).
struct InputFile {
    name: String,
    bytes: Vec<u8>,
    named: bool,
}

/// Where files are collected from, with the size limit and the directories already seen
/// (a symbolic link may lead back into one).
struct Collector {
    files: Vec<InputFile>,
    limit: u64,
    seen_dirs: HashSet<PathBuf>,
    /// Directories holding `.tf` files (Terraform modules), as given or found.
    terraform_dirs: Vec<PathBuf>,
    /// Whether `.tf` sources are read (input format `auto` or `terraform`).
    read_terraform: bool,
    /// Input format `bicep`: every file is Bicep source but for parameters files.
    bicep_only: bool,
    tool_timeout: std::time::Duration,
    /// Paths that could not be read: each an input error, the others still read.
    errors: Vec<IngestError>,
    /// Files found in directories that are not regular files (FIFOs, sockets, devices).
    special: Vec<String>,
}

fn is_parameters_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".parameters.json"))
}

/// Why a path could not be read, as an input error naming it.
fn unreadable(name: &str, why: impl std::fmt::Display) -> IngestError {
    IngestError::new(
        name,
        crate::Position::default(),
        format!("cannot read: {why}"),
    )
}

impl Collector {
    fn fail(&mut self, name: &str, why: impl std::fmt::Display) {
        self.errors.push(unreadable(name, why));
    }

    /// Reads what `path` names. A path that cannot be read is recorded and the walk goes
    /// on: one bad path never hides the others.
    fn collect(&mut self, path: &Path, named: bool) {
        if path.as_os_str() == "-" {
            match read_limited(std::io::stdin().lock(), "-", self.limit, 0) {
                Ok(bytes) => self.files.push(InputFile {
                    name: "-".into(),
                    bytes,
                    named: true,
                }),
                Err(e) => self.errors.extend(e),
            }
            return;
        }
        let name = path.display().to_string();
        // `metadata` follows links: a dangling link or a loop of links fails here.
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return self.fail(&name, e),
        };
        if meta.is_dir() {
            let real = match std::fs::canonicalize(path) {
                Ok(r) => r,
                Err(e) => return self.fail(&name, e),
            };
            if !self.seen_dirs.insert(real) {
                // A link back into a directory being read: its files are read once.
                return;
            }
            if self.read_terraform && is_terraform_dir(path) {
                self.terraform_dirs.push(path.to_path_buf());
            }
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(d) => d.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => return self.fail(&name, e),
            };
            entries.sort();
            for p in entries {
                let hidden = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'));
                // Variable files belong to the Terraform module beside them.
                let tfvars = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".tfvars.json"));
                if hidden || tfvars {
                    continue;
                }
                let json = p
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                let bicep = p
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("bicep"));
                let wanted = if self.bicep_only {
                    bicep || is_parameters_file(&p)
                } else {
                    json || bicep
                };
                let is_dir = std::fs::metadata(&p).is_ok_and(|m| m.is_dir());
                if !(is_dir || wanted) {
                    continue;
                }
                // A FIFO, socket or device found in a walk would block or never end:
                // listed, not read. (Named on the command line, one is read.)
                if !is_dir && std::fs::metadata(&p).is_ok_and(|m| !m.is_file()) {
                    self.special.push(p.display().to_string());
                    continue;
                }
                self.collect(&p, false);
            }
            return;
        }
        if path.extension().is_some_and(|e| e == "tf") && self.read_terraform {
            // Terraform reads a module as a whole directory, so a named file means its
            // directory.
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if !meta.is_file() {
                return self.fail(&name, "not a regular file");
            }
            if !self.terraform_dirs.contains(&dir) {
                self.terraform_dirs.push(dir);
            }
            return;
        }
        let bicep = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("bicep"));
        if bicep || (self.bicep_only && !is_parameters_file(path)) {
            match bicep::build(path, self.tool_timeout, self.limit) {
                // Read as its compiled template, under the `.bicep` file's name.
                Ok(bytes) => self.files.push(InputFile { name, bytes, named }),
                Err(e) => self.errors.extend(e),
            }
            return;
        }
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return self.fail(&name, e),
        };
        // Sized up front: growing the buffer by doubling copied a 150 MB input ~twice over.
        let size = if meta.is_file() { meta.len() } else { 0 };
        match read_limited(file, &name, self.limit, size) {
            Ok(bytes) => self.files.push(InputFile { name, bytes, named }),
            Err(e) => self.errors.extend(e),
        }
    }
}

/// Reads at most `limit` bytes; a larger input is an error rather than a slow death by
/// memory. `expected` is the size the input is believed to have (0 when unknown).
pub(crate) fn read_limited(
    reader: impl Read,
    name: &str,
    limit: u64,
    expected: u64,
) -> Result<Vec<u8>, Vec<IngestError>> {
    let too_large = || {
        vec![IngestError::new(
            name,
            crate::Position::default(),
            format!(
                "larger than the input size limit of {limit} bytes; raise it with --max-input-size"
            ),
        )]
    };
    let capacity = usize::try_from(expected.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    // Read straight into the buffer (through a 64 KiB chunk every byte was copied twice),
    // and never more than one byte past the limit (a device that never ends).
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| vec![unreadable(name, e)])?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// What the inputs hold, merged, with every problem; `skipped` lists files found in
/// directories that are in no known format.
#[derive(Debug)]
#[non_exhaustive]
pub struct PathInputs {
    /// The estate, with the problems of the parts that could not be read.
    pub ingested: Ingested,
    /// Files found in directories that are in no known input format.
    pub skipped: Vec<String>,
    /// Files found in directories that are not regular files (FIFOs, sockets, devices):
    /// not read, since reading one could block or never end.
    pub special: Vec<String>,
}

/// Reads every input. ARM parameters files apply to the template next to them
/// (`main.parameters.json` to `main.json`), or to the only template given.
pub fn read_paths(paths: &[PathBuf], options: &PathOptions) -> Result<PathInputs, PathsError> {
    let terraform = &options.terraform;
    let max_input_size = options.max_input_size;
    let format = options.format;
    let mut collector = Collector {
        files: Vec::new(),
        limit: max_input_size,
        seen_dirs: HashSet::new(),
        terraform_dirs: Vec::new(),
        read_terraform: matches!(format, InputFormat::Auto | InputFormat::TerraformConfig),
        bicep_only: options.bicep,
        tool_timeout: options.tool_timeout,
        errors: Vec::new(),
        special: Vec::new(),
    };
    for p in paths {
        collector.collect(p, true);
    }
    let files = if format == InputFormat::TerraformConfig {
        // Forced: only the `.tf` sources are read.
        Vec::new()
    } else {
        collector.files
    };
    let collector_limit = collector.limit;
    let terraform_dirs = collector.terraform_dirs;
    let mut errors: Vec<IngestError> = collector.errors;
    let special = collector.special;
    // One scan of each file's top level decides its part in template/parameters pairing.
    let mut params: Vec<InputFile> = Vec::new();
    // The scan is kept for reading the file: each scan reads the whole file (the second
    // scan of a 40 MB plan was 2 % of a profile of checking it).
    let mut rest: Vec<(InputFile, DocumentRole, Option<TopLevel>)> = Vec::new();
    for f in files {
        let top = scan(&f.bytes);
        match document_role(top.as_ref()) {
            DocumentRole::ArmParameters => params.push(f),
            role => rest.push((f, role, top)),
        }
    }
    let templates = rest
        .iter()
        .filter(|(_, role, _)| *role == DocumentRole::ArmTemplate)
        .count();
    let mut used_params = vec![false; params.len()];
    let mut results = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    // Several live listings are read as one, so a child exported on its own (`az rest` of
    // a namespace's rule set) attaches to its parent in another file.
    let others = rest
        .iter()
        .filter(|(_, r, _)| *r == DocumentRole::Other)
        .count();
    let grouped: Vec<bool> = rest
        .iter()
        .map(|(_, role, top)| {
            others > 1
                && *role == DocumentRole::Other
                && matches!(format, InputFormat::Auto | InputFormat::Arm)
                && is_arm_listing(top.as_ref())
        })
        .collect();
    let listings: Vec<(&[u8], &str)> = rest
        .iter()
        .zip(&grouped)
        .filter(|(_, g)| **g)
        .map(|((f, _, _), _)| (f.bytes.as_slice(), f.name.as_str()))
        .collect();
    if !listings.is_empty() {
        match read_listings(&listings) {
            Ok(i) => results.push(i),
            Err(mut e) => errors.append(&mut e),
        }
    }
    for ((f, role, top), grouped) in rest.iter_mut().zip(&grouped) {
        if *grouped {
            continue;
        }
        let pairing = if *role == DocumentRole::ArmTemplate {
            let stem = f
                .name
                .strip_suffix(".json")
                .or_else(|| f.name.strip_suffix(".bicep"))
                .unwrap_or(&f.name);
            params
                .iter()
                .position(|p| p.name.trim_end_matches(".json") == format!("{stem}.parameters"))
                .or((templates == 1 && params.len() == 1).then_some(0))
        } else {
            None
        };
        let result = match pairing {
            Some(i) => {
                used_params[i] = true;
                read_template_with_parameters(&f.bytes, &params[i].bytes, &f.name, &params[i].name)
            }
            None => read_scanned(&f.bytes, &f.name, format, top.take()),
        };
        match result {
            Ok(i) => results.push(i),
            Err(e) if !f.named && e.iter().any(|x| x.kind == IngestErrorKind::Unrecognised) => {
                skipped.push(f.name.clone());
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    read_terraform_roots(&terraform_dirs, terraform, &mut results, &mut errors);
    for (p, used) in params.iter().zip(used_params) {
        if used {
            continue;
        }
        // Named alone (a pre-commit hook passes only the staged file): its template beside it.
        if let Some((template, bytes)) =
            sibling_template(&p.name, collector_limit, options.tool_timeout)
        {
            match read_template_with_parameters(&bytes, &p.bytes, &template, &p.name) {
                Ok(i) => results.push(i),
                Err(mut e) => errors.append(&mut e),
            }
            continue;
        }
        {
            errors.push(IngestError::new(
                &p.name,
                crate::Position::pointer("/$schema"),
                "deployment parameters file without its template (name them `x.json` and `x.parameters.json`)",
            ));
        }
    }
    if !errors.is_empty() && results.is_empty() {
        // Nothing could be read: still a report, listing why (exit 2 by its input errors).
        return Ok(PathInputs {
            ingested: Ingested {
                estate: ahds_model::Estate::new(),
                format,
                problems: errors,
            },
            skipped,
            special,
        });
    }
    if results.is_empty() {
        // A gate that read nothing must not pass.
        let given: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let found = if skipped.is_empty() {
            "no `.json`, `.bicep` or `.tf` file".to_string()
        } else {
            format!(
                "only files in no known input format: {}",
                skipped.join(", ")
            )
        };
        return Err(PathsError::new(vec![format!(
            "{}: nothing to check: found {found}",
            given.join(", ")
        )]));
    }
    let mut ingested = merge(results);
    ingested.problems.extend(errors);
    Ok(PathInputs {
        ingested,
        skipped,
        special,
    })
}

/// Reads each Terraform root module. A directory that another root calls as a module is
/// part of that configuration, not a root of its own (`modules/` below a root).
fn read_terraform_roots(
    dirs: &[PathBuf],
    options: &TerraformOptions,
    results: &mut Vec<Ingested>,
    errors: &mut Vec<IngestError>,
) {
    // Shallow directories first: a root is usually above the modules it calls, which are
    // then known and not read at all.
    let mut order: Vec<&PathBuf> = dirs.iter().collect();
    order.sort_by_key(|d| d.components().count());
    let real = |d: &Path| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf());
    let mut read = Vec::new();
    let mut modules: HashSet<PathBuf> = HashSet::new();
    for dir in order {
        if modules.contains(&real(dir)) {
            continue;
        }
        let shown = dir.display().to_string();
        let shown = shown.trim_end_matches('/');
        let result =
            read_terraform_config(dir, if shown.is_empty() { "." } else { shown }, options);
        if let Ok(config) = &result {
            modules.extend(config.module_dirs.iter().cloned());
        }
        read.push((dir, result));
    }
    // A directory found to be a module only later (`envs/prod` calling `../../modules/x`)
    // is dropped with whatever reading it on its own produced, errors included.
    let roots: Vec<_> = read
        .into_iter()
        .filter(|(dir, _)| !modules.contains(&real(dir)))
        .collect();
    let several = roots.iter().filter(|(_, r)| r.is_ok()).count() > 1;
    for (dir, result) in roots {
        match result {
            Ok(mut config) => {
                if several {
                    let shown = dir.display().to_string();
                    roots::qualify(&mut config.ingested.estate, shown.trim_end_matches('/'));
                }
                results.push(config.ingested);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
}

/// The template `x.json` (or `x.bicep`) beside a parameters file `x.parameters.json`, when
/// it exists and is a template.
fn sibling_template(
    parameters: &str,
    limit: u64,
    timeout: std::time::Duration,
) -> Option<(String, Vec<u8>)> {
    let stem = parameters.strip_suffix(".parameters.json")?;
    let json = format!("{stem}.json");
    let bicep = format!("{stem}.bicep");
    if Path::new(&json).is_file() {
        let bytes = std::fs::File::open(&json)
            .ok()
            .and_then(|f| read_limited(f, &json, limit, 0).ok())?;
        return (document_role(scan(&bytes).as_ref()) == DocumentRole::ArmTemplate)
            .then_some((json, bytes));
    }
    if Path::new(&bicep).is_file() {
        return bicep::build(Path::new(&bicep), timeout, limit)
            .ok()
            .map(|b| (bicep, b));
    }
    None
}
