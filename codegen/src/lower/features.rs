//! Cargo features: one per tag, so that a crate built from a big description compiles only
//! the parts a user asks for.
//!
//! An operation is compiled when any of its tags' features is on; a type when any operation
//! that reaches it is, so a type shared by several tags needs only one of them.

use crate::diagnostic::Diagnostic;
use crate::ir::{Api, Feature, Gate, Operation, TypeKind, TypeRef};
use crate::load::openapi32;
use crate::reserved::{first_free, Numbering, Reserved};
use heck::ToKebabCase;
use openapiv3::OpenAPI;
use std::collections::{BTreeSet, HashMap};

/// crates.io refuses a crate with more features than this.
const MAX_FEATURES: usize = 300;

/// The feature of the operations without a tag, when others have one.
const UNTAGGED: &str = "untagged";

/// Gives `api` a feature per tag and gates its operations and types; a warning when the
/// description has too many tags for that.
pub(super) fn assign(
    api: &mut Api,
    spec: &OpenAPI,
    spec_name: &str,
    reserved: &Reserved,
) -> Option<Diagnostic> {
    let mut groups: Vec<Option<String>> = Vec::new();
    for operation in &api.operations {
        for tag in groups_of(&operation.tags) {
            if !groups.contains(&tag) {
                groups.push(tag);
            }
        }
    }
    // A 3.2 tag's `parent` groups it: the parent's feature turns on its children's, and
    // is there even when no operation has the parent tag itself.
    let parents: HashMap<&str, &str> = spec
        .tags
        .iter()
        .filter_map(|tag| {
            let parent = tag.extensions.get(openapi32::PARENT)?.as_str()?;
            Some((tag.name.as_str(), parent))
        })
        .collect();
    let mut index = 0;
    while index < groups.len() {
        let parent = groups[index].as_deref().and_then(|tag| parents.get(tag));
        if let Some(parent) = parent.map(|p| Some((*p).to_owned())) {
            if !groups.contains(&parent) {
                groups.push(parent);
            }
        }
        index += 1;
    }
    if groups.len() < 2 {
        return None;
    }
    if groups.len() + reserved.manifest_features.len() > MAX_FEATURES {
        let pointer = if spec.tags.is_empty() {
            "#/paths"
        } else {
            "#/tags"
        };
        return Some(Diagnostic::warning(
            spec_name,
            pointer,
            format!(
                "the operations have {} tags, more than the {MAX_FEATURES} features crates.io \
                 accepts in a crate: no feature per tag, every operation is always compiled",
                groups.len()
            ),
        ));
    }
    let names = feature_names(&groups, reserved);
    let descriptions: HashMap<&str, Option<&str>> = spec
        .tags
        .iter()
        .map(|t| (t.name.as_str(), t.description.as_deref()))
        .collect();
    for operation in &mut api.operations {
        let mut gate: Gate = groups_of(&operation.tags)
            .iter()
            .map(|tag| names[tag].clone())
            .collect();
        gate.sort();
        gate.dedup();
        operation.gate = gate;
    }
    api.features = groups
        .iter()
        .map(|tag| Feature {
            name: names[tag].clone(),
            tag: tag.clone(),
            description: tag
                .as_deref()
                .and_then(|t| descriptions.get(t).copied().flatten())
                .map(str::to_owned),
            includes: {
                let mut children: Vec<String> = groups
                    .iter()
                    .filter(|child| {
                        let parent = child.as_deref().and_then(|c| parents.get(c)).copied();
                        parent.is_some() && parent == tag.as_deref()
                    })
                    .map(|child| names[child].clone())
                    .collect();
                children.sort();
                children
            },
        })
        .collect();
    api.features.sort_by(|a, b| a.name.cmp(&b.name));
    gate_types(api);
    None
}

/// The groups an operation with `tags` belongs to: each tag, or `None` (untagged) when it has
/// none.
fn groups_of(tags: &[String]) -> Vec<Option<String>> {
    if tags.is_empty() {
        vec![None]
    } else {
        tags.iter().cloned().map(Some).collect()
    }
}

/// A feature name per group: the tag in kebab case, ASCII only, clear of the manifest's own
/// features and dependencies (`tracing` becomes `tracing-operations`) and of each other.
fn feature_names(
    groups: &[Option<String>],
    reserved: &Reserved,
) -> HashMap<Option<String>, String> {
    let manifest = |name: &str| {
        reserved.manifest_features.contains(name) || reserved.manifest_dependencies.contains(name)
    };
    let mut taken: BTreeSet<String> = BTreeSet::new();
    // Tags claim their names before the untagged group does.
    let mut ordered: Vec<&Option<String>> = groups.iter().collect();
    ordered.sort_by_key(|tag| tag.is_none());
    let mut names = HashMap::new();
    for tag in ordered {
        let mut base = match tag {
            Some(tag) => ascii_kebab(tag),
            None => UNTAGGED.to_owned(),
        };
        if base.is_empty() {
            base = "tag".to_owned();
        }
        if manifest(&base) {
            base.push_str("-operations");
        }
        let name = first_free(&base, Numbering::KEBAB, |name| taken.contains(name));
        taken.insert(name.clone());
        names.insert(tag.clone(), name);
    }
    names
}

/// `Code Scanning` -> `code-scanning`; characters cargo or a shell would trip on are dropped.
fn ascii_kebab(tag: &str) -> String {
    let kebab = tag.to_kebab_case();
    let mut name = String::new();
    for c in kebab.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.trim_end_matches('-').to_owned()
}

/// Gates every type by the features of the operations that reach it.
fn gate_types(api: &mut Api) {
    let index = type_index(api);
    let mut gates: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); api.types.len()];
    let mut stack: Vec<usize> = Vec::new();
    for operation in &api.operations {
        let mut roots = sent(operation);
        roots.extend(
            operation
                .responses
                .iter()
                .filter_map(|r| Some(&r.body.as_ref()?.ty)),
        );
        roots.extend(operation.pagination.as_ref().map(|p| &p.item));
        for root in roots {
            named(root, &index, &mut stack);
        }
        while let Some(type_index) = stack.pop() {
            let gate = &mut gates[type_index];
            let before = gate.len();
            gate.extend(operation.gate.iter().map(String::as_str));
            if gate.len() == before {
                // Already reached through this operation's features: so is all it refers to.
                continue;
            }
            for child in children(&api.types[type_index].kind) {
                named(child, &index, &mut stack);
            }
        }
    }
    // A type no operation reaches is an alias left by `dedup` (its referrers became aliases
    // too): it is there when its target is.
    for type_index in 0..gates.len() {
        if gates[type_index].is_empty() {
            if let TypeKind::Alias { target } = &api.types[type_index].kind {
                let mut targets = Vec::new();
                named(target, &index, &mut targets);
                for target in targets {
                    let target_gate = gates[target].clone();
                    gates[type_index].extend(target_gate);
                }
            }
        }
    }
    let gates: Vec<Gate> = gates
        .into_iter()
        .map(|gate| gate.into_iter().map(str::to_owned).collect())
        .collect();
    for (def, gate) in api.types.iter_mut().zip(gates) {
        def.gate = gate;
    }
}

/// Each type's place in `api.types`, by name.
pub(super) fn type_index(api: &Api) -> HashMap<&str, usize> {
    api.types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect()
}

/// The types an operation sends: its parameters' and its body's (with a form's parts).
pub(super) fn sent(operation: &Operation) -> Vec<&TypeRef> {
    let mut roots: Vec<&TypeRef> = operation.parameters.iter().map(|p| &p.ty).collect();
    if let Some(body) = &operation.request_body {
        roots.push(&body.ty);
        roots.extend(body.parts.iter().map(|p| &p.ty));
    }
    roots
}

/// The types a type refers to directly.
pub(super) fn children(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct {
            fields,
            additional_properties,
        } => fields
            .iter()
            .map(|f| &f.ty)
            .chain(additional_properties)
            .collect(),
        TypeKind::OneOf { variants, .. } => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Enum { .. } => Vec::new(),
        TypeKind::Alias { target } => vec![target],
    }
}

/// Pushes the named type inside `ty` (there is at most one), if it is one of `index`'s.
pub(super) fn named(ty: &TypeRef, index: &HashMap<&str, usize>, stack: &mut Vec<usize>) {
    match ty {
        TypeRef::Named(name) => stack.extend(index.get(name.as_str())),
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => {
            named(inner, index, stack)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_are_ascii_kebab_and_clear_of_the_manifest() {
        let groups = [
            Some("Code Scanning"),
            Some("tracing"),
            Some("reqwest"),
            Some("C++ & Rust"),
            Some("日本"),
            Some("untagged"),
            None,
            Some("code_scanning"),
        ];
        let groups: Vec<Option<String>> = groups.iter().map(|g| g.map(str::to_owned)).collect();
        let names = feature_names(&groups, &crate::pipeline::reserved());
        let name = |tag: Option<&str>| names[&tag.map(str::to_owned)].as_str();
        assert_eq!(name(Some("Code Scanning")), "code-scanning");
        assert_eq!(name(Some("code_scanning")), "code-scanning-2");
        assert_eq!(name(Some("tracing")), "tracing-operations");
        assert_eq!(name(Some("reqwest")), "reqwest-operations");
        assert_eq!(name(Some("C++ & Rust")), "c-rust");
        assert_eq!(name(Some("日本")), "tag");
        assert_eq!(name(Some("untagged")), "untagged");
        assert_eq!(name(None), "untagged-2");
        let distinct: BTreeSet<&str> = names.values().map(String::as_str).collect();
        assert_eq!(distinct.len(), groups.len());
    }
}

#[cfg(test)]
mod limits {
    use crate::load;
    use crate::pipeline::lower;

    /// A description whose operations have `tags` tags, one operation each.
    fn spec(tags: usize) -> String {
        let mut spec = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n");
        for n in 0..tags {
            spec.push_str(&format!(
                "  /r{n}:\n    get:\n      operationId: get-{n}\n      tags: [t{n}]\n      \
                 responses:\n        '204': {{description: none}}\n"
            ));
        }
        spec
    }

    #[test]
    fn past_what_crates_io_accepts_every_operation_is_compiled_with_a_warning() {
        // 295 tags and the manifest's own 5 features: 300, accepted.
        let lowered = lower(&load(&spec(295), "s.yaml").unwrap().spec, "s.yaml").unwrap();
        assert_eq!(lowered.api.features.len(), 295);
        assert!(lowered.warnings.is_empty(), "{:?}", lowered.warnings);

        let lowered = lower(&load(&spec(296), "s.yaml").unwrap().spec, "s.yaml").unwrap();
        assert!(lowered.api.features.is_empty());
        assert!(lowered.api.operations.iter().all(|o| o.gate.is_empty()));
        let [warning] = lowered.warnings.as_slice() else {
            panic!("one warning: {:?}", lowered.warnings)
        };
        assert_eq!(warning.pointer, "#/paths");
        assert!(warning.message.contains("296 tags"), "{}", warning.message);
    }

    #[test]
    fn one_tag_or_none_keeps_the_crate_whole() {
        for tags in [0, 1] {
            let lowered = lower(&load(&spec(tags), "s.yaml").unwrap().spec, "s.yaml").unwrap();
            assert!(lowered.api.features.is_empty());
        }
    }
}
