//! Which documents a run looks at, and what their generated crates are called: pure
//! functions of names and a seed, so that the same corpus and seed always give the same
//! sample and the same crate names.

use std::collections::BTreeSet;

/// Whether `name` matches `pattern`, where `*` stands for any run of characters (`/`
/// included) and `?` for any one character.
pub fn glob(pattern: &str, name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pieces: Vec<Vec<char>> = pattern.split('*').map(|p| p.chars().collect()).collect();
    let (first, rest) = pieces
        .split_first()
        .expect("split yields one piece at least");
    let Some((last, middle)) = rest.split_last() else {
        // No `*`: the whole name, character for character.
        return name.len() == first.len() && fits(first, &name);
    };
    if name.len() < first.len() + last.len()
        || !fits(first, &name)
        || !fits(last, &name[name.len() - last.len()..])
    {
        return false;
    }
    // Each middle piece at its earliest place after the one before: if any placement
    // works, the earliest does, and it leaves the most room for the rest.
    let mut at = first.len();
    let end = name.len() - last.len();
    for piece in middle {
        match (at..=end.saturating_sub(piece.len()))
            .find(|&start| start + piece.len() <= end && fits(piece, &name[start..]))
        {
            Some(start) => at = start + piece.len(),
            None => return false,
        }
    }
    at <= end
}

/// Whether `piece` (with `?` for any character) matches the start of `text`.
fn fits(piece: &[char], text: &[char]) -> bool {
    piece.len() <= text.len() && piece.iter().zip(text).all(|(p, t)| *p == '?' || p == t)
}

/// A 64-bit mix (splitmix64's finaliser): every input bit moves about half the output bits.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The rank of `name` under `seed`: FNV-1a of the name, mixed with the seed.
fn rank(seed: u64, name: &str) -> u64 {
    let fnv = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    mix(fnv ^ mix(seed))
}

/// `size` of `names`, chosen by `seed`: the names of lowest rank, returned sorted. A name's
/// rank depends on the name and the seed alone, so a corpus that gains or loses documents
/// keeps the rest of its sample.
pub fn sample<'a>(names: &[&'a str], size: usize, seed: u64) -> Vec<&'a str> {
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    let mut ranked: Vec<(u64, &str)> = unique.into_iter().map(|n| (rank(seed, n), n)).collect();
    ranked.sort_unstable();
    let mut chosen: Vec<&str> = ranked.into_iter().take(size).map(|(_, n)| n).collect();
    chosen.sort_unstable();
    chosen
}

/// Crate names for documents, in the order given: `corpus-` and the document's path without
/// its extension, lower case, every run of other characters than letters and digits made
/// one `-`, at most 64 characters; a name already taken gets `-2`, `-3`, ... The prefix
/// keeps names off keywords and `std`, and off a leading digit (`1forge.com.json`).
pub fn crate_names(documents: &[&str]) -> Vec<String> {
    const MAX: usize = 64;
    let mut taken = BTreeSet::new();
    documents
        .iter()
        .map(|document| {
            let stem = document
                .strip_suffix(".json")
                .or_else(|| document.strip_suffix(".yaml"))
                .or_else(|| document.strip_suffix(".yml"))
                .unwrap_or(document);
            let mut base = String::from("corpus-");
            for c in stem.chars() {
                if c.is_ascii_alphanumeric() {
                    base.push(c.to_ascii_lowercase());
                } else if !base.ends_with('-') {
                    base.push('-');
                }
            }
            let base = base.trim_end_matches('-');
            let base = &base[..base.len().min(MAX - 4)];
            let base = base.trim_end_matches('-');
            let name = (1..)
                .map(|n| match n {
                    1 => base.to_owned(),
                    n => format!("{base}-{n}"),
                })
                .find(|candidate| !taken.contains(candidate))
                .expect("some suffix is free");
            taken.insert(name.clone());
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", ""));
        assert!(glob("*", "a/b.json"));
        assert!(glob("amazonaws.com/*", "amazonaws.com/ec2.json"));
        assert!(!glob("amazonaws.com/*", "xamazonaws.com/ec2.json"));
        assert!(glob("*/ec?.json", "amazonaws.com/ec2.json"));
        assert!(glob("a*b*c", "abc"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxcyyb"));
        assert!(glob("a*a", "aa"));
        assert!(!glob("a*a", "a"));
        assert!(glob("*.json", "x.json"));
        assert!(!glob("*.json", "x.yaml"));
        assert!(glob("exact.json", "exact.json"));
        assert!(!glob("exact.json", "exact.jsonx"));
        assert!(glob("??", "ab"));
        assert!(!glob("??", "abc"));
        assert!(glob("**x**", "yyxyy"));
        assert!(glob("é*", "été"));
    }

    #[test]
    fn samples_are_fixed_by_the_seed_and_stable_under_growth() {
        let names: Vec<String> = (0..500).map(|i| format!("doc-{i}.json")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let first = sample(&names, 40, 7);
        assert_eq!(first.len(), 40);
        assert_eq!(first, sample(&names, 40, 7), "same seed, same sample");
        assert_ne!(first, sample(&names, 40, 8), "another seed, another sample");
        let mut sorted = first.clone();
        sorted.sort_unstable();
        assert_eq!(first, sorted, "sorted");
        // Dropping documents outside the sample leaves it as it was.
        let fewer: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| first.contains(n) || n.ends_with("1.json"))
            .collect();
        assert_eq!(sample(&fewer, 40, 7), first);
        // The order given does not matter, nor do repeats.
        let mut shuffled: Vec<&str> = names.iter().rev().copied().collect();
        shuffled.extend(names.iter().take(10));
        assert_eq!(sample(&shuffled, 40, 7), first);
        assert_eq!(sample(&names[..3], 40, 7).len(), 3);
        assert!(sample(&names, 0, 7).is_empty());
    }

    #[test]
    fn samples_spread_over_the_corpus() {
        let names: Vec<String> = (0..1000).map(|i| format!("{i:04}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let chosen = sample(&names, 100, 2026);
        let low = chosen.iter().filter(|n| n.as_bytes()[1] < b'5').count();
        assert!((30..=70).contains(&low), "{low} of 100 in the lower half");
    }

    #[test]
    fn crate_names_are_valid_and_unique() {
        let names = crate_names(&[
            "1forge.com.json",
            "apideck.com/issue-tracking.json",
            "apideck.com/issue_tracking.json",
            "apideck.com/issue--tracking.json",
            "a.b.yaml",
            "Self.json",
            "__.json",
            "octokit/ghes-3.19.json",
            &format!("{}.json", "long-name".repeat(20)),
        ]);
        assert_eq!(
            names[..8],
            [
                "corpus-1forge-com",
                "corpus-apideck-com-issue-tracking",
                "corpus-apideck-com-issue-tracking-2",
                "corpus-apideck-com-issue-tracking-3",
                "corpus-a-b",
                "corpus-self",
                "corpus",
                "corpus-octokit-ghes-3-19",
            ]
        );
        for name in &names {
            assert!(name.len() <= 64, "{name}");
            assert!(!name.ends_with('-'), "{name}");
            assert!(name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
    }
}
