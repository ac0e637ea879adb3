//! Values of the root module's variables, from the places `terraform plan` reads them, in
//! its order of precedence: `TF_VAR_*`, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars` (by name), then `--var-file` and `--var` in the order given.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use hcl_edit::Span;

use super::TerraformOptions;
use super::eval::{Modules, Scope, Session};
use super::load::{ModuleDef, SourceFile};
use super::value::Val;
use crate::error::{IngestError, Position};

/// A session with no modules, for the constant expressions of variable files.
struct NoModules;

impl Modules for NoModules {
    fn child(&self, _: &Session<'_>, _: usize, _: usize) -> Option<Rc<ModuleDef>> {
        None
    }
}

/// The values of the root variables, and where each was last set (a file, `--var NAME`;
/// none for `TF_VAR_*`, which Terraform does not check against the declarations).
pub(crate) struct RootValues {
    pub(crate) values: HashMap<String, Val>,
    pub(crate) given_in: HashMap<String, String>,
}

pub(crate) fn root_values(
    dir: &Path,
    shown: &str,
    options: &TerraformOptions,
    errors: &mut Vec<IngestError>,
) -> RootValues {
    let mut values = HashMap::new();
    let mut given_in = HashMap::new();
    for (k, v) in &options.env {
        values.insert(k.clone(), raw_value(v, &format!("TF_VAR_{k}"), errors));
    }
    let mut files = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(name);
        if p.is_file() {
            files.push((p, super::load::shown_path(shown, &dir.join(name))));
        }
    }
    let mut auto: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
        })
        .collect();
    auto.sort();
    for p in auto {
        let s = super::load::shown_path(shown, &p);
        files.push((p, s));
    }
    for p in &options.var_files {
        files.push((p.clone(), p.display().to_string()));
    }
    for (path, name) in files {
        match std::fs::read(&path) {
            Ok(bytes) => match super::load::source_text(bytes, &name) {
                Ok(text) => {
                    let mut read = HashMap::new();
                    read_file(&text, &name, &mut read, errors);
                    for k in read.keys() {
                        given_in.insert(k.clone(), name.clone());
                    }
                    values.extend(read);
                }
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(IngestError::new(
                &name,
                Position::default(),
                format!("cannot read variable file: {e}"),
            )),
        }
    }
    for (k, v) in &options.vars {
        values.insert(k.clone(), raw_value(v, &format!("--var {k}"), errors));
        given_in.insert(k.clone(), format!("--var {k}"));
    }
    RootValues { values, given_in }
}

/// A value given on the command line or in the environment: HCL when it is a list or an
/// object, else the text itself (Terraform converts it to the variable's type). `shown`
/// names where it came from in messages.
fn raw_value(text: &str, shown: &str, errors: &mut Vec<IngestError>) -> Val {
    let t = text.trim_start();
    if t.starts_with('[') || t.starts_with('{') {
        match hcl_edit::parser::parse_expr(text) {
            Ok(e) => return constant(&e, shown, text, errors),
            Err(e) => {
                let loc = e.location();
                errors.push(IngestError::new(
                    shown,
                    Position::at(loc.line(), loc.column()),
                    format!("the value is not valid HCL: {}", e.message()),
                ));
                return Val::unknown();
            }
        }
    }
    Val::String(text.to_string())
}

/// Evaluates a variable value as Terraform does: literal values, operators and `for`
/// expressions over them, no references and no function calls. `text` is the file (or
/// command-line value) it is written in, for the places of errors.
fn constant(
    e: &hcl_edit::expr::Expression,
    shown: &str,
    text: &str,
    errors: &mut Vec<IngestError>,
) -> Val {
    let def = ModuleDef {
        files: vec![SourceFile::new(shown.to_string(), text.to_string())],
        ..ModuleDef::default()
    };
    let mut session = Session::new(Rc::new(def), HashMap::new(), &NoModules);
    session.constant = true;
    let v = session.eval(0, &Scope::default(), e);
    errors.extend(session.errors.take());
    v
}

fn read_file(
    text: &str,
    name: &str,
    values: &mut HashMap<String, Val>,
    errors: &mut Vec<IngestError>,
) {
    if name.ends_with(".json") {
        match crate::strict_json::from_str(text) {
            Ok(serde_json::Value::Object(m)) => {
                for (k, v) in m {
                    values.insert(k, Val::from_json(&v));
                }
            }
            Ok(_) => errors.push(IngestError::new(
                name,
                Position::pointer(""),
                "a JSON variable file must be an object",
            )),
            Err(e) => errors.push(IngestError::new(
                name,
                Position::at(e.line(), e.column()),
                format!("variable file is not valid JSON: {e}"),
            )),
        }
        return;
    }
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => {
            for a in body.attributes() {
                values.insert(
                    a.key.as_str().to_string(),
                    constant(&a.value, name, text, errors),
                );
            }
            if let Some(b) = body.blocks().next() {
                let line = b
                    .span()
                    .map_or(1, |s| text[..s.start].matches('\n').count() + 1);
                errors.push(IngestError::new(
                    name,
                    Position::at(line, 1),
                    format!(
                        "a variable file holds `name = value` lines, not blocks (`{}`)",
                        b.ident.as_str()
                    ),
                ));
            }
        }
        Err(e) => {
            let loc = e.location();
            errors.push(IngestError::new(
                name,
                Position::at(loc.line(), loc.column()),
                format!("variable file is not valid HCL: {}", e.message()),
            ));
        }
    }
}
