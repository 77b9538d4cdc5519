//! Structurally identical types become one definition.
//!
//! Big descriptions repeat the same inline schema under many names: `{read, write}`
//! permissions, `{total_count, repositories}` pages, `visibility` enums. Each definition costs
//! the user's compiler a set of derives. An inline type that has the shape of another becomes
//! an alias of it (`pub type Administration = Actions;`), so every name still works and the
//! compiler sees one definition. Components keep their own definition: their names are the
//! description's.

use crate::ir::{Field, OneOfVariant, TypeDef, TypeKind, TypeRef};
use std::collections::{BTreeMap, HashMap};

/// Makes every inline type an alias of the first type of the same shape, until no two shapes
/// match. The definition kept is a component's, else the one with the shortest name (then the
/// first in name order), so that the choice depends on the description alone.
pub(super) fn merge_identical(types: &mut [TypeDef]) {
    let index: HashMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // Merged type -> the type it became an alias of.
    let mut merged: HashMap<usize, usize> = HashMap::new();
    loop {
        let canonical = |name: &str| -> String {
            let mut at = match index.get(name) {
                Some(&at) => at,
                None => return name.to_owned(),
            };
            while let Some(&next) = merged.get(&at) {
                at = next;
            }
            types[at].name.clone()
        };
        let mut shapes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (at, def) in types.iter().enumerate() {
            if merged.contains_key(&at) || matches!(def.kind, TypeKind::Alias { .. }) {
                continue;
            }
            shapes
                .entry(shape(&def.kind, &canonical))
                .or_default()
                .push(at);
        }
        let mut changed = false;
        for group in shapes.values().filter(|group| group.len() > 1) {
            let kept = *group
                .iter()
                .min_by_key(|&&at| {
                    let def = &types[at];
                    (!is_component(def), def.name.len(), def.name.as_str())
                })
                .expect("a group is never empty");
            for &at in group {
                if at != kept && !is_component(&types[at]) {
                    merged.insert(at, kept);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (&at, _) in merged.iter() {
        let mut target = at;
        while let Some(&next) = merged.get(&target) {
            target = next;
        }
        types[at].kind = TypeKind::Alias {
            target: TypeRef::Named(types[target].name.clone()),
        };
    }
}

/// A definition under `#/components/schemas/NAME` itself, not a schema inside one.
fn is_component(def: &TypeDef) -> bool {
    def.pointer
        .strip_prefix("#/components/schemas/")
        .is_some_and(|key| !key.contains('/'))
}

/// What a definition compiles to, with the types it refers to by their kept names; docs
/// aside.
fn shape(kind: &TypeKind, canonical: &impl Fn(&str) -> String) -> String {
    let kind = match kind {
        TypeKind::Struct {
            fields,
            additional_properties,
        } => TypeKind::Struct {
            fields: fields
                .iter()
                .map(|f| Field {
                    ty: renamed(&f.ty, canonical),
                    description: None,
                    ..f.clone()
                })
                .collect(),
            additional_properties: additional_properties
                .as_ref()
                .map(|ty| renamed(ty, canonical)),
        },
        TypeKind::OneOf {
            variants,
            discriminator,
        } => TypeKind::OneOf {
            variants: variants
                .iter()
                .map(|v| OneOfVariant {
                    ty: renamed(&v.ty, canonical),
                    ..v.clone()
                })
                .collect(),
            discriminator: discriminator.clone(),
        },
        kind => kind.clone(),
    };
    format!("{kind:?}")
}

fn renamed(ty: &TypeRef, canonical: &impl Fn(&str) -> String) -> TypeRef {
    match ty {
        TypeRef::Named(name) => TypeRef::Named(canonical(name)),
        TypeRef::Vec(inner) => TypeRef::Vec(Box::new(renamed(inner, canonical))),
        TypeRef::Map(inner) => TypeRef::Map(Box::new(renamed(inner, canonical))),
        TypeRef::Option(inner) => TypeRef::option(renamed(inner, canonical)),
        other => other.clone(),
    }
}
