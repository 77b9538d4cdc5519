//! The crate's `Cargo.toml`: its features (TLS, HTTP/2, tracing, one per tag) and its
//! dependencies.

use super::docs;
use super::Package;
use crate::ir::{Api, Encoding, Feature};

/// The features the manifest of every generated crate gives itself: a feature per tag must
/// not take one of them ([`crate::reserved::Reserved`]). A test reads them off the manifest.
pub(crate) const MANIFEST_FEATURES: &[&str] =
    &["default", "rustls", "native-tls", "http2", "tracing"];

/// The dependencies of every generated crate, which a feature per tag must not take either.
pub(crate) const MANIFEST_DEPENDENCIES: &[&str] = &[
    "bytes",
    "chrono",
    "futures-core",
    "futures-util",
    "percent-encoding",
    "reqwest",
    "serde",
    "serde_json",
    "serde_path_to_error",
    "tokio",
    "tracing",
];

pub(super) fn cargo_toml(api: &Api, package: &Package) -> String {
    let (default_features, tag_features) = tag_features(api);
    format!(
        r#"[package]
name = "{name}"
version = "{version}"
edition = "2021"
rust-version = "1.85"
description = "Typed async client for {title}, generated from its OpenAPI description."
license = "MIT"
publish = false

[features]
default = [{default_features}]
# TLS backends of reqwest; enable exactly one (or none for plain HTTP).
rustls = ["reqwest/rustls"]
native-tls = ["reqwest/native-tls"]
# HTTP/2 where the server offers it; without it, HTTP/1.1 only and no `h2` to build.
http2 = ["reqwest/http2"]
# `tracing` spans for every call and attempt (operation, method, route, status, duration).
tracing = ["dep:tracing"]
{tag_features}
[dependencies]
bytes = "1.5"
chrono = {{ version = "0.4.38", default-features = false, features = ["serde", "std"] }}
futures-core = "0.3.30"
percent-encoding = "2.3"
reqwest = {{ version = "0.13", default-features = false, features = [{reqwest_features}] }}
serde = {{ version = "1.0.200", features = ["derive"] }}
serde_json = "1.0.100"
serde_path_to_error = "0.1.16"
tokio = {{ version = "1.38", default-features = false, features = ["sync", "time"] }}
tracing = {{ version = "0.1.40", default-features = false, features = ["std"], optional = true }}

[dev-dependencies]
futures-util = {{ version = "0.3.30", default-features = false }}
tokio = {{ version = "1.38", features = ["macros", "rt"] }}
"#,
        name = package.name,
        version = toml_text(package.version),
        title = toml_text(&api.title),
        reqwest_features = reqwest_features(api),
    )
}

/// The `default` list, and a feature per tag with a comment saying what it holds.
fn tag_features(api: &Api) -> (String, String) {
    let mut default = vec!["\"rustls\"".to_owned(), "\"http2\"".to_owned()];
    if api.features.is_empty() {
        return (default.join(", "), String::new());
    }
    let mut text = String::from(
        "# One feature per tag of the API description: its operations, and the types only they\n\
         # use. All are on by default; with `default-features = false`, name the ones you call\n\
         # (and a TLS backend).\n",
    );
    for feature in &api.features {
        default.push(format!("\"{}\"", feature.name));
        let code = |text: &str| format!("`{}`", comment_text(text));
        let (operations, what) = feature_summary(api, feature, code, comment_text);
        let includes: Vec<String> = feature
            .includes
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect();
        text.push_str(&format!(
            "# {operations}, {what}\n{} = [{}]\n",
            feature.name,
            includes.join(", ")
        ));
    }
    let default = format!(
        "\n{}\n",
        default
            .iter()
            .map(|f| format!("    {f},"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    (default, text)
}

/// A feature in words: how many operations (`27 operations`), and what they are (`tag
/// `packages`: Manage packages...`), with `code` and `prose` quoting for where the words go.
pub(super) fn feature_summary(
    api: &Api,
    feature: &Feature,
    code: impl Fn(&str) -> String,
    prose: impl Fn(&str) -> String,
) -> (String, String) {
    let operations = match api.operations_of(feature).count() {
        1 => "1 operation".to_owned(),
        n => format!("{n} operations"),
    };
    let what = match (&feature.tag, &feature.description) {
        (Some(tag), Some(description)) if !description.trim().is_empty() => {
            format!("tag {}: {}", code(tag), prose(description))
        }
        (Some(tag), _) => format!("tag {}", code(tag)),
        (None, _) => "the operations without a tag".to_owned(),
    };
    (operations, what)
}

/// Text for a TOML comment: one line.
fn comment_text(text: &str) -> String {
    docs::one_line(text)
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// Text for inside a TOML basic string: on one line, quotes and backslashes escaped.
fn toml_text(text: &str) -> String {
    docs::one_line(text)
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn has_body(api: &Api, encoding: Encoding) -> bool {
    api.operations
        .iter()
        .filter_map(|o| o.request_body.as_ref())
        .any(|b| b.encoding == encoding)
}

pub(super) fn has_multipart(api: &Api) -> bool {
    has_body(api, Encoding::Multipart)
}

/// reqwest's features: JSON and system proxies always; form and multipart bodies when the
/// API has them.
fn reqwest_features(api: &Api) -> String {
    let mut features = Vec::new();
    if has_body(api, Encoding::Form) {
        features.push("\"form\"");
    }
    features.push("\"json\"");
    if has_multipart(api) {
        features.push("\"multipart\"");
    }
    features.push("\"system-proxy\"");
    features.join(", ")
}
