//! An OpenAPI 3.0 to Rust client generator, in four pure stages:
//!
//! 1. [`load()`]: spec text -> `openapiv3::OpenAPI`
//! 2. [`lower()`]: `OpenAPI` -> [`ir::Api`], with every `$ref` resolved and every name decided
//! 3. [`emit()`]: `ir::Api` -> the files of a client crate, Rust as token streams
//! 4. [`format()`]: token streams -> text, by `prettyplease`
//!
//! Each stage reports problems as [`Diagnostic`]s that name the file and a JSON pointer.
//! [`generate`] runs them all. Nothing here touches the file system.

// A `Diagnostic` (file, pointer, line, message, hint) is every stage's error; errors are the
// cold path, and boxing them would only add noise where they are built.
#![allow(clippy::result_large_err)]

pub mod audit;
pub mod contract;
pub mod diagnostic;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod locate;
pub mod lower;

pub use contract::{Config, Generated, GeneratedFile};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use emit::emit;
pub use format::format;
pub use load::{load, load_value, Loaded};
pub use lower::lower;

/// Runs the whole pipeline on the text of the spec named `config.spec_name`. Diagnostics
/// point into the document as written, with its line where the text shows it.
pub fn generate(text: &str, config: &Config) -> Result<Generated, Diagnostics> {
    let Loaded {
        spec,
        mut warnings,
        origin,
    } = load(text, &config.spec_name)?;
    let lowered = lower(&spec, &config.spec_name);
    // The parsed spec is the largest structure here, and only `lower` reads it.
    drop(spec);
    let place = |mut diagnostic: Diagnostic| {
        diagnostic.pointer = origin.original(&diagnostic.pointer);
        diagnostic.line = diagnostic
            .line
            .or_else(|| locate::line_of(text, &diagnostic.pointer));
        diagnostic
    };
    let api = match lowered {
        Ok(api) => api,
        Err(Diagnostics(found)) => {
            let mut all = Diagnostics(warnings);
            all.0.extend(found.into_iter().map(place));
            all.sort();
            return Err(all);
        }
    };
    let emitted = emit(&api, config);
    drop(api);
    let files = format(emitted, &config.spec_name).map_err(|error| {
        let mut all = Diagnostics(warnings.clone());
        all.0.push(error);
        all
    })?;
    warnings.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
    Ok(Generated { files, warnings })
}
