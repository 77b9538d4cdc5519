//! An OpenAPI 3.0 (and 3.1 and 3.2) to Rust client generator, in four pure stages:
//!
//! 1. [`load()`]: spec text -> `openapiv3::OpenAPI`
//! 2. [`lower()`]: `OpenAPI` -> [`ir::Api`], with every `$ref` resolved and every name decided
//! 3. [`emit`]: `ir::Api` -> the files of a client crate, Rust as token streams
//! 4. [`format`](mod@format): token streams -> text, by `prettyplease`
//!
//! A [`profile`] adds a vendor's conventions between `lower` and `emit`, through the IR and
//! [`emit::Extension`]. [`pipeline`] joins them all; [`generate`] runs the whole job. Each
//! stage reports problems as [`Diagnostic`]s that name the file and a JSON pointer. Nothing
//! here touches the file system but [`build_script`], which runs the pipeline from a user's
//! `build.rs` and writes one module file into `OUT_DIR`.

pub mod build_script;
pub mod contract;
pub mod diagnostic;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod locate;
pub mod lower;
pub mod pipeline;
pub mod profile;
pub mod reserved;
mod runtime;
pub mod surface;
#[cfg(test)]
mod tidy;

pub use build_script::{BuildScript, GeneratedModule};
pub use contract::{Config, Generated, GeneratedFile};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use load::{load, load_value, load_value_as_30, Loaded};
/// The input model `load` produces and `lower` reads.
pub use openapiv3;
pub use pipeline::{generate, lower};
pub use profile::Profile;
pub use surface::{Report, Surface};
