//! The plain data passed between the stages, other than the IR (`ir.rs`, between `lower` and
//! `emit`): the job's configuration, the files `emit` hands to `format`, and what `generate`
//! hands its caller.

use crate::diagnostic::Diagnostic;
use crate::profile::Profile;
use proc_macro2::TokenStream;

/// What the generated crate is called and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The package name, e.g. `github-packages`.
    pub crate_name: String,
    pub crate_version: String,
    /// The spec as named in the `@generated` header, e.g. `spec/packages.yaml`.
    pub spec_name: String,
    /// Markdown appended to the crate documentation: a guide to the API, with examples.
    pub guide: Option<String>,
    /// The vendor conventions to follow; `None` detects them from the description (and the
    /// crate's docs and [`Generated::profile_reason`] say so).
    pub profile: Option<Profile>,
}

/// One file of the crate as `emit` leaves it: Rust still as tokens, for [`crate::format()`].
#[derive(Debug, Clone)]
pub struct EmittedFile {
    /// Relative to the crate root.
    pub path: String,
    /// The `@generated` comment, already in the file's comment syntax.
    pub header: String,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    /// Pieces printed one by one and joined: a large file's items, a few dozen at a time.
    Rust(Vec<TokenStream>),
    /// Printed as it is: manifests and the runtime sources.
    Text(String),
}

/// One file of the generated crate, by path relative to the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// A generated crate, and the warnings met on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Diagnostic>,
    /// The profile the crate follows, and why: `chosen`, or what detection saw.
    pub profile: Profile,
    pub profile_reason: String,
}
