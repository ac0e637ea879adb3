//! The functions, tested from tables of cases in `testdata/terraform/functions/`, one file
//! per family. Each line is `EXPRESSION => EXPECTED`, where EXPECTED is
//! - an HCL value (symbols written in strings as `{name}`),
//! - `symbol NAME`: a value unknown before apply, standing as the symbol NAME,
//! - `unknown`: unknown, with no name,
//! - `error TEXT`: Terraform refuses the call; the error message holds TEXT.
//!
//! `var.sym` is a variable nobody set (the symbol `var.sym`); `local.unknown` has no value
//! and no name (a `for` over an unknown collection); `local.tmpl` is the text
//! `hello ${name}`.

use std::collections::HashMap;
use std::rc::Rc;

use super::super::eval::{Modules, Session};
use super::super::load::ModuleDef;
use super::super::value::Val;

struct NoModules;

impl Modules for NoModules {
    fn child(&self, _: &Session<'_>, _: usize, _: usize) -> Option<Rc<ModuleDef>> {
        None
    }
}

const PRELUDE: &str = "variable \"sym\" {}\nlocals {\n  unknown = [for x in var.sym : x]\n  tmpl = \"hello $${name}\"\n}\n";

/// Evaluates `expr` as a local of a module with `var.sym` unset: the value and the errors.
fn eval(expr: &str) -> (Val, Vec<String>) {
    let text = format!("{PRELUDE}locals {{\n  case = {expr}\n}}\n");
    let (def, errors) = ModuleDef::from_text("case.tf", &text);
    assert!(errors.is_empty(), "{expr}: {errors:?}");
    let session = Session::new(Rc::new(def), HashMap::new(), &NoModules);
    let v = session.local(0, "case");
    let errors = session
        .errors
        .take()
        .into_iter()
        .map(|e| e.message)
        .collect();
    (v, errors)
}

fn check_file(name: &str) -> usize {
    let path = format!(
        "{}/../../testdata/terraform/functions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((expr, expected)) = line.rsplit_once(" => ") else {
            panic!("{name}:{}: no ` => `", n + 1);
        };
        cases += 1;
        let (got, errors) = eval(expr.trim());
        let expected = expected.trim();
        let ok = if let Some(text) = expected.strip_prefix("error ") {
            errors.iter().any(|e| e.contains(text))
        } else if !errors.is_empty() {
            false
        } else if let Some(sym) = expected.strip_prefix("symbol ") {
            got == Val::Unknown(Some(sym.to_string()))
        } else if expected == "unknown" {
            got == Val::Unknown(None)
        } else {
            let (want, werr) = eval(expected);
            assert!(
                werr.is_empty(),
                "{name}:{}: expected value: {werr:?}",
                n + 1
            );
            values_equal(&got, &want)
        };
        if !ok {
            failures.push(format!(
                "{name}:{}: `{expr}` gave {got:?} with errors {errors:?}; expected {expected}",
                n + 1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    cases
}

/// Equal values, numbers compared to a relative precision (decimal text in the table).
fn values_equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Val::Object(x), Val::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && values_equal(v1, v2))
        }
        _ => a == b,
    }
}

macro_rules! family {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            assert!(check_file($file) > 0);
        }
    };
}

family!(strings, "strings.txt");
family!(collections, "collections.txt");
family!(encoding, "encoding.txt");
family!(crypto, "crypto.txt");
family!(numeric, "numeric.txt");
family!(network, "network.txt");
family!(time, "time.txt");
family!(evaluation, "evaluation.txt");
