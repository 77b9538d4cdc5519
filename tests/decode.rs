//! Every documented JSON response example decodes into the generated types and survives a
//! round trip: the examples of GitHub's official description, and those of the seed
//! documentation pages (real payloads, in several formats).

use codegen::ir::Api;
use github_packages::{Package, PackageVersion};
use serde_json::Value;
use tests::{assert_round_trip, read, read_document, reference_dir, resolve, workspace_root};

fn our_api() -> Api {
    let text = read(workspace_root().join("spec/packages.yaml"));
    let spec = codegen::load(&text, "spec/packages.yaml")
        .expect("spec loads")
        .spec;
    codegen::lower(&spec, "spec/packages.yaml")
        .expect("spec lowers")
        .api
}

/// Decodes `json` as the generated type named `ty` (as the IR prints it).
fn round_trip_as(ty: &str, json: &Value, what: &str) {
    match ty {
        "Package" => assert_round_trip::<Package>(json, what),
        "Vec<Package>" => assert_round_trip::<Vec<Package>>(json, what),
        "PackageVersion" => assert_round_trip::<PackageVersion>(json, what),
        "Vec<PackageVersion>" => assert_round_trip::<Vec<PackageVersion>>(json, what),
        other => panic!("{what}: no decoder for `{other}`; add it to round_trip_as"),
    }
}

/// The success body type of the operation at `method path`, per our spec.
fn success_type(api: &Api, method: &str, path: &str) -> String {
    let operation = api
        .operations
        .iter()
        .find(|o| o.http_method.as_str().eq_ignore_ascii_case(method) && o.path == path)
        .unwrap_or_else(|| panic!("{method} {path} is not in spec/packages.yaml"));
    let body = operation
        .successes()
        .find_map(|r| r.body.as_ref())
        .unwrap_or_else(|| panic!("{method} {path} has no success body"));
    body.ty.to_string()
}

#[test]
fn official_examples_decode_and_round_trip() {
    let api = our_api();
    let official = read_document(reference_dir().join("github-openapi/packages.yaml"));
    let mut checked = 0;
    for (path, item) in official["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let response = resolve(&official, response);
                let Some(examples) = response.pointer("/content/application~1json/examples") else {
                    continue;
                };
                let ty = success_type(&api, method, path);
                for (name, example) in examples.as_object().expect("examples") {
                    let value = &resolve(&official, example)["value"];
                    round_trip_as(
                        &ty,
                        value,
                        &format!("{method} {path} {status} example `{name}`"),
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(
        checked, 15,
        "every response example of the official description"
    );
}

/// A JSON response example found in a seed page, with the request path it answers.
struct SeedExample {
    file: String,
    path: String,
    body: Value,
}

/// Finds `Status: 200` followed by a JSON document, and the API URL before it. The pages
/// come in several layouts (`.../packagesResponse\nStatus: 200[`, curl lines with
/// `http(s)://HOSTNAME/api/v3/...`), so this looks for the nearest URL-like text.
fn seed_examples() -> Vec<SeedExample> {
    let mut found = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(reference_dir().join("seeds"))
        .expect("seeds directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for file in files {
        let text = read(&file);
        let mut offset = 0;
        while let Some(at) = text[offset..].find("Status: 200") {
            let start = offset + at;
            offset = start + "Status: 200".len();
            let rest = text[offset..].trim_start();
            if !(rest.starts_with('[') || rest.starts_with('{')) {
                continue;
            }
            let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            let Some(Ok(body)) = stream.next() else {
                panic!("{}: unparseable JSON after byte {start}", file.display());
            };
            let before = &text[..start];
            let url_start = ["/api/v3/", "api.github.com/"]
                .iter()
                .filter_map(|marker| before.rfind(marker).map(|i| i + marker.len() - 1))
                .max()
                .expect("a request URL precedes each example");
            let path: String = before[url_start..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '?' | '\''))
                .collect();
            let path = path.trim_end_matches("Response").to_owned();
            found.push(SeedExample {
                file: file.file_name().unwrap().to_string_lossy().into_owned(),
                path,
                body,
            });
        }
    }
    found
}

/// `/orgs/ORG/packages` matches `/orgs/{org}/packages`.
fn matches_template(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}

#[test]
fn seed_examples_decode_and_round_trip() {
    let api = our_api();
    let examples = seed_examples();
    let mut per_file: std::collections::BTreeMap<&str, usize> = Default::default();
    for example in &examples {
        let operation = api
            .operations
            .iter()
            .filter(|o| o.http_method.as_str() == "GET")
            .find(|o| matches_template(&o.path, &example.path))
            .unwrap_or_else(|| panic!("{}: no GET operation for {}", example.file, example.path));
        let ty = success_type(&api, "GET", &operation.path);
        round_trip_as(
            &ty,
            &example.body,
            &format!("{}: GET {}", example.file, example.path),
        );
        *per_file.entry(&example.file).or_default() += 1;
    }
    // The English and Japanese REST reference pages carry the payload examples.
    assert_eq!(
        per_file.get("001_0aac2258b657ba45.txt"),
        Some(&15),
        "{per_file:?}"
    );
    assert_eq!(
        per_file.get("000_637c54d09866c7f2.txt"),
        Some(&12),
        "{per_file:?}"
    );
}

#[test]
fn unknown_enum_values_and_fields_are_kept_or_ignored() {
    let json = serde_json::json!({
        "id": 1, "name": "x", "package_type": "cargo", "visibility": "internal",
        "url": "u", "html_url": "h", "version_count": 3,
        "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z",
        "a_field_from_the_future": {"nested": true}
    });
    let package: Package = serde_json::from_value(json).expect("decodes");
    assert_eq!(package.package_type.as_str(), "cargo");
    assert!(
        matches!(package.package_type, github_packages::PackageType::Unknown(ref v) if v == "cargo")
    );
    assert_eq!(package.visibility.to_string(), "internal");
    let encoded = serde_json::to_value(&package).unwrap();
    assert_eq!(encoded["package_type"], "cargo");
}

#[test]
fn docker_metadata_reads_tags() {
    let json = serde_json::json!({
        "id": 1, "name": "sha256:abc", "url": "u", "package_html_url": "p",
        "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z",
        "metadata": {"package_type": "docker", "docker": {"tags": ["latest", "1.0"]}}
    });
    let version: PackageVersion = serde_json::from_value(json).expect("decodes");
    let docker = version
        .metadata
        .and_then(|m| m.docker)
        .expect("docker metadata");
    assert_eq!(docker.tags, ["latest", "1.0"]);
}
