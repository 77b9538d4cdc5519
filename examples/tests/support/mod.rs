//! Shared by the test targets: a real container registry (Debian's `docker-registry`, the
//! CNCF distribution server) started on loopback, images pushed to it through the
//! distribution API, and a wiremock stand-in for GitHub's Packages REST API.

#![allow(dead_code)] // each test target uses its own part

pub mod world;

use examples::registry::{Digest, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};
use github_packages::chrono::{DateTime, Duration, SecondsFormat, Utc};
use github_packages::reqwest;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TOKEN: &str = "ghp_example_token_1234";

/// The registry binary: `DOCKER_REGISTRY` (a distribution `registry` built elsewhere) or
/// Debian's. `None`, with a message, when it is missing outside CI; a missing registry fails
/// under `CI=true`, unless `cargo xtask test` has said why it could not install one
/// (`PRUNE_REGISTRY_UNAVAILABLE`, set only outside CI).
fn registry_binary() -> Option<PathBuf> {
    let binary = std::env::var_os("DOCKER_REGISTRY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/docker-registry"));
    if binary.exists() {
        return Some(binary);
    }
    if let Ok(reason) = std::env::var("PRUNE_REGISTRY_UNAVAILABLE") {
        eprintln!("skipping: no container registry ({reason})");
        return None;
    }
    let missing = format!(
        "{} not found: install Debian's docker-registry (`apt-get install docker-registry`, which `cargo xtask test` does) or set DOCKER_REGISTRY",
        binary.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{missing}");
    }
    eprintln!("skipping: {missing}");
    None
}

/// A `docker-registry serve` on 127.0.0.1 with its storage in a directory of its own; killed
/// and removed on drop.
pub struct RealRegistry {
    child: Child,
    root: PathBuf,
    pusher: Pusher,
}

/// The registry's distribution API, as a client pushes, tags and deletes through it: the
/// test's own hands, not the code under test. Cheap to clone into a scripted server.
#[derive(Clone)]
pub struct Pusher {
    pub url: String,
    http: reqwest::Client,
}

impl std::ops::Deref for RealRegistry {
    type Target = Pusher;
    fn deref(&self) -> &Pusher {
        &self.pusher
    }
}

impl Drop for RealRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

static STARTED: AtomicUsize = AtomicUsize::new(0);

impl RealRegistry {
    pub async fn start() -> Option<RealRegistry> {
        RealRegistry::start_with(None).await
    }

    /// A registry holding a copy of what `template` holds: pushing once serves many runs.
    pub async fn start_copy(template: &RealRegistry) -> Option<RealRegistry> {
        RealRegistry::start_with(Some(&template.root.join("storage"))).await
    }

    async fn start_with(storage: Option<&Path>) -> Option<RealRegistry> {
        let binary = registry_binary()?;
        let root = std::env::temp_dir().join(format!(
            "prune-registry-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("storage")).unwrap();
        if let Some(storage) = storage {
            copy_tree(storage, &root.join("storage"));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            root.join("storage").display()
        );
        std::fs::write(root.join("config.yml"), config).unwrap();
        let log = std::fs::File::create(root.join("registry.log")).unwrap();
        let child = Command::new(&binary)
            .arg("serve")
            .arg(root.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let mut registry = RealRegistry {
            child,
            root,
            pusher: Pusher {
                url: format!("http://127.0.0.1:{port}"),
                http: reqwest::Client::new(),
            },
        };
        registry.wait_until_ready().await;
        Some(registry)
    }

    async fn wait_until_ready(&mut self) {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("docker-registry exited ({status}):\n{}", self.log());
            }
            let answer = self.http.get(format!("{}/v2/", self.url)).send().await;
            if answer.is_ok_and(|answer| answer.status().is_success()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "docker-registry did not answer on {}:\n{}",
            self.url,
            self.log()
        );
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.root.join("registry.log")).unwrap_or_default()
    }

    pub fn storage(&self) -> &Path {
        &self.root
    }
}

impl Pusher {
    /// Uploads a blob (monolithic: POST, then PUT with the digest); returns its descriptor.
    pub async fn push_blob(&self, repository: &str, media_type: &str, content: &[u8]) -> Value {
        let digest = Digest::of(content);
        let started = self
            .http
            .post(format!("{}/v2/{repository}/blobs/uploads/", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), 202, "{}", started.text().await.unwrap());
        let location = started.headers()["location"].to_str().unwrap().to_owned();
        let location = if location.starts_with('/') {
            format!("{}{location}", self.url)
        } else {
            location
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let done = self
            .http
            .put(format!("{location}{separator}digest={digest}"))
            .header("content-type", "application/octet-stream")
            .body(content.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 201, "{}", done.text().await.unwrap());
        json!({"mediaType": media_type, "digest": digest.as_str(), "size": content.len()})
    }

    /// Stores a manifest under `reference` (a tag, or its own digest for an untagged one);
    /// returns its digest as the registry computed it.
    pub async fn push_manifest(
        &self,
        repository: &str,
        reference: Option<&str>,
        manifest: &Value,
    ) -> Digest {
        let body = serde_json::to_vec(manifest).unwrap();
        let digest = Digest::of(&body);
        let media_type = manifest["mediaType"].as_str().unwrap();
        let reference = reference.unwrap_or(digest.as_str());
        let answer = self
            .http
            .put(format!(
                "{}/v2/{repository}/manifests/{reference}",
                self.url
            ))
            .header("content-type", media_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = answer.status();
        let stored = answer
            .headers()
            .get("docker-content-digest")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(status, 201, "{}", answer.text().await.unwrap());
        assert_eq!(stored.as_deref(), Some(digest.as_str()));
        digest
    }

    /// An image for one platform: a config and one layer, both unique to `label`.
    pub async fn push_image(
        &self,
        repository: &str,
        format: ImageFormat,
        arch: &str,
        label: &str,
    ) -> Value {
        let (manifest_type, config_type, layer_type) = match format {
            ImageFormat::Oci => (
                OCI_MANIFEST,
                "application/vnd.oci.image.config.v1+json",
                "application/vnd.oci.image.layer.v1.tar+gzip",
            ),
            ImageFormat::Docker => (
                DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json",
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
            ),
        };
        let config = json!({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}, "config": {"Labels": {"label": label}}});
        let config = self
            .push_blob(repository, config_type, config.to_string().as_bytes())
            .await;
        let layer = self
            .push_blob(
                repository,
                layer_type,
                format!("layer of {label}").as_bytes(),
            )
            .await;
        let manifest = json!({"schemaVersion": 2, "mediaType": manifest_type, "config": config, "layers": [layer]});
        let digest = self.push_manifest(repository, None, &manifest).await;
        let size = serde_json::to_vec(&manifest).unwrap().len();
        json!({"mediaType": manifest_type, "digest": digest.as_str(), "size": size,
               "platform": {"architecture": arch, "os": "linux"}})
    }

    /// An OCI artifact as buildx and cosign store them: an empty config and one layer of
    /// `content`; under `tag`, or untagged. Returns its descriptor.
    async fn push_artifact(
        &self,
        repository: &str,
        layer_type: &str,
        content: &Value,
        tag: Option<&str>,
    ) -> Value {
        let config = self
            .push_blob(
                repository,
                "application/vnd.oci.image.config.v1+json",
                b"{}",
            )
            .await;
        let layer = self
            .push_blob(repository, layer_type, content.to_string().as_bytes())
            .await;
        let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]});
        let digest = self.push_manifest(repository, tag, &manifest).await;
        let size = serde_json::to_vec(&manifest).unwrap().len();
        json!({"mediaType": OCI_MANIFEST, "digest": digest.as_str(), "size": size})
    }

    /// A buildx attestation manifest for the image `of`, as its index lists it.
    pub async fn push_attestation(&self, repository: &str, of: &Value, label: &str) -> Value {
        let statement = json!({"_type": "https://in-toto.io/Statement/v0.1", "subject": [{"digest": {"sha256": label}}]});
        let mut descriptor = self
            .push_artifact(repository, "application/vnd.in-toto+json", &statement, None)
            .await;
        descriptor["platform"] = json!({"architecture": "unknown", "os": "unknown"});
        descriptor["annotations"] = json!({"vnd.docker.reference.digest": of["digest"], "vnd.docker.reference.type": "attestation-manifest"});
        descriptor
    }

    /// An index of `children`, under `tag`.
    pub async fn push_index(
        &self,
        repository: &str,
        format: ImageFormat,
        tag: &str,
        children: &[&Value],
    ) -> Digest {
        let media_type = match format {
            ImageFormat::Oci => OCI_INDEX,
            ImageFormat::Docker => DOCKER_MANIFEST_LIST,
        };
        let index = json!({"schemaVersion": 2, "mediaType": media_type, "manifests": children});
        self.push_manifest(repository, Some(tag), &index).await
    }

    /// A cosign signature of `subject`, tagged `sha256-<hex>.sig`.
    pub async fn push_signature(&self, repository: &str, subject: &Digest) -> Digest {
        let payload = json!({"critical": {"image": {"docker-manifest-digest": subject.as_str()}}});
        let tag = format!("sha256-{}.sig", subject.hex());
        let descriptor = self
            .push_artifact(
                repository,
                "application/vnd.dev.cosign.simplesigning.v1+json",
                &payload,
                Some(&tag),
            )
            .await;
        digest_of(&descriptor)
    }

    /// The children an index lists, read with a plain GET: the test's own reading, not the
    /// code under test.
    pub async fn children(&self, repository: &str, index: &Digest) -> Vec<String> {
        let (body, _) = self.get_manifest(repository, index.as_str()).await.unwrap();
        let answer: Value = serde_json::from_slice(&body).unwrap();
        answer["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|child| child["digest"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum ImageFormat {
    Oci,
    Docker,
}

pub fn digest_of(descriptor: &Value) -> Digest {
    Digest::parse(descriptor["digest"].as_str().unwrap()).unwrap()
}

/// A package version as GitHub lists it.
pub fn version(id: i64, name: &str, tags: &[&str], age_days: i64) -> Value {
    let now: DateTime<Utc> = std::time::SystemTime::now().into();
    // Minutes apart so that the order of versions of one age is their id order.
    let created = (now - Duration::days(age_days) - Duration::minutes(1000 - id % 1000))
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "id": id, "name": name,
        "url": format!("https://api.github.com/orgs/octo-org/packages/container/app/versions/{id}"),
        "package_html_url": "https://github.com/orgs/octo-org/packages/container/package/app",
        "created_at": created, "updated_at": created,
        "metadata": {"package_type": "container", "container": {"tags": tags}}
    })
}

fn owner_json(login: &str) -> Value {
    let url = format!("https://api.github.com/users/{login}");
    json!({
        "login": login, "id": 1, "node_id": "MDQ6VXNlcjE=", "avatar_url": "", "gravatar_id": null,
        "url": url, "html_url": url, "followers_url": url, "following_url": url, "gists_url": url,
        "starred_url": url, "subscriptions_url": url, "organizations_url": url, "repos_url": url,
        "events_url": url, "received_events_url": url, "type": "Organization", "site_admin": false
    })
}

/// GitHub's side for `owner`'s container `package` (`/orgs/{owner}/...`, or `/user/...` when
/// `owner` is `None`, the authenticated user `octocat`): the package, its versions on one
/// page, each version, and `DELETE` answering 204.
pub async fn mount_package(
    server: &MockServer,
    owner: Option<&str>,
    package: &str,
    versions: &[Value],
) {
    let base = match owner {
        Some(org) => format!("/orgs/{org}/packages/container/{package}"),
        None => format!("/user/packages/container/{package}"),
    };
    let body = json!({
        "id": 1, "name": package, "package_type": "container", "visibility": "private",
        "url": "https://api.github.com/packages", "html_url": "https://github.com/packages",
        "version_count": versions.len(), "owner": owner_json(owner.unwrap_or("octocat")),
        "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z"
    });
    Mock::given(method("GET"))
        .and(path(base.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{base}/versions")))
        .and(query_param("per_page", "100"))
        .and(query_param("state", "active"))
        .respond_with(ResponseTemplate::new(200).set_body_json(versions))
        .mount(server)
        .await;
    for version in versions {
        Mock::given(method("GET"))
            .and(path(format!("{base}/versions/{}", version["id"])))
            .respond_with(ResponseTemplate::new(200).set_body_json(version))
            .mount(server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path_regex(format!("^{base}/versions/")))
        .respond_with(ResponseTemplate::new(204))
        .mount(server)
        .await;
}

/// The paths of the `DELETE` requests the server received, in order.
pub async fn deletes(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|request| request.method.as_str() == "DELETE")
        .map(|request| request.url.path().to_owned())
        .collect()
}

/// Runs an example binary against `github` (as `GITHUB_API_URL`) with a token.
pub async fn run(binary: &'static str, github: &MockServer, args: &[impl AsRef<str>]) -> Output {
    run_with_env(binary, github, args, &[]).await
}

pub async fn run_with_env(
    binary: &'static str,
    github: &MockServer,
    args: &[impl AsRef<str>],
    env: &[(&str, &str)],
) -> Output {
    let uri = github.uri();
    let args: Vec<String> = args.iter().map(|a| a.as_ref().to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(&args)
            .env("GITHUB_API_URL", uri)
            .env("GITHUB_TOKEN", TOKEN)
            .env_remove("GITHUB_ACTOR")
            .envs(env)
            .output()
            .expect("the example runs")
    })
    .await
    .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Image manifests for versions of a package whose registry is incidental to a test: served
/// by wiremock, each a distinct image manifest named by its real digest.
pub struct Images {
    repository: String,
    manifests: Vec<(Digest, Vec<u8>, Vec<String>)>,
}

impl Images {
    pub fn new(repository: &str) -> Images {
        Images {
            repository: repository.to_owned(),
            manifests: Vec::new(),
        }
    }

    /// A version of a single-platform image.
    pub fn version(&mut self, id: i64, tags: &[&str], age_days: i64) -> Value {
        let manifest = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest::of(id.to_string().as_bytes()).as_str(), "size": 1},
            "layers": []
        });
        let body = serde_json::to_vec(&manifest).unwrap();
        let digest = Digest::of(&body);
        let version = version(id, digest.as_str(), tags, age_days);
        let tags = tags.iter().map(|tag| tag.to_string()).collect();
        self.manifests.push((digest, body, tags));
        version
    }

    /// The registry's side: each manifest by digest and by its tags (`GET` and `HEAD`), and
    /// the tag list. No referrers API, as in Debian's registry.
    pub async fn mount(&self, server: &MockServer) {
        let mut all_tags = Vec::new();
        for (digest, body, tags) in &self.manifests {
            for reference in std::iter::once(digest.as_str()).chain(tags.iter().map(String::as_str))
            {
                for verb in ["GET", "HEAD"] {
                    Mock::given(method(verb))
                        .and(path(format!(
                            "/v2/{}/manifests/{reference}",
                            self.repository
                        )))
                        .respond_with(
                            ResponseTemplate::new(200)
                                .set_body_raw(body.clone(), OCI_MANIFEST)
                                .insert_header("docker-content-digest", digest.as_str()),
                        )
                        .mount(server)
                        .await;
                }
            }
            all_tags.extend(tags.iter().cloned());
        }
        Mock::given(method("GET"))
            .and(path(format!("/v2/{}/tags/list", self.repository)))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"name": self.repository, "tags": all_tags})),
            )
            .mount(server)
            .await;
    }
}
