//! What the roots need: the closure over index children, attachment tags and referrers, as
//! far as what has been read tells. Pure; [`super::Prover`] reads what it asks for.

use crate::registry::{ChildRole, Digest, Manifest};
use crate::retention::{attachment_subject, MAX_INDEX_DEPTH};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;

/// What everything needed is needed by: a tag of the registry, or a version the policy keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    Tag(String),
    /// A version the policy keeps, by its label (`123 sha256:0123456789ab`).
    Kept(String),
}

impl fmt::Display for Root {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Root::Tag(tag) => write!(f, "tag {tag}"),
            Root::Kept(label) => write!(f, "kept version {label}"),
        }
    }
}

/// How a needed manifest is reached from its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Through {
    /// The root itself: a tag points at it, or the policy keeps it.
    Root,
    /// Listed by an index: a platform image, an attestation manifest, a nested index.
    Child(ChildRole),
    /// Tagged `sha256-<hex>.sig` (`.att`, `.sbom`, or bare: the OCI referrers tag) after the
    /// parent's digest.
    Attachment(String),
    /// An OCI 1.1 referrer: its `subject` is the parent. Its artifact type, when known.
    Referrer(Option<String>),
}

impl Through {
    /// A stable name for `--json`: `tag`, `child`, `attestation`, `signature`, `referrer`.
    pub fn kind(&self) -> &'static str {
        match self {
            Through::Root => "tag",
            Through::Child(ChildRole::Attestation { .. }) => "attestation",
            Through::Child(_) => "child",
            Through::Attachment(_) => "signature",
            Through::Referrer(_) => "referrer",
        }
    }
}

impl fmt::Display for Through {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Through::Root => f.write_str("itself"),
            Through::Child(ChildRole::Attestation { of: Some(of) }) => match Digest::parse(of) {
                Some(of) => write!(f, "attestation manifest (of {})", of.short()),
                None => f.write_str("attestation manifest"),
            },
            Through::Child(role) => write!(f, "{role}"),
            Through::Attachment(tag) if tag.len() > "sha256-".len() + 64 => {
                write!(
                    f,
                    "signature or attestation ({})",
                    &tag["sha256-".len() + 64..]
                )
            }
            Through::Attachment(_) => f.write_str("referrers index"),
            Through::Referrer(Some(artifact_type)) => write!(f, "referrer ({artifact_type})"),
            Through::Referrer(None) => f.write_str("referrer"),
        }
    }
}

/// Why a manifest is needed: the root that needs it, and the last step of the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub root: Root,
    pub root_digest: Digest,
    pub through: Through,
    /// The manifest it is needed through; `None` for a root.
    pub parent: Option<Digest>,
    /// Index levels below the root.
    depth: usize,
    /// Whether its manifest must be read to know what it needs in turn (it may list children).
    read: bool,
}

/// What is known of the registry's manifests, accumulated over a run: manifests never change.
#[derive(Debug, Default)]
pub struct Knowledge {
    pub(super) manifests: HashMap<Digest, Manifest>,
    /// Referrers by subject, with their artifact types and whether they are indexes.
    referrers: HashMap<Digest, BTreeMap<Digest, (Option<String>, bool)>>,
    /// Digests whose referrers the registry's referrers API has given.
    asked: HashSet<Digest>,
}

impl Knowledge {
    pub fn insert(&mut self, manifest: Manifest) {
        if let Some(subject) = &manifest.subject {
            let is_index = !manifest.children.is_empty()
                || manifest
                    .media_type
                    .as_deref()
                    .is_some_and(crate::registry::is_index_media_type);
            self.referrers.entry(subject.clone()).or_default().insert(
                manifest.digest.clone(),
                (manifest.artifact_type.clone(), is_index),
            );
        }
        self.manifests.insert(manifest.digest.clone(), manifest);
    }

    pub(super) fn add_referrers(
        &mut self,
        subject: &Digest,
        referrers: Vec<crate::registry::Referrer>,
    ) {
        let known = self.referrers.entry(subject.clone()).or_default();
        for referrer in referrers {
            known
                .entry(referrer.digest)
                .or_insert((referrer.artifact_type, false));
        }
        self.asked.insert(subject.clone());
    }
}

/// Everything the roots need, and what must be read before that is known for sure.
#[derive(Debug, Default)]
pub struct Closure {
    pub needed: HashMap<Digest, Need>,
    /// Needed manifests not read yet whose children or attachments could be needed too.
    pub unread: Vec<Digest>,
    /// Needed digests whose referrers the referrers API has not been asked for.
    pub unasked: Vec<Digest>,
    /// Indexes nested deeper than [`MAX_INDEX_DEPTH`].
    pub too_deep: Vec<String>,
}

/// Everything `tags` (but those pointing at `released` digests, which the run is about to
/// delete) and the `kept` versions need, as far as `knowledge` tells. Breadth first from the
/// roots in tag order, so that each need names the nearest root, the same one every time.
pub fn needs(
    tags: &BTreeMap<String, Digest>,
    released: &HashSet<Digest>,
    kept: &[(Digest, String)],
    knowledge: &Knowledge,
    referrers_api: bool,
) -> Closure {
    fn add(closure: &mut Closure, queue: &mut VecDeque<Digest>, digest: &Digest, need: Need) {
        if !closure.needed.contains_key(digest) {
            closure.needed.insert(digest.clone(), need);
            queue.push_back(digest.clone());
        }
    }
    let mut closure = Closure::default();
    let mut attachments: HashMap<Digest, Vec<(&String, &Digest)>> = HashMap::new();
    let mut queue: VecDeque<Digest> = VecDeque::new();
    let root = |root: Root, digest: &Digest| Need {
        root,
        root_digest: digest.clone(),
        through: Through::Root,
        parent: None,
        depth: 0,
        read: true,
    };
    for (tag, digest) in tags {
        match attachment_subject(tag) {
            Some(subject) => attachments.entry(subject).or_default().push((tag, digest)),
            None if released.contains(digest) => {}
            None => add(
                &mut closure,
                &mut queue,
                digest,
                root(Root::Tag(tag.clone()), digest),
            ),
        }
    }
    for (digest, label) in kept {
        add(
            &mut closure,
            &mut queue,
            digest,
            root(Root::Kept(label.clone()), digest),
        );
    }
    while let Some(digest) = queue.pop_front() {
        let need = closure.needed[&digest].clone();
        let step = |through: Through, depth: usize, read: bool| Need {
            root: need.root.clone(),
            root_digest: need.root_digest.clone(),
            through,
            parent: Some(digest.clone()),
            depth,
            read,
        };
        for &(tag, target) in attachments.get(&digest).into_iter().flatten() {
            add(
                &mut closure,
                &mut queue,
                target,
                step(Through::Attachment(tag.clone()), need.depth, true),
            );
        }
        for (referrer, (artifact_type, is_index)) in
            knowledge.referrers.get(&digest).into_iter().flatten()
        {
            let through = Through::Referrer(artifact_type.clone());
            add(
                &mut closure,
                &mut queue,
                referrer,
                step(through, need.depth, *is_index),
            );
        }
        if referrers_api && !knowledge.asked.contains(&digest) {
            closure.unasked.push(digest.clone());
        }
        match knowledge.manifests.get(&digest) {
            Some(manifest) => {
                for child in &manifest.children {
                    if child.is_index() && need.depth + 1 > MAX_INDEX_DEPTH {
                        closure.too_deep.push(format!(
                            "{} (needed by {}) nests indexes deeper than {MAX_INDEX_DEPTH} levels",
                            need.root_digest.short(),
                            need.root
                        ));
                        continue;
                    }
                    let through = Through::Child(child.role.clone());
                    add(
                        &mut closure,
                        &mut queue,
                        &child.digest,
                        step(through, need.depth + 1, child.is_index()),
                    );
                }
            }
            None if need.read => closure.unread.push(digest.clone()),
            None => {}
        }
    }
    closure
}

/// What the `released` versions (tagged, about to be deleted) hold, each with the released
/// version: the manifests their indexes list at any depth, and the signatures tagged after
/// them. A tagged one among these must wait until what holds it is gone, since that delete
/// may fail. `Err` names the released indexes whose manifests must be read first.
pub fn parts_of_released(
    tags: &BTreeMap<String, Digest>,
    released: &HashSet<Digest>,
    knowledge: &Knowledge,
) -> Result<HashMap<Digest, Digest>, Vec<Digest>> {
    let mut parts = HashMap::new();
    let mut unread = Vec::new();
    let mut queue: VecDeque<(&Digest, &Digest, usize)> =
        released.iter().map(|digest| (digest, digest, 0)).collect();
    while let Some((digest, holder, depth)) = queue.pop_front() {
        let Some(manifest) = knowledge.manifests.get(digest) else {
            unread.push(digest.clone());
            continue;
        };
        for child in &manifest.children {
            let new = parts.insert(child.digest.clone(), holder.clone()).is_none();
            if new && child.is_index() && depth < MAX_INDEX_DEPTH {
                queue.push_back((&child.digest, holder, depth + 1));
            }
        }
    }
    for (tag, digest) in tags {
        if let Some(subject) = attachment_subject(tag).filter(|s| released.contains(s)) {
            parts.entry(digest.clone()).or_insert(subject);
        }
    }
    if unread.is_empty() {
        Ok(parts)
    } else {
        unread.sort();
        unread.dedup();
        Err(unread)
    }
}
