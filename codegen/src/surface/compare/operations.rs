//! The crate-wide items, the operations and what a profile adds.

use super::*;

pub(super) fn crate_wide(previous: &Surface, current: &Surface, found: &mut Found) {
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

pub(super) fn operations(previous: &Surface, current: &Surface, found: &mut Found) {
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
pub(super) fn extension(previous: &Surface, current: &Surface, found: &mut Found) {
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

/// The changes to one operation's method (and its parameter struct, success enum and stream).
pub(super) fn operation(was: &OperationItem, now: &OperationItem, found: &mut Found) {
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
    match (&was.form, &now.form) {
        (Some(a), Some(b)) => form(at, a, b, found),
        (None, Some(b)) => found.add(Class::Minor, &b.name, at, "new multipart form struct"),
        (Some(a), None) => found.add(Class::Major, &a.name, at, "multipart form struct removed"),
        (None, None) => {}
    }
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

pub(super) fn arguments(
    item: &str,
    at: &str,
    was: &[Argument],
    now: &[Argument],
    found: &mut Found,
) {
    if was == now {
        return;
    }
    let mut named = false;
    for (name, change) in keyed_diff(&by_name(was), &by_name(now)) {
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

pub(super) fn params_struct(at: &str, was: &ParamsStruct, now: &ParamsStruct, found: &mut Found) {
    // A renamed struct shows in the method's `params` argument.
    non_exhaustive(
        &now.name,
        at,
        "struct",
        was.non_exhaustive,
        now.non_exhaustive,
        found,
    );
    for (name, change) in keyed_diff(&by_name(&was.fields), &by_name(&now.fields)) {
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

/// A multipart form: a plain struct, built as a literal, so any new part breaks that.
pub(super) fn form(at: &str, was: &ParamsStruct, now: &ParamsStruct, found: &mut Found) {
    for (name, change) in keyed_diff(&by_name(&was.fields), &by_name(&now.fields)) {
        let item = format!("{}.{name}", now.name);
        let what = match change {
            Diff::Added(ty) => format!("new part `{ty}`"),
            Diff::Removed(ty) => format!("part `{ty}` removed"),
            Diff::Changed(a, b) => format!("is `{b}` (was `{a}`){}", option_note(&a, &b)),
        };
        found.add(Class::Major, item, at, what);
    }
}

pub(super) fn success_enum(at: &str, was: &SuccessEnum, now: &SuccessEnum, found: &mut Found) {
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

pub(super) fn cases(
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

/// Arguments or fields by name, with their types.
fn by_name(arguments: &[Argument]) -> BTreeMap<String, String> {
    arguments
        .iter()
        .map(|a| (a.name.clone(), a.ty.clone()))
        .collect()
}
