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

use crate::registry::{ChildRole, Digest, Manifest, ReadCounts, Registry, RegistryError};
use crate::retention::{attachment_subject, MAX_INDEX_DEPTH};
use futures_util::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

/// A proof serves at most this many deletes; see [`Freshness`].
pub const DEFAULT_PROOF_DELETES: usize = 250;
/// A proof serves for at most this long; see [`Freshness`].
pub const DEFAULT_PROOF_AGE: Duration = Duration::from_secs(180);
/// Manifests read for one package in one run, at most: a registry must not keep us reading.
const MAX_MANIFESTS: usize = 200_000;

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
    manifests: HashMap<Digest, Manifest>,
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

    pub fn manifest(&self, digest: &Digest) -> Option<&Manifest> {
        self.manifests.get(digest)
    }

    fn add_referrers(&mut self, subject: &Digest, referrers: Vec<crate::registry::Referrer>) {
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

/// Whether the registry answers the OCI 1.1 referrers API; found out on first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReferrersApi {
    Unknown,
    Answers,
    /// Referrers are then found from the `subject` of every untagged candidate, read once.
    Absent,
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
    /// What the released versions' indexes list, with the index.
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

    /// Whether the proof counted on deleting the tagged version `digest`.
    pub fn released(&self, digest: &Digest) -> bool {
        self.released.contains(digest)
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
    /// A tagged manifest that an index this run deletes lists: it waits until that index is
    /// gone, since the index's delete may fail.
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
                "listed by {index}, which this run deletes: it goes in a later run, once that is gone"
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

pub fn describe(need: &Need, label: &dyn Fn(&Digest) -> String) -> NeedText {
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

/// Takes proofs of one repository, keeping what it has read for the next.
pub struct Prover<'a> {
    registry: &'a Registry,
    repository: String,
    knowledge: Knowledge,
    referrers_api: ReferrersApi,
    /// Untagged candidates: in a registry without a referrers API, each is read once for its
    /// `subject`.
    candidates: Vec<Digest>,
    candidates_read: bool,
    unreadable: HashMap<Digest, String>,
    concurrency: usize,
    proofs: usize,
    /// The registry's read counts when this prover started, and after its first proof.
    start: ReadCounts,
    after_first: Option<ReadCounts>,
}

impl<'a> Prover<'a> {
    pub fn new(
        registry: &'a Registry,
        repository: &str,
        candidates: Vec<Digest>,
        concurrency: usize,
    ) -> Prover<'a> {
        Prover {
            registry,
            repository: repository.to_owned(),
            knowledge: Knowledge::default(),
            referrers_api: ReferrersApi::Unknown,
            candidates,
            candidates_read: false,
            unreadable: HashMap::new(),
            concurrency: concurrency.max(1),
            proofs: 0,
            start: registry.reads(),
            after_first: None,
        }
    }

    /// Proofs taken so far.
    pub fn proofs(&self) -> usize {
        self.proofs
    }

    /// What this repository's proofs have cost the registry so far: `(the first, the rest)`.
    /// The registry's counts are shared, so ask before another repository is read.
    pub fn reads(&self) -> (ReadCounts, ReadCounts) {
        let now = self.registry.reads();
        let after_first = self.after_first.unwrap_or(now);
        (after_first.since(self.start), now.since(after_first))
    }

    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// Reads the registry's tags and what they, and the `kept` versions, need; `pending` are
    /// the tagged versions about to be deleted. An error lists why what is needed could not
    /// be established: then nothing may be deleted.
    pub async fn prove(
        &mut self,
        pending: &[Pending],
        kept: &[(Digest, String)],
    ) -> Result<Proof, Vec<String>> {
        let result = self.take(pending, kept).await;
        self.proofs += 1;
        if self.after_first.is_none() {
            self.after_first = Some(self.registry.reads());
        }
        result
    }

    async fn take(
        &mut self,
        pending: &[Pending],
        kept: &[(Digest, String)],
    ) -> Result<Proof, Vec<String>> {
        let repository = self.repository.clone();
        let registry = self.registry;
        let names = registry.tags(&repository).await.map_err(|error| {
            vec![format!(
                "the registry's tag list could not be read: {error}"
            )]
        })?;
        let names = match names {
            Some(names) => names,
            None => {
                // No tags, or a repository the registry does not know (a wrong path would
                // hide every tag): one of the package's manifests must be there to tell.
                self.check_repository_exists(kept).await?;
                Vec::new()
            }
        };
        // The first proof reads each tag's manifest (which it needs anyway); later ones ask
        // only where each tag points, and read a manifest only where that is new.
        let first = self.proofs == 0;
        type Resolved = Result<(Digest, Option<Manifest>), RegistryError>;
        let resolved: Vec<(String, Resolved)> = stream::iter(names)
            .map(|tag| {
                let repository = repository.clone();
                async move {
                    let result = if first {
                        registry
                            .manifest_of_tag(&repository, &tag)
                            .await
                            .map(|manifest| (manifest.digest.clone(), Some(manifest)))
                    } else {
                        registry
                            .resolve_tag(&repository, &tag)
                            .await
                            .map(|digest| (digest, None))
                    };
                    (tag, result)
                }
            })
            .buffered(self.concurrency)
            .collect()
            .await;
        let mut tags = BTreeMap::new();
        let mut failures = Vec::new();
        for (tag, result) in resolved {
            match result {
                Ok((digest, manifest)) => {
                    if let Some(manifest) = manifest {
                        self.knowledge.insert(manifest);
                    }
                    tags.insert(tag, digest);
                }
                // A tag deleted between the list and its read points at nothing to keep.
                Err(RegistryError::Status { status: 404, .. }) => {}
                Err(error) => failures.push(format!("tag {tag} could not be read: {error}")),
            }
        }
        if !failures.is_empty() {
            return Err(failures);
        }
        let mut tags_of: HashMap<Digest, Vec<String>> = HashMap::new();
        for (tag, digest) in &tags {
            tags_of.entry(digest.clone()).or_default().push(tag.clone());
        }
        let released: HashSet<Digest> = pending
            .iter()
            .filter(|pending| {
                let mut planned = pending.tags.clone();
                planned.sort();
                tags_of.get(&pending.digest).map_or(&[][..], Vec::as_slice) == planned.as_slice()
            })
            .map(|pending| pending.digest.clone())
            .collect();
        let closure = self.close(&tags, &released, kept).await?;
        let parts_of_released = self.parts_of(&released).await?;
        Ok(Proof {
            tags,
            tags_of,
            needed: closure.needed,
            released,
            parts_of_released,
            unreadable: self.unreadable.clone(),
            taken: Instant::now(),
            deletes: 0,
        })
    }

    /// The closure of the roots, reading what it asks for until nothing more is unknown.
    async fn close(
        &mut self,
        tags: &BTreeMap<String, Digest>,
        released: &HashSet<Digest>,
        kept: &[(Digest, String)],
    ) -> Result<Closure, Vec<String>> {
        loop {
            let api = self.referrers_api != ReferrersApi::Absent;
            let closure = needs(tags, released, kept, &self.knowledge, api);
            if !closure.too_deep.is_empty() {
                return Err(closure.too_deep);
            }
            if self.knowledge.manifests.len() > MAX_MANIFESTS {
                return Err(vec![format!(
                    "more than {MAX_MANIFESTS} manifests are needed; not followed"
                )]);
            }
            let mut progressed = false;
            if !closure.unasked.is_empty() {
                progressed = true;
                self.ask_referrers(closure.unasked.clone()).await?;
            }
            if self.referrers_api == ReferrersApi::Absent && !self.candidates_read {
                progressed = true;
                self.read_candidates().await;
            }
            if !closure.unread.is_empty() {
                progressed = true;
                self.read_needed(&closure).await?;
            }
            if !progressed {
                return Ok(closure);
            }
        }
    }

    /// The manifests the `released` indexes list, at any depth, each with the index: a tagged
    /// version among them must wait until that index is gone, lest the index's delete fail
    /// and leave it without a part.
    async fn parts_of(
        &mut self,
        released: &HashSet<Digest>,
    ) -> Result<HashMap<Digest, Digest>, Vec<String>> {
        let mut parts = HashMap::new();
        let mut queue: VecDeque<(Digest, Digest, usize)> = released
            .iter()
            .map(|digest| (digest.clone(), digest.clone(), 0))
            .collect();
        while let Some((digest, index, depth)) = queue.pop_front() {
            if depth > MAX_INDEX_DEPTH {
                continue;
            }
            if !self.knowledge.manifests.contains_key(&digest) {
                match self.registry.manifest(&self.repository, &digest).await {
                    Ok(manifest) => self.knowledge.insert(manifest),
                    Err(error) => {
                        return Err(vec![format!(
                            "the manifest {} of a version about to be deleted could not be read: {error}",
                            digest.short()
                        )])
                    }
                }
            }
            for child in &self.knowledge.manifests[&digest].children {
                if parts.insert(child.digest.clone(), index.clone()).is_none() && child.is_index() {
                    queue.push_back((child.digest.clone(), index.clone(), depth + 1));
                }
            }
        }
        Ok(parts)
    }

    async fn check_repository_exists(
        &mut self,
        kept: &[(Digest, String)],
    ) -> Result<(), Vec<String>> {
        let witness = kept
            .iter()
            .map(|(digest, _)| digest)
            .chain(&self.candidates)
            .next();
        let Some(witness) = witness else {
            return Ok(());
        };
        if self.knowledge.manifests.contains_key(witness) {
            return Ok(());
        }
        match self.registry.manifest(&self.repository, witness).await {
            Ok(manifest) => {
                self.knowledge.insert(manifest);
                Ok(())
            }
            Err(error) => Err(vec![format!(
                "the registry knows no tags of {} (its tag list answered 404), and the package's \
                 manifest {} is not there either: {error}",
                self.repository,
                witness.short()
            )]),
        }
    }

    async fn ask_referrers(&mut self, subjects: Vec<Digest>) -> Result<(), Vec<String>> {
        let (registry, repository) = (self.registry, self.repository.as_str());
        let answers: Vec<(Digest, Result<_, RegistryError>)> = stream::iter(subjects)
            .map(|subject| async move {
                let answer = registry.referrers(repository, &subject).await;
                (subject, answer)
            })
            .buffered(self.concurrency)
            .collect()
            .await;
        let mut failures = Vec::new();
        for (subject, answer) in answers {
            match answer {
                Ok(Some(referrers)) => {
                    self.referrers_api = ReferrersApi::Answers;
                    self.knowledge.add_referrers(&subject, referrers);
                }
                Ok(None) => self.referrers_api = ReferrersApi::Absent,
                Err(error) => failures.push(format!(
                    "the referrers of {} could not be read: {error}",
                    subject.short()
                )),
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures)
        }
    }

    /// Reads every untagged candidate once, for its `subject`; one that cannot be read is kept.
    async fn read_candidates(&mut self) {
        self.candidates_read = true;
        let unknown: Vec<Digest> = self
            .candidates
            .iter()
            .filter(|digest| !self.knowledge.manifests.contains_key(digest))
            .cloned()
            .collect();
        let (registry, repository) = (self.registry, self.repository.as_str());
        let answers: Vec<(Digest, Result<Manifest, RegistryError>)> = stream::iter(unknown)
            .map(|digest| async move {
                let answer = registry.manifest(repository, &digest).await;
                (digest, answer)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        for (digest, answer) in answers {
            match answer {
                Ok(manifest) => self.knowledge.insert(manifest),
                Err(error) => {
                    self.unreadable.insert(digest, error.to_string());
                }
            }
        }
    }

    async fn read_needed(&mut self, closure: &Closure) -> Result<(), Vec<String>> {
        let (registry, repository) = (self.registry, self.repository.as_str());
        let unread: BTreeSet<Digest> = closure.unread.iter().cloned().collect();
        let answers: Vec<(Digest, Result<Manifest, RegistryError>)> = stream::iter(unread)
            .map(|digest| async move {
                let answer = registry.manifest(repository, &digest).await;
                (digest, answer)
            })
            .buffered(self.concurrency)
            .collect()
            .await;
        let mut failures = Vec::new();
        for (digest, answer) in answers {
            match answer {
                Ok(manifest) => self.knowledge.insert(manifest),
                Err(error) => {
                    let need = &closure.needed[&digest];
                    failures.push(format!(
                        "the manifest {} that {} needs could not be read: {error}",
                        digest.short(),
                        need.root
                    ));
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Child, OCI_INDEX, OCI_MANIFEST};

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
        let mut parts_of_released = HashMap::new();
        for index in &released {
            for child in known.manifest(index).into_iter().flat_map(|m| &m.children) {
                parts_of_released.insert(child.digest.clone(), index.clone());
            }
        }
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
        ]);
        let tags = tags(&[("latest", 1), ("v1", 10), ("v1-amd64", 11), ("hotfix", 20)]);
        let pending: &[(u8, &[&str])] = &[(10, &["v1"]), (11, &["v1-amd64"]), (1, &["v0"])];
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
