//! GitHub's conventions, which no OpenAPI keyword states: list operations are paged with
//! `Link` headers, and many operations come in three route families, one per kind of owner
//! (`/orgs/{org}/...`, `/users/{username}/...`, `/user/...`).

pub mod emit;

use crate::emit::ExtensionItem;
use crate::ir::{
    Api, Encoding, HttpMethod, Operation, OperationId, Pagination, Parameter, ParameterLocation,
    Success, TypeRef,
};
use crate::lower::names::{operation_short_name, pascal_ident, snake_ident};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// The source of a GitHub client's `profile.rs`.
pub(crate) const RUNTIME: &str = include_str!("../../../runtime/profile/github.rs");

/// What a GitHub client does beyond its description, for the crate docs.
pub(crate) const CONVENTIONS: &str = "GitHub's media type and API version headers, its error \
     body and rate limits, `Link` pagination of list operations, and dispatch by owner.";

/// The module owner dispatch is printed in: `src/owner.rs`.
/// The headers the runtime sends with every request unless the user sets others, read off
/// its constants so that this list and the runtime cannot disagree.
pub(crate) fn default_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Accept", runtime_constant("ACCEPT_GITHUB_JSON")),
        (
            "X-GitHub-Api-Version",
            runtime_constant("DEFAULT_API_VERSION"),
        ),
    ]
}

/// What the owner dispatch adds to the crate's surface: each family's method (and stream)
/// on `OwnerClient` and its struct of optional parameters.
pub(crate) fn public_items(api: &Api, families: &[OwnerFamily]) -> Vec<ExtensionItem> {
    let mut items = Vec::new();
    for family in families {
        // The family's place: its first member's operation.
        let pointer = family.members.first().map_or_else(
            || "#/paths".to_owned(),
            |m| api.operation(m.operation).pointer.clone(),
        );
        let gates: Vec<Vec<String>> = family
            .members
            .iter()
            .map(|m| api.operation(m.operation).gate.clone())
            .filter(|gate| !gate.is_empty())
            .collect();
        let mut arguments: Vec<(String, String)> = family
            .required
            .iter()
            .map(|p| (p.rust_name.clone(), p.ty.to_string()))
            .collect();
        if let Some(name) = &family.optional_params_type {
            items.push(ExtensionItem::ParamsStruct {
                name: name.clone(),
                fields: family
                    .optional
                    .iter()
                    .map(|p| {
                        (
                            p.rust_name.clone(),
                            TypeRef::option(p.ty.clone()).to_string(),
                        )
                    })
                    .collect(),
                pointer: pointer.clone(),
                gates: gates.clone(),
            });
            arguments.push(("params".to_owned(), format!("&{name}")));
        }
        let returns = family
            .success
            .as_ref()
            .map_or_else(|| "()".to_owned(), ToString::to_string);
        if let Some(stream) = &family.stream_method {
            let item = match &family.success {
                Some(TypeRef::Vec(item)) => item.to_string(),
                other => other.as_ref().map_or_else(String::new, ToString::to_string),
            };
            items.push(ExtensionItem::Method {
                path: format!("OwnerClient::{stream}"),
                arguments: arguments.clone(),
                returns: format!("Paginated<{item}>"),
                pointer: pointer.clone(),
                gates: gates.clone(),
            });
        }
        items.push(ExtensionItem::Method {
            path: format!("OwnerClient::{}", family.method_name),
            arguments,
            returns,
            pointer,
            gates,
        });
    }
    items
}

/// The value of the runtime's `pub const NAME: &str = "...";`.
fn runtime_constant(name: &str) -> &'static str {
    let start = format!("pub const {name}: &str = \"");
    RUNTIME
        .find(&start)
        .map(|at| &RUNTIME[at + start.len()..])
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the GitHub runtime defines `{name}` as a string literal"))
}

pub(crate) const OWNER_MODULE: &str = "owner";

/// The types owner dispatch defines besides the families' parameter structs (`emit.rs` prints
/// them; a test there ties the two). They yield to schemas: when a schema has one of these
/// names, the crate has no owner dispatch.
pub const OWNER_TYPES: [&str; 2] = ["Owner", "OwnerClient"];

/// Three operations, one per kind of owner, that are otherwise the same; the generated
/// `Owner` dispatches to the right one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerFamily {
    /// The method on the owner-scoped client, e.g. `get_package`.
    pub method_name: String,
    /// Set when every member is a list operation.
    pub stream_method: Option<String>,
    pub members: Vec<OwnerMember>,
    /// The required parameters other than the owner (the same in every member), in order.
    pub required: Vec<Parameter>,
    /// The optional parameters of any member, in order of first appearance.
    pub optional: Vec<Parameter>,
    pub optional_params_type: Option<String>,
    pub success: Option<TypeRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerMember {
    pub owner: OwnerKind,
    pub operation: OperationId,
    /// The Rust name of the optional parameters this member takes.
    pub optional: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OwnerKind {
    /// `/orgs/{org}/...`
    Organization,
    /// `/users/{username}/...`
    User,
    /// `/user/...`
    AuthenticatedUser,
}

/// Adds GitHub's conventions to a lowered API: marks its paged operations, and returns its
/// owner families.
pub fn apply(api: &mut Api) -> Vec<OwnerFamily> {
    mark_pagination(&mut api.operations);
    let mut taken: HashSet<String> = api.type_names().map(str::to_owned).collect();
    if OWNER_TYPES.iter().any(|name| taken.contains(*name)) {
        return Vec::new();
    }
    owner_families(api, |name| taken.insert(name.to_owned()))
}

/// Marks GET operations that answer a JSON array as paginated, unless the names the stream
/// methods would take are used already.
fn mark_pagination(operations: &mut [Operation]) {
    let mut taken: HashSet<String> = operations.iter().map(|o| o.method_name.clone()).collect();
    for operation in operations.iter_mut() {
        // A stream re-sends only the URL, so headers and bodies would be lost.
        let url_only = operation.request_body.is_none()
            && operation
                .parameters
                .iter()
                .all(|p| p.location != ParameterLocation::Header);
        if operation.http_method != HttpMethod::Get || !url_only {
            continue;
        }
        let Success::Single { body: Some(body) } = &operation.success else {
            continue;
        };
        let TypeRef::Vec(item) = &body.ty else {
            continue;
        };
        if body.encoding != Encoding::Json {
            continue;
        }
        let item = item.as_ref().clone();
        let stream_method = format!("{}_stream", operation.method_name);
        let url_method = format!("{}_url", operation.method_name);
        if taken.contains(&stream_method) || taken.contains(&url_method) {
            continue;
        }
        taken.insert(stream_method.clone());
        taken.insert(url_method.clone());
        operation.pagination = Some(Pagination {
            stream_method,
            url_method,
            item,
        });
    }
}

/// The owner an operation addresses, its owner parameter, and the rest of its path.
fn split_owner(path: &str) -> Option<(OwnerKind, Option<&str>, &str)> {
    let with_name = |prefix: &str| -> Option<(&str, &str)> {
        let rest = path.strip_prefix(prefix)?.strip_prefix('{')?;
        let (name, rest) = rest.split_once('}')?;
        Some((name, rest))
    };
    if let Some((name, rest)) = with_name("/orgs/") {
        return Some((OwnerKind::Organization, Some(name), rest));
    }
    if let Some((name, rest)) = with_name("/users/") {
        return Some((OwnerKind::User, Some(name), rest));
    }
    let rest = path.strip_prefix("/user")?;
    (rest.is_empty() || rest.starts_with('/')).then_some((OwnerKind::AuthenticatedUser, None, rest))
}

/// An operation that addresses one kind of owner.
#[derive(Clone, Copy)]
struct Member<'a> {
    id: OperationId,
    owner: OwnerKind,
    /// The path parameter naming the owner (none for the authenticated user).
    owner_parameter: Option<&'a str>,
    operation: &'a Operation,
}

const OWNER_ORDER: [OwnerKind; 3] = [
    OwnerKind::Organization,
    OwnerKind::User,
    OwnerKind::AuthenticatedUser,
];

/// Groups operations that differ only in their owner. `reserve` claims a type name for a
/// family's optional parameters and says whether it was free.
fn owner_families(api: &Api, mut reserve: impl FnMut(&str) -> bool) -> Vec<OwnerFamily> {
    let mut groups: BTreeMap<(&str, &str), Vec<Member>> = BTreeMap::new();
    let mut order: Vec<(&str, &str)> = Vec::new();
    for (id, operation) in api.operations_with_ids() {
        let Some((owner, owner_parameter, rest)) = split_owner(&operation.path) else {
            continue;
        };
        let key = (operation.http_method.as_str(), rest);
        if !groups.contains_key(&key) {
            order.push(key);
        }
        groups.entry(key).or_default().push(Member {
            id,
            owner,
            owner_parameter,
            operation,
        });
    }
    let mut families: Vec<OwnerFamily> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    for key in order {
        let group = &groups[&key];
        let members: Option<Vec<_>> = OWNER_ORDER
            .iter()
            .map(|kind| {
                let mut matching = group.iter().filter(|m| m.owner == *kind);
                match (matching.next(), matching.next()) {
                    (Some(member), None) => Some(*member),
                    _ => None,
                }
            })
            .collect();
        let Some(members) = members else {
            continue;
        };
        if let Some(family) = family(&members) {
            if taken.insert(family.method_name.clone())
                && family
                    .optional_params_type
                    .as_deref()
                    .is_none_or(&mut reserve)
            {
                families.push(family);
            }
        }
    }
    families
}

fn family(members: &[Member]) -> Option<OwnerFamily> {
    let is_owner =
        |parameter: &Parameter, owner: Option<&str>| Some(parameter.name.as_str()) == owner;
    let required: Vec<Vec<&Parameter>> = members
        .iter()
        .map(|m| {
            m.operation
                .parameters
                .iter()
                .filter(|p| p.required && !is_owner(p, m.owner_parameter))
                .collect()
        })
        .collect();
    let same_required = required.windows(2).all(|pair| {
        pair[0].len() == pair[1].len()
            && pair[0]
                .iter()
                .zip(&pair[1])
                .all(|(a, b)| a.name == b.name && a.location == b.location && a.ty == b.ty)
    });
    let success = |op: &Operation| match &op.success {
        Success::Single { body } => Some(body.as_ref().map(|b| b.ty.clone())),
        Success::Enum { .. } => None,
    };
    let first_success = success(members[0].operation);
    let same_success = first_success.is_some()
        && members
            .iter()
            .all(|m| success(m.operation) == first_success);
    let no_bodies = members.iter().all(|m| m.operation.request_body.is_none());
    if !same_required || !same_success || !no_bodies {
        return None;
    }
    let mut optional: Vec<Parameter> = Vec::new();
    for m in members {
        for parameter in m.operation.parameters.iter().filter(|p| !p.required) {
            match optional.iter().find(|p| p.name == parameter.name) {
                Some(existing)
                    if existing.ty != parameter.ty || existing.location != parameter.location =>
                {
                    return None
                }
                Some(_) => {}
                None => optional.push(parameter.clone()),
            }
        }
    }
    let method_name = family_name(members.iter().map(|m| m.operation.operation_id.as_str()))?;
    let optional_params_type = (!optional.is_empty())
        .then(|| format!("{}Params", pascal_ident(&format!("owner-{method_name}"))));
    let stream_method = members
        .iter()
        .all(|m| m.operation.pagination.is_some())
        .then(|| format!("{method_name}_stream"));
    Some(OwnerFamily {
        method_name,
        stream_method,
        members: members
            .iter()
            .map(|m| OwnerMember {
                owner: m.owner,
                operation: m.id,
                optional: m
                    .operation
                    .parameters
                    .iter()
                    .filter(|p| !p.required)
                    .map(|p| p.rust_name.clone())
                    .collect(),
            })
            .collect(),
        required: required[0].iter().map(|p| (*p).clone()).collect(),
        optional,
        optional_params_type,
        success: first_success.flatten(),
    })
}

/// The words the members' operationIds share, up to the words that name the owner:
/// `get-package-for-organization`, `get-package-for-user` and
/// `get-package-for-authenticated-user` -> `get_package`.
fn family_name<'a>(ids: impl Iterator<Item = &'a str>) -> Option<String> {
    let words: Vec<Vec<&str>> = ids
        .map(|id| operation_short_name(id).split('-').collect())
        .collect();
    let shortest = words.iter().map(Vec::len).min()?;
    let mut common = (0..shortest)
        .take_while(|&i| words.iter().all(|w| w[i] == words[0][i]))
        .count();
    while common > 0
        && matches!(
            words[0][common - 1],
            "for" | "by" | "owned" | "the" | "a" | "an" | "of"
        )
    {
        common -= 1;
    }
    (common > 0).then(|| snake_ident(&words[0][..common].join("-")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_prefixes() {
        assert_eq!(
            split_owner("/orgs/{org}/packages"),
            Some((OwnerKind::Organization, Some("org"), "/packages"))
        );
        assert_eq!(
            split_owner("/users/{username}/packages"),
            Some((OwnerKind::User, Some("username"), "/packages"))
        );
        assert_eq!(
            split_owner("/user/packages"),
            Some((OwnerKind::AuthenticatedUser, None, "/packages"))
        );
        assert_eq!(
            split_owner("/user"),
            Some((OwnerKind::AuthenticatedUser, None, ""))
        );
        assert_eq!(split_owner("/usernames"), None);
        assert_eq!(split_owner("/repos/{owner}/{repo}"), None);
    }

    #[test]
    fn family_names() {
        let name = |ids: &[&str]| family_name(ids.iter().copied());
        assert_eq!(
            name(&[
                "packages/get-package-for-organization",
                "packages/get-package-for-user",
                "packages/get-package-for-authenticated-user"
            ]),
            Some("get_package".into())
        );
        assert_eq!(
            name(&[
                "packages/get-all-package-versions-for-package-owned-by-org",
                "packages/get-all-package-versions-for-package-owned-by-user",
                "packages/get-all-package-versions-for-package-owned-by-authenticated-user"
            ]),
            Some("get_all_package_versions_for_package".into())
        );
        assert_eq!(name(&["a/x", "a/y", "a/z"]), None);
    }

    #[test]
    fn default_headers_are_the_runtimes_constants() {
        assert_eq!(
            default_headers(),
            [
                (
                    "Accept",
                    "application/vnd.github+json, application/json;q=0.9"
                ),
                ("X-GitHub-Api-Version", "2022-11-28"),
            ]
        );
    }
}
