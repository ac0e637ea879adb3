//! Evaluation of a configuration's expressions, lazily and once each: module variables,
//! locals, resource instances and module outputs are computed when first read, so the
//! order of blocks in the files does not matter, and a reference cycle (which Terraform
//! refuses) is reported instead of looping.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::load::{ModuleDef, Place};
use super::value::Val;

mod expr;
mod modules;
mod named;

use crate::error::{IngestError, Location};
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

/// The deepest chain of references followed; real configurations stay far below it.
const MAX_DEPTH: usize = 200;

/// Expressions evaluated in one configuration before the rest is left unknown: nested
/// `for` expressions over `range()` could otherwise run for hours. Real configurations
/// use a few thousand.
const MAX_STEPS: u64 = 2_000_000;

/// The longest string a template builds; longer ones are unknown (names and settings are
/// short, and a template in a loop could otherwise fill memory).
const MAX_TEXT: usize = 1 << 20;

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
        }
    }

    pub(crate) fn def(&self, inst: usize) -> Rc<ModuleDef> {
        Rc::clone(&self.insts.borrow()[inst].def)
    }

    pub(crate) fn path(&self, inst: usize) -> ModulePath {
        self.insts.borrow()[inst].path.clone()
    }

    /// `file:line` of a place, for notes.
    pub(crate) fn place_text(&self, inst: usize, place: Place) -> String {
        let def = self.def(inst);
        format!("{}:{}", def.file_name(place), place.line)
    }

    fn place_of(&self, inst: usize, file: usize, span: Option<std::ops::Range<usize>>) -> Place {
        let def = self.def(inst);
        let line = span.map_or(1, |s| def.files[file].line_col(s.start).0);
        Place { file, line }
    }

    pub(crate) fn note(&self, text: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    pub(crate) fn error(&self, inst: usize, place: Place, message: String) {
        let def = self.def(inst);
        let e = IngestError::new(def.file_name(place), Location::at(place.line, 1), message);
        let mut errors = self.errors.borrow_mut();
        if !errors.contains(&e) {
            errors.push(e);
        }
    }

    /// Runs `f` one level deeper; past the limit the value is unknown.
    fn deeper(&self, f: impl FnOnce() -> Val) -> Val {
        if self.depth.get() >= MAX_DEPTH {
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
