//! The cause of a diagnostic: its message with the parts that name things in one document
//! (quoted names, references, pointers) made `_`, so that the same problem in many documents
//! counts as one cause.

/// Quoted words kept as they are: the OpenAPI and JSON Schema keywords that messages quote
/// as keywords. Words that are also common parameter or property names (`type`, `name`,
/// `format`, `default`, ...) are left out, so that "query parameter `type`" and "query
/// parameter `id`" stay one cause.
const KEYWORDS: &[&str] = &[
    "additionalProperties",
    "allOf",
    "anyOf",
    "components",
    "discriminator",
    "nullable",
    "oneOf",
    "openapi",
    "operationId",
    "paths",
    "requestBodies",
    "schemas",
    "securitySchemes",
    "swagger",
    "not",
    "parameters",
    "responses",
    "headers",
    "examples",
    "links",
    "callbacks",
];

/// Words after which a quoted part is a name, whatever it looks like: "query parameter
/// `not`", "the Rust field `allOf`".
const NAMING: &[&str] = &[
    "argument",
    "component",
    "field",
    "fields",
    "header",
    "headers",
    "method",
    "methods",
    "name",
    "named",
    "operationId",
    "operationIds",
    "parameter",
    "parameters",
    "properties",
    "property",
    "schema",
    "schemas",
    "type",
    "types",
    "variant",
    "variants",
];

/// Whether a quoted part is a fixed word of the message rather than a name from the
/// document: a keyword, a `$` keyword (`$ref`, `$id`), or punctuation (`{`).
fn is_fixed(quoted: &str) -> bool {
    KEYWORDS.contains(&quoted)
        || (quoted.starts_with('$')
            && quoted.len() > 1
            && quoted[1..].chars().all(|c| c.is_ascii_alphabetic()))
        || (!quoted.is_empty() && !quoted.chars().any(char::is_alphanumeric))
}

/// The cause of a message: its first line, with every quoted part (`` `...` ``, `'...'`,
/// `"..."`) that is not a fixed word, and every bare JSON pointer (`#/...`), made `_`;
/// a chain of pointers (`_ -> _ -> _`) is one `_ -> _`.
pub fn cause(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = i.checked_sub(1).map(|j| chars[j]);
        let closing = match c {
            '`' | '"' => find(&chars, i + 1, c, |_| true),
            // An apostrophe inside a word (`doesn't`) opens nothing; a quote closes before
            // something that is not a letter.
            '\'' if !before.is_some_and(char::is_alphanumeric) => find(&chars, i + 1, c, |next| {
                !next.is_some_and(char::is_alphanumeric)
            }),
            '#' if chars.get(i + 1) == Some(&'/') && before.is_none_or(char::is_whitespace) => {
                let end = (i..chars.len())
                    .find(|&j| chars[j].is_whitespace() || chars[j] == ',' || chars[j] == ';')
                    .unwrap_or(chars.len());
                out.push('_');
                i = end;
                continue;
            }
            _ => None,
        };
        match closing {
            Some(end) => {
                let quoted: String = chars[i + 1..end].iter().collect();
                let fixed = is_fixed(&quoted) && !NAMING.contains(&last_word(&out));
                out.push(c);
                out.push_str(if fixed { &quoted } else { "_" });
                out.push(c);
                i = end + 1;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    chains(&out)
}

/// A chain of names (`A -> B -> C`, as cycles are reported) as `_ -> _`: the word before
/// the first arrow, every link, and the word after the last arrow.
fn chains(text: &str) -> String {
    let links: Vec<&str> = text.split(" -> ").collect();
    let [first, .., last] = links.as_slice() else {
        return text.to_owned();
    };
    let head = first.rfind(' ').map_or("", |at| &first[..=at]);
    let tail = last.find([' ', ',', ';']).map_or("", |at| &last[at..]);
    format!("{head}_ -> _{tail}")
}

/// The last word of `text`, before trailing white space.
fn last_word(text: &str) -> &str {
    let text = text.trim_end();
    let start = text.rfind(|c: char| !c.is_alphanumeric()).map_or(0, |at| {
        at + text[at..].chars().next().map_or(1, char::len_utf8)
    });
    &text[start..]
}

/// The index of the next `quote` at or after `from` that `accept`s the character after it.
fn find(
    chars: &[char],
    from: usize,
    quote: char,
    accept: impl Fn(Option<char>) -> bool,
) -> Option<usize> {
    (from..chars.len()).find(|&j| chars[j] == quote && accept(chars.get(j + 1).copied()))
}

#[cfg(test)]
mod tests {
    use super::cause;

    #[test]
    fn names_from_the_document_become_underscores() {
        assert_eq!(
            cause("`$ref` to `#/components/schemas/Pet/properties/id`, which does not exist"),
            "`$ref` to `_`, which does not exist"
        );
        assert_eq!(
            cause("`$ref` to `#/components/responses/X`, which is not one of the `schemas`"),
            "`$ref` to `_`, which is not one of the `schemas`"
        );
        assert_eq!(
            cause("query parameter `type` and query parameter `Type` both become the Rust field `type_`; the second is `type_2`"),
            "query parameter `_` and query parameter `_` both become the Rust field `_`; the second is `_`"
        );
        assert_eq!(
            cause("query parameter `not` and query parameter `maxItems` both become the Rust field `$x`"),
            "query parameter `_` and query parameter `_` both become the Rust field `_`"
        );
        assert_eq!(
            cause("component schemas `a` and `b` both become the Rust type `A`; `b` is `B2`"),
            "component schemas `_` and `_` both become the Rust type `_`; `_` is `_`"
        );
        assert_eq!(
            cause("`allOf` parts of different types have no Rust type in common"),
            "`allOf` parts of different types have no Rust type in common"
        );
        assert_eq!(
            cause("the path `/a/{b` has an unclosed `{`"),
            "the path `_` has an unclosed `{`"
        );
        assert_eq!(
            cause("unknown OpenAPI version `2.0`; only 3.0.x is supported"),
            "unknown OpenAPI version `_`; only 3.0.x is supported"
        );
    }

    #[test]
    fn other_quotes_and_bare_pointers() {
        assert_eq!(
            cause("invalid type: string \"abc\", expected u16"),
            "invalid type: string \"_\", expected u16"
        );
        assert_eq!(
            cause("unknown variant 'foo', expected 'a' or 'b'"),
            "unknown variant '_', expected '_' or '_'"
        );
        assert_eq!(
            cause("the schema doesn't say what 'x' is"),
            "the schema doesn't say what '_' is"
        );
        assert_eq!(
            cause("`$ref` cycle: #/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A"),
            "`$ref` cycle: _ -> _"
        );
        assert_eq!(
            cause("`$ref` cycle: #/components/schemas/A -> #/components/schemas/A"),
            "`$ref` cycle: _ -> _"
        );
        assert_eq!(
            cause("`allOf` cycle: Entity -> Model -> Info -> Model"),
            "`allOf` cycle: _ -> _"
        );
        assert_eq!(cause("a -> b, then"), "_ -> _, then");
        assert_eq!(cause("see #/paths, then"), "see _, then");
        assert_eq!(cause("a#/b stays"), "a#/b stays");
    }

    #[test]
    fn odd_text_is_kept_as_it_is() {
        assert_eq!(cause(""), "");
        assert_eq!(cause("an unclosed ` quote"), "an unclosed ` quote");
        assert_eq!(cause("it's 'open"), "it's 'open");
        assert_eq!(cause("``"), "`_`");
        assert_eq!(cause("first line\nsecond `x`"), "first line");
        assert_eq!(cause("`$1`"), "`_`");
        assert_eq!(cause("`$` and `é`"), "`$` and `_`");
        assert_eq!(cause("#/"), "_");
        assert_eq!(cause("'"), "'");
        assert_eq!(cause("é `allOf`"), "é `allOf`");
        assert_eq!(cause("parameterè `x`"), "parameterè `_`");
    }
}
