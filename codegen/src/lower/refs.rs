//! `$ref`s to components: followed through chains to the definition, with cycles and
//! dangling references reported. `load` has already turned references to other places in
//! the document into references to components, so only `#/components/<kind>/<name>` and
//! references to other documents reach here.

use crate::diagnostic::{pointer_join, Diagnostic};
use indexmap::IndexMap;
use openapiv3::ReferenceOr;

/// Where a reference leads.
pub enum Target<'a, T> {
    /// The definition, the pointer to it, and the name of the last component followed.
    Found {
        item: &'a T,
        pointer: String,
        component: Option<&'a str>,
    },
    /// The reference cannot be followed; the diagnostic says why.
    Broken(Diagnostic),
}

/// Follows `item` (a definition or a `$ref`) among the components of one kind
/// (`parameters`, `responses`, ...), from `pointer`, where it stands.
pub fn follow<'a, T>(
    spec_name: &str,
    kind: &str,
    components: Option<&'a IndexMap<String, ReferenceOr<T>>>,
    item: &'a ReferenceOr<T>,
    pointer: &str,
) -> Target<'a, T> {
    let prefix = format!("#/components/{kind}/");
    let mut current = item;
    let mut at = pointer.to_owned();
    let mut component = None;
    let mut seen: Vec<&str> = Vec::new();
    loop {
        let reference = match current {
            ReferenceOr::Item(item) => {
                return Target::Found {
                    item,
                    pointer: at,
                    component,
                }
            }
            ReferenceOr::Reference { reference } => reference,
        };
        let Some(key) = reference.strip_prefix(&prefix) else {
            return Target::Broken(unsupported(spec_name, pointer, reference, kind));
        };
        if seen.contains(&key) {
            seen.push(key);
            return Target::Broken(
                Diagnostic::new(
                    spec_name,
                    pointer,
                    format!("`$ref` cycle: {}", seen.join(" -> ")),
                )
                .with_hint("a chain of `$ref`s must end in a definition"),
            );
        }
        seen.push(key);
        let Some((name, next)) = components.and_then(|all| all.get_key_value(key)) else {
            return Target::Broken(dangling(spec_name, pointer, reference));
        };
        component = Some(name.as_str());
        at = pointer_join(&format!("#/components/{kind}"), &[name]);
        current = next;
    }
}

pub fn dangling(spec_name: &str, pointer: &str, reference: &str) -> Diagnostic {
    Diagnostic::new(
        spec_name,
        pointer,
        format!("`$ref` to `{reference}`, which does not exist"),
    )
    .with_hint("check the spelling, or add the component")
}

/// A reference to another document (a warning), or to a place that cannot hold a `kind`
/// (an error: a parameter referring to a schema, say).
pub fn unsupported(spec_name: &str, pointer: &str, reference: &str, kind: &str) -> Diagnostic {
    if reference.starts_with('#') {
        Diagnostic::new(
            spec_name,
            pointer,
            format!("`$ref` to `{reference}`, which is not one of the `{kind}`"),
        )
        .with_hint(format!("refer to `#/components/{kind}/...` here"))
    } else {
        // Not a broken document, one this generator cannot read whole: a warning, and the
        // part that needs it is left out.
        Diagnostic::warning(
            spec_name,
            pointer,
            format!("`$ref` to `{reference}`, in another document, which is not supported"),
        )
        .with_hint("bundle the description into one document first (e.g. `redocly bundle`)")
    }
}
