//! Input types: the types a parameter or a request body reaches, which users build values
//! of. Their structs get a constructor taking the fields that must be set and a setter for
//! each of the others, so that they can be `#[non_exhaustive]` (a new optional field is then
//! an addition, not a breaking change) and still be built outside the crate.

use super::features::{children, named, sent, type_index};
use crate::ir::{Api, TypeKind};
use crate::reserved::{first_free, Numbering, Reserved};
use std::collections::BTreeSet;

/// Marks the input types of `api` and names the setters of their structs' optional fields.
pub(super) fn mark(api: &mut Api, reserved: &Reserved) {
    let index = type_index(api);
    let mut stack: Vec<usize> = Vec::new();
    for root in api.operations.iter().flat_map(sent) {
        named(root, &index, &mut stack);
    }
    let mut input = vec![false; api.types.len()];
    while let Some(type_index) = stack.pop() {
        if std::mem::replace(&mut input[type_index], true) {
            continue;
        }
        for child in children(&api.types[type_index].kind) {
            named(child, &index, &mut stack);
        }
    }
    for (def, input) in api.types.iter_mut().zip(input) {
        def.input = input;
        let TypeKind::Struct { fields, .. } = &mut def.kind else {
            continue;
        };
        if !input {
            continue;
        }
        let mut taken: BTreeSet<String> = reserved.model_struct_methods.clone();
        // Fields keep their names as setters where they can, before any is renamed.
        let wanted: Vec<Option<String>> = fields
            .iter()
            .map(|f| (f.rust_type() != f.ty).then(|| f.rust_name.clone()))
            .collect();
        taken.extend(
            wanted
                .iter()
                .flatten()
                .filter(|name| !reserved.model_struct_methods.contains(*name))
                .cloned(),
        );
        for (field, wanted) in fields.iter_mut().zip(wanted) {
            let Some(name) = wanted else {
                continue;
            };
            let setter = if reserved.model_struct_methods.contains(&name) {
                let bare = name.strip_prefix("r#").unwrap_or(&name);
                let setter = first_free(&format!("{bare}_value"), Numbering::SNAKE, |n| {
                    taken.contains(n)
                });
                taken.insert(setter.clone());
                setter
            } else {
                name
            };
            field.setter = Some(setter);
        }
    }
}
