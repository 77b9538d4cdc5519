//! GitHub's REST side of one container package, scripted, over a real registry: every
//! `DELETE` it accepts deletes that manifest from the registry, as GitHub does, and other
//! jobs, people and CI act on both at chosen points of a run (after a page of the listing is
//! served, after a delete).
//!
//! The responder runs on wiremock's own thread, so it reaches the registry through a
//! blocking call on a thread of its own.

use super::{digest_of, version, ImageFormat, Pusher};
use examples::registry::{Digest, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};
use examples::retention::attachment_subject;
use github_packages::chrono::{DateTime, Duration, Utc};
use github_packages::reqwest;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const OWNER: &str = "octo-org";
pub const PACKAGE: &str = "app";
pub const REPOSITORY: &str = "octo-org/app";

/// Runs `future` to completion on a runtime of its own, on a thread of its own.
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    })
    .join()
    .unwrap()
}

/// When an [`Event`] happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Right after page N (from 1) of the versions is served.
    AfterPage(usize),
    /// Right after the Nth (from 1) delete this server carries out.
    AfterDelete(usize),
}

/// Something another job, a person or CI does meanwhile.
#[derive(Debug, Clone)]
pub enum Event {
    /// Another job deletes the version: from GitHub and from the registry.
    DeleteVersion(i64),
    /// `tag` is pushed again, onto the manifest `digest` already in the registry (a rollback).
    MoveTag { tag: String, digest: Digest },
    /// CI pushes a new index under `tag` listing these manifests (old ones, reused) and one new
    /// platform image.
    PushIndex { tag: String, reuse: Vec<Digest> },
    /// From now on GitHub refuses to delete the version, as it refuses the last tagged one.
    Refuse(i64),
}

#[derive(Debug, Clone)]
struct WorldVersion {
    id: i64,
    digest: Digest,
    created_at: DateTime<Utc>,
}

struct State {
    pusher: Pusher,
    base: String,
    versions: Vec<WorldVersion>,
    /// The registry's tags, as the test has made them.
    tags: BTreeMap<String, Digest>,
    page_size: usize,
    refused: BTreeSet<i64>,
    events: Vec<(Trigger, Event)>,
    deletes: usize,
    /// The manifests the run under test deleted, through GitHub.
    deleted_by_run: Vec<Digest>,
    next_id: i64,
    /// What happened, in order: for a failing test's message.
    log: Vec<String>,
    /// Descriptors of manifests the world knows (media type, size), to list them in an index.
    descriptors: HashMap<Digest, Value>,
}

/// The scripted package; clone it to share it with the test.
#[derive(Clone)]
pub struct World {
    state: Arc<Mutex<State>>,
}

impl World {
    /// GitHub's side of `octo-org/app` on `server`, listing `versions` (as [`version`] makes
    /// them) `page_size` a page; tags are the registry's.
    pub async fn mount(
        server: &MockServer,
        pusher: &Pusher,
        versions: &[Value],
        page_size: usize,
    ) -> World {
        let versions: Vec<WorldVersion> = versions
            .iter()
            .map(|v| WorldVersion {
                id: v["id"].as_i64().unwrap(),
                digest: Digest::parse(v["name"].as_str().unwrap()).unwrap(),
                created_at: v["created_at"].as_str().unwrap().parse().unwrap(),
            })
            .collect();
        let next_id = versions.iter().map(|v| v.id).max().unwrap_or(0) + 1000;
        let tags = pusher.tags_now(REPOSITORY).await;
        let world = World {
            state: Arc::new(Mutex::new(State {
                pusher: pusher.clone(),
                base: server.uri(),
                versions,
                tags,
                page_size,
                refused: BTreeSet::new(),
                events: Vec::new(),
                deletes: 0,
                deleted_by_run: Vec::new(),
                next_id,
                log: Vec::new(),
                descriptors: HashMap::new(),
            })),
        };
        // Below every other mock: a test may mount another package beside it.
        Mock::given(wiremock::matchers::any())
            .respond_with(world.clone())
            .with_priority(u8::MAX)
            .mount(server)
            .await;
        world
    }

    pub fn at(&self, trigger: Trigger, event: Event) {
        self.state.lock().unwrap().events.push((trigger, event));
    }

    /// Remembers how to list `digest` in an index (the descriptor its push returned).
    pub fn describe(&self, descriptor: &Value) {
        let digest = digest_of(descriptor);
        self.state
            .lock()
            .unwrap()
            .descriptors
            .insert(digest, descriptor.clone());
    }

    pub fn log(&self) -> String {
        self.state.lock().unwrap().log.join("\n")
    }

    /// The ids of versions still listed.
    pub fn remaining(&self) -> BTreeSet<i64> {
        let state = self.state.lock().unwrap();
        state.versions.iter().map(|v| v.id).collect()
    }

    /// The versions, as GitHub lists them now.
    pub fn listing(&self) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state.listed().iter().map(|v| state.json(v)).collect()
    }

    pub fn deletes(&self) -> usize {
        self.state.lock().unwrap().deletes
    }

    /// The manifests the run under test deleted.
    pub fn deleted_by_run(&self) -> Vec<Digest> {
        self.state.lock().unwrap().deleted_by_run.clone()
    }
}

impl State {
    fn listed(&self) -> Vec<WorldVersion> {
        let mut listed = self.versions.clone();
        listed.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        listed
    }

    fn tags_of(&self, digest: &Digest) -> Vec<&str> {
        self.tags
            .iter()
            .filter(|(_, d)| *d == digest)
            .map(|(tag, _)| tag.as_str())
            .collect()
    }

    fn json(&self, v: &WorldVersion) -> Value {
        let mut json = version(v.id, v.digest.as_str(), &self.tags_of(&v.digest), 0);
        let created = v.created_at.to_rfc3339();
        json["created_at"] = json!(created);
        json["updated_at"] = json!(created);
        json
    }

    fn fire(&mut self, trigger: Trigger) {
        let due: Vec<Event> = self
            .events
            .iter()
            .filter(|(when, _)| *when == trigger)
            .map(|(_, event)| event.clone())
            .collect();
        for event in due {
            self.log.push(format!("{trigger:?}: {event:?}"));
            self.apply(event);
        }
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::DeleteVersion(id) => {
                if let Some(at) = self.versions.iter().position(|v| v.id == id) {
                    let version = self.versions.remove(at);
                    self.delete_manifest(&version.digest);
                }
            }
            Event::Refuse(id) => {
                self.refused.insert(id);
            }
            Event::MoveTag { tag, digest } => {
                let pusher = self.pusher.fresh();
                let target = digest.clone();
                let moved = tag.clone();
                if block_on(async move { pusher.tag(REPOSITORY, &moved, &target).await }) {
                    self.tags.insert(tag, digest);
                } else {
                    self.log
                        .push(format!("  {} is gone: not tagged", digest.short()));
                }
            }
            Event::PushIndex { tag, reuse } => {
                let pusher = self.pusher.fresh();
                let label = format!("{tag} pushed by CI {}", self.next_id);
                let children: Vec<Value> = reuse
                    .iter()
                    .map(|digest| {
                        self.descriptors.get(digest).cloned().unwrap_or_else(|| {
                            json!({"mediaType": OCI_MANIFEST, "digest": digest.as_str(), "size": 1})
                        })
                    })
                    .collect();
                let pushed_tag = tag.clone();
                let (image, index) = block_on(async move {
                    // Only what is still there can be listed: the registry checks.
                    let mut present = Vec::new();
                    for child in children {
                        let digest = child["digest"].as_str().unwrap().to_owned();
                        if pusher.get_manifest(REPOSITORY, &digest).await.is_some() {
                            present.push(child);
                        }
                    }
                    let mut children = present;
                    let image = pusher
                        .push_image(REPOSITORY, ImageFormat::Oci, "s390x", &label)
                        .await;
                    children.push(image.clone());
                    let refs: Vec<&Value> = children.iter().collect();
                    let index = pusher
                        .push_index(REPOSITORY, ImageFormat::Oci, &pushed_tag, &refs)
                        .await;
                    (image, index)
                });
                let now = DateTime::<Utc>::from(std::time::SystemTime::now());
                for digest in [digest_of(&image), index.clone()] {
                    self.next_id += 1;
                    self.versions.push(WorldVersion {
                        id: self.next_id,
                        digest,
                        created_at: now,
                    });
                }
                self.tags.insert(tag, index);
            }
        }
    }

    /// As GitHub deletes a version: the manifest goes from the registry, and with it the tags
    /// that pointed at it.
    fn delete_manifest(&mut self, digest: &Digest) {
        let pusher = self.pusher.fresh();
        let target = digest.clone();
        let status = block_on(async move { pusher.delete_manifest(REPOSITORY, &target).await });
        assert!(
            status == 202 || status == 404,
            "the registry answered {status} to deleting {digest}"
        );
        self.tags.retain(|_, d| d != digest);
    }

    fn respond(&mut self, request: &Request) -> ResponseTemplate {
        let base = format!("/orgs/{OWNER}/packages/container/{PACKAGE}");
        let path = request.url.path().to_owned();
        let method = request.method.as_str().to_owned();
        if method == "GET" && path == base {
            return ResponseTemplate::new(200).set_body_json(json!({
                "id": 1, "name": PACKAGE, "package_type": "container", "visibility": "private",
                "url": "https://api.github.com/packages", "html_url": "https://github.com/packages",
                "version_count": self.versions.len(), "owner": super::owner_json(OWNER),
                "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z"
            }));
        }
        if method == "GET" && path == format!("{base}/versions") {
            let page: usize = request
                .url
                .query_pairs()
                .find(|(key, _)| key == "page")
                .and_then(|(_, value)| value.parse().ok())
                .unwrap_or(1)
                .max(1);
            let listed = self.listed();
            let pages = listed.len().div_ceil(self.page_size).max(1);
            let items: Vec<Value> = listed
                .iter()
                .skip((page - 1) * self.page_size)
                .take(self.page_size)
                .map(|v| self.json(v))
                .collect();
            let mut answer = ResponseTemplate::new(200).set_body_json(items);
            if page < pages {
                let link = |n: usize, rel: &str| {
                    format!(
                        "<{}{base}/versions?per_page=100&state=active&page={n}>; rel=\"{rel}\"",
                        self.base
                    )
                };
                let header = format!("{}, {}", link(page + 1, "next"), link(pages, "last"));
                answer = answer.insert_header("link", header.as_str());
            }
            self.fire(Trigger::AfterPage(page));
            return answer;
        }
        let id: Option<i64> = path
            .strip_prefix(&format!("{base}/versions/"))
            .and_then(|id| id.parse().ok());
        let Some(id) = id else {
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        };
        let Some(at) = self.versions.iter().position(|v| v.id == id) else {
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        };
        match method.as_str() {
            "GET" => ResponseTemplate::new(200).set_body_json(self.json(&self.versions[at])),
            "DELETE" if self.refused.contains(&id) => {
                self.log.push(format!("refused to delete {id}"));
                ResponseTemplate::new(400).set_body_json(json!({
                    "message": "You cannot delete the last tagged version of a package. You must delete the package instead."
                }))
            }
            "DELETE" => {
                let version = self.versions.remove(at);
                self.delete_manifest(&version.digest);
                self.deletes += 1;
                self.deleted_by_run.push(version.digest.clone());
                self.log
                    .push(format!("deleted {id} {}", version.digest.short()));
                let done = self.deletes;
                self.fire(Trigger::AfterDelete(done));
                ResponseTemplate::new(204)
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

impl Respond for World {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.state.lock().unwrap().respond(request)
    }
}

impl Pusher {
    fn fresh(&self) -> Pusher {
        Pusher {
            url: self.url.clone(),
            http: reqwest::Client::new(),
        }
    }

    /// `DELETE` of a manifest by digest; the status.
    pub async fn delete_manifest(&self, repository: &str, digest: &Digest) -> u16 {
        let me = self.fresh();
        me.http
            .delete(format!("{}/v2/{repository}/manifests/{digest}", me.url))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// The manifest `reference` names, with its media type; `None` when it is not there.
    pub async fn get_manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Option<(Vec<u8>, String)> {
        let me = self.fresh();
        let answer = me
            .http
            .get(format!("{}/v2/{repository}/manifests/{reference}", me.url))
            .header(
                "accept",
                format!("{OCI_INDEX}, {DOCKER_MANIFEST_LIST}, {OCI_MANIFEST}, {DOCKER_MANIFEST}"),
            )
            .send()
            .await
            .unwrap();
        if answer.status() == 404 {
            return None;
        }
        assert_eq!(answer.status(), 200, "GET {reference}");
        let media_type = answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        Some((answer.bytes().await.unwrap().to_vec(), media_type))
    }

    /// Points `tag` at the manifest `digest`, by pushing its content again under the tag;
    /// `false` when that manifest is gone.
    pub async fn tag(&self, repository: &str, tag: &str, digest: &Digest) -> bool {
        let me = self.fresh();
        let Some((body, media_type)) = me.get_manifest(repository, digest.as_str()).await else {
            return false;
        };
        let answer = me
            .http
            .put(format!("{}/v2/{repository}/manifests/{tag}", me.url))
            .header("content-type", media_type)
            .body(body)
            .send()
            .await
            .unwrap();
        // The registry refuses an index whose manifests are gone.
        answer.status() == 201
    }

    /// Every tag and the digest it points at, read with plain requests.
    pub async fn tags_now(&self, repository: &str) -> BTreeMap<String, Digest> {
        let me = self.fresh();
        let answer = me
            .http
            .get(format!("{}/v2/{repository}/tags/list?n=10000", me.url))
            .send()
            .await
            .unwrap();
        if answer.status() == 404 {
            return BTreeMap::new();
        }
        let list: Value = answer.json().await.unwrap();
        let mut tags = BTreeMap::new();
        for tag in list["tags"].as_array().into_iter().flatten() {
            let tag = tag.as_str().unwrap();
            if let Some((body, _)) = me.get_manifest(repository, tag).await {
                tags.insert(tag.to_owned(), Digest::of(&body));
            }
        }
        tags
    }

    /// An OCI 1.1 referrer of `subject` (as cosign 2, notation and `oras attach` push them):
    /// untagged, with `subject` and `artifactType`.
    pub async fn push_referrer(
        &self,
        repository: &str,
        subject: &Digest,
        artifact_type: &str,
    ) -> Digest {
        let (body, media_type) = self
            .get_manifest(repository, subject.as_str())
            .await
            .unwrap();
        let config = self
            .push_blob(repository, "application/vnd.oci.empty.v1+json", b"{}")
            .await;
        let layer = self
            .push_blob(
                repository,
                "application/octet-stream",
                format!("{artifact_type} of {subject}").as_bytes(),
            )
            .await;
        let manifest = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type,
            "config": config, "layers": [layer],
            "subject": {"mediaType": media_type, "digest": subject.as_str(), "size": body.len()}
        });
        self.push_manifest(repository, None, &manifest).await
    }

    /// What is wrong with the registry now: every tag must point at a complete image, every
    /// manifest an index lists at any depth must be there, and every referrer `referrers`
    /// names for a manifest a tag needs. The test's own reading, independent of the code under
    /// test.
    pub async fn broken_images(
        &self,
        repository: &str,
        referrers: &[(Digest, Digest)],
    ) -> Vec<String> {
        let tags = self.tags_now(repository).await;
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        let mut queue: Vec<(Digest, String)> = tags
            .iter()
            .map(|(tag, digest)| (digest.clone(), format!("tag {tag}")))
            .collect();
        while let Some((digest, path)) = queue.pop() {
            if !seen.insert(digest.clone()) {
                continue;
            }
            let Some((body, _)) = self.get_manifest(repository, digest.as_str()).await else {
                problems.push(format!("{path} needs {digest}, which is gone"));
                continue;
            };
            let manifest: Value = serde_json::from_slice(&body).unwrap();
            for child in manifest["manifests"].as_array().into_iter().flatten() {
                let child = digest_of(child);
                queue.push((child.clone(), format!("{path} > {}", child.short())));
            }
            for (subject, referrer) in referrers {
                if *subject == digest {
                    queue.push((
                        referrer.clone(),
                        format!("{path} < referrer {}", referrer.short()),
                    ));
                }
            }
            for (tag, target) in &tags {
                if attachment_subject(tag).as_ref() == Some(&digest) {
                    queue.push((target.clone(), format!("{path} < {tag}")));
                }
            }
        }
        problems
    }
}

/// A version as GitHub lists it, created `age` ago.
pub fn aged(id: i64, digest: &Digest, age: Duration) -> Value {
    let mut json = version(id, digest.as_str(), &[], 0);
    let created = (DateTime::<Utc>::from(std::time::SystemTime::now())
        - age
        - Duration::minutes(1000 - id % 1000))
    .to_rfc3339();
    json["created_at"] = json!(created);
    json["updated_at"] = json!(created);
    json
}
