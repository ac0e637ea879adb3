//! The public surface of every library crate, listed in `api/<crate>.txt`: each item declared
//! `pub` (functions with their signatures, types with their public fields and variants,
//! inherent methods, trait impls, re-exports), so a change to what embedders see shows up
//! in review as a diff of that file. Rewrite the files with
//! `AHDS_GUARD_BLESS=1 cargo test -p ahds-guard --test public_api` and read the diff.
//!
//! The listing is read from the source with `syn`, not from rustdoc (which needs a nightly
//! flag and a second build of every dependency): an item declared `pub` inside a private
//! module is listed even when nothing re-exports it, so the listing is a superset of what is
//! reachable.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;

use quote::ToTokens;
use syn::{Attribute, ImplItem, Item, TraitItem, Visibility};

const CRATES: [&str; 4] = ["ahds-model", "ahds-ingest", "ahds-guard", "ahds-collect"];

#[test]
fn public_items_are_listed() {
    let mut stale = Vec::new();
    for name in CRATES {
        let listing = listing(&common::root().join("crates").join(name).join("src"));
        let rel = format!("api/{name}.txt");
        let path = common::root().join(&rel);
        if std::env::var_os("AHDS_GUARD_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &listing).unwrap();
            continue;
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != listing {
            stale.push(rel);
        }
    }
    assert!(
        stale.is_empty(),
        "the public API changed: {stale:?}; rewrite with `AHDS_GUARD_BLESS=1 cargo test -p ahds-guard --test public_api` and review the diff"
    );
}

/// Every public item under `src`, one per line, files in path order.
fn listing(src: &Path) -> String {
    let mut files = Vec::new();
    common::files_with_extension(src, "rs", &mut files);
    files.sort();
    let parsed: Vec<(String, syn::File)> = files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let parsed =
                syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            (module_path(src, file), parsed)
        })
        .collect();
    // Impls are listed for the crate's public types only.
    let mut public = std::collections::BTreeSet::new();
    for (_, file) in &parsed {
        public_types(&file.items, &mut public);
    }
    // A module declared `#[doc(hidden)]` in its parent's file hides every file under it.
    let hidden: Vec<String> = parsed
        .iter()
        .flat_map(|(module, file)| {
            file.items.iter().filter_map(move |item| match item {
                Item::Mod(m) if m.content.is_none() && skipped(&m.attrs) => {
                    Some(format!("{module}::{}", m.ident))
                }
                _ => None,
            })
        })
        .collect();
    let mut out = String::new();
    for (module, file) in &parsed {
        let under = |h: &String| module == h || module.starts_with(&format!("{h}::"));
        if !hidden.iter().any(under) {
            items(&file.items, module, &public, &mut out);
        }
    }
    out
}

/// `lib.rs` → `crate`, `a/mod.rs` → `crate::a`, `a/b.rs` → `crate::a::b`.
fn module_path(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = std::iter::once("crate".to_string())
        .chain(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        )
        .filter(|c| c != "lib" && c != "mod" && c != "main")
        .collect();
    parts.join("::")
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// Test-only and hidden items are not part of the surface.
fn skipped(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        let text = a.to_token_stream().to_string();
        text.contains("cfg (test)")
            || text.contains("cfg (doctest)")
            || text.contains("doc (hidden)")
    })
}

fn non_exhaustive(attrs: &[Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        " #[non_exhaustive]"
    } else {
        ""
    }
}

/// Tokens as text, with the spaces `to_string` puts around punctuation taken out.
fn text(tokens: &impl ToTokens) -> String {
    let mut s = tokens.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" ,", ","),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        ("& ", "&"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ;", ";"),
        ("' ", "'"),
        (" : ", ": "),
        (",)", ")"),
        (", }", " }"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// A variant's fields without their attributes: `(T)`, `{ a: T, b: U }` or nothing.
fn fields(fields: &syn::Fields) -> String {
    let each = |f: &syn::Field| match &f.ident {
        Some(name) => format!("{name}: {}", text(&f.ty)),
        None => text(&f.ty),
    };
    match fields {
        syn::Fields::Named(n) => {
            format!(
                " {{ {} }}",
                n.named.iter().map(each).collect::<Vec<_>>().join(", ")
            )
        }
        syn::Fields::Unnamed(u) => {
            format!(
                "({})",
                u.unnamed.iter().map(each).collect::<Vec<_>>().join(", ")
            )
        }
        syn::Fields::Unit => String::new(),
    }
}

fn path_of(module: &str, name: &impl ToString) -> String {
    if module.is_empty() {
        name.to_string()
    } else {
        format!("{module}::{}", name.to_string())
    }
}

fn public_types(items: &[Item], out: &mut std::collections::BTreeSet<String>) {
    for item in items {
        match item {
            Item::Struct(s) if is_pub(&s.vis) && !skipped(&s.attrs) => {
                out.insert(s.ident.to_string());
            }
            Item::Enum(e) if is_pub(&e.vis) && !skipped(&e.attrs) => {
                out.insert(e.ident.to_string());
            }
            Item::Mod(m) if !skipped(&m.attrs) => {
                if let Some((_, inner)) = &m.content {
                    public_types(inner, out);
                }
            }
            _ => {}
        }
    }
}

/// The name of the type an impl is for (`Report` for `impl Foo for crate::Report<'a>`).
fn impl_target_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => impl_target_name(&r.elem),
        _ => None,
    }
}

fn items(
    items: &[Item],
    module: &str,
    public: &std::collections::BTreeSet<String>,
    out: &mut String,
) {
    use std::fmt::Write as _;
    for item in items {
        match item {
            Item::Fn(f) if is_pub(&f.vis) && !skipped(&f.attrs) => {
                let _ = writeln!(out, "{module}: pub {}", text(&f.sig));
            }
            Item::Struct(s) if is_pub(&s.vis) && !skipped(&s.attrs) => {
                let _ = writeln!(
                    out,
                    "pub struct {}{}{}",
                    path_of(module, &s.ident),
                    text(&s.generics),
                    non_exhaustive(&s.attrs)
                );
                for (i, field) in s.fields.iter().enumerate() {
                    if is_pub(&field.vis) {
                        let name = field
                            .ident
                            .as_ref()
                            .map_or(i.to_string(), ToString::to_string);
                        let _ = writeln!(out, "    pub {name}: {}", text(&field.ty));
                    }
                }
            }
            Item::Enum(e) if is_pub(&e.vis) && !skipped(&e.attrs) => {
                let _ = writeln!(
                    out,
                    "pub enum {}{}{}",
                    path_of(module, &e.ident),
                    text(&e.generics),
                    non_exhaustive(&e.attrs)
                );
                for v in &e.variants {
                    let _ = writeln!(out, "    {}{}", v.ident, fields(&v.fields));
                }
            }
            Item::Const(c) if is_pub(&c.vis) && !skipped(&c.attrs) => {
                let _ = writeln!(
                    out,
                    "pub const {}: {}",
                    path_of(module, &c.ident),
                    text(&c.ty)
                );
            }
            Item::Static(s) if is_pub(&s.vis) && !skipped(&s.attrs) => {
                let _ = writeln!(
                    out,
                    "pub static {}: {}",
                    path_of(module, &s.ident),
                    text(&s.ty)
                );
            }
            Item::Type(t) if is_pub(&t.vis) && !skipped(&t.attrs) => {
                let _ = writeln!(
                    out,
                    "pub type {} = {}",
                    path_of(module, &t.ident),
                    text(&t.ty)
                );
            }
            Item::Trait(t) if is_pub(&t.vis) && !skipped(&t.attrs) => {
                let _ = writeln!(out, "pub trait {}", path_of(module, &t.ident));
                for ti in &t.items {
                    if let TraitItem::Fn(f) = ti {
                        let _ = writeln!(out, "    {}", text(&f.sig));
                    }
                }
            }
            Item::Use(u) if is_pub(&u.vis) && !skipped(&u.attrs) => {
                let _ = writeln!(out, "{module}: pub use {}", text(&u.tree));
            }
            Item::Mod(m) if !skipped(&m.attrs) => {
                if let Some((_, inner)) = &m.content {
                    self::items(inner, &path_of(module, &m.ident), public, out);
                } else if is_pub(&m.vis) {
                    let _ = writeln!(out, "pub mod {}", path_of(module, &m.ident));
                }
            }
            Item::Impl(i)
                if !skipped(&i.attrs)
                    && impl_target_name(&i.self_ty).is_some_and(|n| public.contains(&n)) =>
            {
                let target = text(&i.self_ty);
                match &i.trait_ {
                    Some((_, t, _)) => {
                        let _ = writeln!(out, "{module}: impl {} for {target}", text(t));
                    }
                    None => {
                        for ii in &i.items {
                            if let ImplItem::Fn(f) = ii {
                                if is_pub(&f.vis) && !skipped(&f.attrs) {
                                    let _ = writeln!(
                                        out,
                                        "{module}: impl {target}: pub {}",
                                        text(&f.sig)
                                    );
                                }
                            }
                        }
                    }
                }
            }
            Item::Macro(m) if m.attrs.iter().any(|a| a.path().is_ident("macro_export")) => {
                let name = m.ident.as_ref().map_or(String::new(), ToString::to_string);
                let _ = writeln!(out, "macro {name}!");
            }
            _ => {}
        }
    }
}
