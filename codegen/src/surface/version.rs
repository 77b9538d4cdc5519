//! The version a release with changes of a given class calls for, under Cargo's SemVer rules.

use super::Class;

/// The version after `current` that changes of class `class` call for, under Cargo's rules:
/// the left-most non-zero number is the one a breaking change raises (`1.4.2` -> `2.0.0`,
/// `0.4.2` -> `0.5.0`, `0.0.4` -> `0.0.5`), an addition raises the next one (`1.5.0`,
/// `0.4.3`, `0.0.5`), anything else the last. `None` (no change) keeps `current`; a version
/// that is not `MAJOR.MINOR.PATCH` is `Err`.
pub fn next_version(current: &str, class: Option<Class>) -> Result<String, String> {
    // SemVer's pre-release and build identifiers are ASCII alphanumerics and hyphens.
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+');
    if !current.chars().all(allowed) {
        return Err(format!(
            "`{}` is not a SemVer version (MAJOR.MINOR.PATCH)",
            current.escape_debug()
        ));
    }
    let core = current.split(['-', '+']).next().unwrap_or(current);
    let numbers: Vec<u64> = core
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{current}` is not a SemVer version (MAJOR.MINOR.PATCH)"))?;
    let [major, minor, patch] = numbers[..] else {
        return Err(format!(
            "`{current}` is not a SemVer version (MAJOR.MINOR.PATCH)"
        ));
    };
    let Some(class) = class else {
        return Ok(current.to_owned());
    };
    let (major, minor, patch) = match (class, major, minor) {
        (Class::Major, 0, 0) => (0, 0, patch + 1),
        (Class::Major, 0, _) => (0, minor + 1, 0),
        (Class::Major, _, _) => (major + 1, 0, 0),
        (Class::Minor | Class::PossiblyBreaking, 0, 0) => (0, 0, patch + 1),
        (Class::Minor | Class::PossiblyBreaking, 0, _) => (0, minor, patch + 1),
        (Class::Minor | Class::PossiblyBreaking, _, _) => (major, minor + 1, 0),
        (Class::Patch, _, _) => (major, minor, patch + 1),
    };
    Ok(format!("{major}.{minor}.{patch}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_rules_including_0_x() {
        let next = |v: &str, c| next_version(v, Some(c)).unwrap();
        assert_eq!(next("1.4.2", Class::Major), "2.0.0");
        assert_eq!(next("1.4.2", Class::Minor), "1.5.0");
        assert_eq!(next("1.4.2", Class::PossiblyBreaking), "1.5.0");
        assert_eq!(next("1.4.2", Class::Patch), "1.4.3");
        assert_eq!(next("0.4.2", Class::Major), "0.5.0");
        assert_eq!(next("0.4.2", Class::Minor), "0.4.3");
        assert_eq!(next("0.4.2", Class::Patch), "0.4.3");
        assert_eq!(next("0.0.4", Class::Major), "0.0.5");
        assert_eq!(next("0.0.4", Class::Minor), "0.0.5");
        assert_eq!(next("0.1.0-alpha.1", Class::Major), "0.2.0");
        assert_eq!(next_version("0.1.0", None).unwrap(), "0.1.0");
        assert!(next_version("1.2", Some(Class::Minor)).is_err());
        assert!(next_version("v1.2.3", Some(Class::Minor)).is_err());
        assert!(next_version("1.2.3-a\"\nb = 1", None).is_err());
    }
}
