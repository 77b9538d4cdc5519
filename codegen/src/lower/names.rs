//! Rust names for spec names. Every name the generated code uses is decided here, in `lower`.

use crate::reserved::Reserved;
use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that need `r#` to be used as identifiers (Rust 2021, plus reserved words).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers.
const UNRAWABLE_KEYWORDS: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Spells out the characters that carry meaning in names such as GitHub's reaction `+1`,
/// and drops non-ASCII digits and symbols (`٣`, `²`), which Rust identifiers cannot hold.
fn spell_symbols(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        match c {
            '+' => out.push_str(" plus "),
            '-' if i == 0 => out.push_str(" minus "),
            c if !c.is_ascii() && !c.is_alphabetic() => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `packages/delete-package-for-org` -> `delete_package_for_org`; `type` -> `r#type`.
pub fn snake_ident(name: &str) -> String {
    let mut snake = spell_symbols(name).to_snake_case();
    if snake.is_empty() {
        snake.push_str("value");
    }
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    if UNRAWABLE_KEYWORDS.contains(&snake.as_str()) {
        snake.push('_');
        snake
    } else if RAW_KEYWORDS.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// `package-version` -> `PackageVersion`; a leading digit gets a `V` (`2fa` -> `V2fa`).
pub fn pascal_ident(name: &str) -> String {
    let mut pascal = spell_symbols(name).to_upper_camel_case();
    if pascal.is_empty() {
        pascal.push_str("Empty");
    }
    if pascal.starts_with(|c: char| c.is_ascii_digit()) {
        pascal.insert(0, 'V');
    }
    if UNRAWABLE_KEYWORDS.contains(&pascal.as_str()) {
        pascal.push('_');
    }
    pascal
}

/// A type name: like [`pascal_ident`], but never one the generated crate needs for itself.
pub fn type_ident(name: &str, reserved: &Reserved) -> String {
    let pascal = pascal_ident(name);
    if reserved.type_names.contains(&pascal) {
        format!("{pascal}Schema")
    } else {
        pascal
    }
}

/// The part of an operationId after its namespace: `packages/get-package` -> `get-package`.
pub fn operation_short_name(operation_id: &str) -> &str {
    operation_id.rsplit('/').next().unwrap_or(operation_id)
}

/// The builder method that selects a server with variables: its description's words
/// (`GitHub Enterprise Server` -> `github_enterprise_server`, lowercased as written so that
/// `GitHub` stays one word), else `server_<index>`.
pub fn server_builder_method(description: Option<&str>, index: usize) -> String {
    let words: Vec<String> = description
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        format!("server_{index}")
    } else {
        snake_ident(&words.join("_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(
            snake_ident("delete-package-for-org"),
            "delete_package_for_org"
        );
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("+1"), "plus_1");
        assert_eq!(snake_ident("-1"), "minus_1");
        assert_eq!(snake_ident("2fa"), "_2fa");
        assert_eq!(snake_ident("htmlURL"), "html_url");
        assert_eq!(snake_ident(""), "value");
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal_ident("nullable-simple-user"), "NullableSimpleUser");
        assert_eq!(pascal_ident("TEAM"), "Team");
        assert_eq!(pascal_ident("+1"), "Plus1");
        assert_eq!(pascal_ident("2fa"), "V2fa");
        assert_eq!(pascal_ident("Self"), "Self_");
        let reserved = crate::pipeline::reserved();
        assert_eq!(type_ident("error", &reserved), "ErrorSchema");
        assert_eq!(type_ident("profile-error", &reserved), "ProfileErrorSchema");
        assert_eq!(type_ident("package", &reserved), "Package");
    }

    #[test]
    fn every_name_is_an_identifier() {
        let odd = [
            "🚀",
            "a🚀b",
            "größe",
            "名前",
            "٣",
            "x-1.5",
            "$ref",
            "@type",
            "__proto__",
            "Self",
            "_",
            "",
            " ",
            "0",
            "-",
            "+",
            "a b c",
            "ǅungla",
        ];
        let reserved = crate::pipeline::reserved();
        for name in odd {
            for ident in [
                snake_ident(name),
                pascal_ident(name),
                type_ident(name, &reserved),
            ] {
                assert!(
                    syn::parse_str::<syn::Ident>(&ident).is_ok(),
                    "{name:?} -> {ident:?}"
                );
            }
        }
    }

    #[test]
    fn server_names() {
        assert_eq!(
            server_builder_method(Some("ACME Enterprise Server"), 1),
            "acme_enterprise_server"
        );
        assert_eq!(server_builder_method(None, 2), "server_2");
    }

    #[test]
    fn short_operation_names() {
        assert_eq!(operation_short_name("packages/get-package"), "get-package");
        assert_eq!(operation_short_name("no-namespace"), "no-namespace");
    }
}
