//! How types are laid out: a field through which a struct contains itself is boxed, so
//! that the type has a finite size; an enum variant much larger than the others is boxed,
//! so that every value of the enum does not pay for its largest variant (clippy's
//! `large_enum_variant`).

use crate::ir::{Api, Success, TypeDef, TypeKind, TypeRef};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// Clippy warns when an enum's largest variant exceeds the next by 200 bytes; the estimate
/// below is rough, so variants are boxed from a gap well under that.
const LARGE_GAP: usize = 100;

/// Which variants of an enum to box, given their sizes: the largest, while it exceeds the
/// next by more than [`LARGE_GAP`].
fn boxed_variants(sizes: &[usize]) -> Vec<bool> {
    let mut boxed = vec![false; sizes.len()];
    loop {
        let size = |i: usize| if boxed[i] { 8 } else { sizes[i] };
        let mut order: Vec<usize> = (0..sizes.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(size(i)));
        match order[..] {
            [largest, next, ..] if size(largest) > size(next) + LARGE_GAP => boxed[largest] = true,
            _ => return boxed,
        }
    }
}

/// Decides both kinds of boxing for the API's types and success enums.
pub fn lay_out(api: &mut Api) {
    mark_recursive_fields(&mut api.types);
    // Sized before any variant is boxed; boxing only makes types smaller, so the decisions
    // err towards boxing.
    let (variants, successes) = {
        let sizes = Sizes::of(&api.types);
        let variants: Vec<Vec<bool>> = api
            .types
            .iter()
            .map(|def| match &def.kind {
                TypeKind::OneOf {
                    variants,
                    discriminator,
                } => {
                    let mut all: Vec<usize> =
                        variants.iter().map(|v| sizes.of_type(&v.ty)).collect();
                    // The catch-all variant of a discriminated enum holds a JSON value.
                    all.extend(
                        discriminator
                            .as_ref()
                            .map(|_| sizes.of_type(&TypeRef::Json)),
                    );
                    boxed_variants(&all)
                }
                _ => Vec::new(),
            })
            .collect();
        let successes: Vec<Vec<bool>> = api
            .operations
            .iter()
            .map(|op| match &op.success {
                Success::Enum { variants, .. } => {
                    let all: Vec<usize> = variants
                        .iter()
                        .map(|v| v.body.as_ref().map_or(0, |b| sizes.of_type(&b.ty)))
                        .collect();
                    boxed_variants(&all)
                }
                Success::Single { .. } => Vec::new(),
            })
            .collect();
        (variants, successes)
    };
    for (def, boxed) in api.types.iter_mut().zip(variants) {
        if let TypeKind::OneOf { variants, .. } = &mut def.kind {
            for (variant, boxed) in variants.iter_mut().zip(boxed) {
                variant.boxed = boxed;
            }
        }
    }
    for (operation, boxed) in api.operations.iter_mut().zip(successes) {
        if let Success::Enum { variants, .. } = &mut operation.success {
            for (variant, boxed) in variants.iter_mut().zip(boxed) {
                variant.boxed = boxed;
            }
        }
    }
}

/// Rough sizes in bytes of values of each named type, as rustc would lay them out on a
/// 64-bit target, erring large.
struct Sizes<'a> {
    types: HashMap<&'a str, &'a TypeDef>,
    known: RefCell<HashMap<&'a str, usize>>,
}

impl<'a> Sizes<'a> {
    fn of(types: &'a [TypeDef]) -> Sizes<'a> {
        Sizes {
            types: types.iter().map(|t| (t.name.as_str(), t)).collect(),
            known: RefCell::new(HashMap::new()),
        }
    }

    fn of_type(&self, ty: &TypeRef) -> usize {
        match ty {
            TypeRef::Bool => 1,
            TypeRef::I32 | TypeRef::Date => 4,
            TypeRef::I64 | TypeRef::F64 => 8,
            TypeRef::DateTime => 12,
            TypeRef::String | TypeRef::Vec(_) | TypeRef::Map(_) => 24,
            TypeRef::Json | TypeRef::Bytes | TypeRef::File => 32,
            TypeRef::Option(inner) => self.of_type(inner) + 8,
            TypeRef::Named(name) => self.of_named(name),
        }
    }

    fn of_named(&self, name: &str) -> usize {
        if let Some(size) = self.known.borrow().get(name) {
            return *size;
        }
        let Some((&key, def)) = self.types.get_key_value(name) else {
            return 8;
        };
        // A type met again while it is sized contains itself through a box.
        self.known.borrow_mut().insert(key, 8);
        let size = match &def.kind {
            TypeKind::Struct {
                fields,
                additional_properties,
            } => {
                let fields: usize = fields
                    .iter()
                    .map(|f| {
                        let value = if f.boxed { 8 } else { self.of_type(&f.ty) };
                        if f.required && !f.nullable {
                            value
                        } else {
                            value + 8
                        }
                    })
                    .sum();
                fields + additional_properties.as_ref().map_or(0, |_| 24)
            }
            TypeKind::OneOf { variants, .. } => {
                let largest = variants
                    .iter()
                    .map(|v| if v.boxed { 8 } else { self.of_type(&v.ty) })
                    .max()
                    .unwrap_or(0);
                largest.max(32) + 8
            }
            TypeKind::Enum { .. } => 32,
            TypeKind::Alias { target } => self.of_type(target),
        };
        self.known.borrow_mut().insert(key, size);
        size
    }
}

/// Marks the fields through which a struct contains itself without indirection, so that they
/// are boxed and the type has a finite size.
fn mark_recursive_fields(types: &mut [TypeDef]) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // Edges that need no indirection: a field holding the named type directly or in an Option.
    let direct = |ty: &TypeRef| -> Option<String> {
        match ty {
            TypeRef::Named(name) => Some(name.clone()),
            TypeRef::Option(inner) => match inner.as_ref() {
                TypeRef::Named(name) => Some(name.clone()),
                _ => None,
            },
            _ => None,
        }
    };
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Struct { fields, .. } => fields
                .iter()
                .filter_map(|f| direct(&f.ty).and_then(|n| index.get(&n).copied()))
                .collect(),
            TypeKind::Alias { target } => direct(target)
                .and_then(|n| index.get(&n).copied())
                .into_iter()
                .collect(),
            TypeKind::Enum { .. } => Vec::new(),
            TypeKind::OneOf { variants, .. } => variants
                .iter()
                .filter_map(|v| direct(&v.ty).and_then(|n| index.get(&n).copied()))
                .collect(),
        })
        .collect();
    let reaches = |from: usize, to: usize| -> bool {
        let mut stack = vec![from];
        let mut seen = vec![false; edges.len()];
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if std::mem::replace(&mut seen[node], true) {
                continue;
            }
            stack.extend(edges[node].iter().copied());
        }
        false
    };
    let mut to_box = Vec::new();
    for (parent, def) in types.iter().enumerate() {
        if let TypeKind::Struct { fields, .. } = &def.kind {
            for (i, field) in fields.iter().enumerate() {
                if let Some(target) = direct(&field.ty).and_then(|n| index.get(&n).copied()) {
                    if reaches(target, parent) {
                        to_box.push((parent, i));
                    }
                }
            }
        }
    }
    for (parent, i) in to_box {
        if let TypeKind::Struct { fields, .. } = &mut types[parent].kind {
            fields[i].boxed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_variants_far_larger_than_the_rest_are_boxed() {
        assert_eq!(boxed_variants(&[110, 100, 32]), [false, false, false]);
        assert_eq!(boxed_variants(&[400, 100, 32]), [true, false, false]);
        // Clippy compares the largest with the next only.
        assert_eq!(boxed_variants(&[400, 300, 32]), [false, false, false]);
        assert_eq!(boxed_variants(&[600, 300, 32]), [true, true, false]);
        assert_eq!(boxed_variants(&[500]), [false]);
    }
}
