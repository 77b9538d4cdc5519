//! Stage 4: the emitted files -> text. Rust is parsed by `syn` and printed by `prettyplease`;
//! kept apart from `emit` so that each can be measured on its own.

use crate::contract::{Body, EmittedFile, GeneratedFile};
use crate::diagnostic::Diagnostic;
use crate::emit::{Emitter, Piece, Planned};
use proc_macro2::TokenStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Prints every file, keeping their order. `spec_name` names the spec in the one error
/// possible here: tokens that are not Rust, which is a bug in `emit`.
pub fn format(files: Vec<EmittedFile>, spec_name: &str) -> Result<Vec<GeneratedFile>, Diagnostic> {
    files
        .into_iter()
        .map(|file| {
            let text = match file.body {
                Body::Text(text) => text,
                Body::Rust(pieces) => joined(
                    pieces
                        .into_iter()
                        .map(|tokens| print(tokens, &file.path, spec_name)),
                )?,
            };
            Ok(GeneratedFile {
                contents: format!("{}{text}", file.header),
                path: file.path,
            })
        })
        .collect()
}

/// `emit` and `format` together, as `generate` runs them: the pieces of every file are built
/// and printed on as many threads as there are cores, and joined in the plan's order, so the
/// text is the same as `format(emit(..))`'s whatever the threads do.
pub(crate) fn emit_and_format(
    emitter: &Emitter,
    spec_name: &str,
) -> Result<Vec<GeneratedFile>, Diagnostic> {
    let plan = emitter.plan();
    let jobs: Vec<(&str, &Piece)> = plan
        .iter()
        .flat_map(|file| match &file.body {
            Planned::Rust(pieces) => pieces.iter().map(|p| (file.path.as_str(), p)).collect(),
            Planned::Text(_) => Vec::new(),
        })
        .collect();
    let threads = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((path, piece)) = jobs.get(i) else {
                return done;
            };
            done.push((i, print(emitter.piece(piece), path, spec_name)));
        }
    };
    let mut printed: Vec<Option<Result<String, Diagnostic>>> = vec![None; jobs.len()];
    thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                thread::Builder::new()
                    // As much stack as the main thread has: `syn` and `prettyplease` recurse.
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, work)
            })
            .collect();
        for worker in workers {
            let joined = match worker {
                Ok(handle) => handle.join(),
                // No thread to spare: this one does the rest.
                Err(_) => Ok(work()),
            };
            match joined {
                Ok(done) => {
                    for (i, text) in done {
                        printed[i] = Some(text);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    let mut printed = printed.into_iter();
    plan.into_iter()
        .map(|file| {
            let text = match file.body {
                Planned::Text(text) => text,
                Planned::Rust(pieces) => joined(pieces.iter().map(|_| {
                    printed
                        .next()
                        .flatten()
                        .expect("every piece is printed by one of the threads")
                }))?,
            };
            Ok(GeneratedFile {
                contents: format!("{}{text}", file.header),
                path: file.path,
            })
        })
        .collect()
}

/// A file's text from its pieces' text, in order.
fn joined(pieces: impl Iterator<Item = Result<String, Diagnostic>>) -> Result<String, Diagnostic> {
    let mut text = String::new();
    for piece in pieces {
        text.push_str(&piece?);
    }
    Ok(space_items(&text))
}

/// One piece as `prettyplease` prints it.
fn print(tokens: TokenStream, path: &str, spec_name: &str) -> Result<String, Diagnostic> {
    let parsed = syn::parse2::<syn::File>(tokens).map_err(|error| {
        Diagnostic::new(
            spec_name,
            "#",
            format!("internal error: the generator produced invalid Rust for {path}: {error}"),
        )
        .with_hint("this is a bug in codegen; please report it with the spec")
    })?;
    Ok(prettyplease::unparse(&parsed))
}

/// prettyplease prints items back to back; a blank line after each item that closes on its
/// own line (and after the `use` block) makes the output read like hand-written code.
fn space_items(source: &str) -> String {
    /// A line with its indentation (prettyplease indents with spaces) measured once.
    struct Line<'a> {
        text: &'a str,
        code: &'a str,
        indent: usize,
    }
    let lines: Vec<Line> = source
        .lines()
        .map(|text| {
            let code = text.trim_start_matches(' ');
            Line {
                text,
                code,
                indent: text.len() - code.len(),
            }
        })
        .collect();
    let is_use = |code: &str| code.starts_with("use ") || code.starts_with("pub use ");
    let mut out = String::with_capacity(source.len() + source.len() / 16);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line.text);
        out.push('\n');
        let Some(next) = lines.get(i + 1) else {
            continue;
        };
        let closes_item = matches!(line.code, "}" | "};")
            || (line.indent == 0 && !line.code.starts_with("//") && line.code.ends_with(");"))
            || line.code.starts_with("pub type ")
            || line.code.starts_with("pub const ");
        let ends_uses = (is_use(line.code) || line.text == "};") && !is_use(next.code);
        let ends_inner_docs = line.text.starts_with("//!") && !next.text.starts_with("//!");
        let ends_inner_attrs = line.text.starts_with("#![") && !next.text.starts_with("#![");
        let separate = (closes_item && next.indent == line.indent && !next.code.starts_with('}'))
            || (ends_uses && line.indent == 0 && next.indent == 0)
            || ends_inner_docs
            || ends_inner_attrs;
        if separate && !next.code.trim().is_empty() {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Config;

    /// A description large enough to make several pieces of each kind.
    fn large_description() -> String {
        let mut text = String::from(
            "openapi: 3.0.3\ninfo: {title: Large, version: '1'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n",
        );
        for i in 0..150 {
            text.push_str(&format!(
                "  /things{i}/{{id}}:\n    post:\n      operationId: thing{i}\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n        - {{name: q, in: query, schema: {{type: string, enum: [a, b]}}}}\n      requestBody: {{content: {{multipart/form-data: {{schema: {{type: object, properties: {{file: {{type: string, format: binary}}}}}}}}}}}}\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing{i}'}}}}}}}}\n        '201': {{description: made, content: {{text/plain: {{schema: {{type: string}}}}}}}}\n"
            ));
        }
        text.push_str("components:\n  schemas:\n");
        for i in 0..150 {
            text.push_str(&format!(
                "    Thing{i}:\n      description: \"Thing {i}\\n\\n- a list\"\n      type: object\n      properties: {{name: {{type: string}}, kind: {{type: string, enum: [x, y]}}}}\n"
            ));
        }
        text
    }

    #[test]
    fn pieces_print_as_their_whole_file_would_and_threads_change_nothing() {
        let config = Config {
            crate_name: "large".to_owned(),
            crate_version: "0.1.0".to_owned(),
            spec_name: "large.yaml".to_owned(),
            guide: None,
            profile: None,
        };
        let text = large_description();
        let spec = crate::load(&text, "large.yaml").expect("loads").spec;
        let (profile, reason) = crate::Profile::detect(&spec);
        let mut api = crate::lower(&spec, "large.yaml").expect("lowers").api;
        let applied = crate::profile::apply(profile, reason, &mut api);
        let emitted = crate::emit(&api, &applied, &config);
        let pieces = |path: &str| match &emitted.iter().find(|f| f.path == path).unwrap().body {
            Body::Rust(pieces) => pieces.len(),
            Body::Text(_) => 0,
        };
        assert!(pieces("src/types.rs") > 3, "{}", pieces("src/types.rs"));
        assert!(
            pieces("src/operations.rs") > 8,
            "{}",
            pieces("src/operations.rs")
        );
        let whole: Vec<(String, String)> = emitted
            .iter()
            .filter_map(|file| match &file.body {
                Body::Rust(pieces) => {
                    let joined: TokenStream = pieces.iter().cloned().collect();
                    let text = space_items(&print(joined, &file.path, "large.yaml").unwrap());
                    Some((file.path.clone(), format!("{}{text}", file.header)))
                }
                Body::Text(_) => None,
            })
            .collect();
        let formatted = format(emitted, "large.yaml").unwrap();
        for (path, text) in &whole {
            let by_pieces = &formatted.iter().find(|f| &f.path == path).unwrap().contents;
            assert!(by_pieces == text, "{path} printed by pieces differs");
        }
        let threaded = emit_and_format(&Emitter::new(&api, &applied, &config), "large.yaml");
        assert!(threaded.unwrap() == formatted, "threads changed the output");
    }
}
