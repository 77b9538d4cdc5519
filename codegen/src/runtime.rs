//! The fixed part of every generated crate: sources in `codegen/runtime/`, copied with only
//! the crate's name put in.
//!
//! The generic files serve any API; `pagination.rs`, `multipart.rs` and `stream.rs` join
//! them when an operation needs them (and the generic ones' streaming sections with
//! `stream.rs`), and a profile supplies the crate's `profile.rs`
//! (`codegen/runtime/profile/`). Their public items are read off the sources themselves, so
//! that the crate root re-exports each and no schema takes one's name.

/// What the runtime sources write where the generated crate's name goes: the doc examples'
/// `use __crate__::Client;`. [`for_crate`] puts the name in.
pub(crate) const CRATE_PLACEHOLDER: &str = "__crate__";

/// What a runtime source writes around lines only crates with streaming operations need
/// (`// #if streams`, `// #else`, `// #endif`, each a line of its own): the rest of the crate
/// stays as it was, byte for byte, for a crate without them.
const SECTION_IF_STREAMS: &str = "// #if streams";
const SECTION_ELSE: &str = "// #else";
const SECTION_END: &str = "// #endif";

/// A runtime source as the crate named `crate_ident` (`github_packages`) has it, with the
/// streaming sections kept when `streams`, else their `#else` sides.
pub(crate) fn for_crate(source: &str, crate_ident: &str, streams: bool) -> String {
    let mut kept = String::with_capacity(source.len());
    // `None` outside a section; else whether the lines being read are kept.
    let mut keeping: Option<bool> = None;
    for line in source.split_inclusive('\n') {
        match line.trim() {
            SECTION_IF_STREAMS => keeping = Some(streams),
            SECTION_ELSE => keeping = keeping.map(|_| !streams),
            SECTION_END => keeping = None,
            _ if keeping != Some(false) => kept.push_str(line),
            _ => {}
        }
    }
    kept.replace(CRATE_PLACEHOLDER, crate_ident)
}

/// One runtime source and where it goes in the generated crate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuntimeFile {
    /// The module name in the generated crate, e.g. `client` for `src/client.rs`.
    pub module: &'static str,
    pub source: &'static str,
}

/// The files every generated crate has.
pub(crate) const GENERIC: &[RuntimeFile] = &[
    RuntimeFile {
        module: "auth",
        source: include_str!("../runtime/auth.rs"),
    },
    RuntimeFile {
        module: "client",
        source: include_str!("../runtime/client.rs"),
    },
    RuntimeFile {
        module: "conditional",
        source: include_str!("../runtime/conditional.rs"),
    },
    RuntimeFile {
        module: "encoding",
        source: include_str!("../runtime/encoding.rs"),
    },
    RuntimeFile {
        module: "error",
        source: include_str!("../runtime/error.rs"),
    },
    RuntimeFile {
        module: "hooks",
        source: include_str!("../runtime/hooks.rs"),
    },
    RuntimeFile {
        module: "pacing",
        source: include_str!("../runtime/pacing.rs"),
    },
    RuntimeFile {
        module: "retry",
        source: include_str!("../runtime/retry.rs"),
    },
    RuntimeFile {
        module: "trace",
        source: include_str!("../runtime/trace.rs"),
    },
];

/// `Link` header pagination, for crates with paged operations.
pub(crate) const PAGINATION: RuntimeFile = RuntimeFile {
    module: "pagination",
    source: include_str!("../runtime/pagination.rs"),
};

/// `multipart/*` bodies and files to upload, for crates with such bodies.
pub(crate) const MULTIPART: RuntimeFile = RuntimeFile {
    module: "multipart",
    source: include_str!("../runtime/multipart.rs"),
};

/// Responses read as they arrive (server-sent events, JSON sequences), for crates with
/// operations that answer with them; `client.rs` and `error.rs` have sections for them too.
pub(crate) const STREAM: RuntimeFile = RuntimeFile {
    module: "stream",
    source: include_str!("../runtime/stream.rs"),
};

/// Every runtime file any crate may have, but a profile's.
pub(crate) fn all_files() -> impl Iterator<Item = RuntimeFile> {
    GENERIC
        .iter()
        .copied()
        .chain([PAGINATION, MULTIPART, STREAM])
}

/// The names of the public items a runtime source defines at its top level (`pub struct`,
/// `pub enum`, `pub type`, `pub const`, `pub trait`, `pub fn`), in source order.
pub(crate) fn public_items(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("pub ")?;
            let rest = ["struct ", "enum ", "type ", "const ", "trait ", "fn "]
                .iter()
                .find_map(|keyword| rest.strip_prefix(keyword))?;
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            Some(&rest[..end])
        })
        .collect()
}

/// The names of the methods that `sources` give `type_name` in its `impl type_name { .. }`
/// blocks: `Client`'s (`new`, `request`, `send`...), which no operation may take, and
/// `ClientBuilder`'s (`token`, `base_url`...), which no server's builder method may take.
pub(crate) fn methods_of<'a>(
    type_name: &str,
    sources: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let opening = format!("impl {type_name} {{");
    let mut methods = Vec::new();
    for source in sources {
        let mut inside = false;
        for line in source.lines() {
            if line.starts_with(&opening) {
                inside = true;
            } else if line.starts_with('}') {
                inside = false;
            }
            let declaration = line.trim_start();
            let rest = [
                "pub fn ",
                "pub(crate) fn ",
                "fn ",
                "pub async fn ",
                "pub(crate) async fn ",
                "async fn ",
            ]
            .iter()
            .find_map(|prefix| declaration.strip_prefix(prefix));
            if let (true, Some(rest)) = (inside, rest) {
                if let Some(end) = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')) {
                    methods.push(&rest[..end]);
                }
            }
        }
    }
    methods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_items_are_read_off_the_source() {
        let source = "pub struct A {\n}\npub(crate) struct B;\n    pub fn inner() {}\npub const C: &str = \"\";\npub enum D<T> {}\npub type E = u8;\n";
        assert_eq!(public_items(source), ["A", "C", "D", "E"]);
    }

    #[test]
    fn client_methods_are_read_off_the_source() {
        let methods = methods_of("Client", all_files().map(|file| file.source));
        for method in [
            "new",
            "builder",
            "base_url",
            "url",
            "request",
            "send",
            "send_once",
            "if_changed",
        ] {
            assert!(methods.contains(&method), "{method} not in {methods:?}");
        }
        assert!(!methods.contains(&"token"), "a `ClientBuilder` method");
    }

    #[test]
    fn streaming_sections_are_kept_or_replaced_whole() {
        let source = "a\n    // #if streams\n    b\n    // #else\n    c\n    // #endif\nd\n    // #if streams\n    e\n    // #endif\n";
        assert_eq!(for_crate(source, "x", true), "a\n    b\nd\n    e\n");
        assert_eq!(for_crate(source, "x", false), "a\n    c\nd\n");
    }

    /// Every section opens, (at most once) turns, and closes, and none nests: otherwise
    /// `for_crate` would keep or drop lines it should not.
    #[test]
    fn streaming_sections_are_balanced() {
        for file in all_files() {
            let mut open: Option<(usize, bool)> = None;
            for (number, line) in file.source.lines().enumerate() {
                let at = format!("{}.rs:{}", file.module, number + 1);
                match line.trim() {
                    SECTION_IF_STREAMS => {
                        assert!(open.is_none(), "{at}: a section inside a section");
                        open = Some((number, false));
                    }
                    SECTION_ELSE => match &mut open {
                        Some((_, turned)) if !*turned => *turned = true,
                        _ => panic!("{at}: `#else` outside a section or twice"),
                    },
                    SECTION_END => {
                        assert!(open.take().is_some(), "{at}: `#endif` outside a section")
                    }
                    _ => {}
                }
            }
            assert!(
                open.is_none(),
                "{}.rs: a section is not closed",
                file.module
            );
        }
    }

    #[test]
    fn doc_examples_name_the_crate_by_the_placeholder_alone() {
        assert_eq!(
            for_crate("use __crate__::{Client, Error};", "my_api", false),
            "use my_api::{Client, Error};"
        );
        // The paths a doc example may start from besides the placeholder: other crates, and
        // the alias `use __crate__::{self as api}` gives.
        const ROOTS: &[&str] = &[
            CRATE_PLACEHOLDER,
            "api",
            "std",
            "reqwest",
            "serde_json",
            "tokio",
            "futures_util",
            "chrono",
            "bytes",
        ];
        let mut placeholders = 0;
        for file in all_files() {
            let mut in_example = false;
            for line in file.source.lines() {
                let Some(doc) = line
                    .trim_start()
                    .strip_prefix("///")
                    .or_else(|| line.trim_start().strip_prefix("//!"))
                else {
                    continue;
                };
                if doc.trim_start().starts_with("```") {
                    in_example = !in_example;
                    continue;
                }
                if !in_example {
                    continue;
                }
                for (at, _) in doc.match_indices("::") {
                    let before = &doc[..at];
                    let root_start = before
                        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .map_or(0, |i| i + 1);
                    let root = &before[root_start..];
                    let is_root = !before[..root_start].ends_with("::");
                    let is_path = root.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
                    if is_root && is_path {
                        assert!(
                            ROOTS.contains(&root),
                            "{}.rs: `{root}::` in {doc:?}",
                            file.module
                        );
                    }
                }
            }
            placeholders += file.source.matches("__crate__::").count();
            assert!(!for_crate(file.source, "my_api", true).contains(CRATE_PLACEHOLDER));
        }
        assert!(placeholders >= 6, "the doc examples use the placeholder");
    }
}
