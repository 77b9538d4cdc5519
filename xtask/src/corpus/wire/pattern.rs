//! A short string a schema's `pattern` matches, for the regular expressions descriptions use:
//! literals and escapes, classes, groups with alternatives, quantifiers and anchors. Anything
//! else (lookaround, backreferences) gives `None`, and the caller does without.

/// One piece of a pattern and how many times it must come.
#[derive(Debug)]
struct Item {
    atom: Atom,
    min: usize,
    /// Whether it may come any number of times more (`*`, `+`, `{n,}`).
    unbounded: bool,
}

#[derive(Debug)]
enum Atom {
    Char(char),
    /// A class: the ranges it allows, or (negated) the ones it forbids.
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Any,
    Group(Vec<Vec<Item>>),
}

/// A string of at least `min_length` characters that `pattern` matches (the last piece that
/// may repeat repeated to reach it), or `None` when the pattern uses what this does not read.
pub fn sample_of(pattern: &str, min_length: usize) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut at = 0;
    let mut alternatives = alternatives(&chars, &mut at)?;
    if at != chars.len() {
        return None;
    }
    let mut out = String::new();
    write(&alternatives[0], &mut out)?;
    let short = min_length.saturating_sub(out.chars().count());
    if short > 0 {
        let last = alternatives[0]
            .iter_mut()
            .rev()
            .find(|item| item.unbounded)?;
        last.min += short;
        out.clear();
        write(&alternatives[0], &mut out)?;
    }
    Some(out)
}

fn write(items: &[Item], out: &mut String) -> Option<()> {
    for item in items {
        for _ in 0..item.min {
            match &item.atom {
                Atom::Char(c) => out.push(*c),
                Atom::Any => out.push('a'),
                Atom::Class {
                    ranges,
                    negated: false,
                } => out.push(ranges.first()?.0),
                Atom::Class {
                    ranges,
                    negated: true,
                } => {
                    let allowed = ('a'..='z').chain('0'..='9').chain(['-', '_', 'A']);
                    let c = allowed
                        .into_iter()
                        .find(|c| !ranges.iter().any(|(lo, hi)| lo <= c && c <= hi))?;
                    out.push(c);
                }
                Atom::Group(alternatives) => write(&alternatives[0], out)?,
            }
        }
    }
    Some(())
}

/// `a|b|c` up to the end or a closing `)`.
fn alternatives(chars: &[char], at: &mut usize) -> Option<Vec<Vec<Item>>> {
    let mut all = vec![Vec::new()];
    while let Some(&c) = chars.get(*at) {
        let atom = match c {
            ')' => break,
            '|' => {
                *at += 1;
                all.push(Vec::new());
                continue;
            }
            '^' | '$' => {
                *at += 1;
                continue;
            }
            '(' => {
                *at += 1;
                if chars.get(*at) == Some(&'?') {
                    match (chars.get(*at + 1), chars.get(*at + 2)) {
                        (Some(':'), _) => *at += 2,
                        (Some('<'), Some(c)) if *c != '=' && *c != '!' => {
                            *at += chars[*at..].iter().position(|c| *c == '>')? + 1;
                        }
                        _ => return None,
                    }
                }
                let inner = alternatives(chars, at)?;
                if chars.get(*at) != Some(&')') {
                    return None;
                }
                *at += 1;
                Atom::Group(inner)
            }
            '[' => class(chars, at)?,
            '.' => {
                *at += 1;
                Atom::Any
            }
            '\\' => {
                *at += 1;
                let escaped = *chars.get(*at)?;
                *at += 1;
                match escape(escaped, chars, at)? {
                    Some(atom) => atom,
                    // `\b`: a boundary, no character.
                    None => continue,
                }
            }
            '*' | '+' | '?' | '{' => return None,
            c => {
                *at += 1;
                Atom::Char(c)
            }
        };
        let (min, unbounded) = quantifier(chars, at)?;
        all.last_mut()?.push(Item {
            atom,
            min,
            unbounded,
        });
    }
    Some(all)
}

/// The least count a quantifier allows (1 without one), and whether it allows any more.
fn quantifier(chars: &[char], at: &mut usize) -> Option<(usize, bool)> {
    let counts = match chars.get(*at) {
        Some('?') => {
            *at += 1;
            (0, false)
        }
        Some('*') => {
            *at += 1;
            (0, true)
        }
        Some('+') => {
            *at += 1;
            (1, true)
        }
        Some('{') => {
            let end = *at + chars[*at..].iter().position(|c| *c == '}')?;
            let inside: String = chars[*at + 1..end].iter().collect();
            *at = end + 1;
            let mut bounds = inside.split(',');
            let min = bounds.next()?.trim().parse().ok()?;
            let unbounded = bounds.next().is_some_and(|max| max.trim().is_empty());
            (min, unbounded)
        }
        _ => return Some((1, false)),
    };
    // A lazy or possessive mark changes nothing here.
    if matches!(chars.get(*at), Some('?') | Some('+')) {
        *at += 1;
    }
    Some(counts)
}

/// What an escape stands for; `None` inside for a zero-width one.
fn escape(c: char, chars: &[char], at: &mut usize) -> Option<Option<Atom>> {
    let class = |ranges: Vec<(char, char)>, negated| Some(Some(Atom::Class { ranges, negated }));
    match c {
        'd' => class(vec![('0', '9')], false),
        'D' => class(vec![('0', '9')], true),
        'w' => class(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
        'W' => class(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], true),
        's' => Some(Some(Atom::Char(' '))),
        'S' => class(vec![(' ', ' ')], true),
        'b' | 'B' => Some(None),
        'n' => Some(Some(Atom::Char('\n'))),
        't' => Some(Some(Atom::Char('\t'))),
        'u' | 'x' => {
            let digits = if c == 'u' { 4 } else { 2 };
            let hex: String = chars.get(*at..*at + digits)?.iter().collect();
            *at += digits;
            Some(Some(Atom::Char(char::from_u32(
                u32::from_str_radix(&hex, 16).ok()?,
            )?)))
        }
        c if c.is_ascii_digit() => None,
        c => Some(Some(Atom::Char(c))),
    }
}

/// `[...]`, from its `[`.
fn class(chars: &[char], at: &mut usize) -> Option<Atom> {
    *at += 1;
    let negated = chars.get(*at) == Some(&'^');
    if negated {
        *at += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(*at)?;
        if c == ']' && !first {
            *at += 1;
            break;
        }
        first = false;
        *at += 1;
        let start = if c == '\\' {
            let escaped = *chars.get(*at)?;
            *at += 1;
            match escape(escaped, chars, at)? {
                Some(Atom::Class {
                    ranges: inner,
                    negated: false,
                }) => {
                    ranges.extend(inner);
                    continue;
                }
                Some(Atom::Char(c)) => c,
                _ => return None,
            }
        } else {
            c
        };
        if chars.get(*at) == Some(&'-') && chars.get(*at + 1).is_some_and(|c| *c != ']') {
            let mut end = chars[*at + 1];
            *at += 2;
            if end == '\\' {
                end = *chars.get(*at)?;
                *at += 1;
            }
            ranges.push((start, end));
        } else {
            ranges.push((start, start));
        }
    }
    Some(Atom::Class { ranges, negated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_match_their_patterns() {
        for (pattern, sample) in [
            ("^drsjob-[0-9a-zA-Z]{17}$", "drsjob-00000000000000000"),
            ("^arn:aws:[a-z]+:\\d{12}$", "arn:aws:a:000000000000"),
            ("^(s-|p-)?[a-f0-9]{4,8}$", "aaaa"),
            ("[^\\s]+", "a"),
            ("^[A-Za-z0-9-_]+\\.json$", "A.json"),
            ("^(?:ab|cd)x*y?$", "ab"),
            ("\\u0041\\x42", "AB"),
        ] {
            assert_eq!(sample_of(pattern, 0).as_deref(), Some(sample), "{pattern}");
        }
        assert_eq!(sample_of("^aos-[a-zA-Z0-9]*$", 5).as_deref(), Some("aos-a"));
        assert_eq!(sample_of("^[a-z]{2,}$", 4).as_deref(), Some("aaaa"));
        assert_eq!(sample_of("^(?=a)b$", 0), None);
        assert_eq!(sample_of("(a)\\1", 0), None);
    }
}
