//! Evaluation of a configuration's expressions, lazily and once each: module variables,
//! locals, resource instances and module outputs are computed when first read, so the
//! order of blocks in the files does not matter, and a reference cycle (which Terraform
//! refuses) is reported instead of looping.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::load::{FileLine, ModuleDef};
use super::value::Val;

mod expr;
mod modules;
mod named;

use crate::error::{IngestError, Position};
pub(crate) use expr::strip_hidden;

pub(crate) use crate::terraform::ModulePath;

/// Meta-arguments: they shape a resource, they are not its attributes.
pub(crate) const META: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "providers",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
];

/// The hidden member of a resource instance's value holding its address, so an attribute
/// the configuration does not set reads as a symbol named after it.
const ADDRESS: &str = "\u{0}address";

/// The deepest nesting of expressions and references followed; real configurations stay
/// far below it.
const MAX_DEPTH: usize = 200;

/// Expressions evaluated in one configuration: nested `for` expressions could otherwise
/// run for hours. Real configurations use a few thousand per resource.
const MAX_STEPS: u64 = 20_000_000;

/// What the values built in one configuration may weigh (see [`Val::weight`]): one per
/// element, one per 32 bytes of text. Doubling `concat`s or templates in a loop would
/// otherwise fill memory; a real configuration builds a few thousand.
const MAX_WEIGHT: u64 = 4_000_000;

/// The longest string a template builds (names and settings are short).
const MAX_TEXT: usize = 1 << 20;

/// The most instances one `count` or `for_each` makes.
pub(crate) const MAX_INSTANCES: usize = 100_000;

/// One instance of a module: the root, or a module call (with its key).
#[derive(Debug)]
pub(crate) struct Inst {
    pub(crate) def: Rc<ModuleDef>,
    pub(crate) path: ModulePath,
    /// The instance and call index that made this one.
    pub(crate) parent: Option<(usize, usize)>,
    /// `each`/`count` of the module call, for its arguments.
    pub(crate) bind: Vec<(String, Val)>,
}

/// The instance key of a resource or module instance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InstKey {
    Index(usize),
    Key(String),
}

impl InstKey {
    pub(crate) fn address_suffix(&self) -> String {
        match self {
            InstKey::Index(i) => format!("[{i}]"),
            InstKey::Key(k) => format!("[\"{k}\"]"),
        }
    }
    pub(crate) fn plain(&self) -> String {
        match self {
            InstKey::Index(i) => i.to_string(),
            InstKey::Key(k) => k.clone(),
        }
    }
}

/// The iteration variables one instance binds (`count.index`, `each.key`/`each.value`).
pub(crate) type Bindings = Vec<(String, Val)>;

/// How a block with `count` or `for_each` expands.
#[derive(Debug, Clone)]
pub(crate) struct Expansion {
    /// `None` for a block without `count`/`for_each`.
    pub(crate) keys: Option<Vec<(InstKey, Bindings)>>,
    pub(crate) keyed: bool,
}

/// The evaluated instances of one resource block.
#[derive(Debug, Clone)]
pub(crate) struct Instances {
    pub(crate) keyed: bool,
    pub(crate) counted: bool,
    pub(crate) list: Vec<(Option<InstKey>, Val)>,
}

enum Slot<T> {
    Busy,
    Done(T),
}

/// Iteration variables in reach of an expression, and the file it is written in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub(crate) file: usize,
    pub(crate) bind: Vec<(String, Val)>,
}

impl Scope {
    pub(crate) fn new(file: usize, bind: Vec<(String, Val)>) -> Self {
        Scope { file, bind }
    }
    fn lookup(&self, name: &str) -> Option<&Val> {
        self.bind
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
    fn with(&self, more: Vec<(String, Val)>) -> Scope {
        let mut s = self.clone();
        s.bind.extend(more);
        s
    }
}

/// Module instances created by one call.
#[derive(Debug, Clone)]
pub(crate) enum Children {
    Instances {
        keyed: bool,
        counted: bool,
        list: Vec<(Option<InstKey>, usize)>,
    },
    /// Not read (a remote module not fetched, a cycle, a missing directory).
    Skipped,
}

/// How module calls find the definitions they instantiate.
pub(crate) trait Modules {
    /// The definition for call `call` of instance `inst`, or `None` (reported) when it
    /// cannot be read.
    fn child(&self, session: &Session<'_>, inst: usize, call: usize) -> Option<Rc<ModuleDef>>;
}

/// One evaluation of a configuration.
pub(crate) struct Session<'m> {
    pub(crate) insts: RefCell<Vec<Inst>>,
    pub(crate) root_values: HashMap<String, Val>,
    modules: &'m dyn Modules,
    vars: RefCell<HashMap<(usize, String), Slot<Val>>>,
    locals: RefCell<HashMap<(usize, String), Slot<Val>>>,
    resources: RefCell<HashMap<(usize, usize), Slot<Instances>>>,
    children: RefCell<HashMap<(usize, usize), Children>>,
    outputs: RefCell<HashMap<(usize, String), Slot<Val>>>,
    pub(crate) notes: RefCell<Vec<String>>,
    pub(crate) errors: RefCell<Vec<IngestError>>,
    depth: Cell<usize>,
    steps: Cell<u64>,
    /// What the values built so far weigh.
    weight: Cell<u64>,
    /// Set when a budget ran out (reported once): everything left is unknown.
    exhausted: Cell<bool>,
    /// `try()`/`can()` calls being evaluated: a refused call inside them is caught.
    catching: Cell<u32>,
    /// Set when a refused call was caught.
    caught: Cell<bool>,
    /// A variable file or command-line value: literal values only, as Terraform reads them.
    pub(crate) constant: bool,
}

impl<'m> Session<'m> {
    pub(crate) fn new(
        root: Rc<ModuleDef>,
        root_values: HashMap<String, Val>,
        modules: &'m dyn Modules,
    ) -> Self {
        Session {
            insts: RefCell::new(vec![Inst {
                def: root,
                path: Vec::new(),
                parent: None,
                bind: Vec::new(),
            }]),
            root_values,
            modules,
            vars: RefCell::default(),
            locals: RefCell::default(),
            resources: RefCell::default(),
            children: RefCell::default(),
            outputs: RefCell::default(),
            notes: RefCell::default(),
            errors: RefCell::default(),
            depth: Cell::new(0),
            steps: Cell::new(0),
            weight: Cell::new(0),
            exhausted: Cell::new(false),
            catching: Cell::new(0),
            caught: Cell::new(false),
            constant: false,
        }
    }

    pub(crate) fn def(&self, inst: usize) -> Rc<ModuleDef> {
        Rc::clone(&self.insts.borrow()[inst].def)
    }

    pub(crate) fn path(&self, inst: usize) -> ModulePath {
        self.insts.borrow()[inst].path.clone()
    }

    /// `file:line` of a place, for notes.
    pub(crate) fn place_text(&self, inst: usize, place: FileLine) -> String {
        let def = self.def(inst);
        format!("{}:{}", def.file_name(place), place.line)
    }

    fn place_of(&self, inst: usize, file: usize, span: Option<std::ops::Range<usize>>) -> FileLine {
        let def = self.def(inst);
        let line = match (span, def.files.get(file)) {
            (Some(s), Some(f)) => f.line_col(s.start).0,
            _ => 1,
        };
        FileLine { file, line }
    }

    pub(crate) fn note(&self, text: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    pub(crate) fn error(&self, inst: usize, place: FileLine, message: String) {
        self.push_error(inst, place.file, place.line, 1, message);
    }

    /// An error at an expression: its file, line and column.
    pub(crate) fn error_at(
        &self,
        inst: usize,
        file: usize,
        span: Option<std::ops::Range<usize>>,
        message: String,
    ) {
        let def = self.def(inst);
        let (line, column) = match (span, def.files.get(file)) {
            (Some(s), Some(f)) => f.line_col(s.start),
            _ => (1, 1),
        };
        self.push_error(inst, file, line, column, message);
    }

    fn push_error(&self, inst: usize, file: usize, line: usize, column: usize, message: String) {
        let def = self.def(inst);
        let name = def.files.get(file).map_or("", |f| f.name.as_str());
        let e = IngestError::new(name, Position::at(line, column), message);
        let mut errors = self.errors.borrow_mut();
        if !errors.contains(&e) {
            errors.push(e);
        }
    }

    /// Ends the evaluation with an error at an expression: a budget ran out, so the values
    /// left would be unknown for no reason the configuration gives.
    fn exhaust(&self, inst: usize, file: usize, span: Option<std::ops::Range<usize>>, why: String) {
        if !self.exhausted.replace(true) {
            self.error_at(inst, file, span, why);
        }
    }

    /// Counts a value built against the budget; past it the evaluation ends with an error.
    fn charge(&self, inst: usize, file: usize, span: Option<std::ops::Range<usize>>, v: &Val) {
        let left = MAX_WEIGHT.saturating_sub(self.weight.get());
        let w = v.weight(left);
        self.weight.set(self.weight.get().saturating_add(w));
        if w > left {
            self.exhaust(
                inst,
                file,
                span,
                format!("the values this configuration builds exceed {MAX_WEIGHT} elements (a doubling `concat`, a template in a loop?); evaluation stopped here"),
            );
        }
    }

    /// Runs `f` one level deeper; past the limit the evaluation ends with an error.
    fn deeper(
        &self,
        inst: usize,
        file: usize,
        span: Option<std::ops::Range<usize>>,
        f: impl FnOnce() -> Val,
    ) -> Val {
        if self.depth.get() >= MAX_DEPTH {
            self.exhaust(
                inst,
                file,
                span,
                format!("expressions and references nest more than {MAX_DEPTH} deep here; evaluation stopped"),
            );
            return Val::unknown();
        }
        self.depth.set(self.depth.get() + 1);
        let v = f();
        self.depth.set(self.depth.get() - 1);
        v
    }
}

pub(super) fn obj<const N: usize>(pairs: [(&str, Val); N]) -> Val {
    Val::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
