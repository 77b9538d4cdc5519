//! Proofs of one repository: the registry's tags read again, and what they need read until
//! nothing is unknown. Every read is bounded: pages, manifests, index depth.

use super::{needs, parts_of_released, Closure, Knowledge, Pending, Proof};
use crate::registry::{Digest, Manifest, ReadCounts, Registry, RegistryError};

use futures_util::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Instant;

/// Manifests read for one package in one run, at most: a registry must not keep us reading.
const MAX_MANIFESTS: usize = 200_000;

/// Whether the registry answers the OCI 1.1 referrers API; found out on first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReferrersApi {
    Unknown,
    Answers,
    /// Referrers are then found from the `subject` of every untagged candidate, read once.
    Absent,
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
        let parts_of_released = self.parts_of(&tags, &released).await?;
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

    /// What the released versions hold ([`parts_of_released`]), reading the manifests of
    /// released indexes the run has not seen.
    async fn parts_of(
        &mut self,
        tags: &BTreeMap<String, Digest>,
        released: &HashSet<Digest>,
    ) -> Result<HashMap<Digest, Digest>, Vec<String>> {
        loop {
            let unread = match parts_of_released(tags, released, &self.knowledge) {
                Ok(parts) => return Ok(parts),
                Err(unread) => unread,
            };
            for (digest, answer) in self.read_all(unread).await {
                match answer {
                    Ok(manifest) => self.knowledge.insert(manifest),
                    Err(error) => {
                        return Err(vec![format!(
                            "the manifest {} of a version about to be deleted could not be read: {error}",
                            digest.short()
                        )])
                    }
                }
            }
        }
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

    /// The manifests `digests`, `concurrency` reads at a time, in order.
    async fn read_all(
        &self,
        digests: impl IntoIterator<Item = Digest>,
    ) -> Vec<(Digest, Result<Manifest, RegistryError>)> {
        let (registry, repository) = (self.registry, self.repository.as_str());
        stream::iter(digests)
            .map(|digest| async move {
                let answer = registry.manifest(repository, &digest).await;
                (digest, answer)
            })
            .buffered(self.concurrency)
            .collect()
            .await
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
        for (digest, answer) in self.read_all(unknown).await {
            match answer {
                Ok(manifest) => self.knowledge.insert(manifest),
                Err(error) => {
                    self.unreadable.insert(digest, error.to_string());
                }
            }
        }
    }

    async fn read_needed(&mut self, closure: &Closure) -> Result<(), Vec<String>> {
        let unread: BTreeSet<Digest> = closure.unread.iter().cloned().collect();
        let mut failures = Vec::new();
        for (digest, answer) in self.read_all(unread).await {
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
