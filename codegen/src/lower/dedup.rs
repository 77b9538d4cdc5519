//! Structurally identical types become one definition.
//!
//! Big descriptions repeat the same inline schema under many names: `{read, write}`
//! permissions, `{total_count, repositories}` pages, `visibility` enums. Each definition costs
//! the user's compiler a set of derives. An inline type that has the shape of another becomes
//! an alias of it (in GitHub's, `pub type Administration = ActionsDefaultWorkflowPermissions;`),
//! so every name still works and the compiler sees one definition. Components keep their own
//! definition: their names are the description's.

use crate::ir::{Field, OneOfVariant, TypeDef, TypeKind, TypeRef};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

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
        let canonical = |name: &str| -> Option<usize> {
            let mut at = *index.get(name)?;
            while let Some(&next) = merged.get(&at) {
                at = next;
            }
            Some(at)
        };
        let mut shapes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (at, def) in types.iter().enumerate() {
            if merged.contains_key(&at) || matches!(def.kind, TypeKind::Alias { .. }) {
                continue;
            }
            let mut key = String::new();
            Shape {
                out: &mut key,
                canonical: &canonical,
            }
            .kind(&def.kind);
            shapes.entry(key).or_default().push(at);
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
    let targets: Vec<(usize, String)> = merged
        .keys()
        .map(|&at| {
            let mut target = at;
            while let Some(&next) = merged.get(&target) {
                target = next;
            }
            (at, types[target].name.clone())
        })
        .collect();
    for (at, target) in targets {
        types[at].kind = TypeKind::Alias {
            target: TypeRef::Named(target),
        };
    }
}

/// A definition under `#/components/schemas/NAME` itself, not a schema inside one.
fn is_component(def: &TypeDef) -> bool {
    def.pointer
        .strip_prefix("#/components/schemas/")
        .is_some_and(|key| !key.contains('/'))
}

/// Writes what a definition compiles to, docs aside, with the types it refers to by the
/// definitions they stand for: two definitions with one shape are interchangeable.
struct Shape<'a, F> {
    out: &'a mut String,
    canonical: &'a F,
}

impl<F: Fn(&str) -> Option<usize>> Shape<'_, F> {
    fn kind(&mut self, kind: &TypeKind) {
        match kind {
            TypeKind::Struct {
                fields,
                additional_properties,
            } => {
                self.out.push_str("struct{");
                for field in fields {
                    let Field {
                        name,
                        rust_name,
                        ty,
                        required,
                        nullable,
                        boxed,
                        description: _,
                        deprecated,
                        setter: _,
                    } = field;
                    let flags = [*required, *nullable, *boxed, *deprecated].map(u8::from);
                    let _ = write!(self.out, "{name:?}{rust_name}{flags:?}:");
                    self.ty(ty);
                    self.out.push(',');
                }
                if let Some(ty) = additional_properties {
                    self.out.push_str("..");
                    self.ty(ty);
                }
                self.out.push('}');
            }
            TypeKind::OneOf {
                variants,
                discriminator,
            } => {
                self.out.push_str("oneOf{");
                for OneOfVariant {
                    rust_name,
                    ty,
                    boxed,
                } in variants
                {
                    let _ = write!(self.out, "{rust_name}{boxed}:");
                    self.ty(ty);
                    self.out.push(',');
                }
                let _ = write!(self.out, "}}{discriminator:?}");
            }
            kind => {
                let _ = write!(self.out, "{kind:?}");
            }
        }
    }

    fn ty(&mut self, ty: &TypeRef) {
        match ty {
            TypeRef::Named(name) => match (self.canonical)(name) {
                Some(at) => {
                    let _ = write!(self.out, "#{at}");
                }
                None => {
                    let _ = write!(self.out, "@{name}");
                }
            },
            TypeRef::Vec(inner) => {
                self.out.push_str("Vec<");
                self.ty(inner);
                self.out.push('>');
            }
            TypeRef::Map(inner) => {
                self.out.push_str("Map<");
                self.ty(inner);
                self.out.push('>');
            }
            TypeRef::Option(inner) => {
                self.out.push_str("Option<");
                self.ty(inner);
                self.out.push('>');
            }
            other => {
                let _ = write!(self.out, "{other}");
            }
        }
    }
}
