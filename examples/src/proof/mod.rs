//! The registry's word on what must be kept, taken again shortly before each delete.
//!
//! GitHub's listing and the registry are two systems that change while a run goes on: a
//! version can be deleted, tagged or pushed by someone else between the plan and a delete, and
//! a page-numbered listing can skip a version without error. So what is kept is computed from
//! the registry's own tags, not from the listing: every tag (but the cosign and referrers tags,
//! which count only when their subject does) is a root, and everything a root needs is kept:
//! the manifests an index lists at any depth (platform images, attestation manifests, nested
//! indexes), the manifests tagged `sha256-<hex>.*` after a needed digest, and the OCI 1.1
//! referrers of a needed digest (manifests whose `subject` it is). [`needs`] is that closure,
//! pure; [`Prover`] reads what it asks for and makes a [`Proof`], which says whether one
//! delete may go ahead.
//!
//! Manifests are addressed by digest and never change, so a manifest is read once per run; a
//! new proof costs one tag list, one `HEAD` per tag, and a read of each manifest a tag has moved
//! onto that the run has not seen.

//!
//! - `closure.rs`: what the roots need ([`needs`]), a pure function of what is known.
//! - `prover.rs`: the reading, and the proofs it makes ([`Prover`]).

mod closure;
mod prover;

pub use closure::{needs, parts_of_released, Closure, Knowledge, Need, Root, Through};
pub use prover::Prover;

use crate::registry::Digest;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

/// A proof serves at most this many deletes; see [`Freshness`].
pub const DEFAULT_PROOF_DELETES: usize = 250;
/// A proof serves for at most this long; see [`Freshness`].
pub const DEFAULT_PROOF_AGE: Duration = Duration::from_secs(180);

/// How old a proof may be when a delete relies on it: at most `deletes` deletes or `age`,
/// whichever comes first. A proof is also taken anew whenever a tagged delete the proof
/// counted on did not happen (refused, failed, spared, deferred), and before the first
/// untagged delete.
///
/// The defaults (250 deletes, 180 s) keep a run of 2,000 deletes, paced at GitHub's 80 a
/// minute, to about nine proofs beyond the plan's: nine tag lists and nine `HEAD`s per tag
/// (BENCHMARKS.md has the figures). What a proof cannot see is a tag moved onto an old
/// manifest after it was taken: the window is the time since the last proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    pub deletes: usize,
    pub age: Duration,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            deletes: DEFAULT_PROOF_DELETES,
            age: DEFAULT_PROOF_AGE,
        }
    }
}

/// The registry's state at one moment, and what it needs.
#[derive(Debug)]
pub struct Proof {
    /// Every tag and the digest it pointed at.
    pub tags: BTreeMap<String, Digest>,
    tags_of: HashMap<Digest, Vec<String>>,
    pub needed: HashMap<Digest, Need>,
    /// Tagged versions the run was about to delete when the proof was taken, whose tags were
    /// as planned: their tags are not roots.
    released: HashSet<Digest>,
    /// What the released versions' indexes list, and the signatures tagged after them, each
    /// with the released version.
    parts_of_released: HashMap<Digest, Digest>,
    /// Untagged candidates whose manifests could not be read, with why.
    unreadable: HashMap<Digest, String>,
    taken: Instant,
    /// Deletes that relied on it.
    pub deletes: usize,
}

impl Proof {
    /// The tags that point at `digest`, sorted.
    pub fn tags_of(&self, digest: &Digest) -> &[String] {
        self.tags_of.get(digest).map_or(&[], Vec::as_slice)
    }

    /// Whether a delete may still rely on it.
    pub fn is_fresh(&self, freshness: Freshness) -> bool {
        self.deletes < freshness.deletes && self.taken.elapsed() < freshness.age
    }

    /// The released version `digest` is gone: what it held may go too.
    pub fn gone(&mut self, digest: &Digest) {
        self.parts_of_released.retain(|_, holder| holder != digest);
    }

    /// Why the version `digest`, planned with `planned_tags`, must not be deleted now; `None`
    /// when it may be. `label` names a digest in messages.
    pub fn objection(
        &self,
        digest: &Digest,
        planned_tags: &[String],
        label: &dyn Fn(&Digest) -> String,
    ) -> Option<Objection> {
        let tags_now = self.tags_of(digest);
        if !planned_tags.is_empty() && !self.released.contains(digest) {
            let mut planned = planned_tags.to_vec();
            planned.sort();
            return Some(Objection::TagsDiffer {
                planned,
                registry: tags_now.to_vec(),
            });
        }
        if planned_tags.is_empty() && !tags_now.is_empty() {
            return Some(Objection::TagsDiffer {
                planned: Vec::new(),
                registry: tags_now.to_vec(),
            });
        }
        if let Some(need) = self.needed.get(digest) {
            return Some(Objection::Needed(describe(need, label)));
        }
        // Untagged parts of a released index go after it, in the untagged phase, which is
        // proven anew; a tagged one would go before it, in the same phase, so it waits.
        if let Some(index) = self
            .parts_of_released
            .get(digest)
            .filter(|_| !planned_tags.is_empty())
        {
            return Some(Objection::PartOfDeleted(label(index)));
        }
        self.unreadable
            .get(digest)
            .map(|why| Objection::Unreadable(why.clone()))
    }
}

/// Why a delete may not go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Objection {
    /// The registry's tags on the manifest are not those the plan was made with.
    TagsDiffer {
        planned: Vec<String>,
        registry: Vec<String>,
    },
    Needed(NeedText),
    /// A tagged manifest that an index this run is about to delete lists, or a signature tagged
    /// after a manifest this run is about to delete: it waits until that is gone, since that
    /// delete may fail.
    PartOfDeleted(String),
    /// An untagged candidate whose manifest could not be read: whether it is a referrer of a
    /// kept image is unknown.
    Unreadable(String),
}

impl fmt::Display for Objection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Objection::TagsDiffer { planned, registry } => write!(
                f,
                "the registry tags it [{}], the plan [{}]",
                registry.join(", "),
                planned.join(", ")
            ),
            Objection::Needed(need) => write!(f, "{need}"),
            Objection::PartOfDeleted(index) => write!(
                f,
                "a part of {index}, which this run has yet to delete: it goes once that is gone"
            ),
            Objection::Unreadable(why) => write!(
                f,
                "its manifest could not be read, so whether a kept image refers to it is unknown: {why}"
            ),
        }
    }
}

/// A [`Need`] with its digests named, for plans and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedText {
    /// `child`, `attestation`, `signature`, `referrer`, or `tag` for a root.
    pub kind: &'static str,
    /// `platform image linux/arm64`, `referrer (application/…)`.
    pub through: String,
    pub parent: Option<Digest>,
    pub parent_label: String,
    /// `tag latest`, `kept version 12 sha256:…`.
    pub root: String,
    pub root_digest: Digest,
}

impl fmt::Display for NeedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.parent {
            None => write!(f, "needed by {} (it is the image)", self.root),
            Some(parent) if *parent == self.root_digest => {
                write!(
                    f,
                    "{} of {}, needed by {}",
                    self.through, self.parent_label, self.root
                )
            }
            Some(_) => write!(
                f,
                "{} of {}, needed by {} ({})",
                self.through,
                self.parent_label,
                self.root,
                self.root_digest.short()
            ),
        }
    }
}

fn describe(need: &Need, label: &dyn Fn(&Digest) -> String) -> NeedText {
    NeedText {
        kind: need.through.kind(),
        through: need.through.to_string(),
        parent: need.parent.clone(),
        parent_label: need.parent.as_ref().map_or_else(String::new, label),
        root: need.root.to_string(),
        root_digest: need.root_digest.clone(),
    }
}

/// A tagged version the run is about to delete, with the tags it was planned with.
#[derive(Debug, Clone)]
pub struct Pending {
    pub digest: Digest,
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Child, ChildRole, Manifest, OCI_INDEX, OCI_MANIFEST};

    fn digest(n: u8) -> Digest {
        Digest::of(&[n])
    }

    fn manifest(n: u8, children: &[(u8, &str)], subject: Option<u8>) -> Manifest {
        Manifest {
            digest: digest(n),
            media_type: Some(
                if children.is_empty() {
                    OCI_MANIFEST
                } else {
                    OCI_INDEX
                }
                .into(),
            ),
            children: children
                .iter()
                .map(|&(c, media_type)| Child {
                    digest: digest(c),
                    media_type: media_type.into(),
                    role: ChildRole::Platform(format!("linux/{c}")),
                })
                .collect(),
            subject: subject.map(digest),
            artifact_type: subject.map(|_| "application/vnd.dev.sigstore.bundle.v0.3+json".into()),
        }
    }

    fn knowledge(manifests: Vec<Manifest>) -> Knowledge {
        let mut knowledge = Knowledge::default();
        for manifest in manifests {
            knowledge.insert(manifest);
        }
        knowledge
    }

    fn tags(pairs: &[(&str, u8)]) -> BTreeMap<String, Digest> {
        pairs
            .iter()
            .map(|&(tag, n)| (tag.to_owned(), digest(n)))
            .collect()
    }

    #[test]
    fn everything_a_tag_needs_at_any_depth() {
        // latest -> index 1 -> nested index 2 -> image 3; 1 -> image 4; 5 refers to 4;
        // 6 is the cosign signature of 1; 7 signs the untagged 8, which nothing needs.
        let known = knowledge(vec![
            manifest(1, &[(2, OCI_INDEX), (4, OCI_MANIFEST)], None),
            manifest(2, &[(3, OCI_MANIFEST)], None),
            manifest(5, &[], Some(4)),
            manifest(6, &[], None),
        ]);
        let sig = |n: u8| format!("sha256-{}.sig", digest(n).hex());
        let tags = tags(&[("latest", 1), (&sig(1), 6), (&sig(8), 7)]);
        let closure = needs(&tags, &HashSet::new(), &[], &known, false);
        assert!(closure.unread.is_empty() && closure.too_deep.is_empty());
        let mut needed: Vec<(u8, &str)> = (0..=8)
            .filter_map(|n| Some((n, closure.needed.get(&digest(n))?.through.kind())))
            .collect();
        needed.sort();
        assert_eq!(
            needed,
            [
                (1, "tag"),
                (2, "child"),
                (3, "child"),
                (4, "child"),
                (5, "referrer"),
                (6, "signature")
            ]
        );
        let need = &closure.needed[&digest(3)];
        assert_eq!(need.root, Root::Tag("latest".into()));
        assert_eq!(need.parent, Some(digest(2)));

        // Released: the tag of a version about to be deleted is not a root, so its parts are
        // not needed, and neither is its signature.
        let released = HashSet::from([digest(1)]);
        let closure = needs(&tags, &released, &[], &known, false);
        assert!(closure.needed.is_empty(), "{:?}", closure.needed.keys());

        // A kept version is a root too.
        let kept = [(digest(2), "9 sha256:…".to_owned())];
        let closure = needs(&tags, &released, &kept, &known, false);
        assert_eq!(closure.needed.len(), 2);
        assert_eq!(
            closure.needed[&digest(3)].root,
            Root::Kept("9 sha256:…".into())
        );
    }

    #[test]
    fn what_is_unknown_is_asked_for() {
        let known = knowledge(vec![manifest(
            1,
            &[(2, OCI_INDEX), (3, OCI_MANIFEST)],
            None,
        )]);
        let closure = needs(
            &tags(&[("v1", 1), ("v2", 9)]),
            &HashSet::new(),
            &[],
            &known,
            true,
        );
        // The tag's manifest and the nested index must be read; the platform image need not.
        let mut unread = closure.unread.clone();
        unread.sort();
        let mut expected = vec![digest(2), digest(9)];
        expected.sort();
        assert_eq!(unread, expected);
        assert_eq!(closure.unasked.len(), 4, "every needed digest's referrers");
    }

    fn proof(
        tags: BTreeMap<String, Digest>,
        pending: &[(u8, &[&str])],
        known: &Knowledge,
    ) -> Proof {
        let mut tags_of: HashMap<Digest, Vec<String>> = HashMap::new();
        for (tag, digest) in &tags {
            tags_of.entry(digest.clone()).or_default().push(tag.clone());
        }
        let released: HashSet<Digest> = pending
            .iter()
            .filter(|(n, planned)| {
                tags_of
                    .get(&digest(*n))
                    .map(|t| t.iter().map(String::as_str).collect::<Vec<_>>())
                    == Some(planned.to_vec())
            })
            .map(|(n, _)| digest(*n))
            .collect();
        let closure = needs(&tags, &released, &[], known, false);
        let parts_of_released = parts_of_released(&tags, &released, known).unwrap();
        Proof {
            tags,
            tags_of,
            needed: closure.needed,
            released,
            parts_of_released,
            unreadable: HashMap::from([(digest(30), "404".to_owned())]),
            taken: Instant::now(),
            deletes: 0,
        }
    }

    #[test]
    fn objections_to_a_delete() {
        // latest -> 1 -> {2, 3}; v1 -> 10 -> {11 (also tagged v1-amd64), 12}; v1 and
        // v1-amd64 are about to be deleted; 20 is an untagged orphan tagged `hotfix` since.
        let known = knowledge(vec![
            manifest(1, &[(2, OCI_MANIFEST), (3, OCI_MANIFEST)], None),
            manifest(10, &[(11, OCI_MANIFEST), (12, OCI_MANIFEST)], None),
            manifest(11, &[], None),
            manifest(13, &[], None),
        ]);
        let signature = format!("sha256-{}.sig", digest(10).hex());
        let tags = tags(&[
            ("latest", 1),
            ("v1", 10),
            ("v1-amd64", 11),
            ("hotfix", 20),
            (&signature, 13),
        ]);
        let pending: &[(u8, &[&str])] = &[
            (10, &["v1"]),
            (11, &["v1-amd64"]),
            (1, &["v0"]),
            (13, &[&signature]),
        ];
        let proof = proof(tags, pending, &known);
        let label = |digest: &Digest| digest.short().to_owned();
        let objection = |n: u8, planned: &[&str]| {
            let planned: Vec<String> = planned.iter().map(|t| t.to_string()).collect();
            proof.objection(&digest(n), &planned, &label)
        };
        // v1 may go, and its untagged part 12 after it; its tagged part 11 waits for it.
        assert_eq!(objection(10, &["v1"]), None);
        assert_eq!(objection(12, &[]), None);
        assert!(matches!(
            objection(11, &["v1-amd64"]),
            Some(Objection::PartOfDeleted(_))
        ));
        // What latest needs stays, with why.
        match objection(2, &[]) {
            Some(Objection::Needed(need)) => {
                assert_eq!((need.kind, need.root.as_str()), ("child", "tag latest"));
                assert_eq!(need.parent, Some(digest(1)));
            }
            other => panic!("{other:?}"),
        }
        // Tags that are not those planned: the plan no longer speaks for it.
        assert_eq!(
            objection(1, &["v0"]),
            Some(Objection::TagsDiffer {
                planned: vec!["v0".into()],
                registry: vec!["latest".into()],
            })
        );
        assert!(matches!(
            objection(20, &[]),
            Some(Objection::TagsDiffer { .. })
        ));
        assert!(matches!(objection(30, &[]), Some(Objection::Unreadable(_))));
        assert_eq!(objection(31, &[]), None);
    }

    #[test]
    fn freshness_counts_deletes_and_time() {
        let mut proof = proof(BTreeMap::new(), &[], &Knowledge::default());
        let freshness = Freshness {
            deletes: 2,
            age: Duration::from_secs(3600),
        };
        assert!(proof.is_fresh(freshness));
        proof.deletes = 2;
        assert!(!proof.is_fresh(freshness));
        proof.deletes = 0;
        assert!(!proof.is_fresh(Freshness {
            deletes: 2,
            age: Duration::ZERO
        }));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let mut manifests = vec![manifest(1, &[(100, OCI_INDEX)], None)];
        for n in 100..120 {
            manifests.push(manifest(n, &[(n + 1, OCI_INDEX)], None));
        }
        let closure = needs(
            &tags(&[("v1", 1)]),
            &HashSet::new(),
            &[],
            &knowledge(manifests),
            false,
        );
        assert_eq!(closure.too_deep.len(), 1, "{:?}", closure.too_deep);
    }
}
