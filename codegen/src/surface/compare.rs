//! Two surfaces -> the public changes between them, each with its class under Cargo's SemVer
//! rules (<https://doc.rust-lang.org/cargo/reference/semver.html>).
//!
//! Items are matched by their Rust names, since that is what the code of a consumer names;
//! an item that only changed its name (same route, same place in the description) is one
//! renaming, not a removal and an addition. Types are compared through the aliases `dedup`
//! leaves, so that a definition and its alias trading places is not a change of shape.

use super::{
    Argument, BuilderMethod, Case, EnumVariant, FeatureItem, FieldItem, MethodItem, OperationItem,
    ParamsStruct, Shape, SuccessEnum, Surface, TypeItem,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How a change affects the code of a consumer, in the classes of Cargo's SemVer reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Nothing a consumer can observe through the Rust API changes.
    Patch,
    /// An addition: code that compiled still compiles and means the same.
    Minor,
    /// Code still compiles, but may behave differently (a value decoded into another
    /// variant, requests with other defaults).
    PossiblyBreaking,
    /// Code that compiled may no longer compile.
    Major,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::Patch => "patch",
            Class::Minor => "minor",
            Class::PossiblyBreaking => "possibly-breaking",
            Class::Major => "major",
        }
    }
}

/// One public change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    /// The Rust item: `Client::get_package`, `Package.repository` (a field),
    /// `PackageType::Npm` (a variant), `feature "packages"`.
    pub item: String,
    /// Where the item is described: in the new description, or the previous one for what
    /// was removed.
    pub pointer: String,
    pub what: String,
    /// For a change to a model type: the methods of the operations that reach it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
}

/// Every public change from `previous` to `current`, most severe first.
pub fn compare(previous: &Surface, current: &Surface) -> Vec<Change> {
    let mut found = Found::default();
    // Types are compared as the current crate names them: a field whose type is now written
    // through another alias of the same definition has not changed.
    let resolution = resolution(current);
    let (was, now) = (
        canonical(previous, &resolution),
        canonical(current, &resolution),
    );
    crate_wide(&was, &now, &mut found);
    operations(&was, &now, &mut found);
    types(&was, &now, (previous, current), &mut found);
    extension(&was, &now, &mut found);
    found
        .changes
        .sort_by(|a, b| (b.class, &a.item, &a.what).cmp(&(a.class, &b.item, &b.what)));
    found.changes
}

#[derive(Default)]
struct Found {
    changes: Vec<Change>,
}

impl Found {
    fn add(
        &mut self,
        class: Class,
        item: impl Into<String>,
        pointer: &str,
        what: impl Into<String>,
    ) {
        self.changes.push(Change {
            class,
            item: item.into(),
            pointer: pointer.to_owned(),
            what: what.into(),
            operations: Vec::new(),
        });
    }
}

/// `1` for an item whose addition breaks exhaustive matches and struct literals, unless the
/// item was already `#[non_exhaustive]`.
fn addition(non_exhaustive: bool) -> Class {
    if non_exhaustive {
        Class::Minor
    } else {
        Class::Major
    }
}

fn crate_wide(previous: &Surface, current: &Surface, found: &mut Found) {
    if previous.crate_name != current.crate_name {
        found.add(
            Class::Major,
            "crate",
            "#/info/title",
            format!(
                "the crate is renamed from `{}` to `{}`",
                previous.crate_name, current.crate_name
            ),
        );
    }
    if previous.base_url != current.base_url {
        found.add(
            Class::Major,
            "DEFAULT_BASE_URL",
            "#/servers",
            format!(
                "requests go to `{}` unless told otherwise (was `{}`)",
                current.base_url, previous.base_url
            ),
        );
    }
    let headers = |s: &Surface| -> BTreeMap<String, String> {
        s.headers
            .iter()
            .map(|h| (h.name.to_ascii_lowercase(), h.value.clone()))
            .collect()
    };
    for (name, change) in keyed_diff(&headers(previous), &headers(current)) {
        let what = match change {
            Diff::Added(value) => format!("every request now sends `{name}: {value}`"),
            Diff::Removed(value) => format!("requests no longer send `{name}: {value}`"),
            Diff::Changed(was, now) => format!("requests send `{name}: {now}` (was `{was}`)"),
        };
        found.add(
            Class::PossiblyBreaking,
            format!("header {name}"),
            "#/servers",
            what,
        );
    }
    let features = |s: &Surface| -> BTreeMap<String, FeatureItem> {
        s.features
            .iter()
            .map(|f| (f.name.clone(), f.clone()))
            .collect()
    };
    for (name, change) in keyed_diff(&features(previous), &features(current)) {
        let tag = |f: &FeatureItem| {
            f.tag
                .as_deref()
                .map_or("the operations without a tag".to_owned(), |t| {
                    format!("tag `{t}`")
                })
        };
        match change {
            Diff::Added(f) => found.add(
                Class::Minor,
                format!("feature \"{name}\""),
                "#/tags",
                format!("new feature, for {}", tag(&f)),
            ),
            Diff::Removed(f) => found.add(
                Class::Major,
                format!("feature \"{name}\""),
                "#/tags",
                format!("feature removed ({}); builds that enable it fail", tag(&f)),
            ),
            Diff::Changed(..) => {}
        }
    }
    let methods = |s: &Surface| -> BTreeMap<String, BuilderMethod> {
        s.builder_methods
            .iter()
            .map(|m| (m.name.clone(), m.clone()))
            .collect()
    };
    for (name, change) in keyed_diff(&methods(previous), &methods(current)) {
        let item = format!("ClientBuilder::{name}");
        match change {
            Diff::Added(m) => found.add(Class::Minor, item, &m.pointer, "new builder method"),
            Diff::Removed(m) => found.add(Class::Major, item, &m.pointer, "builder method removed"),
            Diff::Changed(..) => {}
        }
    }
}

fn operations(previous: &Surface, current: &Surface, found: &mut Found) {
    let pairs = pair(
        &previous.operations,
        &current.operations,
        |o| &o.method,
        |o| &o.pointer,
    );
    for pairing in pairs {
        match pairing {
            Pairing::Added(op, reused) => {
                let item = format!("Client::{}", op.method);
                match reused {
                    Some(was) => found.add(
                        Class::Major,
                        item,
                        &op.pointer,
                        format!(
                            "now calls `{}`; the operation it called is `Client::{was}`",
                            op.route
                        ),
                    ),
                    None => found.add(
                        Class::Minor,
                        item,
                        &op.pointer,
                        format!("new operation `{}`{}", op.route, gate_note(&op.gate)),
                    ),
                }
            }
            Pairing::Removed(op) => found.add(
                Class::Major,
                format!("Client::{}", op.method),
                &op.pointer,
                format!("operation `{}` removed", op.route),
            ),
            Pairing::Kept(was, now) => {
                if was.method != now.method {
                    found.add(
                        Class::Major,
                        format!("Client::{}", was.method),
                        &now.pointer,
                        format!(
                            "renamed to `Client::{}` (`{}`){}",
                            now.method,
                            now.route,
                            numbering_note(&was.method, &now.method)
                        ),
                    );
                }
                if was != now {
                    operation(was, now, found);
                }
            }
        }
    }
}

/// What a profile's modules add: parameter structs and methods, by name.
fn extension(previous: &Surface, current: &Surface, found: &mut Found) {
    let params = |s: &Surface| -> BTreeMap<String, ParamsStruct> {
        s.extension_params
            .iter()
            .map(|p| (p.name.clone(), p.clone()))
            .collect()
    };
    for (name, change) in keyed_diff(&params(previous), &params(current)) {
        let at = |p: &ParamsStruct| p.pointer.clone().unwrap_or_default();
        match change {
            Diff::Added(p) => found.add(
                Class::Minor,
                name,
                &at(&p),
                "new struct of optional parameters",
            ),
            Diff::Removed(p) => found.add(Class::Major, name, &at(&p), "struct removed"),
            Diff::Changed(a, b) => params_struct(&at(&b), &a, &b, found),
        }
    }
    let methods = |s: &Surface| -> BTreeMap<String, MethodItem> {
        s.extension_methods
            .iter()
            .map(|m| (m.path.clone(), m.clone()))
            .collect()
    };
    for (path, change) in keyed_diff(&methods(previous), &methods(current)) {
        match change {
            Diff::Added(m) => found.add(Class::Minor, path, &m.pointer, "new method"),
            Diff::Removed(m) => found.add(Class::Major, path, &m.pointer, "method removed"),
            Diff::Changed(a, b) => {
                arguments(&path, &b.pointer, &a.arguments, &b.arguments, found);
                if a.returns != b.returns {
                    found.add(
                        Class::Major,
                        &path,
                        &b.pointer,
                        format!("returns `{}` (was `{}`)", b.returns, a.returns),
                    );
                }
            }
        }
    }
}

/// How an item of the previous surface relates to one of the current.
enum Pairing<'a, T> {
    /// The same item (same place in the description, or else the same name), maybe renamed.
    Kept(&'a T, &'a T),
    /// New; with the name of the item that had its name before, if one did.
    Added(&'a T, Option<String>),
    Removed(&'a T),
}

/// Pairs the items of the previous and the current surface: by their place in the
/// description first (an item the generator renamed is still the same item), then by name.
fn pair<'a, T>(
    was: &'a [T],
    now: &'a [T],
    name: impl Fn(&T) -> &str,
    pointer: impl Fn(&T) -> &str,
) -> Vec<Pairing<'a, T>> {
    let mut by_pointer: HashMap<&str, Option<usize>> = HashMap::new();
    for (i, item) in now.iter().enumerate() {
        // A place several items claim identifies none of them.
        by_pointer
            .entry(pointer(item))
            .and_modify(|slot| *slot = None)
            .or_insert(Some(i));
    }
    let by_name: HashMap<&str, usize> = now.iter().enumerate().map(|(i, t)| (name(t), i)).collect();
    let mut claimed: Vec<Option<usize>> = vec![None; now.len()];
    let mut pairs = Vec::new();
    let mut unpaired = Vec::new();
    for (i, item) in was.iter().enumerate() {
        match by_pointer.get(pointer(item)).copied().flatten() {
            Some(j) if claimed[j].is_none() => {
                claimed[j] = Some(i);
                pairs.push(Pairing::Kept(item, &now[j]));
            }
            _ => unpaired.push(i),
        }
    }
    for i in unpaired {
        let item = &was[i];
        match by_name.get(name(item)).copied() {
            Some(j) if claimed[j].is_none() => {
                claimed[j] = Some(i);
                pairs.push(Pairing::Kept(item, &now[j]));
            }
            _ => pairs.push(Pairing::Removed(item)),
        }
    }
    let was_names: HashMap<&str, usize> =
        was.iter().enumerate().map(|(i, t)| (name(t), i)).collect();
    for (j, item) in now.iter().enumerate() {
        if claimed[j].is_some() {
            continue;
        }
        // The name was another item's: say which that is now.
        let reused = was_names.get(name(item)).map(|&i| {
            pairs
                .iter()
                .find_map(|p| match p {
                    Pairing::Kept(a, b) if std::ptr::eq(*a, &was[i]) => Some(name(b).to_owned()),
                    _ => None,
                })
                .unwrap_or_else(|| "gone".to_owned())
        });
        pairs.push(Pairing::Added(item, reused));
    }
    pairs
}

/// The changes to one operation's method (and its parameter struct, success enum and stream).
fn operation(was: &OperationItem, now: &OperationItem, found: &mut Found) {
    let item = format!("Client::{}", now.method);
    let at = now.pointer.as_str();
    if was.route != now.route {
        found.add(
            Class::PossiblyBreaking,
            &item,
            at,
            format!("calls `{}` (was `{}`)", now.route, was.route),
        );
    }
    if !was.deprecated && now.deprecated {
        found.add(Class::Minor, &item, at, "deprecated");
    }
    gate(&item, at, &was.gate, &now.gate, found);
    arguments(&item, at, &was.arguments, &now.arguments, found);
    match (&was.optional, &now.optional) {
        (Some(a), Some(b)) => params_struct(at, a, b, found),
        (None, Some(b)) => found.add(
            Class::Minor,
            &b.name,
            at,
            "new struct of optional parameters",
        ),
        (Some(a), None) => found.add(
            Class::Major,
            &a.name,
            at,
            "struct removed with the operation's last optional parameter",
        ),
        (None, None) => {}
    }
    if was.returns != now.returns {
        found.add(
            Class::Major,
            &item,
            at,
            format!("returns `{}` (was `{}`)", now.returns, was.returns),
        );
    }
    if let (Some(was_enum), Some(now_enum)) = (&was.successes, &now.successes) {
        success_enum(at, was_enum, now_enum, found);
    }
    match (&was.stream, &now.stream) {
        (None, Some(stream)) => found.add(
            Class::Minor,
            format!("Client::{}", stream.name),
            at,
            format!("new method streaming every `{}` of every page", stream.item),
        ),
        (Some(stream), None) => found.add(
            Class::Major,
            format!("Client::{}", stream.name),
            at,
            "streaming method removed (the operation is no longer paged)",
        ),
        (Some(a), Some(b)) if a.name != b.name => found.add(
            Class::Major,
            format!("Client::{}", a.name),
            at,
            format!("renamed to `Client::{}`", b.name),
        ),
        (Some(a), Some(b)) if a.item != b.item => found.add(
            Class::Major,
            format!("Client::{}", b.name),
            at,
            format!("streams `{}` (was `{}`)", b.item, a.item),
        ),
        _ => {}
    }
}

fn arguments(item: &str, at: &str, was: &[Argument], now: &[Argument], found: &mut Found) {
    if was == now {
        return;
    }
    let index = |args: &[Argument]| -> BTreeMap<String, String> {
        args.iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect()
    };
    let mut named = false;
    for (name, change) in keyed_diff(&index(was), &index(now)) {
        named = true;
        let what = match (change, name.as_str()) {
            (Diff::Added(ty), "params") => format!(
                "takes a new argument `params: {ty}`: the operation's first optional parameter"
            ),
            (Diff::Added(ty), "body") => format!("takes a new request body `body: {ty}`"),
            (Diff::Added(ty), _) => format!("new required parameter `{name}: {ty}`"),
            (Diff::Removed(_), "params") => {
                "no longer takes `params`: the operation has no optional parameter left".to_owned()
            }
            (Diff::Removed(_), "body") => "no longer takes a request body".to_owned(),
            (Diff::Removed(ty), _) => format!("parameter `{name}: {ty}` removed or made optional"),
            (Diff::Changed(a, b), _) => format!(
                "argument `{name}` is `{b}` (was `{a}`){}",
                option_note(&a, &b)
            ),
        };
        found.add(Class::Major, item, at, what);
    }
    if !named {
        let order = |args: &[Argument]| {
            args.iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        found.add(
            Class::Major,
            item,
            at,
            format!(
                "takes its arguments in the order ({}) (was ({}))",
                order(now),
                order(was)
            ),
        );
    }
}

fn params_struct(at: &str, was: &ParamsStruct, now: &ParamsStruct, found: &mut Found) {
    // A renamed struct shows in the method's `params` argument.
    non_exhaustive(
        &now.name,
        at,
        "struct",
        was.non_exhaustive,
        now.non_exhaustive,
        found,
    );
    let index = |p: &ParamsStruct| -> BTreeMap<String, String> {
        p.fields
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect()
    };
    for (name, change) in keyed_diff(&index(was), &index(now)) {
        let item = format!("{}.{name}", now.name);
        match change {
            Diff::Added(ty) => found.add(
                addition(was.non_exhaustive),
                item,
                at,
                format!("new optional parameter `{ty}`, with its setter"),
            ),
            Diff::Removed(_) => found.add(
                Class::Major,
                item,
                at,
                "optional parameter removed (or made required), with its setter",
            ),
            Diff::Changed(a, b) => {
                found.add(Class::Major, item, at, format!("is `{b}` (was `{a}`)"))
            }
        }
    }
}

fn success_enum(at: &str, was: &SuccessEnum, now: &SuccessEnum, found: &mut Found) {
    non_exhaustive(
        &now.name,
        at,
        "enum",
        was.non_exhaustive,
        now.non_exhaustive,
        found,
    );
    cases(
        &now.name,
        at,
        &was.variants,
        &now.variants,
        was.non_exhaustive,
        found,
    );
}

fn cases(
    type_name: &str,
    at: &str,
    was: &[Case],
    now: &[Case],
    was_non_exhaustive: bool,
    found: &mut Found,
) {
    let index = |cases: &[Case]| -> BTreeMap<String, Case> {
        cases.iter().map(|c| (c.name.clone(), c.clone())).collect()
    };
    let shown = |c: &Case| {
        let ty =
            c.ty.as_deref()
                .map_or("no content".to_owned(), |t| format!("`{t}`"));
        match &c.status {
            Some(status) => format!("status {status}, {ty}"),
            None => ty,
        }
    };
    for (name, change) in keyed_diff(&index(was), &index(now)) {
        let item = format!("{type_name}::{name}");
        match change {
            Diff::Added(c) => found.add(
                addition(was_non_exhaustive),
                item,
                at,
                format!("new variant ({})", shown(&c)),
            ),
            Diff::Removed(c) => found.add(
                Class::Major,
                item,
                at,
                format!("variant removed ({})", shown(&c)),
            ),
            Diff::Changed(a, b) => found.add(
                Class::Major,
                item,
                at,
                format!("holds {} (was {})", shown(&b), shown(&a)),
            ),
        }
    }
    let order = |cases: &[Case]| cases.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (a, b) = (order(was), order(now));
    let kept: Vec<&String> = a.iter().filter(|n| b.contains(n)).collect();
    let kept_now: Vec<&String> = b.iter().filter(|n| a.contains(n)).collect();
    if kept != kept_now {
        found.add(
            Class::PossiblyBreaking,
            type_name,
            at,
            "its variants are tried in another order: a value that fits several may decode as another",
        );
    }
}

fn non_exhaustive(item: &str, at: &str, kind: &str, was: bool, now: bool, found: &mut Found) {
    match (was, now) {
        (false, true) => found.add(
            Class::Major,
            item,
            at,
            if kind == "struct" {
                "now `#[non_exhaustive]`: struct literals and patterns without `..` no longer \
                 compile outside the crate"
            } else {
                "now `#[non_exhaustive]`: a `match` needs a wildcard arm"
            },
        ),
        (true, false) => found.add(Class::Minor, item, at, "no longer `#[non_exhaustive]`"),
        _ => {}
    }
}

fn gate(item: &str, at: &str, was: &[String], now: &[String], found: &mut Found) {
    if was == now {
        return;
    }
    let list = |features: &[String]| {
        features
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let lost: Vec<String> = was.iter().filter(|f| !now.contains(f)).cloned().collect();
    let (class, what) = if now.is_empty() {
        (
            Class::Minor,
            "always compiled (no longer needs a feature)".to_owned(),
        )
    } else if was.is_empty() {
        (Class::Major, format!("now needs feature {}", list(now)))
    } else if lost.is_empty() {
        (
            Class::Minor,
            format!("compiled by feature {} (was {})", list(now), list(was)),
        )
    } else {
        (
            Class::Major,
            format!(
                "compiled by feature {} (was {}): builds with only {} lose it",
                list(now),
                list(was),
                list(&lost)
            ),
        )
    };
    found.add(class, item, at, what);
}

/// Model types, through aliases; `written` are the surfaces before their type expressions
/// were resolved, which say which operations name which alias.
fn types(previous: &Surface, current: &Surface, written: (&Surface, &Surface), found: &mut Found) {
    let old = Types::of(previous);
    let new = Types::of(current);
    let reach_now = Reach::of(written.1, &Types::of(written.1));
    let reach_before = Reach::of(written.0, &Types::of(written.0));
    let pairs = pair(&previous.types, &current.types, |t| &t.name, |t| &t.pointer);
    for pairing in pairs {
        let start = found.changes.len();
        let mut reach = &reach_now;
        let name = match pairing {
            Pairing::Added(def, reused) => {
                match reused {
                    Some(was) => found.add(
                        Class::Major,
                        &def.name,
                        &def.pointer,
                        format!(
                            "now names a new {}; the type it named is `{was}`",
                            kind(&def.shape)
                        ),
                    ),
                    None => found.add(
                        Class::Minor,
                        &def.name,
                        &def.pointer,
                        format!("new {}", kind(&def.shape)),
                    ),
                }
                &def.name
            }
            Pairing::Removed(def) => {
                found.add(
                    Class::Major,
                    &def.name,
                    &def.pointer,
                    format!("{} removed", kind(&def.shape)),
                );
                reach = &reach_before;
                &def.name
            }
            Pairing::Kept(was, now) => {
                if was.name != now.name {
                    found.add(
                        Class::Major,
                        &was.name,
                        &now.pointer,
                        format!(
                            "renamed to `{}`{}",
                            now.name,
                            numbering_note(&was.name, &now.name)
                        ),
                    );
                }
                type_change(&was.name, &now.name, &old, &new, found);
                &now.name
            }
        };
        // Each change to a type names the operations that reach it.
        let operations = reach.operations_reaching(name);
        for change in &mut found.changes[start..] {
            change.operations = operations.clone();
        }
    }
}

/// The types of a surface by name, with their aliases resolved.
struct Types<'a> {
    by_name: BTreeMap<&'a str, &'a TypeItem>,
}

impl<'a> Types<'a> {
    fn of(surface: &'a Surface) -> Types<'a> {
        Types {
            by_name: surface.types.iter().map(|t| (t.name.as_str(), t)).collect(),
        }
    }

    /// The type an alias chain starting at `name` ends at (`name` itself when it is a
    /// definition); bounded by the number of types, so a cycle cannot hang it.
    fn resolve(&self, name: &str) -> Option<&'a TypeItem> {
        let mut def = *self.by_name.get(name)?;
        for _ in 0..self.by_name.len() {
            match &def.shape {
                Shape::Alias { target } => match self.by_name.get(target.as_str()) {
                    Some(next) => def = next,
                    None => return Some(def),
                },
                _ => return Some(def),
            }
        }
        Some(def)
    }

    /// The type `name` is an alias of, when it is an alias of a named type.
    fn alias_of(&self, name: &str) -> Option<&'a str> {
        match &self.by_name.get(name)?.shape {
            Shape::Alias { target } if self.by_name.contains_key(target.as_str()) => {
                Some(self.resolve(target)?.name.as_str())
            }
            _ => None,
        }
    }
}

/// The changes to the type `was_name` of the previous surface, `now_name` in the current.
fn type_change(was_name: &str, now_name: &str, old: &Types, new: &Types, found: &mut Found) {
    let (was, now) = (old.by_name[was_name], new.by_name[now_name]);
    let at = now.pointer.as_str();
    gate(now_name, at, &was.gate, &now.gate, found);
    let was_alias = old.alias_of(was_name);
    let now_alias = new.alias_of(now_name);
    match (was_alias, now_alias) {
        (None, Some(target)) => {
            // The definition `target` was an alias of this one: the two traded places.
            if old.alias_of(target) == Some(was_name) {
                found.add(
                    Class::Patch,
                    now_name,
                    at,
                    format!(
                        "now an alias of `{target}`, which was its alias: both names still \
                         name the one type"
                    ),
                );
            } else {
                found.add(
                    Class::PossiblyBreaking,
                    now_name,
                    at,
                    format!(
                        "now an alias of `{target}`, a type of the same shape: the two are one \
                         type, so implementations of your own traits for both conflict"
                    ),
                );
                if let (Some(a), Some(b)) = (old.resolve(was_name), new.resolve(now_name)) {
                    shape(now_name, at, &a.shape, &b.shape, found);
                }
            }
            return;
        }
        (Some(target), None) => {
            if new.alias_of(target) != Some(now_name) {
                found.add(
                    Class::Major,
                    now_name,
                    at,
                    format!(
                        "no longer an alias of `{target}`: a value of one is no longer a \
                         value of the other"
                    ),
                );
            }
        }
        (Some(a), Some(b)) => {
            // Its shape is its target's, whose changes are reported there.
            if a != b && old.alias_of(b) != Some(a) && new.alias_of(a) != Some(b) {
                found.add(
                    Class::Major,
                    now_name,
                    at,
                    format!("now an alias of `{b}` (was of `{a}`)"),
                );
            }
            return;
        }
        (None, None) => {}
    }
    let Some(before) = old.resolve(was_name) else {
        return;
    };
    shape(now_name, at, &before.shape, &now.shape, found);
}

fn kind(shape: &Shape) -> &'static str {
    match shape {
        Shape::Struct { .. } => "struct",
        Shape::Enum { .. } => "enum",
        Shape::OneOf { .. } => "enum (one of several types)",
        Shape::Alias { .. } => "type alias",
    }
}

fn shape(name: &str, at: &str, was: &Shape, now: &Shape, found: &mut Found) {
    match (was, now) {
        (
            Shape::Struct {
                non_exhaustive: was_ne,
                constructor: was_new,
                fields: was_fields,
                additional_properties: was_more,
            },
            Shape::Struct {
                non_exhaustive: now_ne,
                constructor: now_new,
                fields: now_fields,
                additional_properties: now_more,
            },
        ) => {
            non_exhaustive(name, at, "struct", *was_ne, *now_ne, found);
            let item = format!("{name}::new");
            match (was_new, now_new) {
                (None, Some(args)) => found.add(
                    Class::Minor,
                    item,
                    at,
                    format!("new constructor `new({})`", args.join(", ")),
                ),
                (Some(_), None) => found.add(Class::Major, item, at, "constructor removed"),
                (Some(a), Some(b)) if a != b => found.add(
                    Class::Major,
                    item,
                    at,
                    format!("takes ({}) (was ({}))", b.join(", "), a.join(", ")),
                ),
                _ => {}
            }
            fields(name, at, was_fields, now_fields, *was_ne, found);
            let item = format!("{name}.additional_properties");
            match (was_more, now_more) {
                (None, Some(ty)) => found.add(
                    addition(*was_ne),
                    item,
                    at,
                    format!("new field keeping the keys beyond the listed ones, as `{ty}`"),
                ),
                (Some(_), None) => found.add(Class::Major, item, at, "field removed"),
                (Some(a), Some(b)) if a != b => found.add(
                    Class::Major,
                    item,
                    at,
                    format!("holds `{b}` values (was `{a}`)"),
                ),
                _ => {}
            }
        }
        (
            Shape::Enum {
                non_exhaustive: was_ne,
                variants: was_variants,
                catch_all: was_catch,
            },
            Shape::Enum {
                non_exhaustive: now_ne,
                variants: now_variants,
                catch_all: now_catch,
            },
        ) => {
            non_exhaustive(name, at, "enum", *was_ne, *now_ne, found);
            if was_catch != now_catch {
                found.add(
                    Class::Major,
                    format!("{name}::{was_catch}"),
                    at,
                    format!("the catch-all variant is renamed to `{now_catch}`"),
                );
            }
            variants(
                name,
                at,
                was_variants,
                now_variants,
                *was_ne,
                now_catch,
                found,
            );
        }
        (
            Shape::OneOf {
                non_exhaustive: was_ne,
                variants: was_variants,
                catch_all: was_catch,
            },
            Shape::OneOf {
                non_exhaustive: now_ne,
                variants: now_variants,
                catch_all: now_catch,
            },
        ) => {
            non_exhaustive(name, at, "enum", *was_ne, *now_ne, found);
            cases(name, at, was_variants, now_variants, *was_ne, found);
            match (was_catch, now_catch) {
                (None, Some(c)) => found.add(
                    addition(*was_ne),
                    format!("{name}::{c}"),
                    at,
                    "new variant keeping discriminator values the description does not list",
                ),
                (Some(c), None) => {
                    found.add(Class::Major, format!("{name}::{c}"), at, "variant removed")
                }
                (Some(a), Some(b)) if a != b => found.add(
                    Class::Major,
                    format!("{name}::{a}"),
                    at,
                    format!("renamed to `{b}`"),
                ),
                _ => {}
            }
        }
        (Shape::Alias { target: a }, Shape::Alias { target: b }) => {
            if a != b {
                found.add(Class::Major, name, at, format!("now `{b}` (was `{a}`)"));
            }
        }
        _ => found.add(
            Class::Major,
            name,
            at,
            format!("now a {} (was a {})", kind(now), kind(was)),
        ),
    }
}

fn fields(
    type_name: &str,
    at: &str,
    was: &[FieldItem],
    now: &[FieldItem],
    was_non_exhaustive: bool,
    found: &mut Found,
) {
    let index = |fields: &[FieldItem]| -> BTreeMap<String, FieldItem> {
        fields.iter().map(|f| (f.name.clone(), f.clone())).collect()
    };
    for (name, change) in keyed_diff(&index(was), &index(now)) {
        let item = format!("{type_name}.{name}");
        match change {
            Diff::Added(f) => {
                let presence = if f.required { "required" } else { "optional" };
                let setter = f
                    .setter
                    .as_deref()
                    .map(|s| format!(", set with `{type_name}::{s}`"))
                    .unwrap_or_default();
                found.add(
                    addition(was_non_exhaustive),
                    item,
                    at,
                    format!("new {presence} field `{}`{setter}", f.ty),
                );
            }
            Diff::Removed(f) => {
                found.add(Class::Major, item, at, format!("field `{}` removed", f.ty))
            }
            Diff::Changed(a, b) => {
                if a.ty != b.ty {
                    found.add(
                        Class::Major,
                        &item,
                        at,
                        format!(
                            "is `{}` (was `{}`){}",
                            b.ty,
                            a.ty,
                            option_note(&a.ty, &b.ty)
                        ),
                    );
                } else if a.required != b.required {
                    let what = if b.required {
                        "now required (always present; the type allows null, so it stays an `Option`)"
                    } else {
                        "no longer required (the type allows null, so it stays an `Option`)"
                    };
                    found.add(Class::Minor, &item, at, what);
                }
                if a.wire != b.wire {
                    found.add(
                        Class::PossiblyBreaking,
                        &item,
                        at,
                        format!(
                            "reads and writes the key `{}` (was `{}`)",
                            b.wire.as_deref().unwrap_or(&b.name),
                            a.wire.as_deref().unwrap_or(&a.name)
                        ),
                    );
                }
                let setter = format!(
                    "{type_name}::{}",
                    b.setter.as_deref().or(a.setter.as_deref()).unwrap_or(&name)
                );
                match (&a.setter, &b.setter) {
                    (None, Some(_)) => found.add(Class::Minor, setter, at, "new setter"),
                    (Some(_), None) => found.add(Class::Major, setter, at, "setter removed"),
                    (Some(x), Some(y)) if x != y => found.add(
                        Class::Major,
                        format!("{type_name}::{x}"),
                        at,
                        format!("setter renamed to `{y}`"),
                    ),
                    _ => {}
                }
            }
        }
    }
}

fn variants(
    type_name: &str,
    at: &str,
    was: &[EnumVariant],
    now: &[EnumVariant],
    was_non_exhaustive: bool,
    catch_all: &str,
    found: &mut Found,
) {
    let by_value = |variants: &[EnumVariant]| -> BTreeMap<String, String> {
        variants
            .iter()
            .map(|v| (v.value.clone(), v.name.clone()))
            .collect()
    };
    for (value, change) in keyed_diff(&by_value(was), &by_value(now)) {
        match change {
            Diff::Added(variant) => found.add(
                addition(was_non_exhaustive),
                format!("{type_name}::{variant}"),
                at,
                format!(
                    "new variant for `{value}`: that value, which arrived as \
                     `{catch_all}(\"{value}\")`, now arrives as `{variant}`"
                ),
            ),
            Diff::Removed(variant) => found.add(
                Class::Major,
                format!("{type_name}::{variant}"),
                at,
                format!("variant removed: `{value}` now arrives as `{catch_all}(\"{value}\")`"),
            ),
            Diff::Changed(a, b) => found.add(
                Class::Major,
                format!("{type_name}::{a}"),
                at,
                format!(
                    "renamed to `{b}` (the value `{value}`){}",
                    numbering_note(&a, &b)
                ),
            ),
        }
    }
}

/// Which operations reach which types, in one surface.
struct Reach<'a> {
    /// Type -> the types and operations (by index) that mention it.
    referrers: HashMap<&'a str, Vec<Referrer<'a>>>,
    surface: &'a Surface,
}

#[derive(Clone, Copy)]
enum Referrer<'a> {
    Type(&'a str),
    Operation(usize),
}

impl<'a> Reach<'a> {
    fn of(surface: &'a Surface, types: &Types<'a>) -> Reach<'a> {
        let mut referrers: HashMap<&'a str, Vec<Referrer<'a>>> = HashMap::new();
        let mut mention = |text: &'a str, by: Referrer<'a>| {
            for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if let Some((name, _)) = types.by_name.get_key_value(word) {
                    referrers.entry(name).or_default().push(by);
                }
            }
        };
        for def in &surface.types {
            let by = Referrer::Type(def.name.as_str());
            match &def.shape {
                Shape::Struct {
                    fields,
                    additional_properties,
                    ..
                } => {
                    fields.iter().for_each(|f| mention(&f.ty, by));
                    additional_properties.iter().for_each(|t| mention(t, by));
                }
                Shape::OneOf { variants, .. } => {
                    variants
                        .iter()
                        .flat_map(|v| &v.ty)
                        .for_each(|t| mention(t, by));
                }
                Shape::Alias { target } => mention(target, by),
                Shape::Enum { .. } => {}
            }
        }
        for (index, op) in surface.operations.iter().enumerate() {
            let by = Referrer::Operation(index);
            op.arguments.iter().for_each(|a| mention(&a.ty, by));
            op.optional
                .iter()
                .flat_map(|p| &p.fields)
                .for_each(|a| mention(&a.ty, by));
            mention(&op.returns, by);
            op.successes
                .iter()
                .flat_map(|s| &s.variants)
                .flat_map(|v| &v.ty)
                .for_each(|t| mention(t, by));
            op.stream.iter().for_each(|s| mention(&s.item, by));
        }
        Reach { referrers, surface }
    }

    /// The methods of the operations that reach `type_name`, directly or through other types.
    fn operations_reaching(&self, type_name: &str) -> Vec<String> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut operations: BTreeSet<usize> = BTreeSet::new();
        let mut stack: Vec<&str> = vec![type_name];
        while let Some(name) = stack.pop() {
            if !seen.insert(name) {
                continue;
            }
            for referrer in self.referrers.get(name).into_iter().flatten() {
                match *referrer {
                    Referrer::Type(t) => stack.push(t),
                    Referrer::Operation(i) => {
                        operations.insert(i);
                    }
                }
            }
        }
        operations
            .into_iter()
            .map(|i| self.surface.operations[i].method.clone())
            .collect()
    }
}

/// Each type name of `surface` -> the definition it names (itself, or the end of its alias
/// chain).
fn resolution(surface: &Surface) -> HashMap<String, String> {
    let types = Types::of(surface);
    surface
        .types
        .iter()
        .filter_map(|t| Some((t.name.clone(), types.resolve(&t.name)?.name.clone())))
        .filter(|(name, definition)| name != definition)
        .collect()
}

/// `surface` with every type expression (fields, arguments, returns, variants) written with
/// the definitions `resolution` maps names to; names of items and alias targets as they are.
fn canonical(surface: &Surface, resolution: &HashMap<String, String>) -> Surface {
    if resolution.is_empty() {
        return surface.clone();
    }
    let ty = |text: &mut String| {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            out.push_str(resolution.get(&word).unwrap_or(&word));
            word.clear();
            out.push(c);
        }
        out.pop();
        *text = out;
    };
    let mut surface = surface.clone();
    for op in &mut surface.operations {
        op.arguments.iter_mut().for_each(|a| ty(&mut a.ty));
        if let Some(params) = &mut op.optional {
            params.fields.iter_mut().for_each(|a| ty(&mut a.ty));
        }
        ty(&mut op.returns);
        if let Some(successes) = &mut op.successes {
            successes
                .variants
                .iter_mut()
                .flat_map(|v| &mut v.ty)
                .for_each(ty);
        }
        if let Some(stream) = &mut op.stream {
            ty(&mut stream.item);
        }
    }
    for def in &mut surface.types {
        match &mut def.shape {
            Shape::Struct {
                fields,
                additional_properties,
                ..
            } => {
                fields.iter_mut().for_each(|f| ty(&mut f.ty));
                additional_properties.iter_mut().for_each(ty);
            }
            Shape::OneOf { variants, .. } => {
                variants.iter_mut().flat_map(|v| &mut v.ty).for_each(ty);
            }
            Shape::Enum { .. } | Shape::Alias { .. } => {}
        }
    }
    for params in &mut surface.extension_params {
        params.fields.iter_mut().for_each(|a| ty(&mut a.ty));
    }
    for method in &mut surface.extension_methods {
        method.arguments.iter_mut().for_each(|a| ty(&mut a.ty));
        ty(&mut method.returns);
    }
    surface
}

enum Diff<T> {
    Added(T),
    Removed(T),
    Changed(T, T),
}

/// What differs between two maps, by key, in key order.
fn keyed_diff<T: Clone + PartialEq>(
    was: &BTreeMap<String, T>,
    now: &BTreeMap<String, T>,
) -> Vec<(String, Diff<T>)> {
    let keys: BTreeSet<&String> = was.keys().chain(now.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let diff = match (was.get(key), now.get(key)) {
                (None, Some(b)) => Diff::Added(b.clone()),
                (Some(a), None) => Diff::Removed(a.clone()),
                (Some(a), Some(b)) if a != b => Diff::Changed(a.clone(), b.clone()),
                _ => return None,
            };
            Some((key.clone(), diff))
        })
        .collect()
}

fn gate_note(gate: &[String]) -> String {
    match gate {
        [] => String::new(),
        features => format!(
            ", in feature {}",
            features
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// Explains a renaming that only adds or drops the number the generator gives a name when
/// another item takes it.
fn numbering_note(was: &str, now: &str) -> &'static str {
    let bare = |name: &str| {
        name.trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches('_')
            .to_owned()
    };
    if was != now && bare(was) == bare(now) {
        " (the generator numbers a name another item has taken)"
    } else {
        ""
    }
}

fn option_note(was: &str, now: &str) -> &'static str {
    if was == format!("Option<{now}>") {
        " (made required)"
    } else if now == format!("Option<{was}>") {
        " (made optional)"
    } else {
        ""
    }
}
