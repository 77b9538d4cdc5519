//! The fixed part of every generated crate: sources in `codegen/runtime/`, copied verbatim.
//!
//! The generic files serve any API; `pagination.rs` joins them when an operation is paged,
//! and one file from `runtime/profile/` becomes the crate's `profile.rs`: the conventions of
//! the API's vendor, or none. Their public items are read off the sources themselves, so
//! that the crate root re-exports each and no schema takes one's name.

use crate::profile::Profile;

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

/// The profile's conventions, as the crate's `profile` module.
pub(crate) fn profile_file(profile: Profile) -> RuntimeFile {
    let source = match profile {
        Profile::Generic => include_str!("../runtime/profile/generic.rs"),
        Profile::Github => include_str!("../runtime/profile/github.rs"),
    };
    RuntimeFile {
        module: "profile",
        source,
    }
}

/// Every runtime file any crate may have.
pub(crate) fn all_files() -> impl Iterator<Item = RuntimeFile> {
    GENERIC
        .iter()
        .copied()
        .chain([PAGINATION, MULTIPART])
        .chain(Profile::ALL.into_iter().map(profile_file))
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

/// The names of the methods the runtime gives `Client` (`new`, `request`, `send`...): no
/// operation may take one.
pub(crate) fn client_methods() -> impl Iterator<Item = &'static str> {
    methods_of("Client")
}

/// The names of the methods the runtime gives `ClientBuilder` (`token`, `base_url`...): no
/// server's builder method may take one.
pub(crate) fn builder_methods() -> impl Iterator<Item = &'static str> {
    methods_of("ClientBuilder")
}

fn methods_of(type_name: &'static str) -> impl Iterator<Item = &'static str> {
    let opening = format!("impl {type_name} {{");
    all_files().flat_map(move |file| {
        let mut inside = false;
        let opening = opening.clone();
        file.source.lines().filter_map(move |line| {
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
            .find_map(|prefix| declaration.strip_prefix(prefix))?;
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
            inside.then(|| &rest[..end])
        })
    })
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
        let methods: Vec<&str> = client_methods().collect();
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
    fn every_profile_defines_what_the_generic_files_use() {
        for profile in Profile::ALL {
            let items = public_items(profile_file(profile).source);
            for needed in ["ErrorBody", "RateLimitKind"] {
                assert!(items.contains(&needed), "{profile:?} lacks {needed}");
            }
        }
    }
}
