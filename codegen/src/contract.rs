//! What the pipeline takes and gives: the job's configuration, and the crate it generates.
//! (The IR, between `lower` and `emit`, is `ir.rs`; the files `emit` plans are its
//! `EmittedFile`s.)

use crate::diagnostic::Diagnostic;
use crate::profile::Profile;
use crate::surface::Surface;

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
    /// A cargo feature per tag, gating its operations and types (`true` for a crate of its
    /// own). `false` compiles every operation always: a module included into another crate
    /// (`build_script`) cannot declare features.
    pub tag_features: bool,
    /// The command that regenerates the crate, as every file's `@generated` notice names it
    /// (`cargo xtask generate`, `openapi-rust-gen`).
    pub generator_command: String,
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
    /// The crate's public surface, also among `files` as `api-surface.json`: what the next
    /// regeneration compares with.
    pub surface: Surface,
}
