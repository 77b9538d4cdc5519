//! Doc comments, and the spec's prose made into Markdown that rustdoc and clippy accept.
//!
//! Descriptions are written for a documentation site, not for rustdoc: a fenced block with
//! no language (or an indented one) would be compiled as a doctest, `[word]` would be an
//! unresolved intra-doc link, `Vec<T>` an unclosed HTML tag, a bare URL a lint, a tab or a
//! lazily continued list item a clippy warning, a carriage return a broken comment.
//! [`prose`] turns any description into Markdown without those, keeping what it says.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// `#[doc = "..."]` attributes, one per line, for Markdown the generator wrote (spec prose
/// already through [`prose`]).
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
    text.trim_matches('\n')
        .lines()
        .map(|line| {
            let line = line.trim_end();
            if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            }
        })
        .collect()
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

/// `text` as an inline code span, whatever backticks it holds.
pub fn code(text: &str) -> String {
    let text = one_line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `text` on one line: line breaks and tabs become spaces.
pub fn one_line(text: &str) -> String {
    text.split(['\r', '\n', '\t'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A link to `url` with `label`, whatever characters the URL holds.
pub fn link(label: &str, url: &str) -> String {
    let url: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .map(|c| match c {
            '<' => "%3C".to_owned(),
            '>' => "%3E".to_owned(),
            c => c.to_string(),
        })
        .collect();
    if url.contains(['(', ')', ' ']) {
        format!("[{label}](<{url}>)")
    } else {
        format!("[{label}]({url})")
    }
}

/// A description from the spec, as Markdown rustdoc renders without warnings and clippy's
/// doc lints accept.
pub fn prose(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace(['\r', '\u{0}'], "\n");
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<(String, usize)> = None;
    let mut indented_code = false;
    // The content column of the list item being continued, if any.
    let mut list: Option<usize> = None;
    let mut after_blank = true;
    let mut quote = false;
    for raw in text.lines() {
        let line = expand_tabs(raw);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some((marker, _)) = &fence {
            if trimmed.starts_with(marker.as_str())
                && trimmed
                    .trim_end_matches(marker.chars().next().unwrap_or('`'))
                    .trim()
                    .is_empty()
            {
                out.push(marker.clone());
                fence = None;
            } else {
                out.push(line.trim_end().to_owned());
            }
            continue;
        }
        if let Some((marker, info)) = fence_opening(trimmed) {
            close_indented(&mut out, &mut indented_code);
            out.push(format!("{marker}{}", code_language(info)));
            fence = Some((marker, indent));
            list = None;
            after_blank = false;
            continue;
        }
        if trimmed.is_empty() {
            close_indented(&mut out, &mut indented_code);
            out.push(String::new());
            after_blank = true;
            quote = false;
            continue;
        }
        // An indented code block, which rustdoc would run as Rust: a text block instead.
        if indent >= 4 && (indented_code || (after_blank && list.is_none())) {
            if !indented_code {
                out.push("```text".to_owned());
                indented_code = true;
            }
            out.push(line[4.min(line.len())..].trim_end().to_owned());
            continue;
        }
        close_indented(&mut out, &mut indented_code);
        let mut written = inline(trimmed);
        if let Some(content) = list_item(trimmed) {
            list = Some(indent + content);
            written = format!("{}{written}", " ".repeat(indent));
        } else if trimmed.starts_with('>') {
            quote = true;
        } else if quote && !after_blank {
            // A lazy continuation of a quote: said as part of it.
            written = format!("> {written}");
        } else if let Some(column) = list {
            if after_blank && indent < column {
                list = None;
            } else {
                // Continues the item: indented to its content, neither less nor more.
                written = format!("{}{written}", " ".repeat(column));
            }
        }
        out.push(written);
        after_blank = false;
    }
    close_indented(&mut out, &mut indented_code);
    if let Some((marker, _)) = fence {
        out.push(marker);
    }
    out.join("\n").trim_matches('\n').to_owned()
}

fn close_indented(out: &mut Vec<String>, indented_code: &mut bool) {
    if std::mem::take(indented_code) {
        while out.last().is_some_and(String::is_empty) {
            out.pop();
        }
        out.push("```".to_owned());
    }
}

fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c == '\t' {
            let spaces = 4 - out.chars().count() % 4;
            out.extend(std::iter::repeat_n(' ', spaces));
        } else if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// A fence (three or more backticks or tildes) and its info string.
fn fence_opening(trimmed: &str) -> Option<(String, &str)> {
    let marker_char = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = trimmed.chars().take_while(|c| *c == marker_char).count();
    if length < 3 {
        return None;
    }
    let info = trimmed[length..].trim();
    if marker_char == '`' && info.contains('`') {
        return None;
    }
    Some((marker_char.to_string().repeat(length), info))
}

/// The language of a code block from the spec: as written, unless rustdoc would compile it
/// (none, `rust`, or one of rustdoc's test attributes): then `text`.
fn code_language(info: &str) -> String {
    let first = info.split([' ', ',', '{']).next().unwrap_or("").trim();
    let rustdoc_runs = first.is_empty()
        || first.contains("rust")
        || matches!(
            first,
            "rs" | "ignore" | "should_panic" | "no_run" | "compile_fail" | "test_harness"
        )
        || first.starts_with("edition");
    if rustdoc_runs
        || !first
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_+.#".contains(c))
    {
        "text".to_owned()
    } else {
        first.to_owned()
    }
}

/// Where a list item's content starts, counted from its marker: `- a` -> 2, `10. a` -> 4.
fn list_item(trimmed: &str) -> Option<usize> {
    let bullet = trimmed
        .strip_prefix(['-', '*', '+'])
        .filter(|rest| rest.starts_with(' '));
    let rest = match bullet {
        Some(rest) => rest,
        None => {
            let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            trimmed[digits..]
                .strip_prefix(['.', ')'])
                .filter(|rest| rest.starts_with(' '))?
        }
    };
    let marker = trimmed.len() - rest.len();
    let spaces = rest.len() - rest.trim_start().len();
    Some(marker + spaces.clamp(1, 4))
}

/// One line of prose outside code blocks: code spans kept, and elsewhere `[`, `]`, `<`
/// and `>` escaped (but inline links kept) and bare URLs made autolinks.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while !rest.is_empty() {
        if rest.starts_with('`') {
            let ticks = rest.chars().take_while(|c| *c == '`').count();
            let fence = &rest[..ticks];
            if let Some(end) = rest[ticks..].find(fence) {
                let span = &rest[..ticks + end + ticks];
                out.push_str(span);
                rest = &rest[span.len()..];
                continue;
            }
            // An unmatched backtick is text.
            out.push_str(&"\\`".repeat(ticks));
            rest = &rest[ticks..];
            continue;
        }
        if let Some(length) = inline_link(rest) {
            let (label_end, url) = split_link(&rest[..length]);
            out.push('[');
            out.push_str(&inline(&rest[1..label_end]));
            out.push_str("](");
            out.push_str(url);
            out.push(')');
            rest = &rest[length..];
            continue;
        }
        if let Some(url_length) = url_at(rest) {
            let url = &rest[..url_length];
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url_length..];
            continue;
        }
        if rest.starts_with('<') {
            // An autolink as written stays one; any other angle bracket is text.
            if let Some(end) = rest.find('>') {
                let inside = &rest[1..end];
                if url_at(inside) == Some(inside.len()) {
                    out.push_str(&rest[..=end]);
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        let c = rest.chars().next().expect("not empty");
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' if out.trim().is_empty() => out.push('>'),
            '>' => out.push_str("&gt;"),
            '\\' => {
                // Keep an escape as written; a lone backslash at the end stays literal.
                let next = rest[1..].chars().next();
                match next {
                    Some(escaped) if escaped.is_ascii_punctuation() => {
                        out.push('\\');
                        out.push(escaped);
                        rest = &rest[1 + escaped.len_utf8()..];
                        continue;
                    }
                    _ => out.push_str("\\\\"),
                }
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of an inline link `[label](url)` at the start of `text`, if there is one.
fn inline_link(text: &str) -> Option<usize> {
    if !text.starts_with('[') {
        return None;
    }
    let mut depth = 0;
    let mut label_end = None;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    label_end = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let label_end = label_end?;
    let after = &text[label_end + 1..];
    let destination = after.strip_prefix('(')?;
    let close = destination.find(')')?;
    let url = &destination[..close];
    (!url.is_empty() && !url.contains(char::is_whitespace) || url.starts_with('<'))
        .then_some(label_end + 2 + close + 1)
}

/// An inline link's label end and destination.
fn split_link(link: &str) -> (usize, &str) {
    let label_end = link.rfind("](").unwrap_or(0);
    (label_end, &link[label_end + 2..link.len() - 1])
}

/// The length of a bare `http(s)://` URL at the start of `text`, without trailing
/// punctuation.
fn url_at(text: &str) -> Option<usize> {
    if !(text.starts_with("https://") || text.starts_with("http://")) {
        return None;
    }
    let length = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']' | '['))
        .unwrap_or(text.len());
    let url = text[..length].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*', '_']);
    (url.len() > "https://".len()).then_some(url.len())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn bare_urls_become_autolinks_and_links_stay_links() {
        assert_eq!(prose("see https://a.b/c."), "see <https://a.b/c>.");
        assert_eq!(prose("[x](https://a.b/c)"), "[x](https://a.b/c)");
        assert_eq!(prose("`https://a.b`"), "`https://a.b`");
        assert_eq!(prose("<https://a.b>"), "<https://a.b>");
        assert_eq!(
            prose("[the `x` docs](https://a.b/c)"),
            "[the `x` docs](https://a.b/c)"
        );
    }

    #[test]
    fn brackets_and_angle_brackets_are_text() {
        assert_eq!(
            prose("a [note] and Vec<T>"),
            "a \\[note\\] and Vec&lt;T&gt;"
        );
        assert_eq!(prose("`Vec<T>` and `[x]`"), "`Vec<T>` and `[x]`");
        assert_eq!(prose("an odd ` tick"), "an odd \\` tick");
        assert_eq!(prose("a\\*b and end\\"), "a\\*b and end\\\\");
    }

    #[test]
    fn code_blocks_are_never_doctests() {
        assert_eq!(prose("```\nlet x = 1;\n```"), "```text\nlet x = 1;\n```");
        assert_eq!(prose("```rust,no_run\nx\n```"), "```text\nx\n```");
        assert_eq!(
            prose("```json\n{\"a\": [1]}\n```"),
            "```json\n{\"a\": [1]}\n```"
        );
        assert_eq!(
            prose("unclosed:\n```\ncode"),
            "unclosed:\n```text\ncode\n```"
        );
        assert_eq!(
            prose("Example:\n\n    curl -X POST <x>\n    more\n\nafter"),
            "Example:\n\n```text\ncurl -X POST <x>\nmore\n```\n\nafter"
        );
    }

    #[test]
    fn lists_quotes_tabs_and_carriage_returns() {
        assert_eq!(
            prose("- one\ncontinued\n- two"),
            "- one\n  continued\n- two"
        );
        assert_eq!(
            prose("1. one\n      over-indented"),
            "1. one\n   over-indented"
        );
        assert_eq!(prose("> quoted\nlazy"), "> quoted\n> lazy");
        assert_eq!(prose("a\tb\r\nc\rd"), "a   b\nc\nd");
        assert_eq!(
            prose("- item\n\n    code after a list stays in the item"),
            "- item\n\n  code after a list stays in the item"
        );
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("two\nlines"), "`two lines`");
        assert_eq!(
            link("docs", "https://a.b/c d<e>"),
            "[docs](https://a.b/cd%3Ce%3E)"
        );
        assert_eq!(link("docs", "https://a.b/(c)"), "[docs](<https://a.b/(c)>)");
    }
}
