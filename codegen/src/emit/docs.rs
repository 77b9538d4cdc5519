//! Doc comments from spec prose.
//!
//! Descriptions are Markdown written for GitHub's docs site; rustdoc reads them as Markdown
//! too, but warns on bare URLs, so those are wrapped in `<...>`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// `#[doc = "..."]` attributes, one per line.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text).into_iter().map(|line| doc_literal(&line));
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = "..."]` attributes, one per line, for a crate or module.
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text).into_iter().map(|line| doc_literal(&line));
    quote! { #( #![doc = #lines] )* }
}

/// A raw string literal (`r"..."`, `r#"..."#`) holding `line`. Escaping every character into
/// a plain literal, for `format` to unescape them again, was a twentieth of the generator's
/// instructions on GitHub's description; the `///` line printed is the same either way.
fn doc_literal(line: &str) -> Literal {
    // Raw strings cannot hold a carriage return; the lexer may refuse other oddities.
    if line.contains('\r') {
        return Literal::string(line);
    }
    let hashes = line
        .match_indices('"')
        .map(|(at, _)| line[at + 1..].bytes().take_while(|&b| b == b'#').count() + 1)
        .max()
        .unwrap_or(0);
    let fence = "#".repeat(hashes);
    format!("r{fence}\"{line}\"{fence}")
        .parse()
        .unwrap_or_else(|_| Literal::string(line))
}

fn doc_lines(text: &str) -> Vec<String> {
    let text = text.trim_matches('\n');
    let mut lines: Vec<String> = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        let line = line.trim_end();
        let line = if in_code {
            line.to_owned()
        } else {
            wrap_bare_urls(line)
        };
        lines.push(if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        });
    }
    lines
}

/// Joins paragraphs of documentation, skipping the empty ones.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn wrap_bare_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = find_url(rest) {
        let before = &rest[..start];
        let preceding = before.chars().last();
        let url_len = rest[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']'))
            .unwrap_or(rest.len() - start);
        let mut url = &rest[start..start + url_len];
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        out.push_str(before);
        let in_link = matches!(preceding, Some('(' | '<' | '`' | '"' | '['));
        if in_link || backticks_open(&out) {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &rest[start + url.len()..];
    }
    out.push_str(rest);
    out
}

fn find_url(text: &str) -> Option<usize> {
    match (text.find("https://"), text.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn backticks_open(text: &str) -> bool {
    text.matches('`').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_urls_are_wrapped() {
        assert_eq!(wrap_bare_urls("see https://a.b/c."), "see <https://a.b/c>.");
        assert_eq!(wrap_bare_urls("[x](https://a.b/c)"), "[x](https://a.b/c)");
        assert_eq!(wrap_bare_urls("`https://a.b`"), "`https://a.b`");
        assert_eq!(wrap_bare_urls("<https://a.b>"), "<https://a.b>");
    }

    #[test]
    fn doc_literals_keep_the_text() {
        for line in [
            "",
            " plain",
            " say \"hi\"",
            " a \"# and \"## fence",
            " ends with a quote\"",
            " \\ back\\slash \\n and {braces} and # alone",
            " tab\tand unicode: ü → ✓",
            " carriage\rreturn",
            " nul\0byte",
        ] {
            let literal = doc_literal(line);
            let parsed: syn::LitStr = syn::parse2(quote!(#literal)).expect("a string literal");
            assert_eq!(parsed.value(), line, "{literal}");
        }
        assert!(doc_literal(" x").to_string().starts_with("r\""));
        assert!(doc_literal(" \"#").to_string().starts_with("r##\""));
    }
}
