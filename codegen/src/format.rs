//! Stage 4: the emitted files -> text. Rust is parsed by `syn` and printed by `prettyplease`;
//! kept apart from `emit` so that each can be measured on its own.

use crate::contract::{Body, EmittedFile, GeneratedFile};
use crate::diagnostic::Diagnostic;

/// Prints every file, keeping their order. `spec_name` names the spec in the one error
/// possible here: tokens that are not Rust, which is a bug in `emit`.
pub fn format(files: Vec<EmittedFile>, spec_name: &str) -> Result<Vec<GeneratedFile>, Diagnostic> {
    files
        .into_iter()
        .map(|file| {
            let text = match file.body {
                Body::Text(text) => text,
                Body::Rust(tokens) => {
                    let parsed = syn::parse2::<syn::File>(tokens).map_err(|error| {
                        Diagnostic::new(
                            spec_name,
                            "#",
                            format!(
                                "internal error: the generator produced invalid Rust for {}: {error}",
                                file.path
                            ),
                        )
                        .with_hint("this is a bug in codegen; please report it with the spec")
                    })?;
                    space_items(&prettyplease::unparse(&parsed))
                }
            };
            Ok(GeneratedFile {
                contents: format!("{}{text}", file.header),
                path: file.path,
            })
        })
        .collect()
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
