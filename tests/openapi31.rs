//! OpenAPI 3.1 input.

use tests::openapi31::to_openapi31;
use tests::{read, reference_dir, workspace_root};

fn rendition(path: &std::path::Path) -> String {
    let document: serde_json::Value = serde_yaml::from_str(&read(path)).unwrap();
    serde_json::to_string_pretty(&to_openapi31(&document)).unwrap()
}

#[test]
fn same_model_packages() {
    let path = workspace_root().join("spec/packages.yaml");
    let v30 = codegen::load(&read(&path), "p").unwrap().spec;
    let v31 = codegen::load(&rendition(&path), "p").unwrap();
    assert!(v31.warnings.is_empty(), "{:?}", v31.warnings);
    let mut spec = v31.spec;
    spec.openapi = v30.openapi.clone();
    assert_eq!(spec, v30);
}

#[test]
fn same_model_github() {
    let path = reference_dir().join("github-openapi/api.github.com.json");
    let text = read(&path);
    let v30 = codegen::load(&text, "p").unwrap().spec;
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let v31 = codegen::load(
        &serde_json::to_string(&to_openapi31(&document)).unwrap(),
        "p",
    )
    .unwrap();
    assert!(v31.warnings.is_empty(), "{:?}", v31.warnings);
    let mut spec = v31.spec;
    spec.openapi = v30.openapi.clone();
    let a = serde_json::to_value(&spec).unwrap();
    let b = serde_json::to_value(&v30).unwrap();
    let mut stack = vec![(a, b, String::from("#"))];
    let mut shown = 0;
    while let Some((a, b, p)) = stack.pop() {
        if a == b {
            continue;
        }
        match (&a, &b) {
            (serde_json::Value::Object(x), serde_json::Value::Object(y))
                if x.keys().collect::<Vec<_>>() == y.keys().collect::<Vec<_>>() =>
            {
                for (k, v) in x {
                    stack.push((v.clone(), y[k].clone(), format!("{p}/{k}")));
                }
            }
            _ => {
                shown += 1;
                if shown < 15 {
                    eprintln!(
                        "DIFF at {p}:\n 31: {}\n 30: {}",
                        a.to_string().chars().take(400).collect::<String>(),
                        b.to_string().chars().take(400).collect::<String>()
                    );
                }
            }
        }
    }
    assert_eq!(shown, 0);
}

#[test]
fn debug_null() {
    let path = reference_dir().join("github-openapi/api.github.com.json");
    let document: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    let r = to_openapi31(&document);
    let p = "/paths/~1app~1installations/get/responses/200/content/application~1json";
    eprintln!("30: {}", document.pointer(p).unwrap());
    eprintln!("31: {}", r.pointer(p).unwrap());
    let n = codegen::load::openapi31::normalise(r, "x");
    let a = n
        .document
        .pointer(&format!("{p}/schema/items/properties/account"))
        .unwrap();
    eprintln!(
        "norm: {}",
        serde_json::Value::Object(
            a.as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "anyOf" && *k != "allOf")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        )
    );
    eprintln!(
        "keys {:?}",
        a.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    eprintln!("anyof1 {:?}", a.get("anyOf").map(|x| x[1].clone()));
}
#[test]
fn dump_gh31() {
    let path = reference_dir().join("github-openapi/api.github.com.json");
    let document: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    std::fs::write(
        "/tmp/scratch/gh31.json",
        serde_json::to_string_pretty(&to_openapi31(&document)).unwrap(),
    )
    .unwrap();
}
