//! Reading the `.tf` files of a module directory into its blocks, with the place of each.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use crate::error::{IngestError, Position};

/// One `.tf` file: its name as shown to people and where its lines start.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub(crate) name: String,
    pub(crate) text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub(crate) fn new(name: String, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name,
            text,
            line_starts,
        }
    }

    /// 1-based line and column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line.saturating_sub(1)];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }
}

/// A place in a module's files: the file's index and a 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileLine {
    pub(crate) file: usize,
    pub(crate) line: usize,
}

/// A `resource` or `data` block.
#[derive(Debug)]
pub(crate) struct ResourceDef {
    pub(crate) data: bool,
    pub(crate) rtype: String,
    pub(crate) name: String,
    pub(crate) block: Block,
    pub(crate) at: FileLine,
    /// The last line of the block.
    pub(crate) end_line: usize,
}

/// A `module` block.
#[derive(Debug)]
pub(crate) struct CallDef {
    pub(crate) name: String,
    pub(crate) source: Option<String>,
    pub(crate) block: Block,
    pub(crate) at: FileLine,
}

/// A `variable` block.
#[derive(Debug)]
pub(crate) struct VariableDef {
    pub(crate) default: Option<Expression>,
    pub(crate) at: FileLine,
}

/// Everything a module directory declares.
#[derive(Debug, Default)]
pub(crate) struct ModuleDef {
    pub(crate) dir: PathBuf,
    pub(crate) files: Vec<SourceFile>,
    pub(crate) variables: BTreeMap<String, VariableDef>,
    pub(crate) locals: HashMap<String, (Expression, FileLine)>,
    pub(crate) resources: Vec<ResourceDef>,
    pub(crate) outputs: BTreeMap<String, (Expression, FileLine)>,
    pub(crate) calls: Vec<CallDef>,
    /// `provider "azurerm"` blocks by configuration key (`azurerm`, `azurerm.hub`).
    pub(crate) providers: BTreeMap<String, Block>,
    /// Resource blocks by mode, type and name: looked up per reference, so a scan would
    /// make large modules quadratic.
    pub(crate) resource_index: HashMap<(bool, String, String), usize>,
    pub(crate) call_index: HashMap<String, usize>,
}

impl ModuleDef {
    pub(crate) fn resource(&self, data: bool, rtype: &str, name: &str) -> Option<usize> {
        self.resource_index
            .get(&(data, rtype.to_string(), name.to_string()))
            .copied()
    }

    pub(crate) fn call(&self, name: &str) -> Option<usize> {
        self.call_index.get(name).copied()
    }

    pub(crate) fn file_name(&self, place: FileLine) -> &str {
        &self.files[place.file].name
    }
}

/// The `.tf` files of a directory, sorted (Terraform reads them in name order).
pub(crate) fn tf_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".tf") && !n.starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Parses a module's files. A file that does not parse is reported at its line and column
/// and left out; the others are still read.
pub(crate) fn load_module(dir: &Path, shown_dir: &str, errors: &mut Vec<IngestError>) -> ModuleDef {
    let mut def = ModuleDef {
        dir: dir.to_path_buf(),
        ..ModuleDef::default()
    };
    let files = match tf_files(dir) {
        Ok(f) => f,
        Err(e) => {
            errors.push(IngestError::new(
                shown_dir,
                Position::default(),
                format!("cannot read module directory: {e}"),
            ));
            return def;
        }
    };
    for path in files {
        let name = shown_path(shown_dir, &path);
        let text = match std::fs::read(&path)
            .map_err(|e| IngestError::new(&name, Position::default(), format!("cannot read: {e}")))
            .and_then(|bytes| source_text(bytes, &name))
        {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match hcl_edit::parser::parse_body(&text) {
            Ok(body) => {
                let index = def.files.len();
                def.files.push(SourceFile::new(name, text));
                add_body(&mut def, index, body, errors);
            }
            Err(e) => {
                let loc = e.location();
                errors.push(IngestError::new(
                    &name,
                    Position::at(loc.line(), loc.column()),
                    format!("not valid HCL: {}", e.message()),
                ));
            }
        }
    }
    def
}

/// A source file's text as Terraform reads it: UTF-8 without a leading byte-order mark.
/// Invalid UTF-8 is an error at its line and column.
pub(crate) fn source_text(bytes: Vec<u8>, name: &str) -> Result<String, IngestError> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let valid = &bytes[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&valid[start..]).chars().count() + 1;
            Err(IngestError::new(
                name,
                Position::at(line, column),
                "not UTF-8 text: Terraform reads only UTF-8",
            ))
        }
    }
}

/// `dir/file.tf` as the user would write it.
pub(crate) fn shown_path(shown_dir: &str, path: &Path) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if shown_dir.is_empty() || shown_dir == "." {
        file
    } else {
        format!("{}/{file}", shown_dir.trim_end_matches('/'))
    }
}

fn add_body(def: &mut ModuleDef, file: usize, body: Body, errors: &mut Vec<IngestError>) {
    for structure in body {
        let Structure::Block(block) = structure else {
            continue; // top-level attributes are not part of a Terraform module
        };
        let span = block.span().unwrap_or(0..0);
        let (line, _) = def.files[file].line_col(span.start);
        let (end_line, _) = def.files[file].line_col(span.end.saturating_sub(1));
        let at = FileLine { file, line };
        let labels: Vec<String> = block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect();
        let fname = def.files[file].name.clone();
        let duplicate = |what: String, errors: &mut Vec<IngestError>| {
            errors.push(IngestError::new(
                &fname,
                Position::at(line, 1),
                format!("{what} is declared twice"),
            ));
        };
        match (block.ident.as_str(), labels.as_slice()) {
            (kind @ ("resource" | "data"), [rtype, name]) => {
                let data = kind == "data";
                if def.resource(data, rtype, name).is_some() {
                    let prefix = if data { "data." } else { "" };
                    duplicate(format!("`{prefix}{rtype}.{name}`"), errors);
                    continue;
                }
                def.resource_index
                    .insert((data, rtype.clone(), name.clone()), def.resources.len());
                def.resources.push(ResourceDef {
                    data,
                    rtype: rtype.clone(),
                    name: name.clone(),
                    block,
                    at,
                    end_line,
                });
            }
            ("module", [name]) => {
                if def.call(name).is_some() {
                    duplicate(format!("`module.{name}`"), errors);
                    continue;
                }
                let source = block
                    .body
                    .get_attribute("source")
                    .and_then(|a| literal_string(&a.value));
                def.call_index.insert(name.clone(), def.calls.len());
                def.calls.push(CallDef {
                    name: name.clone(),
                    source,
                    block,
                    at,
                });
            }
            ("variable", [name]) => {
                let default = block.body.get_attribute("default").map(|a| a.value.clone());
                def.variables
                    .insert(name.clone(), VariableDef { default, at });
            }
            ("locals", []) => {
                for attr in block.body.attributes() {
                    let line = attr
                        .span()
                        .map_or(line, |s| def.files[file].line_col(s.start).0);
                    def.locals.insert(
                        attr.key.as_str().to_string(),
                        (attr.value.clone(), FileLine { file, line }),
                    );
                }
            }
            ("output", [name]) => {
                if let Some(v) = block.body.get_attribute("value") {
                    def.outputs.insert(name.clone(), (v.value.clone(), at));
                }
            }
            ("provider", [name]) => {
                let key = match block
                    .body
                    .get_attribute("alias")
                    .and_then(|a| literal_string(&a.value))
                {
                    Some(alias) => format!("{name}.{alias}"),
                    None => name.clone(),
                };
                def.providers.insert(key, block);
            }
            _ => {} // terraform, moved, import, check, removed: nothing to check
        }
    }
}

/// The text of a string literal (a template without interpolations).
pub(crate) fn literal_string(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                out.push_str(el.as_literal()?.value());
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
impl ModuleDef {
    /// A module of one file's text, for tests.
    pub(crate) fn from_text(name: &str, text: &str) -> (ModuleDef, Vec<IngestError>) {
        let mut def = ModuleDef::default();
        let mut errors = Vec::new();
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => {
                def.files.push(SourceFile::new(name.into(), text.into()));
                add_body(&mut def, 0, body, &mut errors);
            }
            Err(e) => errors.push(IngestError::new(
                name,
                Position::default(),
                e.message().to_string(),
            )),
        }
        (def, errors)
    }
}
