//! Stage 4: Rust as token streams -> text. `syn` parses, `prettyplease` prints. It imports
//! no other stage: the pipeline decides what to print and where the text goes.

use proc_macro2::TokenStream;

/// One piece of a Rust file as `prettyplease` prints it. Fails only on tokens that are not a
/// Rust file, which is a bug in whoever built them.
pub fn print(tokens: TokenStream) -> Result<String, syn::Error> {
    Ok(prettyplease::unparse(&syn::parse2::<syn::File>(tokens)?))
}

/// A file's text from its pieces' printed text, in order: what printing the file whole would
/// give, with a blank line between items.
pub fn join<'a>(printed: impl IntoIterator<Item = &'a str>) -> String {
    let mut text = String::new();
    for piece in printed {
        text.push_str(piece);
    }
    space_items(&text)
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
