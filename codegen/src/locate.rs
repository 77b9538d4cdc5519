//! Finds the line a JSON pointer refers to in the text of a document, so that diagnostics
//! from `lower` (which sees parsed data, not text) can say where to look.
//!
//! No parser here keeps positions for parsed values, so this reads the text again, looking
//! only for the one place: block-style YAML by its indentation (each pointer token is a
//! `key:` or the n-th `- ` item, one level deeper than the last), and JSON or YAML's flow
//! style (`{a: 1, b: [2]}`) by scanning brackets, skipping every value the pointer does not
//! enter. Both are loops over the text, never recursion, so no nesting depth can exhaust the
//! stack.

/// Where places in a rewritten document came from, so that a diagnostic about the rewritten
/// form points into the document the user wrote. Empty (every pointer maps to itself) for a
/// document loaded as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointerMap {
    /// (prefix in the rewritten document, prefix in the document as written).
    rewrites: Vec<(String, String)>,
    /// The rewrite before this one, whose rewritten document this one's "as written" is.
    earlier: Option<Box<PointerMap>>,
}

impl PointerMap {
    /// Records that what stands at `rewritten` came from `original`.
    pub fn record(&mut self, rewritten: impl Into<String>, original: impl Into<String>) {
        self.rewrites.push((rewritten.into(), original.into()));
    }

    /// The pointer in the document as written: the longest recorded prefix of `pointer`
    /// (ending at a token boundary) replaced by its origin, and so on through the rewrites
    /// before this one.
    pub fn original(&self, pointer: &str) -> String {
        let here = self.get(pointer).unwrap_or_else(|| pointer.to_owned());
        match &self.earlier {
            Some(earlier) => earlier.original(&here),
            None => here,
        }
    }

    /// This rewrite, made of a document that `earlier` rewrote first.
    pub fn after(mut self, earlier: PointerMap) -> PointerMap {
        self.earlier = match self.earlier.take() {
            Some(between) => Some(Box::new(between.after(earlier))),
            None => Some(Box::new(earlier)),
        };
        self
    }

    /// Like [`PointerMap::original`], but `None` where no recorded prefix applies.
    pub fn get(&self, pointer: &str) -> Option<String> {
        let is_prefix = |prefix: &str| {
            pointer
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        self.rewrites
            .iter()
            .filter(|(rewritten, _)| is_prefix(rewritten))
            .max_by_key(|(rewritten, _)| rewritten.len())
            .map(|(rewritten, original)| format!("{original}{}", &pointer[rewritten.len()..]))
    }

    /// The recorded rewrites below `prefix`, with `prefix` cut off their rewritten side
    /// (of this rewrite only).
    pub fn below(&self, prefix: &str) -> PointerMap {
        PointerMap {
            earlier: None,
            rewrites: self
                .rewrites
                .iter()
                .filter_map(|(rewritten, original)| {
                    let rest = rewritten.strip_prefix(prefix)?;
                    rest.starts_with('/')
                        .then(|| (rest.to_owned(), original.clone()))
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rewrites.is_empty()
    }
}

/// The 1-based line and column of the value at `pointer` (`#/paths/~1a/get`), if found: of
/// its key where it has one, else of the value.
pub fn line_of(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let tokens = pointer_tokens(pointer);
    if tokens.is_empty() {
        // The whole document (a missing top-level field, say): its first line that is not
        // blank or a comment.
        let first = text
            .lines()
            .position(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))?;
        return Some((first + 1, 1));
    }
    let offset = match text.find(|c: char| !c.is_whitespace()) {
        Some(start) if text[start..].starts_with('{') => flow_offset(text, start, &tokens)?,
        _ => block_offset(text, &tokens)?,
    };
    Some(line_and_column(text, offset))
}

/// The members a JSON pointer (`#/paths/~1a/get`) walks through, unescaped.
pub fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .trim_start_matches('#')
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// The byte offset of the place `tokens` lead to in block-style YAML; where the walk meets a
/// flow collection (`schema: {$ref: ...}`), the rest of the walk scans that.
fn block_offset(text: &str, tokens: &[String]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // The block being searched: lines[start..end], whose entries sit deeper than `parent`.
    let (mut start, mut end) = (0, lines.len());
    let mut parent: isize = -1;
    let mut found = None;
    for (depth, token) in tokens.iter().enumerate() {
        let Some((line, indent)) = find_child(&lines, start, end, parent, token) else {
            let (line, _) = found?;
            let flow = flow_value_start(lines[line])?;
            return flow_offset(text, line_offset(text, line) + flow, &tokens[depth..]);
        };
        found = Some((line, indent));
        parent = indent as isize;
        start = line;
        let is_item = content(lines[line]).is_some_and(|(_, text)| text.starts_with('-'));
        // A key's block may hold `- ` items at the key's own indentation; an item's block
        // ends at the next line as far left as its dash.
        end = (line + 1..lines.len())
            .find(|&i| {
                content(lines[i]).is_some_and(|(ind, text)| {
                    ind < indent || (ind == indent && (is_item || !text.starts_with('-')))
                })
            })
            .unwrap_or(lines.len());
    }
    found.map(|(line, indent)| line_offset(text, line) + indent)
}

/// The byte offset where line `index` (0-based, as `str::lines` counts) starts.
fn line_offset(text: &str, index: usize) -> usize {
    text.split_inclusive('\n').take(index).map(str::len).sum()
}

/// Where a flow collection starts on a block line (`key: {`, `- [`), relative to the line.
fn flow_value_start(line: &str) -> Option<usize> {
    let (indent, text) = content(line)?;
    let rest = match text.strip_prefix("- ") {
        Some(rest) => rest,
        None => {
            let colon = text.find(": ")?;
            &text[colon + 1..]
        }
    };
    let value = rest.trim_start();
    (value.starts_with('{') || value.starts_with('[')).then(|| indent + (text.len() - value.len()))
}

/// The byte offset of the place `tokens` lead to, inside the JSON or flow-style YAML value
/// that starts at `start`.
fn flow_offset(text: &str, start: usize, tokens: &[String]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_blank(bytes, start);
    let mut found = at;
    for token in tokens {
        match bytes.get(at)? {
            b'{' => {
                at = skip_blank(bytes, at + 1);
                loop {
                    if bytes.get(at) == Some(&b'}') {
                        return None;
                    }
                    let key_at = at;
                    let (key, after) = flow_key(text, at)?;
                    at = skip_blank(bytes, after);
                    if bytes.get(at) != Some(&b':') {
                        return None;
                    }
                    at = skip_blank(bytes, at + 1);
                    if key == *token {
                        found = key_at;
                        break;
                    }
                    at = skip_blank(bytes, skip_value(bytes, at)?);
                    match bytes.get(at)? {
                        b',' => at = skip_blank(bytes, at + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                at = skip_blank(bytes, at + 1);
                for _ in 0..index {
                    if bytes.get(at) == Some(&b']') {
                        return None;
                    }
                    at = skip_blank(bytes, skip_value(bytes, at)?);
                    match bytes.get(at)? {
                        b',' => at = skip_blank(bytes, at + 1),
                        _ => return None,
                    }
                }
                if bytes.get(at) == Some(&b']') {
                    return None;
                }
                found = at;
            }
            _ => return None,
        }
    }
    Some(found)
}

fn skip_blank(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// A mapping key starting at `at` (double-quoted, single-quoted or bare) and the offset
/// after it.
fn flow_key(text: &str, at: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    match bytes[at] {
        b'"' => {
            let end = skip_quoted(bytes, at)?;
            let raw = &text[at..end];
            let key = if raw.contains('\\') {
                serde_json::from_str(raw).ok()?
            } else {
                raw[1..raw.len() - 1].to_owned()
            };
            Some((key, end))
        }
        b'\'' => {
            let end = skip_quoted(bytes, at)?;
            Some((text[at + 1..end - 1].replace("''", "'"), end))
        }
        _ => {
            let end = (at..bytes.len())
                .find(|&i| {
                    matches!(bytes[i], b',' | b'{' | b'}' | b'[' | b']')
                        || (bytes[i] == b':'
                            && bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace))
                })
                .unwrap_or(bytes.len());
            Some((text[at..end].trim_end().to_owned(), end))
        }
    }
}

/// The offset just after the quoted string starting at `at` (`"` with backslash escapes,
/// or YAML's `'` with `''`).
fn skip_quoted(bytes: &[u8], at: usize) -> Option<usize> {
    let quote = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The offset just after the value starting at `at`, counting brackets rather than
/// descending into them.
fn skip_value(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    loop {
        match *bytes.get(i)? {
            b'"' | b'\'' => i = skip_quoted(bytes, i)?,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' if depth == 0 => return Some(i),
            b'}' | b']' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b',' if depth == 0 => return Some(i),
            _ => {
                i += 1;
                if depth == 0 && bytes.get(i).is_none_or(|b| matches!(b, b',' | b'}' | b']')) {
                    return Some(i);
                }
            }
        }
    }
}

/// The indentation and text of a line that holds YAML (not blank, not a comment).
fn content(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    Some((line.len() - trimmed.len(), trimmed))
}

/// The entry `token` directly inside the block: a key, or (numeric token) a list item.
fn find_child(
    lines: &[&str],
    start: usize,
    end: usize,
    parent: isize,
    token: &str,
) -> Option<(usize, usize)> {
    // A list item's first key is on the dash's line, two columns in.
    let first_line_key = content(lines.get(start)?).and_then(|(indent, text)| {
        let rest = text.strip_prefix("- ")?;
        Some((indent + 2, rest))
    });
    if parent >= 0 {
        if let Some((indent, rest)) = first_line_key {
            if is_key(rest, token) {
                return Some((start, indent));
            }
        }
    }
    let first = if parent < 0 { start } else { start + 1 };
    let (level, first_text) = (first..end).find_map(|i| content(lines[i]))?;
    // Sequence items may sit at their key's own indentation (`key:\n- item`).
    let deeper =
        (level as isize) > parent || (level as isize == parent && first_text.starts_with('-'));
    if !deeper && first_line_key.is_none() {
        return None;
    }
    // A number is an item index in a sequence, and a key (`'200':`) in a mapping.
    let index: Option<usize> = token.parse().ok().filter(|_| first_text.starts_with('-'));
    let mut item = 0;
    for (i, line) in lines.iter().enumerate().take(end).skip(first) {
        let Some((indent, text)) = content(line) else {
            continue;
        };
        if indent != level {
            continue;
        }
        if let Some(wanted) = index {
            if text.starts_with("- ") || text == "-" {
                if item == wanted {
                    return Some((i, indent));
                }
                item += 1;
            }
        } else if is_key(text, token) {
            return Some((i, indent));
        }
    }
    None
}

/// Whether `text` starts with the mapping key `token` (bare or quoted).
fn is_key(text: &str, token: &str) -> bool {
    [
        format!("{token}:"),
        format!("'{token}':"),
        format!("\"{token}\":"),
    ]
    .iter()
    .any(|key| {
        text.starts_with(key.as_str())
            && text[key.len()..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
openapi: 3.0.3
paths:
  /orgs/{org}/packages:
    get:
      parameters:
      - $ref: '#/components/parameters/org'
      - name: page
        in: query
      responses:
        '200':
          description: ok
components:
  schemas:
    package:
      type: object
";

    #[test]
    fn keys_items_and_quoted_keys() {
        assert_eq!(
            line_of(SPEC, "#/paths/~1orgs~1{org}~1packages/get"),
            Some((4, 5))
        );
        assert_eq!(
            line_of(SPEC, "#/paths/~1orgs~1{org}~1packages/get/parameters/1"),
            Some((7, 7))
        );
        assert_eq!(
            line_of(SPEC, "#/paths/~1orgs~1{org}~1packages/get/parameters/1/in"),
            Some((8, 9))
        );
        assert_eq!(
            line_of(
                SPEC,
                "#/paths/~1orgs~1{org}~1packages/get/parameters/0/$ref"
            ),
            Some((6, 9))
        );
        assert_eq!(
            line_of(
                SPEC,
                "#/paths/~1orgs~1{org}~1packages/get/responses/200/description"
            ),
            Some((11, 11))
        );
        assert_eq!(
            line_of(SPEC, "#/components/schemas/package/type"),
            Some((15, 7))
        );
    }

    #[test]
    fn pointer_maps_compose() {
        let mut first = PointerMap::default();
        first.record(
            "#/components/schemas/a-b",
            "#/components/schemas/a/properties/b",
        );
        let mut second = PointerMap::default();
        second.record(
            "#/components/schemas/a-b/allOf/0",
            "#/components/schemas/a-b",
        );
        let both = second.after(first);
        assert_eq!(
            both.original("#/components/schemas/a-b/allOf/0/type"),
            "#/components/schemas/a/properties/b/type"
        );
    }

    #[test]
    fn pointer_maps_lead_back_to_the_longest_recorded_prefix() {
        let mut map = PointerMap::default();
        map.record("#/components/schemas/a/allOf/0", "#/components/schemas/a");
        map.record("#/components/schemas/a", "#/components/schemas/b");
        assert_eq!(
            map.original("#/components/schemas/a/allOf/0/properties/x"),
            "#/components/schemas/a/properties/x"
        );
        assert_eq!(
            map.original("#/components/schemas/a/type"),
            "#/components/schemas/b/type"
        );
        assert_eq!(
            map.original("#/components/schemas/ab"),
            "#/components/schemas/ab"
        );
        assert_eq!(PointerMap::default().original("#/paths"), "#/paths");
    }

    #[test]
    fn missing_places_have_no_line() {
        assert_eq!(line_of(SPEC, "#/paths/~1nope"), None);
        assert_eq!(
            line_of(SPEC, "#/paths/~1orgs~1{org}~1packages/get/parameters/5"),
            None
        );
        assert_eq!(line_of("{\"openapi\": \"3.1.0\"}", "#/info"), None);
        assert_eq!(line_of("{\"a\": [1, 2]}", "#/a/2"), None);
        assert_eq!(line_of("{\"a\": \"text\"}", "#/a/b"), None);
    }

    const JSON: &str = r#"{
  "openapi": "3.1.0",
  "paths": {
    "/a/{id}": {
      "get": {
        "parameters": [
          {"name": "id", "in": "path"},
          {
            "name": "q\"uoted",
            "schema": {"type": ["string", "null"], "enum": ["}", "]", ","]}
          }
        ],
        "responses": {"200": {"description": "ok"}}
      }
    }
  },
  "components": {"schemas": {"a~b": {"type": "object"}}}
}"#;

    #[test]
    fn json_keys_and_items() {
        assert_eq!(line_of(JSON, "#/openapi"), Some((2, 3)));
        assert_eq!(line_of(JSON, "#/paths/~1a~1{id}/get"), Some((5, 7)));
        assert_eq!(
            line_of(JSON, "#/paths/~1a~1{id}/get/parameters/0/in"),
            Some((7, 26))
        );
        assert_eq!(
            line_of(JSON, "#/paths/~1a~1{id}/get/parameters/1"),
            Some((8, 11))
        );
        // Brackets and commas inside strings are text, not structure.
        assert_eq!(
            line_of(JSON, "#/paths/~1a~1{id}/get/parameters/1/schema/enum/2"),
            Some((10, 71))
        );
        assert_eq!(
            line_of(JSON, "#/paths/~1a~1{id}/get/responses/200/description"),
            Some((13, 31))
        );
        assert_eq!(
            line_of(JSON, "#/components/schemas/a~0b/type"),
            Some((17, 38))
        );
        assert_eq!(line_of(JSON, "#"), Some((1, 1)));
    }

    #[test]
    fn escaped_json_keys_are_decoded() {
        let text = r#"{"a\"b": {"c\u0064": 1}}"#;
        assert_eq!(line_of(text, "#/a\"b/cd"), Some((1, 11)));
    }

    #[test]
    fn flow_style_yaml_inside_block_style() {
        let text = "\
paths:
  /a:
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/x'}}}}}
      parameters:
      - {name: id, in: path}
      - name: q
        schema: [a, {b: c}]
";
        assert_eq!(
            line_of(
                text,
                "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
            ),
            Some((4, 82))
        );
        assert_eq!(
            line_of(text, "#/paths/~1a/get/parameters/0/in"),
            Some((6, 20))
        );
        assert_eq!(
            line_of(text, "#/paths/~1a/get/parameters/1/schema/1/b"),
            Some((8, 22))
        );
    }

    #[test]
    fn deep_nesting_is_walked_without_recursion() {
        let depth = 100_000;
        let text = format!(
            "{}{}",
            "{\"a\": ".repeat(depth),
            "1".to_owned() + &"}".repeat(depth)
        );
        let pointer = "#".to_owned() + &"/a".repeat(depth);
        assert_eq!(line_of(&text, &pointer), Some((1, 6 * (depth - 1) + 2)));
        let skipped = format!(
            "{{\"b\": {}1{}, \"c\": 2}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(line_of(&skipped, "#/c"), Some((1, 2 * depth + 10)));
    }
}
