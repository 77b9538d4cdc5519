//! An OpenAPI 3.0 to Rust client generator, in four pure stages:
//!
//! 1. [`load()`]: spec text -> `openapiv3::OpenAPI`
//! 2. [`lower()`]: `OpenAPI` -> [`ir::Api`], with every `$ref` resolved and every name decided
//! 3. [`emit()`]: `ir::Api` -> the files of a client crate, Rust as token streams
//! 4. [`format()`]: token streams -> text, by `prettyplease`
//!
//! Each stage reports problems as [`Diagnostic`]s that name the file and a JSON pointer.
//! [`generate`] runs them all. Nothing here touches the file system.

pub mod audit;
pub mod diagnostic;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod locate;
pub mod lower;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use emit::{emit, Config};
pub use format::{format, GeneratedFile};
pub use load::{load, load_value};
pub use lower::lower;

/// Runs the whole pipeline on the text of the spec named `config.spec_name`. Diagnostics
/// from `lower` get the line of their JSON pointer, where the text shows it.
pub fn generate(text: &str, config: &Config) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let spec = load(text, &config.spec_name)?;
    let lowered = lower(&spec, &config.spec_name);
    // The parsed spec is the largest structure here, and only `lower` reads it.
    drop(spec);
    let api = lowered.map_err(|Diagnostics(found)| {
        Diagnostics(
            found
                .into_iter()
                .map(|mut diagnostic| {
                    diagnostic.line = diagnostic
                        .line
                        .or_else(|| locate::line_of(text, &diagnostic.pointer));
                    diagnostic
                })
                .collect(),
        )
    })?;
    let emitted = emit(&api, config);
    drop(api);
    Ok(format(emitted, &config.spec_name)?)
}
