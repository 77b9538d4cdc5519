//! The architecture's rules, read off the sources (in the manner of rust-analyzer's tidy
//! tests): which module may import which, and where a vendor may be named.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules by layer: a module may import its own layer's and lower layers'.
/// `shared` is plain data and helpers every stage uses; the stages follow in the order they
/// depend on each other; a profile sits above the generic stages, whose interfaces it uses
/// (the IR, lowering's names, `emit::Extension` and emit's helpers) and none of which uses
/// it; `contract` and `pipeline` join everything; `build_script` runs the pipeline for a
/// user's `build.rs`.
const LAYERS: &[(&str, &[&str])] = &[
    ("shared", &["diagnostic", "locate", "ir", "reserved"]),
    ("load", &["load"]),
    ("lower", &["lower"]),
    ("runtime", &["runtime"]),
    ("emit", &["emit"]),
    ("format", &["format"]),
    ("profile", &["profile"]),
    ("surface", &["surface"]),
    ("contract", &["contract"]),
    ("pipeline", &["pipeline", "lib"]),
    ("build_script", &["build_script"]),
];

/// Modules that import nothing from the crate, whatever their layer.
const STANDALONE: &[&str] = &["format", "reserved", "ir", "runtime"];

/// Pairs the layering above allows but the architecture does not: `emit` knows neither how
/// names were decided nor which vendor it prints for; `lower` knows nothing of what prints
/// its names or of vendors.
const FORBIDDEN: &[(&str, &str)] = &[
    ("emit", "lower"),
    ("emit", "profile"),
    ("lower", "emit"),
    ("lower", "profile"),
    ("lower", "runtime"),
    ("load", "lower"),
    ("surface", "profile"),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("the source directory reads")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a source file belongs to: `emit` for `src/emit/operations/mod.rs`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).expect("under src/");
    let first = relative
        .components()
        .next()
        .expect("a file")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_owned()
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The text before the file's `#[cfg(test)]` module: tests may use the whole pipeline.
fn non_test(text: &str) -> &str {
    match text.find("\n#[cfg(test)]") {
        Some(end) => &text[..end],
        None => text,
    }
}

/// The top-level modules a file's `use crate::...;` declarations name, each with its line.
/// A name the crate root re-exports counts as the module it comes from. Only declarations at
/// the start of a line count: indented ones are inside `quote!`, in the generated crate.
fn imports(text: &str, reexports: &BTreeMap<String, String>) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = non_test(text).lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let declaration = ["use crate::", "pub use crate::", "pub(crate) use crate::"]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix));
        if let Some(rest) = declaration {
            let mut whole = rest.to_owned();
            while !whole.contains(';') && i + 1 < lines.len() {
                i += 1;
                whole.push_str(lines[i].trim());
            }
            let line_number = i + 1;
            let names: Vec<String> = match whole.strip_prefix('{') {
                Some(group) => group
                    .trim_end_matches(';')
                    .trim_end_matches('}')
                    .split(',')
                    .map(|part| part.trim().to_owned())
                    .filter(|part| !part.is_empty())
                    .collect(),
                None => vec![whole.trim_end_matches(';').to_owned()],
            };
            for name in names {
                let first = name
                    .split("::")
                    .next()
                    .unwrap_or_default()
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let module = match layer_of(&first) {
                    Some(_) => first,
                    None => reexports.get(&first).cloned().unwrap_or(first),
                };
                found.push((module, line_number));
            }
        }
        i += 1;
    }
    found
}

/// What the crate root re-exports, by name: `Config` -> `contract`.
fn root_reexports() -> BTreeMap<String, String> {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("lib.rs reads");
    let mut reexports = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            reexports.insert(name.trim().to_owned(), module.to_owned());
        }
    }
    reexports
}

#[test]
fn each_module_imports_only_what_is_below_it() {
    let reexports = root_reexports();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut broken = Vec::new();
    for path in &files {
        let module = module_of(path);
        if module == "tidy" {
            continue;
        }
        let text = fs::read_to_string(path).expect("a source reads");
        let Some(layer) = layer_of(&module) else {
            broken.push(format!(
                "{}: module `{module}` has no layer",
                path.display()
            ));
            continue;
        };
        for (imported, line) in imports(&text, &reexports) {
            if imported == module {
                continue;
            }
            let place = format!("{}:{line}", path.display());
            if STANDALONE.contains(&module.as_str()) {
                broken.push(format!("{place}: `{module}` imports `{imported}`"));
                continue;
            }
            match layer_of(&imported) {
                None => broken.push(format!("{place}: `{imported}` is in no layer")),
                Some(theirs) if theirs > layer => broken.push(format!(
                    "{place}: `{module}` imports `{imported}`, which comes after it"
                )),
                Some(_) if FORBIDDEN.contains(&(module.as_str(), imported.as_str())) => {
                    broken.push(format!("{place}: `{module}` must not import `{imported}`"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The files that serve every API: the generator but its profiles, and the runtime but the
/// profiles' files.
fn generic_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
    rust_files(&runtime, &mut files);
    files.retain(|path| {
        let relative = path.to_string_lossy();
        !relative.contains("/src/profile/")
            && !relative.contains("/runtime/profile/")
            && !relative.ends_with("/src/tidy.rs")
    });
    files
}

/// Whether `text` names a vendor the generator has a profile for.
fn names_a_vendor(text: &str) -> bool {
    text.to_ascii_lowercase().contains("github")
}

#[test]
fn generic_files_name_no_vendor() {
    let mut broken = Vec::new();
    for path in generic_files() {
        let text = fs::read_to_string(&path).expect("a source reads");
        // The runtime is copied into crates whole, comments too; in the generator, a comment
        // may cite a vendor as an example, but no code or string may.
        let copied = path.to_string_lossy().contains("/runtime/");
        for (i, line) in text.lines().enumerate() {
            let code = if copied {
                line
            } else {
                match line.trim_start().starts_with("//") {
                    true => continue,
                    false => line.split(" // ").next().unwrap_or(line),
                }
            };
            if names_a_vendor(code) {
                broken.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_rules_catch_what_they_are_for() {
    let reexports = root_reexports();
    let text = "use crate::emit::Emitter;\nuse crate::{ir::Api, Config};\npub(crate) use crate::lower::{\n    names,\n};\nfn f() {\n    quote!(use crate::client::Client;);\n}\n#[cfg(test)]\nmod tests {\n    use crate::pipeline;\n}\n";
    assert_eq!(
        imports(text, &reexports),
        [
            ("emit".to_owned(), 1),
            ("ir".to_owned(), 2),
            ("contract".to_owned(), 2),
            ("lower".to_owned(), 5)
        ]
    );
    assert!(names_a_vendor("let url = \"https://api.GitHub.com\";"));
    assert!(!names_a_vendor("let url = \"https://api.example.com\";"));
    assert!(layer_of("emit") > layer_of("lower"));
    assert!(layer_of("profile") > layer_of("emit"));
}
