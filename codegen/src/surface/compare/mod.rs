//! Two surfaces -> the public changes between them, each with its class under Cargo's SemVer
//! rules (<https://doc.rust-lang.org/cargo/reference/semver.html>).
//!
//! Items are paired by their place in the description first, then by Rust name, so that an
//! item that only changed its name is one renaming, not a removal and an addition. Types are
//! compared through the aliases `dedup` leaves, so that a definition and its alias trading
//! places is not a change of shape.
//!
//! `operations.rs`: the crate-wide items, operations and what a profile adds; `types.rs`:
//! model types; `reach.rs`: which operations reach a type; `canonical.rs`: type expressions
//! written through the current crate's definitions.

mod canonical;
mod operations;
mod reach;
mod types;

use canonical::{canonical, resolution};
use operations::{crate_wide, extension, operations};
use types::types;

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
    if same_surface(previous, current) {
        return Vec::new();
    }
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

/// Whether nothing public differs: everything but the notice naming the description.
fn same_surface(a: &Surface, b: &Surface) -> bool {
    let Surface {
        generated: _,
        format,
        crate_name,
        crate_version: _,
        description_version: _,
        base_url,
        headers,
        features,
        builder_methods,
        operations,
        types,
        extension_params,
        extension_methods,
    } = a;
    *format == b.format
        && *crate_name == b.crate_name
        && *base_url == b.base_url
        && *headers == b.headers
        && *features == b.features
        && *builder_methods == b.builder_methods
        && *operations == b.operations
        && *types == b.types
        && *extension_params == b.extension_params
        && *extension_methods == b.extension_methods
}

#[derive(Default)]
pub(super) struct Found {
    pub(super) changes: Vec<Change>,
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
pub(super) fn addition(non_exhaustive: bool) -> Class {
    if non_exhaustive {
        Class::Minor
    } else {
        Class::Major
    }
}

/// How an item of the previous surface relates to one of the current.
pub(super) enum Pairing<'a, T> {
    /// The same item (same place in the description, or else the same name), maybe renamed.
    Kept(&'a T, &'a T),
    /// New; with the name of the item that had its name before, if one did.
    Added(&'a T, Option<String>),
    Removed(&'a T),
}

/// Pairs the items of the previous and the current surface: by their place in the
/// description first (an item the generator renamed is still the same item), then by name.
pub(super) fn pair<'a, T>(
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

pub(super) fn non_exhaustive(
    item: &str,
    at: &str,
    kind: &str,
    was: bool,
    now: bool,
    found: &mut Found,
) {
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

pub(super) fn gate(item: &str, at: &str, was: &[String], now: &[String], found: &mut Found) {
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

pub(super) enum Diff<T> {
    Added(T),
    Removed(T),
    Changed(T, T),
}

/// What differs between two maps, by key, in key order.
pub(super) fn keyed_diff<T: Clone + PartialEq>(
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

pub(super) fn gate_note(gate: &[String]) -> String {
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
pub(super) fn numbering_note(was: &str, now: &str) -> &'static str {
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

pub(super) fn option_note(was: &str, now: &str) -> &'static str {
    if was == format!("Option<{now}>") {
        " (made required)"
    } else if now == format!("Option<{was}>") {
        " (made optional)"
    } else {
        ""
    }
}
