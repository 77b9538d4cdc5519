//! The change report of a regeneration: the changes, and the version they call for.

use super::{compare, next_version, Change, Class, Surface};
use std::fmt;

/// What a regeneration changes in a crate's public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub crate_name: String,
    /// `info.version` of the previous and the current description.
    pub description_versions: (String, String),
    /// The crate's version before, and the one it is generated with now.
    pub crate_versions: (String, String),
    pub changes: Vec<Change>,
    /// The version the changes call for under Cargo's rules, from the previous one; `Err`
    /// when that is not a SemVer version.
    pub next_version: Result<String, String>,
}

impl Report {
    pub fn new(previous: &Surface, current: &Surface) -> Report {
        let changes = compare(previous, current);
        let class = changes.iter().map(|c| c.class).max();
        Report {
            crate_name: current.crate_name.clone(),
            description_versions: (
                previous.description_version.clone(),
                current.description_version.clone(),
            ),
            crate_versions: (
                previous.crate_version.clone(),
                current.crate_version.clone(),
            ),
            next_version: next_version(&previous.crate_version, class),
            changes,
        }
    }

    /// The most severe class among the changes; `None` when nothing changed.
    pub fn class(&self) -> Option<Class> {
        self.changes.iter().map(|c| c.class).max()
    }

    /// Whether the changes call for a breaking release.
    pub fn is_breaking(&self) -> bool {
        self.class() == Some(Class::Major)
    }

    /// One line: how many changes of each class, and the version they call for.
    pub fn summary(&self) -> String {
        if self.changes.is_empty() {
            return format!(
                "no change to the public API of {}; it stays {}",
                self.crate_name, self.crate_versions.0
            );
        }
        let mut counts = Vec::new();
        for class in [
            Class::Major,
            Class::PossiblyBreaking,
            Class::Minor,
            Class::Patch,
        ] {
            let n = self.changes.iter().filter(|c| c.class == class).count();
            if n > 0 {
                counts.push(format!("{n} {}", class.label()));
            }
        }
        let version = match &self.next_version {
            Ok(version) => format!("calls for {version} (from {})", self.crate_versions.0),
            Err(error) => format!("no next version: {error}"),
        };
        format!(
            "{} changes to the public API of {} ({}); {version}",
            self.changes.len(),
            self.crate_name,
            counts.join(", ")
        )
    }
}

/// Markdown: a section per class, an entry per change, the version last.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (was, now) = &self.description_versions;
        writeln!(f, "# Changes to the public API of `{}`", self.crate_name)?;
        writeln!(f)?;
        writeln!(
            f,
            "From the description's version `{was}` to `{now}`, compared through the crate's API \
             surface (`api-surface.json`), classified under Cargo's SemVer rules."
        )?;
        for (class, title) in [
            (Class::Major, "Breaking (major)"),
            (Class::PossiblyBreaking, "Possibly breaking (behaviour)"),
            (Class::Minor, "Additions (minor)"),
            (Class::Patch, "No visible change (patch)"),
        ] {
            let changes: Vec<&Change> = self.changes.iter().filter(|c| c.class == class).collect();
            if changes.is_empty() {
                continue;
            }
            writeln!(f)?;
            writeln!(f, "## {title}")?;
            writeln!(f)?;
            for change in changes {
                write!(
                    f,
                    "- `{}`: {} (`{}`)",
                    change.item, change.what, change.pointer
                )?;
                if !change.operations.is_empty() {
                    const SHOWN: usize = 12;
                    let shown: Vec<String> = change
                        .operations
                        .iter()
                        .take(SHOWN)
                        .map(|o| format!("`{o}`"))
                        .collect();
                    let more = change.operations.len().saturating_sub(SHOWN);
                    write!(
                        f,
                        "; reached by {} operation{}: {}{}",
                        change.operations.len(),
                        if change.operations.len() == 1 {
                            ""
                        } else {
                            "s"
                        },
                        shown.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    )?;
                }
                writeln!(f)?;
            }
        }
        writeln!(f)?;
        writeln!(f, "## Version")?;
        writeln!(f)?;
        let (before, given) = &self.crate_versions;
        match &self.next_version {
            Ok(next) if self.changes.is_empty() => {
                writeln!(f, "No change to the public API: `{next}` stays right.")?
            }
            Ok(next) => {
                let kind = match self.class() {
                    Some(Class::Major) => "a breaking release",
                    Some(Class::Patch) => "a patch release",
                    _ => "a compatible release",
                };
                let rules = if before.starts_with("0.") {
                    " (Cargo's rules: in a `0.x` crate the minor number is the one a breaking \
                     change raises)"
                } else {
                    ""
                };
                writeln!(
                    f,
                    "These changes call for {kind}: `{next}` after `{before}`{rules}."
                )?;
                if given == before {
                    writeln!(
                        f,
                        "The crate is still generated as `{given}`; regenerate with \
                         `--crate-version {next}` to publish it."
                    )?;
                } else if version_below(given, next) {
                    writeln!(f, "The crate is generated as `{given}`, below `{next}`.")?;
                }
            }
            Err(error) => writeln!(f, "No next version: {error}.")?,
        }
        Ok(())
    }
}

/// `a` < `b`, both `MAJOR.MINOR.PATCH`; false when either is not.
fn version_below(a: &str, b: &str) -> bool {
    let parse = |v: &str| -> Option<Vec<u64>> {
        v.split(['-', '+'])
            .next()?
            .split('.')
            .map(|n| n.parse().ok())
            .collect()
    };
    matches!((parse(a), parse(b)), (Some(a), Some(b)) if a < b)
}
