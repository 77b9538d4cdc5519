//! Doc comments from spec prose.
//!
//! Descriptions are Markdown written for GitHub's docs site; rustdoc reads them as Markdown
//! too, but warns on bare URLs, so those are wrapped in `<...>`.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = "..."]` attributes, one per line, for a crate or module.
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #![doc = #lines] )* }
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
}
