//! An OpenAPI 3.0 to Rust client generator, in four pure stages:
//!
//! 1. [`load()`]: spec text -> `openapiv3::OpenAPI`
//! 2. [`lower()`]: `OpenAPI` -> [`ir::Api`], with every `$ref` resolved and every name decided
//! 3. [`emit()`]: `ir::Api` -> the files of a client crate, Rust as token streams
//! 4. [`format()`]: token streams -> text, by `prettyplease`
//!
//! Each stage reports problems as [`Diagnostic`]s that name the file and a JSON pointer.
//! [`generate`] runs them all. Nothing here touches the file system.

pub mod contract;
pub mod diagnostic;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod locate;
pub mod lower;
pub mod profile;
mod runtime;

pub use contract::{Config, Generated, GeneratedFile};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use emit::emit;
pub use format::format;
pub use load::{load, load_value, load_value_as_30, Loaded};
pub use lower::lower;
/// The input model `load` produces and `lower` reads.
pub use openapiv3;
pub use profile::Profile;

/// Runs the whole pipeline on the text of the spec named `config.spec_name`. Diagnostics
/// point into the document as written, with its line where the text shows it.
pub fn generate(text: &str, config: &Config) -> Result<Generated, Diagnostics> {
    let Loaded {
        spec,
        mut warnings,
        origin,
    } = load(text, &config.spec_name)?;
    let (profile, reason) = match config.profile {
        Some(profile) => (profile, "chosen".to_owned()),
        None => Profile::detect(&spec),
    };
    let lowered = lower(&spec, &config.spec_name);
    // The parsed spec is the largest structure here, and only `lower` reads it: it is freed
    // beside the stages that follow rather than before them.
    let freeing = std::thread::spawn(move || drop(spec));
    let place = |mut diagnostic: Diagnostic| {
        diagnostic.pointer = origin.original(&diagnostic.pointer);
        match (diagnostic.line, locate::line_of(text, &diagnostic.pointer)) {
            (None, Some((line, column))) => diagnostic.with_line(line, column),
            _ => diagnostic,
        }
    };
    let lower::Lowered {
        mut api,
        warnings: lower_warnings,
    } = match lowered {
        Ok(lowered) => lowered,
        Err(Diagnostics(found)) => {
            let mut all = Diagnostics(warnings);
            all.0.extend(found.into_iter().map(place));
            all.sort();
            let _ = freeing.join();
            return Err(all);
        }
    };
    warnings.extend(lower_warnings.into_iter().map(place));
    let applied = profile::apply(profile, reason, &mut api);
    let files = format::emit_and_format(
        &emit::Emitter::new(&api, &applied, config),
        &config.spec_name,
    );
    drop(api);
    let _ = freeing.join();
    let files = files.map_err(|error| {
        let mut all = Diagnostics(warnings.clone());
        all.0.push(error);
        all
    })?;
    warnings.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
    Ok(Generated {
        files,
        warnings,
        profile,
        profile_reason: applied.reason,
    })
}
