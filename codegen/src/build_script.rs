//! Generating a client from a build script, into `OUT_DIR`, as one Rust file that a module
//! of your crate includes.
//!
//! A build script cannot add a crate to the build, so the crate [`generate`] would write
//! becomes one module: each of its modules an inline `mod` of that file, its `crate::` paths
//! made relative (`super::`), its own unit tests left out, and no cargo feature per tag
//! (your crate does not declare them): every operation is compiled.
//!
//! # Use
//!
//! `Cargo.toml` (the version is that of your `codegen`; the `[dependencies]` are those the
//! generated code uses, see below):
//!
//! ```toml
//! [build-dependencies]
//! codegen = { path = "../openapi-rust-gen/codegen" }
//!
//! [dependencies]
//! bytes = "1.5"
//! chrono = { version = "0.4.38", default-features = false, features = ["serde", "std"] }
//! futures-core = "0.3.30"
//! percent-encoding = "2.3"
//! # `rustls` (or `native-tls`) for HTTPS, `http2` for HTTP/2: the features a generated crate
//! # turns on by default.
//! reqwest = { version = "0.13", default-features = false, features = ["json", "system-proxy", "rustls", "http2"] }
//! serde = { version = "1.0.200", features = ["derive"] }
//! serde_json = "1.0.100"
//! serde_path_to_error = "0.1.16"
//! tokio = { version = "1.38", default-features = false, features = ["sync", "time"] }
//! # Optional: `tracing` spans for every call and attempt, with `--features tracing`.
//! tracing = { version = "0.1.40", default-features = false, features = ["std"], optional = true }
//!
//! [features]
//! tracing = ["dep:tracing"]
//! ```
//!
//! `build.rs`, with the description at `api.yaml` beside `Cargo.toml`:
//!
//! ```no_run
//! fn main() {
//!     codegen::build_script::BuildScript::new("api.yaml")
//!         .module_name("petstore")
//!         .run();
//! }
//! ```
//!
//! `src/lib.rs` (or any module of your crate):
//!
//! ```ignore
//! pub mod petstore {
//!     include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
//! }
//!
//! async fn names(client: &petstore::Client) -> Result<Vec<String>, petstore::Error> {
//!     let pets = client.list_pets(&petstore::ListPetsParams::default()).await?;
//!     Ok(pets.body().iter().map(|pet| pet.name.clone()).collect())
//! }
//! ```
//!
//! The module holds what the generated crate's root would: `petstore::Client`, the models
//! in `petstore::types` and re-exported beside it, the errors and the runtime's types.
//!
//! # What a run does
//!
//! [`BuildScript::run`] prints `cargo::rerun-if-changed` for the description, so cargo runs
//! the script again when it changes (and only then, or when the script or `codegen` does);
//! each warning about the description as one `cargo::warning` line (the file, line and
//! column, the JSON pointer, the message); each error as a `cargo::error` line, after which
//! it exits with status 1 and writes nothing; and, on success, writes
//! `$OUT_DIR/<module>.rs` (through a temporary file and a rename, and only when its text
//! changed, so an unchanged description recompiles nothing). `cargo::error` needs cargo 1.84;
//! `cargo::` directives need a crate whose `rust-version`, if set, is 1.77 or later.
//! [`BuildScript::plan`] is the same run without printing or writing.
//!
//! # Differences from the generated crate
//!
//! - `Cargo.toml`'s dependencies are yours to declare: [`GeneratedModule::dependencies`] has
//!   them, and they are the list above. TLS is reqwest's `rustls` or `native-tls` feature.
//! - No feature per tag: every operation and model is compiled. `tracing` spans are behind
//!   a `tracing` feature, as in the crate: declare `tracing = ["dep:tracing"]` and the
//!   optional `tracing` dependency to have them. The script declares the feature name to
//!   rustc (`cargo::rustc-check-cfg`), so a crate without it draws no `unexpected_cfgs`
//!   warning.
//! - The default user agent, `<package>/<version>`, names your package, since it is read off
//!   `CARGO_PKG_NAME` where the code compiles.
//! - The code examples of the docs name the generated crate, not your module, so they are
//!   marked `ignore`: your doctests do not run them.
//! - Comments of the crate's sources are not kept (documentation is).
//! - A binary, or a library whose module is private, uses only some of the client: rustc
//!   calls the rest dead code. Put `#[allow(dead_code, unused_imports)]` on the module there.

// The example is a whole `build.rs`, whose `main` is the point.
#![allow(clippy::needless_doctest_main)]

use crate::contract::{Config, Generated, GeneratedFile};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::format;
use crate::pipeline::generate;
use crate::profile::Profile;
use proc_macro2::{Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use syn::visit_mut::{self, VisitMut};
use syn::{
    AttrStyle, Attribute, Expr, ExprLit, ImplItem, Item, ItemMod, ItemUse, Lit, LitStr, Meta,
    Token, UseName, UsePath, UseTree, VisRestricted,
};

/// The generated client as one module file, and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedModule {
    /// The Rust file to `include!` in a module of your crate.
    pub source: String,
    /// The `[dependencies]` the generated crate would declare, one TOML line each
    /// (`serde_json = "1.0.100"`): the crate that includes the module needs them.
    pub dependencies: Vec<String>,
    /// What the description could have said better; the module was generated anyway.
    pub warnings: Vec<Diagnostic>,
    /// The vendor conventions the module follows.
    pub profile: Profile,
}

impl GeneratedModule {
    /// The dependencies' package names, as `[dependencies]` keys them.
    pub fn dependency_names(&self) -> impl Iterator<Item = &str> {
        self.dependencies
            .iter()
            .filter_map(|line| Some(line.split_once('=')?.0.trim()))
    }
}

/// Generates the client of the description `text` as one module file: the pipeline without
/// a feature per tag, then [`module_source`]. `spec_name` names the description in
/// diagnostics.
pub fn generate_module(
    text: &str,
    spec_name: &str,
    module_name: &str,
    profile: Option<Profile>,
) -> Result<GeneratedModule, Diagnostics> {
    let config = Config {
        crate_name: module_name.replace('_', "-"),
        crate_version: "0.0.0".to_owned(),
        spec_name: spec_name.to_owned(),
        guide: None,
        profile,
        tag_features: false,
        generator_command: "codegen::build_script".to_owned(),
    };
    let generated = generate(text, &config)?;
    let Generated {
        files,
        warnings,
        profile,
        ..
    } = generated;
    let source = module_source(&files, spec_name).map_err(|error| {
        let mut all = Diagnostics(warnings.clone());
        all.0.push(error);
        all
    })?;
    let manifest = files
        .iter()
        .find(|file| file.path == "Cargo.toml")
        .map_or("", |file| file.contents.as_str());
    Ok(GeneratedModule {
        source,
        dependencies: manifest_dependencies(manifest),
        warnings,
        profile,
    })
}

/// The lines of a manifest's `[dependencies]` table, comments and blank lines left out.
pub fn manifest_dependencies(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .skip_while(|line| line.trim() != "[dependencies]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// A generated crate's Rust files as one file for a module of another crate to include:
/// `src/lib.rs`'s items, each `mod x;` made an inline module holding `src/x.rs` (with the
/// crate's inner attributes but its docs, which an included file cannot have), paths from
/// `crate` made relative to the including module, `#[cfg(test)]` items left out, and the
/// docs' Rust examples marked `ignore`, since they name the crate.
pub fn module_source(files: &[GeneratedFile], spec_name: &str) -> Result<String, Diagnostic> {
    single_file(files, spec_name).map_err(|what| {
        Diagnostic::new(
            spec_name,
            "#",
            format!("internal error: the generated crate does not make one module: {what}"),
        )
        .with_hint("this is a bug in codegen; please report it with the spec")
    })
}

fn single_file(files: &[GeneratedFile], spec_name: &str) -> Result<String, String> {
    let parse = |path: &str| {
        let file = files
            .iter()
            .find(|file| file.path == path)
            .ok_or_else(|| format!("no {path}"))?;
        syn::parse_file(&file.contents).map_err(|error| format!("{path}: {error}"))
    };
    let root = parse("src/lib.rs")?;
    let crate_attrs: Vec<Attribute> = root
        .attrs
        .into_iter()
        .filter(|attr| !attr.path().is_ident("doc"))
        .collect();
    let mut items = Vec::with_capacity(root.items.len());
    for item in root.items {
        match item {
            Item::Mod(mut module) if module.content.is_none() => {
                let path = format!("src/{}.rs", module.ident);
                let file = parse(&path)?;
                if let Some(nested) = file.items.iter().find_map(out_of_line_module) {
                    return Err(format!(
                        "{path} declares `mod {nested};` in a file of its own"
                    ));
                }
                module.attrs.extend(file.attrs);
                module.attrs.extend(crate_attrs.iter().cloned());
                module.content = Some((Default::default(), file.items));
                module.semi = None;
                items.push(Item::Mod(module));
            }
            item => items.push(item),
        }
    }
    let mut file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    };
    Relocate { depth: 0 }.visit_file_mut(&mut file);
    Ok(format!(
        "// @generated by `codegen::build_script` from {spec_name}. Do not edit: edit the \
         description.\n\n{}",
        format::join([prettyplease::unparse(&file).as_str()])
    ))
}

fn out_of_line_module(item: &Item) -> Option<String> {
    match item {
        Item::Mod(module) if module.content.is_none() && !is_test_only(&module.attrs) => {
            Some(module.ident.to_string())
        }
        _ => None,
    }
}

/// `#[cfg(test)]`: the runtime's own unit tests, which are not the including crate's.
fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| match &attr.meta {
        Meta::List(list) => list.path.is_ident("cfg") && list.tokens.to_string() == "test",
        _ => false,
    })
}

/// Rewrites a crate's items for their place in an including module: `depth` is how many
/// modules below the include site the items being visited are, so `crate` becomes `self`
/// at the include site and `super` (as many times as `depth`) below it.
struct Relocate {
    depth: usize,
}

impl Relocate {
    fn root(&self) -> Vec<&'static str> {
        match self.depth {
            0 => vec!["self"],
            depth => vec!["super"; depth],
        }
    }

    fn docs(&self, attrs: &mut [Attribute], depth: usize) {
        let root = match depth {
            0 => "self::".to_owned(),
            depth => "super::".repeat(depth),
        };
        let mut fence = None;
        for attr in attrs {
            if !attr.path().is_ident("doc") {
                continue;
            }
            let Meta::NameValue(doc) = &mut attr.meta else {
                continue;
            };
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) = &mut doc.value
            {
                let relocated = relocate_doc(&text.value(), &root, &mut fence);
                *text = LitStr::new(&relocated, text.span());
            }
        }
    }
}

impl VisitMut for Relocate {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        file.items.retain(|item| !item_is_test_only(item));
        visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, module: &mut ItemMod) {
        // The module's outer docs are read where it is declared, its inner docs inside it.
        let (inner, outer): (Vec<Attribute>, Vec<Attribute>) = module
            .attrs
            .drain(..)
            .partition(|attr| matches!(attr.style, AttrStyle::Inner(_)));
        let mut outer = outer;
        let mut inner = inner;
        self.docs(&mut outer, self.depth);
        self.docs(&mut inner, self.depth + 1);
        module.attrs = outer.into_iter().chain(inner).collect();
        self.visit_visibility_mut(&mut module.vis);
        if let Some((_, items)) = &mut module.content {
            items.retain(|item| !item_is_test_only(item));
            self.depth += 1;
            for item in items {
                self.visit_item_mut(item);
            }
            self.depth -= 1;
        }
    }

    fn visit_item_mut(&mut self, item: &mut Item) {
        if !matches!(item, Item::Mod(_)) {
            let depth = self.depth;
            if let Some(attrs) = item_attrs_mut(item) {
                self.docs(attrs, depth);
            }
        }
        visit_mut::visit_item_mut(self, item);
    }

    fn visit_item_impl_mut(&mut self, block: &mut syn::ItemImpl) {
        block
            .items
            .retain(|item| !impl_item_attrs(item).is_some_and(|attrs| is_test_only(attrs)));
        visit_mut::visit_item_impl_mut(self, block);
    }

    fn visit_impl_item_mut(&mut self, item: &mut ImplItem) {
        let depth = self.depth;
        if let Some(attrs) = impl_item_attrs_mut(item) {
            self.docs(attrs, depth);
        }
        visit_mut::visit_impl_item_mut(self, item);
    }

    fn visit_trait_item_mut(&mut self, item: &mut syn::TraitItem) {
        let depth = self.depth;
        let attrs = match item {
            syn::TraitItem::Const(item) => Some(&mut item.attrs),
            syn::TraitItem::Fn(item) => Some(&mut item.attrs),
            syn::TraitItem::Type(item) => Some(&mut item.attrs),
            syn::TraitItem::Macro(item) => Some(&mut item.attrs),
            _ => None,
        };
        if let Some(attrs) = attrs {
            self.docs(attrs, depth);
        }
        visit_mut::visit_trait_item_mut(self, item);
    }

    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        self.docs(&mut field.attrs, self.depth);
        visit_mut::visit_field_mut(self, field);
    }

    fn visit_variant_mut(&mut self, variant: &mut syn::Variant) {
        self.docs(&mut variant.attrs, self.depth);
        visit_mut::visit_variant_mut(self, variant);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let from_crate = path.leading_colon.is_none()
            && path.segments.len() > 1
            && path.segments[0].ident == "crate";
        if from_crate {
            let span = path.segments[0].ident.span();
            let rest: Vec<syn::PathSegment> = path.segments.iter().skip(1).cloned().collect();
            path.segments = self
                .root()
                .into_iter()
                .map(|segment| syn::PathSegment::from(Ident::new(segment, span)))
                .chain(rest)
                .collect();
        }
        visit_mut::visit_path_mut(self, path);
    }

    fn visit_item_use_mut(&mut self, item: &mut ItemUse) {
        relocate_use(&mut item.tree, &self.root());
    }

    fn visit_vis_restricted_mut(&mut self, restricted: &mut VisRestricted) {
        // `pub(crate)` keeps its meaning in the including crate; only `pub(in crate::x)`
        // names a module of the generated crate.
        if restricted.path.segments.len() > 1 {
            self.visit_path_mut(&mut restricted.path);
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // A macro's tokens are code where it expands, which for the crate's macros (used
        // where they are defined, one level below the include site) is this depth.
        mac.tokens = relocate_tokens(std::mem::take(&mut mac.tokens), &self.root());
        visit_mut::visit_macro_mut(self, mac);
    }
}

fn item_is_test_only(item: &Item) -> bool {
    item_attrs(item).is_some_and(|attrs| is_test_only(attrs))
}

/// `item_attrs` and `item_attrs_mut`: an item's attributes, whatever its kind.
macro_rules! attrs_of_item {
    ($name:ident, $($reference:tt)+) => {
        fn $name(item: $($reference)+ Item) -> Option<$($reference)+ Vec<Attribute>> {
            Some(match item {
                Item::Const(item) => $($reference)+ item.attrs,
                Item::Enum(item) => $($reference)+ item.attrs,
                Item::ExternCrate(item) => $($reference)+ item.attrs,
                Item::Fn(item) => $($reference)+ item.attrs,
                Item::ForeignMod(item) => $($reference)+ item.attrs,
                Item::Impl(item) => $($reference)+ item.attrs,
                Item::Macro(item) => $($reference)+ item.attrs,
                Item::Mod(item) => $($reference)+ item.attrs,
                Item::Static(item) => $($reference)+ item.attrs,
                Item::Struct(item) => $($reference)+ item.attrs,
                Item::Trait(item) => $($reference)+ item.attrs,
                Item::TraitAlias(item) => $($reference)+ item.attrs,
                Item::Type(item) => $($reference)+ item.attrs,
                Item::Union(item) => $($reference)+ item.attrs,
                Item::Use(item) => $($reference)+ item.attrs,
                _ => return None,
            })
        }
    };
}
attrs_of_item!(item_attrs, &);
attrs_of_item!(item_attrs_mut, &mut);

fn impl_item_attrs(item: &ImplItem) -> Option<&Vec<Attribute>> {
    Some(match item {
        ImplItem::Const(item) => &item.attrs,
        ImplItem::Fn(item) => &item.attrs,
        ImplItem::Type(item) => &item.attrs,
        ImplItem::Macro(item) => &item.attrs,
        _ => return None,
    })
}

fn impl_item_attrs_mut(item: &mut ImplItem) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        ImplItem::Const(item) => &mut item.attrs,
        ImplItem::Fn(item) => &mut item.attrs,
        ImplItem::Type(item) => &mut item.attrs,
        ImplItem::Macro(item) => &mut item.attrs,
        _ => return None,
    })
}

/// `use crate::x::Y;` from `root` (`self`, or `super` as many times as the depth).
fn relocate_use(tree: &mut UseTree, root: &[&str]) {
    match tree {
        UseTree::Path(path) if path.ident == "crate" => {
            let span = path.ident.span();
            let rest = std::mem::replace(
                &mut *path.tree,
                UseTree::Name(UseName {
                    ident: Ident::new("self", span),
                }),
            );
            *tree = root.iter().rev().fold(rest, |inner, segment| {
                UseTree::Path(UsePath {
                    ident: Ident::new(segment, span),
                    colon2_token: <Token![::]>::default(),
                    tree: Box::new(inner),
                })
            });
        }
        UseTree::Group(group) => {
            for tree in &mut group.items {
                relocate_use(tree, root);
            }
        }
        _ => {}
    }
}

/// `crate::` in a token stream (a macro's input or a `macro_rules!` body) from `root`;
/// `$crate` is left alone.
fn relocate_tokens(tokens: TokenStream, root: &[&str]) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let is_punct =
        |i: usize, c: char| matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => {
                let mut relocated =
                    Group::new(group.delimiter(), relocate_tokens(group.stream(), root));
                relocated.set_span(group.span());
                out.push(TokenTree::Group(relocated));
            }
            TokenTree::Ident(ident)
                if ident == "crate"
                    && !(i > 0 && is_punct(i - 1, '$'))
                    && is_punct(i + 1, ':')
                    && is_punct(i + 2, ':') =>
            {
                for (n, segment) in root.iter().enumerate() {
                    if n > 0 {
                        out.extend(path_separator(ident.span()));
                    }
                    out.push(TokenTree::Ident(Ident::new(segment, ident.span())));
                }
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

fn path_separator(span: Span) -> [TokenTree; 2] {
    let mut first = Punct::new(':', Spacing::Joint);
    first.set_span(span);
    let mut second = Punct::new(':', Spacing::Alone);
    second.set_span(span);
    [TokenTree::Punct(first), TokenTree::Punct(second)]
}

/// A code fence open in the docs being read: its character and length.
type Fence = Option<(char, usize)>;

/// One doc attribute's text for the including module: Rust code fences marked `ignore`
/// (they name the generated crate), `crate::` outside code made `root`. `fence` carries
/// an open fence from one attribute (one `///` line) to the next.
fn relocate_doc(text: &str, root: &str, fence: &mut Fence) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let run = |c: char| trimmed.chars().take_while(|&x| x == c).count();
        match *fence {
            Some((c, length)) => {
                if run(c) >= length && trimmed[run(c)..].trim().is_empty() {
                    *fence = None;
                }
                out.push_str(line);
            }
            None => match ['`', '~'].into_iter().find(|&c| run(c) >= 3) {
                Some(c) => {
                    let length = run(c);
                    *fence = Some((c, length));
                    let info = &trimmed[length..];
                    if is_rust(info) {
                        out.push_str(indent);
                        out.push_str(&trimmed[..length]);
                        out.push_str("rust,ignore");
                    } else {
                        out.push_str(line);
                    }
                }
                None => out.push_str(&relocate_prose(line, root)),
            },
        }
    }
    out
}

/// Whether rustdoc reads a code block with this info string as Rust (and so tests it):
/// no info, `rust`, or only the attributes rustdoc knows.
fn is_rust(info: &str) -> bool {
    let words: Vec<&str> = info
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect();
    words.contains(&"rust")
        || words.iter().all(|word| {
            matches!(
                *word,
                "ignore"
                    | "no_run"
                    | "should_panic"
                    | "compile_fail"
                    | "test_harness"
                    | "standalone_crate"
                    | "allow_fail"
            ) || word.starts_with("edition")
                || word.starts_with("ignore-")
        })
}

/// `crate::` where a path starts (not in `$crate::` or `my_crate::`) made `root`.
fn relocate_prose(line: &str, root: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let starts_path = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        out.push_str(&rest[..at]);
        out.push_str(if starts_path { root } else { "crate::" });
        rest = &rest[at + "crate::".len()..];
    }
    out.push_str(rest);
    out
}

/// The job of a build script that generates a client: which description, into which file,
/// how strictly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildScript {
    spec: PathBuf,
    module_name: String,
    profile: Option<Profile>,
    deny_warnings: bool,
}

/// What a run prints, and the module it writes when generation succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The lines for cargo, in the order they are printed (`cargo::warning=...`).
    pub directives: Vec<String>,
    /// `None` when the run fails: the directives say why, in `cargo::error` lines.
    pub module: Option<GeneratedModule>,
}

impl BuildScript {
    /// The description at `spec`, relative to the package root (where cargo runs build
    /// scripts). The module file is named after its stem (`api.yaml`: `api.rs`) unless
    /// [`module_name`](Self::module_name) says otherwise.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        let spec = spec.into();
        let module_name = spec
            .file_stem()
            .map(|stem| stem.to_string_lossy().replace(['-', '.'], "_"))
            .unwrap_or_default();
        BuildScript {
            spec,
            module_name,
            profile: None,
            deny_warnings: false,
        }
    }

    /// The file written is `$OUT_DIR/<name>.rs`.
    pub fn module_name(mut self, name: impl Into<String>) -> Self {
        self.module_name = name.into();
        self
    }

    /// The vendor conventions to follow; without it they are detected from the description.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Warnings about the description fail the build, as errors do.
    pub fn deny_warnings(mut self, deny: bool) -> Self {
        self.deny_warnings = deny;
        self
    }

    /// The file the module is written to, in `out_dir`.
    pub fn module_file(&self, out_dir: &Path) -> PathBuf {
        out_dir.join(format!("{}.rs", self.module_name))
    }

    /// Generates, prints the cargo directives, and writes the module into `OUT_DIR`; on an
    /// error, prints it and exits with status 1. For `build.rs`: it reads `OUT_DIR`.
    pub fn run(self) {
        let plan = self.plan(std::fs::read_to_string(&self.spec));
        let mut directives = plan.directives;
        let written = match (&plan.module, std::env::var_os("OUT_DIR")) {
            (None, _) => Err(None),
            (Some(_), None) => Err(Some(
                "OUT_DIR is not set: run this from a build script".to_owned(),
            )),
            (Some(module), Some(out_dir)) => {
                let path = self.module_file(Path::new(&out_dir));
                write_if_changed(&path, &module.source)
                    .map_err(|error| Some(format!("cannot write {}: {error}", path.display())))
            }
        };
        if let Err(Some(message)) = &written {
            directives.push(format!("cargo::error={}", one_line(message)));
        }
        let mut stdout = io::stdout().lock();
        for directive in &directives {
            // A build script's stdout is cargo's to read: nothing to do if it is gone.
            let _ = writeln!(stdout, "{directive}");
        }
        let _ = stdout.flush();
        if written.is_err() {
            std::process::exit(1);
        }
    }

    /// What [`run`](Self::run) prints and writes, given the description's text as read:
    /// `cargo::rerun-if-changed` first, the warnings, and then the errors or (on success)
    /// `cargo::rustc-check-cfg` for the `tracing` feature.
    pub fn plan(&self, text: io::Result<String>) -> Plan {
        let spec_name = self.spec.display().to_string();
        let mut directives = vec![format!("cargo::rerun-if-changed={spec_name}")];
        let fail = |mut directives: Vec<String>, message: String| {
            directives.push(format!("cargo::error={}", one_line(&message)));
            Plan {
                directives,
                module: None,
            }
        };
        if !is_file_stem(&self.module_name) {
            return fail(
                directives,
                format!(
                    "the module name `{}` is not a file name: use letters, digits and `_`",
                    self.module_name
                ),
            );
        }
        let text = match text {
            Ok(text) => text,
            Err(error) => {
                return fail(
                    directives,
                    format!("cannot read the API description {spec_name}: {error}"),
                )
            }
        };
        match generate_module(&text, &spec_name, &self.module_name, self.profile) {
            Ok(module) => {
                let level = if self.deny_warnings {
                    "error"
                } else {
                    "warning"
                };
                directives.extend(
                    module
                        .warnings
                        .iter()
                        .map(|warning| format!("cargo::{level}={}", diagnostic_line(warning))),
                );
                if self.deny_warnings && !module.warnings.is_empty() {
                    return Plan {
                        directives,
                        module: None,
                    };
                }
                directives
                    .push(r#"cargo::rustc-check-cfg=cfg(feature, values("tracing"))"#.to_owned());
                Plan {
                    directives,
                    module: Some(module),
                }
            }
            Err(diagnostics) => {
                // Warnings first, as cargo would show a compiler's.
                let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
                    diagnostics.0.iter().partition(|d| d.is_error());
                let level = if self.deny_warnings {
                    "error"
                } else {
                    "warning"
                };
                directives.extend(
                    warnings
                        .into_iter()
                        .map(|warning| format!("cargo::{level}={}", diagnostic_line(warning))),
                );
                directives.extend(
                    errors
                        .into_iter()
                        .map(|error| format!("cargo::error={}", diagnostic_line(error))),
                );
                Plan {
                    directives,
                    module: None,
                }
            }
        }
    }
}

fn is_file_stem(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A diagnostic as one line: `api.yaml:12:7: message (at #/paths/~1pets/get); hint: ...`.
/// Cargo reads a directive to the end of its line, so a message's own newlines become
/// spaces.
pub fn diagnostic_line(diagnostic: &Diagnostic) -> String {
    let place = match diagnostic.line {
        Some((line, column)) => format!("{}:{line}:{column}", diagnostic.spec_name),
        None => diagnostic.spec_name.clone(),
    };
    let mut text = format!(
        "{place}: {} (at {})",
        diagnostic.message, diagnostic.pointer
    );
    if let Some(hint) = &diagnostic.hint {
        text.push_str("; hint: ");
        text.push_str(hint);
    }
    one_line(&text)
}

fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes `text` to `path` unless it holds it already, through a temporary file beside it
/// and a rename: a build that stops midway leaves the old file or the new, never half of
/// one, and an unchanged file keeps its time, so cargo does not recompile what includes it.
fn write_if_changed(path: &Path, text: &str) -> io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.to_owned(),
            contents: contents.to_owned(),
        }
    }

    #[test]
    fn modules_become_inline_and_crate_paths_relative() {
        let files = [
            file(
                "src/lib.rs",
                "//! Crate docs.\n#![forbid(unsafe_code)]\nmod a;\npub use a::A;\npub use crate::a::B;\npub mod b;\n",
            ),
            file(
                "src/a.rs",
                "//! Module a, see [`B`](crate::b::B).\nuse crate::b::{B, C};\n/// An [`A`](crate::a::A).\npub struct A(pub crate::b::B);\n#[allow(unused_macros)]\nmacro_rules! make { () => { crate::a::A($crate::x) }; }\npub(crate) use make;\npub(crate) fn f() -> A { crate::a::make!() }\n#[cfg(test)]\nmod tests { use super::*; }\nimpl A {\n    #[cfg(test)]\n    fn only_in_tests() {}\n}\n",
            ),
            file("src/b.rs", "pub struct B;\npub struct C;\nmod deeper { pub(in crate::b) fn g() -> crate::b::C { crate::b::C } }\n"),
        ];
        let text = module_source(&files, "api.yaml").unwrap();
        let expected = "\
pub use a::A;
pub use self::a::B;
";
        assert!(text.contains(expected), "{text}");
        assert!(!text.contains("Crate docs"), "{text}");
        assert!(!text.replace("$crate::", "").contains("crate::"), "{text}");
        assert!(!text.contains("only_in_tests"), "{text}");
        assert!(!text.contains("mod tests"), "{text}");
        for expected in [
            "mod a {\n    //! Module a, see [`B`](super::b::B).\n    #![forbid(unsafe_code)]\n",
            "    use super::b::{B, C};\n",
            "    /// An [`A`](super::a::A).\n    pub struct A(pub super::b::B);\n",
            "super::a::A($crate::x)",
            "pub(crate) fn f() -> A {\n        super::a::make!()\n    }",
            "pub mod b {\n    #![forbid(unsafe_code)]\n",
            "pub(in super::super::b) fn g() -> super::super::b::C {\n            super::super::b::C\n",
        ] {
            assert!(text.contains(expected), "{expected:?} is not in\n{text}");
        }
        syn::parse_file(&text).expect("the module parses");
    }

    #[test]
    fn rust_examples_are_ignored_and_other_fences_kept() {
        let mut fence = None;
        let docs = [
            " Use it:",
            " ```",
            " let x = crate::Client::new();",
            " ```",
            " ````no_run",
            " ```",
            " ````",
            " ```text",
            " [`X`](crate::X)",
            " ```",
            " ````json",
            " {}",
            " ````",
            "```rust,should_panic",
            "```",
            " See [`Client`](crate::Client), my_crate::X and $crate::Y.",
        ];
        let relocated: Vec<String> = docs
            .iter()
            .map(|line| relocate_doc(line, "super::", &mut fence))
            .collect();
        assert_eq!(
            relocated,
            [
                " Use it:",
                " ```rust,ignore",
                " let x = crate::Client::new();",
                " ```",
                " ````rust,ignore",
                " ```",
                " ````",
                " ```text",
                " [`X`](crate::X)",
                " ```",
                " ````json",
                " {}",
                " ````",
                "```rust,ignore",
                "```",
                " See [`Client`](super::Client), my_crate::X and $crate::Y.",
            ]
        );
        assert_eq!(fence, None);
    }

    #[test]
    fn a_module_file_in_a_file_of_its_own_is_an_internal_error() {
        let files = [
            file("src/lib.rs", "mod a;\n"),
            file("src/a.rs", "mod nested;\n"),
        ];
        let error = module_source(&files, "api.yaml").unwrap_err();
        assert!(error.is_error());
        assert!(
            error.message.contains("src/a.rs declares `mod nested;`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn dependencies_are_the_manifest_table() {
        let manifest = "[package]\nname = \"x\"\n\n[dependencies]\n# why\nbytes = \"1.5\"\nserde = { version = \"1\", features = [\"derive\"] }\n\n[dev-dependencies]\ntokio = \"1\"\n";
        assert_eq!(
            manifest_dependencies(manifest),
            [
                "bytes = \"1.5\"",
                "serde = { version = \"1\", features = [\"derive\"] }"
            ]
        );
    }

    #[test]
    fn a_diagnostic_is_one_line() {
        let warning = Diagnostic::warning("api.yaml", "#/paths/~1pets/get", "first\nsecond\r\n")
            .with_line(12, 7)
            .with_hint("do\nthis");
        assert_eq!(
            diagnostic_line(&warning),
            "api.yaml:12:7: first second (at #/paths/~1pets/get); hint: do this"
        );
    }
}
