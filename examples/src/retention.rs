//! Which versions of a package to delete by the policy's rules ([`select`]): pure, so that
//! the rules can be read and tested on their own. The registry's word on what a kept image
//! still needs overrides them: see [`crate::proof`].

use crate::proof::Objection;
use crate::registry::Digest;
use github_packages::chrono::{DateTime, Duration as Age, Utc};
use github_packages::PackageVersion;
use std::fmt;

/// A tag pattern: `*` stands for any run of characters, `?` for one; all else is literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPattern(String);

impl TagPattern {
    pub fn new(pattern: &str) -> Result<TagPattern, String> {
        if pattern.is_empty() {
            return Err("a tag pattern cannot be empty".into());
        }
        if pattern.chars().any(char::is_control) {
            return Err(format!(
                "tag pattern {pattern:?} contains a control character"
            ));
        }
        Ok(TagPattern(pattern.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, text: &str) -> bool {
        glob_matches(&self.0, text)
    }
}

impl fmt::Display for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `pattern` has a wildcard, so that names must be listed to be matched.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Greedy match that remembers the last `*` and retries from one character further: time
/// bounded by the product of the two lengths, no recursion.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                last_star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    last_star = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Which versions of a package to delete.
#[derive(Debug, Clone)]
pub struct RetentionPolicy {
    /// Tagged versions to keep, newest first, among those the tag patterns select; older
    /// ones are deleted.
    pub keep_tagged: usize,
    /// Tagged versions younger than this are kept even beyond `keep_tagged`.
    pub tagged_older_than: Age,
    /// Untagged versions (and signatures of versions not kept) younger than this are kept.
    pub untagged_older_than: Age,
    /// Only tagged versions whose every tag matches one of these may be deleted; empty
    /// selects every tagged version.
    pub delete_tags: Vec<TagPattern>,
    /// Versions with a tag that matches one of these are always kept.
    pub keep_tags: Vec<TagPattern>,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            keep_tagged: 10,
            tagged_older_than: Age::zero(),
            untagged_older_than: Age::days(14),
            delete_tags: Vec::new(),
            keep_tags: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Keep,
    Delete,
    /// The rules would delete it, but the package's registry check failed: nothing of the
    /// package is deleted.
    HeldBack,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::Delete => "delete",
            Action::HeldBack => "held back",
        }
    }
}

/// Why a version is kept or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    KeepTag {
        tag: String,
        pattern: String,
    },
    TagNotSelected {
        tag: String,
    },
    NewestTagged {
        keep: usize,
    },
    RecentTagged {
        days: i64,
    },
    RecentUntagged {
        days: i64,
    },
    /// The registry's word overrides the rules: a tag there needs it, or its tags there are
    /// not those the listing showed, or its manifest could not be read.
    Registry(Objection),
    OlderTagged {
        keep: usize,
    },
    OldUntagged {
        days: i64,
    },
    /// An attachment whose subject is not kept.
    OldAttachment {
        days: i64,
        subject: String,
    },
}

impl Reason {
    /// A stable name for the rule, for `--json`.
    pub fn rule(&self) -> &'static str {
        match self {
            Reason::KeepTag { .. } => "keep-tag",
            Reason::TagNotSelected { .. } => "tag-not-selected",
            Reason::NewestTagged { .. } => "newest-tagged",
            Reason::RecentTagged { .. } => "recent-tagged",
            Reason::RecentUntagged { .. } => "recent-untagged",
            Reason::Registry(Objection::Needed(need)) => match need.kind {
                "tag" => "tagged-in-registry",
                "signature" => "attached-to-kept",
                "referrer" => "referrer-of-kept",
                _ => "part-of-kept-image",
            },
            Reason::Registry(Objection::TagsDiffer { .. }) => "registry-tags-differ",
            Reason::Registry(Objection::Unreadable(_)) => "unreadable-manifest",
            Reason::Registry(Objection::PartOfDeleted(_)) => "part-of-deleted-image",
            Reason::OlderTagged { .. } => "older-tagged",
            Reason::OldUntagged { .. } => "old-untagged",
            Reason::OldAttachment { .. } => "old-attachment",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::KeepTag { tag, pattern } => write!(f, "tag {tag} matches --keep-tag {pattern}"),
            Reason::TagNotSelected { tag } => write!(f, "tag {tag} matches no --tag pattern"),
            Reason::NewestTagged { keep } => write!(f, "one of the {keep} newest tagged"),
            Reason::RecentTagged { days } => write!(f, "tagged, {days} days old"),
            Reason::RecentUntagged { days } => write!(f, "untagged, {days} days old"),
            Reason::Registry(objection) => write!(f, "{objection}"),
            Reason::OlderTagged { keep } => {
                write!(f, "tagged, older than the {keep} newest tagged")
            }
            Reason::OldUntagged { days } => write!(f, "untagged, {days} days old"),
            Reason::OldAttachment { days, subject } => {
                write!(
                    f,
                    "signature or attestation of {subject}, which is not kept; {days} days old"
                )
            }
        }
    }
}

/// What happened to a version the plan deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Deleted,
    /// A dry run.
    WouldDelete,
    /// Gone before the delete (deleted elsewhere meanwhile).
    AlreadyGone,
    /// Left for the next run by `--max-deletions`.
    Deferred,
    /// Its tags changed between the plan and the delete, so the plan no longer speaks for it.
    Spared(String),
    /// GitHub refused, e.g. "You cannot delete the last tagged version of a package".
    Refused(String),
    Failed(String),
    /// Not tried, after a failure that would recur.
    NotAttempted(String),
}

impl Outcome {
    /// Whether the version was not deleted although it should have been.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Outcome::Refused(_) | Outcome::Failed(_) | Outcome::NotAttempted(_)
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Deleted => f.write_str("deleted"),
            Outcome::WouldDelete => f.write_str("would delete"),
            Outcome::AlreadyGone => f.write_str("already gone"),
            Outcome::Deferred => {
                f.write_str("deferred: --max-deletions reached; left for the next run")
            }
            Outcome::Spared(why) => write!(f, "spared: {why}"),
            Outcome::Refused(why) => write!(f, "refused: {why}"),
            Outcome::Failed(why) => write!(f, "failed: {why}"),
            Outcome::NotAttempted(why) => write!(f, "not attempted: {why}"),
        }
    }
}

/// One version in a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    /// The version's name: the manifest digest, for container packages.
    pub name: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub action: Action,
    pub reason: Reason,
    /// Set when the plan is carried out (or dry-run).
    pub outcome: Option<Outcome>,
}

impl Entry {
    /// The name shortened if it is a digest, with its tags, attachment tags shortened too:
    /// `sha256:0123456789ab (v3, latest)`, `sha256:0123456789ab (sha256-abcdef012345….sig)`.
    pub fn label(&self) -> String {
        let name =
            Digest::parse(&self.name).map_or(self.name.clone(), |digest| digest.short().to_owned());
        if self.tags.is_empty() {
            return name;
        }
        let tags: Vec<String> = self
            .tags
            .iter()
            .map(|tag| match attachment_subject(tag) {
                Some(subject) => format!(
                    "sha256-{}…{}",
                    &subject.hex()[..12],
                    &tag["sha256-".len() + 64..]
                ),
                None => tag.clone(),
            })
            .collect();
        format!("{name} ({})", tags.join(", "))
    }
}

/// The tags of a container (or legacy docker) version.
pub fn tags(version: &PackageVersion) -> &[String] {
    let Some(metadata) = &version.metadata else {
        return &[];
    };
    if let Some(container) = &metadata.container {
        return &container.tags;
    }
    metadata.docker.as_ref().map_or(&[], |docker| &docker.tags)
}

/// The digest a cosign-style tag attaches to: `sha256-<hex>`, optionally followed by a suffix
/// such as `.sig`, `.att` or `.sbom` (the bare form is the OCI referrers tag).
pub fn attachment_subject(tag: &str) -> Option<Digest> {
    let rest = tag.strip_prefix("sha256-")?;
    let (hex, suffix) = rest.split_at(rest.len().min(64));
    if !(suffix.is_empty() || suffix.starts_with('.') && suffix.len() > 1) {
        return None;
    }
    Digest::parse(&format!("sha256:{hex}"))
}

/// The policy's decision for every version, newest first, before the registry is asked.
/// Signatures and attestations attached by tag follow the untagged rule (they are not
/// releases); [`crate::proof`] keeps those of kept versions.
pub fn select(
    versions: &[PackageVersion],
    policy: &RetentionPolicy,
    now: DateTime<Utc>,
) -> Vec<Entry> {
    let mut entries: Vec<Entry> = versions
        .iter()
        .map(|version| {
            let tags = tags(version).to_vec();
            let days = (now - version.created_at).num_days();
            let old_untagged = now - version.created_at > policy.untagged_older_than;
            let keep_tag = tags.iter().find_map(|tag| {
                let pattern = policy.keep_tags.iter().find(|p| p.matches(tag))?;
                Some(Reason::KeepTag {
                    tag: tag.clone(),
                    pattern: pattern.to_string(),
                })
            });
            let subject = tags.iter().find_map(|tag| attachment_subject(tag));
            let attachment_only =
                !tags.is_empty() && tags.iter().all(|tag| attachment_subject(tag).is_some());
            let unselected = tags.iter().find(|tag| {
                !policy.delete_tags.is_empty() && !policy.delete_tags.iter().any(|p| p.matches(tag))
            });
            let (action, reason) = if let Some(reason) = keep_tag {
                (Action::Keep, reason)
            } else if let (true, Some(subject)) = (attachment_only, subject) {
                if old_untagged {
                    let subject = subject.short().to_owned();
                    (Action::Delete, Reason::OldAttachment { days, subject })
                } else {
                    (Action::Keep, Reason::RecentUntagged { days })
                }
            } else if tags.is_empty() {
                if old_untagged {
                    (Action::Delete, Reason::OldUntagged { days })
                } else {
                    (Action::Keep, Reason::RecentUntagged { days })
                }
            } else if let Some(tag) = unselected {
                (Action::Keep, Reason::TagNotSelected { tag: tag.clone() })
            } else {
                // Ranked below, among the candidates.
                (
                    Action::Delete,
                    Reason::OlderTagged {
                        keep: policy.keep_tagged,
                    },
                )
            };
            Entry {
                id: version.id,
                name: version.name.clone(),
                tags,
                created_at: version.created_at,
                action,
                reason,
                outcome: None,
            }
        })
        .collect();
    entries.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let candidates = entries
        .iter_mut()
        .filter(|entry| matches!(entry.reason, Reason::OlderTagged { .. }));
    for (rank, entry) in candidates.enumerate() {
        let days = (now - entry.created_at).num_days();
        if rank < policy.keep_tagged {
            entry.action = Action::Keep;
            entry.reason = Reason::NewestTagged {
                keep: policy.keep_tagged,
            };
        } else if now - entry.created_at <= policy.tagged_older_than {
            entry.action = Action::Keep;
            entry.reason = Reason::RecentTagged { days };
        }
    }
    entries
}

/// Index nesting deeper than this is refused (the package's deletions are held back) rather
/// than followed: real images nest one level, and a registry must not keep us reading.
pub const MAX_INDEX_DEPTH: usize = 8;

/// Turns every deletion into [`Action::HeldBack`]: the fail-closed answer to a registry
/// check that did not complete.
pub fn hold_back(entries: &mut [Entry]) -> usize {
    let mut held = 0;
    for entry in entries
        .iter_mut()
        .filter(|entry| entry.action == Action::Delete)
    {
        entry.action = Action::HeldBack;
        held += 1;
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("v*", "v1.2", true),
            ("v*", "latest", false),
            ("pr-?", "pr-1", true),
            ("pr-?", "pr-12", false),
            ("*-rc*", "v1-rc2", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("*.sig", "sha256-abc.sig", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("é*", "éa", true),
            ("**a", "bbba", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob_matches(pattern, text), expected, "{pattern} ~ {text}");
        }
        // Many stars against a long near-miss: bounded, no blow-up.
        assert!(!glob_matches(&"*a".repeat(50), &"a".repeat(49)));
        assert!(TagPattern::new("").is_err());
        assert!(TagPattern::new("a\nb").is_err());
    }

    #[test]
    fn attachment_tags() {
        let hex = "ab".repeat(32);
        let subject = Digest::parse(&format!("sha256:{hex}")).unwrap();
        for tag in [
            format!("sha256-{hex}.sig"),
            format!("sha256-{hex}.att"),
            format!("sha256-{hex}"),
        ] {
            assert_eq!(attachment_subject(&tag), Some(subject.clone()), "{tag}");
        }
        for tag in [
            format!("sha256-{hex}."),
            format!("sha256-{hex}x"),
            "sha256-ab.sig".into(),
            "v1".into(),
        ] {
            assert_eq!(attachment_subject(&tag), None, "{tag}");
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse().unwrap()
    }

    fn digest(n: u8) -> Digest {
        Digest::of(&[n])
    }

    fn entry(n: u8, tags: &[&str], days: i64) -> PackageVersion {
        let created = now() - Age::days(days);
        serde_json::from_value(serde_json::json!({
            "id": n, "name": digest(n).as_str(), "url": "", "package_html_url": "",
            "created_at": created, "updated_at": created,
            "metadata": {"package_type": "container", "container": {"tags": tags}}
        }))
        .unwrap()
    }

    fn decisions(entries: &[Entry]) -> Vec<(i64, Action, &'static str)> {
        let mut decisions: Vec<_> = entries
            .iter()
            .map(|e| (e.id, e.action, e.reason.rule()))
            .collect();
        decisions.sort_by_key(|(id, _, _)| *id);
        decisions
    }

    #[test]
    fn the_rules() {
        let signature = format!("sha256-{}.sig", digest(1).hex());
        let versions = [
            entry(1, &["v3", "latest"], 30),
            entry(2, &["v2"], 60),
            entry(3, &["v1"], 90),
            entry(4, &["pr-7"], 100),
            entry(5, &[], 40),
            entry(6, &[], 2),
            entry(7, &[&signature], 30),
            entry(8, &["release-0"], 400),
        ];
        let policy = RetentionPolicy {
            keep_tagged: 2,
            untagged_older_than: Age::days(14),
            keep_tags: vec![TagPattern::new("release-*").unwrap()],
            ..RetentionPolicy::default()
        };
        let entries = select(&versions, &policy, now());
        assert_eq!(entries.first().map(|e| e.id), Some(6), "newest first");
        assert_eq!(
            decisions(&entries),
            [
                (1, Action::Keep, "newest-tagged"),
                (2, Action::Keep, "newest-tagged"),
                (3, Action::Delete, "older-tagged"),
                (4, Action::Delete, "older-tagged"),
                (5, Action::Delete, "old-untagged"),
                (6, Action::Keep, "recent-untagged"),
                (7, Action::Delete, "old-attachment"),
                (8, Action::Keep, "keep-tag"),
            ]
        );

        // Only versions whose every tag is selected can go; the rank counts only those.
        let policy = RetentionPolicy {
            keep_tagged: 0,
            delete_tags: vec![
                TagPattern::new("v*").unwrap(),
                TagPattern::new("pr-*").unwrap(),
            ],
            tagged_older_than: Age::days(70),
            ..policy
        };
        let entries = select(&versions, &policy, now());
        assert_eq!(
            decisions(&entries)[..4],
            [
                (1, Action::Keep, "tag-not-selected"),
                (2, Action::Keep, "recent-tagged"),
                (3, Action::Delete, "older-tagged"),
                (4, Action::Delete, "older-tagged"),
            ]
        );
    }
}
