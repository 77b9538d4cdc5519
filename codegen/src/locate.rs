//! Finds the line a JSON pointer refers to in a YAML document, so that diagnostics from
//! `lower` (which sees parsed data, not text) can say where to look.
//!
//! serde_yaml keeps no positions for parsed values, so this reads block-style YAML by its
//! indentation: each pointer token is a `key:` or the n-th `- ` item, one level deeper than
//! the last. Flow style (`{a: 1}`) and JSON get no line; the pointer still says where.

/// Where places in a rewritten document came from, so that a diagnostic about the rewritten
/// form points into the document the user wrote. Empty (every pointer maps to itself) for a
/// document loaded as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointerMap {
    /// (prefix in the rewritten document, prefix in the document as written).
    rewrites: Vec<(String, String)>,
}

impl PointerMap {
    /// Records that what stands at `rewritten` came from `original`.
    pub fn record(&mut self, rewritten: impl Into<String>, original: impl Into<String>) {
        self.rewrites.push((rewritten.into(), original.into()));
    }

    /// The pointer in the document as written: the longest recorded prefix of `pointer`
    /// (ending at a token boundary) replaced by its origin.
    pub fn original(&self, pointer: &str) -> String {
        let is_prefix = |prefix: &str| {
            pointer
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        match self
            .rewrites
            .iter()
            .filter(|(rewritten, _)| is_prefix(rewritten))
            .max_by_key(|(rewritten, _)| rewritten.len())
        {
            Some((rewritten, original)) => format!("{original}{}", &pointer[rewritten.len()..]),
            None => pointer.to_owned(),
        }
    }
}

/// The 1-based line and column of the value at `pointer` (`#/paths/~1a/get`), if found.
pub fn line_of(text: &str, pointer: &str) -> Option<(usize, usize)> {
    if text.trim_start().starts_with('{') {
        return None;
    }
    let tokens: Vec<String> = pointer
        .trim_start_matches('#')
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    // The block being searched: lines[start..end], whose entries sit deeper than `parent`.
    let (mut start, mut end) = (0, lines.len());
    let mut parent: isize = -1;
    let mut found = None;
    for token in &tokens {
        let (line, indent) = find_child(&lines, start, end, parent, token)?;
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
    found.map(|(line, indent)| (line + 1, indent + 1))
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
    fn missing_places_and_json_have_no_line() {
        assert_eq!(line_of(SPEC, "#/paths/~1nope"), None);
        assert_eq!(
            line_of(SPEC, "#/paths/~1orgs~1{org}~1packages/get/parameters/5"),
            None
        );
        assert_eq!(line_of("{\"openapi\": \"3.0.3\"}", "#/openapi"), None);
    }
}
