//! The pipeline: the one module that joins the stages, and a profile to them.
//!
//! `load` -> `lower` (with the names the crate takes for itself, gathered here) -> the
//! profile, chosen or detected from the IR's servers -> `emit` and `format`, on every core:
//! each thread builds the tokens of a piece and prints them, since token streams cannot move
//! between threads. The text is the same whatever the threads do.

use crate::contract::{Config, Generated, GeneratedFile};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::emit::{self, Body, EmittedFile, Emitter, Package, Piece};
use crate::format;
use crate::load::{self, Loaded};
use crate::lower::{self, Lowered};
use crate::profile::{self, Profile};
use crate::reserved::Reserved;
use crate::runtime;
use crate::surface::{self, Surface};
use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Runs the whole pipeline on the text of the spec named `config.spec_name`. Diagnostics
/// point into the document as written, with its line where the text shows it.
pub fn generate(text: &str, config: &Config) -> Result<Generated, Diagnostics> {
    let Loaded {
        spec,
        mut warnings,
        origin,
    } = load::load(text, &config.spec_name)?;
    let lowered = lower(&spec, &config.spec_name);
    // The parsed spec is the largest structure here, and only `lower` reads it: it is freed
    // beside the stages that follow rather than before them.
    let freeing = thread::spawn(move || drop(spec));
    let place = |mut diagnostic: Diagnostic| {
        diagnostic.pointer = origin.original(&diagnostic.pointer);
        diagnostic.placed_in(text)
    };
    let Lowered {
        mut api,
        warnings: lower_warnings,
    } = match lowered {
        Ok(lowered) => lowered,
        Err(Diagnostics(found)) => {
            let mut all = Diagnostics(warnings);
            all.0.extend(found.into_iter().map(place));
            all.sort();
            let _ = freeing.join();
            return Err(all);
        }
    };
    warnings.extend(lower_warnings.into_iter().map(place));
    if !config.tag_features {
        compile_every_operation(&mut api);
    }
    let (profile, reason) = match config.profile {
        Some(profile) => (profile, "chosen".to_owned()),
        None => Profile::detect(&api),
    };
    let applied = profile::apply(profile, reason, &mut api);
    let files = print_files(
        &Emitter::new(&api, &applied, package(config)),
        &config.spec_name,
    );
    let (surface, surface_file) = surface_file(&api, &applied, &package(config));
    drop(api);
    let _ = freeing.join();
    let mut files = files.map_err(|error| {
        let mut all = Diagnostics(warnings.clone());
        all.0.push(error);
        all
    })?;
    files.push(surface_file);
    warnings.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
    Ok(Generated {
        files,
        warnings,
        profile,
        profile_reason: applied.reason,
        surface,
    })
}

/// Drops the features `lower` gave the tags, and every gate: before the profile, whose
/// additions (an owner family) take their gates from the operations'.
fn compile_every_operation(api: &mut crate::ir::Api) {
    api.features.clear();
    for operation in &mut api.operations {
        operation.gate.clear();
    }
    for def in &mut api.types {
        def.gate.clear();
    }
}

/// `lower`, clear of the names every generated crate takes for itself.
pub fn lower(spec: &OpenAPI, spec_name: &str) -> Result<Lowered, Diagnostics> {
    lower::lower(spec, spec_name, &reserved())
}

/// The names every generated crate takes for itself, from where each is kept: the runtime
/// sources (every profile's among them, so that a schema's name does not depend on the
/// profile) and what `emit` prints.
pub fn reserved() -> Reserved {
    let runtime_sources: Vec<&str> = runtime::all_files()
        .map(|file| file.source)
        .chain(Profile::ALL.into_iter().map(Profile::runtime))
        .collect();
    let owned = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect();
    let methods = |type_name: &str| {
        runtime::methods_of(type_name, runtime_sources.iter().copied())
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    Reserved {
        type_names: runtime_sources
            .iter()
            .flat_map(|source| runtime::public_items(source))
            .chain(emit::PRELUDE_TYPE_NAMES.iter().copied())
            .map(str::to_owned)
            .collect(),
        client_methods: methods("Client"),
        builder_methods: methods("ClientBuilder"),
        params_struct_methods: emit::PARAMS_STRUCT_TRAITS
            .iter()
            .flat_map(|(_, methods)| methods.iter())
            .map(|method| (*method).to_owned())
            .collect(),
        model_struct_methods: emit::MODEL_STRUCT_TRAITS
            .iter()
            .flat_map(|(_, methods)| methods.iter())
            .chain(emit::MODEL_STRUCT_METHODS)
            .map(|method| (*method).to_owned())
            .collect(),
        manifest_features: owned(emit::MANIFEST_FEATURES),
        manifest_dependencies: owned(emit::MANIFEST_DEPENDENCIES),
    }
}

/// The crate's public surface, and the file that keeps it (`api-surface.json`).
pub fn surface_file(
    api: &crate::ir::Api,
    extension: &dyn emit::Extension,
    package: &Package,
) -> (Surface, GeneratedFile) {
    let surface = Surface::of(api, extension, package);
    let file = GeneratedFile {
        path: surface::FILE.to_owned(),
        contents: surface.to_json(),
    };
    (surface, file)
}

/// The crate as `emit` sees it.
pub fn package(config: &Config) -> Package<'_> {
    Package {
        name: &config.crate_name,
        version: &config.crate_version,
        spec_name: &config.spec_name,
        generator_command: &config.generator_command,
        guide: config.guide.as_deref(),
    }
}

/// Builds and prints every piece of every file on as many threads as there are cores, and
/// joins them in the files' order.
pub fn print_files(emitter: &Emitter, spec_name: &str) -> Result<Vec<GeneratedFile>, Diagnostic> {
    let files = emitter.files();
    let jobs: Vec<(&str, &Piece)> = files
        .iter()
        .flat_map(|file| match &file.body {
            Body::Rust(pieces) => pieces.iter().map(|p| (file.path.as_str(), p)).collect(),
            Body::Text(_) => Vec::new(),
        })
        .collect();
    let threads = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((path, piece)) = jobs.get(i) else {
                return done;
            };
            done.push((i, print(emitter.tokens(piece), path, spec_name)));
        }
    };
    let mut printed: Vec<Option<Result<String, Diagnostic>>> = vec![None; jobs.len()];
    thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                thread::Builder::new()
                    // As much stack as the main thread has: `syn` and `prettyplease` recurse.
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, work)
            })
            .collect();
        for worker in workers {
            let joined = match worker {
                Ok(handle) => handle.join(),
                // No thread to spare: this one does the rest.
                Err(_) => Ok(work()),
            };
            match joined {
                Ok(done) => {
                    for (i, text) in done {
                        printed[i] = Some(text);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    let mut printed = printed.into_iter().map(|text| {
        text.unwrap_or_else(|| {
            Err(internal_error(
                spec_name,
                "a piece of the crate was left unprinted",
            ))
        })
    });
    files
        .into_iter()
        .map(|file| {
            // The jobs are the pieces of the files in order, so these are this file's.
            let pieces = match &file.body {
                Body::Rust(pieces) => pieces.len(),
                Body::Text(_) => 0,
            };
            assemble(file, printed.by_ref().take(pieces))
        })
        .collect()
}

/// A file's text: its header, then its text or its pieces' printed text joined.
fn assemble(
    file: EmittedFile,
    printed: impl Iterator<Item = Result<String, Diagnostic>>,
) -> Result<GeneratedFile, Diagnostic> {
    let text = match file.body {
        Body::Text(text) => text,
        Body::Rust(_) => {
            let texts = printed.collect::<Result<Vec<String>, Diagnostic>>()?;
            format::join(texts.iter().map(String::as_str))
        }
    };
    Ok(GeneratedFile {
        contents: format!("{}{text}", file.header),
        path: file.path,
    })
}

/// `emit` alone, on this thread: every file with its pieces' tokens, for measuring the
/// stages one by one.
pub fn emit_tokens(emitter: &Emitter) -> Vec<(EmittedFile, Vec<TokenStream>)> {
    emitter
        .files()
        .into_iter()
        .map(|file| {
            let tokens = match &file.body {
                Body::Rust(pieces) => pieces.iter().map(|piece| emitter.tokens(piece)).collect(),
                Body::Text(_) => Vec::new(),
            };
            (file, tokens)
        })
        .collect()
}

/// `format` alone, on this thread: what [`emit_tokens`] built, as text.
pub fn format_tokens(
    files: Vec<(EmittedFile, Vec<TokenStream>)>,
    spec_name: &str,
) -> Result<Vec<GeneratedFile>, Diagnostic> {
    files
        .into_iter()
        .map(|(file, tokens)| {
            let path = file.path.clone();
            assemble(
                file,
                tokens
                    .into_iter()
                    .map(|tokens| print(tokens, &path, spec_name)),
            )
        })
        .collect()
}

/// One piece as text, or the one error possible here: tokens that are not Rust.
fn print(tokens: TokenStream, path: &str, spec_name: &str) -> Result<String, Diagnostic> {
    format::print(tokens).map_err(|error| {
        internal_error(
            spec_name,
            &format!("the generator produced invalid Rust for {path}: {error}"),
        )
    })
}

fn internal_error(spec_name: &str, what: &str) -> Diagnostic {
    Diagnostic::new(spec_name, "#", format!("internal error: {what}"))
        .with_hint("this is a bug in codegen; please report it with the spec")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A description large enough to make several pieces of each kind.
    fn large_description() -> String {
        let mut text = String::from(
            "openapi: 3.0.3\ninfo: {title: Large, version: '1'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n",
        );
        for i in 0..150 {
            text.push_str(&format!(
                "  /things{i}/{{id}}:\n    post:\n      operationId: thing{i}\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n        - {{name: q, in: query, schema: {{type: string, enum: [a, b]}}}}\n      requestBody: {{content: {{multipart/form-data: {{schema: {{type: object, properties: {{file: {{type: string, format: binary}}}}}}}}}}}}\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing{i}'}}}}}}}}\n        '201': {{description: made, content: {{text/plain: {{schema: {{type: string}}}}}}}}\n"
            ));
        }
        text.push_str("components:\n  schemas:\n");
        for i in 0..150 {
            text.push_str(&format!(
                "    Thing{i}:\n      description: \"Thing {i}\\n\\n- a list\"\n      type: object\n      properties: {{name: {{type: string}}, kind: {{type: string, enum: [x, y]}}}}\n"
            ));
        }
        text
    }

    #[test]
    fn pieces_print_as_their_whole_file_would_and_threads_change_nothing() {
        let config = Config {
            crate_name: "large".to_owned(),
            crate_version: "0.1.0".to_owned(),
            spec_name: "large.yaml".to_owned(),
            guide: None,
            profile: None,
            tag_features: true,
            generator_command: "cargo xtask generate".to_owned(),
        };
        let text = large_description();
        let spec = load::load(&text, "large.yaml").expect("loads").spec;
        let mut api = lower(&spec, "large.yaml").expect("lowers").api;
        let (profile, reason) = Profile::detect(&api);
        let applied = profile::apply(profile, reason, &mut api);
        let emitter = Emitter::new(&api, &applied, package(&config));
        let emitted = emit_tokens(&emitter);
        let pieces = |path: &str| {
            emitted
                .iter()
                .find(|(f, _)| f.path == path)
                .unwrap()
                .1
                .len()
        };
        assert!(pieces("src/types.rs") > 3, "{}", pieces("src/types.rs"));
        assert!(
            pieces("src/operations.rs") > 8,
            "{}",
            pieces("src/operations.rs")
        );
        let whole: Vec<(String, String)> = emitted
            .iter()
            .filter(|(file, _)| matches!(file.body, Body::Rust(_)))
            .map(|(file, tokens)| {
                let joined: TokenStream = tokens.iter().cloned().collect();
                let text = format::join([format::print(joined).unwrap().as_str()]);
                (file.path.clone(), format!("{}{text}", file.header))
            })
            .collect();
        let formatted = format_tokens(emitted, "large.yaml").unwrap();
        for (path, text) in &whole {
            let by_pieces = &formatted.iter().find(|f| &f.path == path).unwrap().contents;
            assert!(by_pieces == text, "{path} printed by pieces differs");
        }
        let threaded = print_files(&emitter, "large.yaml");
        assert!(threaded.unwrap() == formatted, "threads changed the output");
    }

    fn generated(relative: &str, crate_name: &str) -> Generated {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join(relative)).expect("the spec reads");
        let config = Config {
            crate_name: crate_name.to_owned(),
            crate_version: "0.1.0".to_owned(),
            spec_name: relative.to_owned(),
            guide: None,
            profile: None,
            tag_features: true,
            generator_command: "cargo xtask generate".to_owned(),
        };
        generate(&text, &config).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The names a file uses unqualified (`Option`, `Client`) and the names it defines
    /// (types, variants), read off its tokens. Attributes (derives, docs) are left out.
    fn unqualified_names(text: &str) -> (Vec<String>, Vec<String>) {
        use proc_macro2::{Delimiter, TokenTree};
        use std::str::FromStr;
        fn walk(
            stream: TokenStream,
            used: &mut Vec<String>,
            defined: &mut Vec<String>,
            variants: bool,
        ) {
            let tokens: Vec<TokenTree> = stream.into_iter().collect();
            let mut i = 0;
            let mut entry_start = true;
            while i < tokens.len() {
                match &tokens[i] {
                    TokenTree::Punct(p) if p.as_char() == '#' => {
                        // `#[..]` or `#![..]`: skipped whole.
                        i += 1;
                        if matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                        {
                            i += 1;
                        }
                        i += 1;
                        continue;
                    }
                    TokenTree::Punct(p) => entry_start = p.as_char() == ',',
                    TokenTree::Group(group) => {
                        let is_enum_body = group.delimiter() == Delimiter::Brace
                            && tokens[..i]
                                .iter()
                                .rev()
                                .take(6)
                                .any(|t| matches!(t, TokenTree::Ident(id) if *id == "enum"));
                        walk(group.stream(), used, defined, is_enum_body);
                        entry_start = false;
                    }
                    TokenTree::Ident(ident) => {
                        let name = ident.to_string();
                        let upper_camel = name.starts_with(|c: char| c.is_ascii_uppercase())
                            && name.chars().any(|c| c.is_ascii_lowercase());
                        let qualified = i >= 2
                            && matches!((&tokens[i - 2], &tokens[i - 1]), (TokenTree::Punct(a), TokenTree::Punct(b)) if a.as_char() == ':' && b.as_char() == ':');
                        let defines = i >= 1
                            && matches!(&tokens[i - 1], TokenTree::Ident(k) if ["struct", "enum", "type", "trait", "fn", "mod", "const", "static"].contains(&k.to_string().as_str()));
                        if upper_camel && name != "Self" {
                            if defines || (variants && entry_start) {
                                defined.push(name);
                            } else if !qualified {
                                used.push(name);
                            }
                        }
                        entry_start = false;
                    }
                    TokenTree::Literal(_) => entry_start = false,
                }
                i += 1;
            }
        }
        let mut used = Vec::new();
        let mut defined = Vec::new();
        walk(
            TokenStream::from_str(text).expect("the generated file lexes"),
            &mut used,
            &mut defined,
            false,
        );
        (used, defined)
    }

    /// Every name the generated modules use unqualified is the crate's own (a model, a
    /// parameter struct, a runtime item) or one of the prelude names `emit` keeps: the list
    /// of reserved type names cannot fall behind what `emit` prints.
    #[test]
    fn the_names_emit_prints_unqualified_are_reserved_or_defined() {
        let reserved = reserved();
        for spec in ["spec/packages.yaml", "tests/specs/breadth.yaml"] {
            let crate_files = generated(spec, "names").files;
            let runtime_paths: Vec<String> = runtime::all_files()
                .map(|file| format!("src/{}.rs", file.module))
                .chain(["src/profile.rs".to_owned()])
                .collect();
            let mut used = Vec::new();
            let mut defined = Vec::new();
            for file in &crate_files {
                if !file.path.ends_with(".rs") || runtime_paths.contains(&file.path) {
                    continue;
                }
                let (u, d) = unqualified_names(&file.contents);
                used.extend(u.into_iter().map(|name| (file.path.clone(), name)));
                defined.extend(d);
            }
            assert!(used.len() > 20, "{spec}: the scan sees names");
            let strays: std::collections::BTreeSet<&(String, String)> = used
                .iter()
                .filter(|(_, name)| !defined.contains(name) && !reserved.type_names.contains(name))
                .collect();
            assert!(
                strays.is_empty(),
                "{spec}: used unqualified but neither defined nor reserved: {strays:?}"
            );
        }
        let (used, defined) = unqualified_names(
            "#[derive(Debug)]\npub enum Kind { Alpha(Box<u8>), Beta }\nfn f(x: Vec<u8>) -> crate::X { HashMap::new() }",
        );
        assert_eq!(used, ["Box", "Vec", "HashMap"]);
        assert_eq!(defined, ["Kind", "Alpha", "Beta"]);
    }

    /// The manifest's own features and dependencies, as `reserved` has them, are those the
    /// generated `Cargo.toml` declares.
    #[test]
    fn the_manifest_names_are_read_off_the_manifest() {
        let crate_files = generated("tests/specs/tagged.yaml", "manifest").files;
        let manifest = &crate_files
            .iter()
            .find(|f| f.path == "Cargo.toml")
            .expect("a manifest")
            .contents;
        let mut section = "";
        let mut features = std::collections::BTreeSet::new();
        let mut dependencies = std::collections::BTreeSet::new();
        for line in manifest.lines() {
            if line.starts_with('[') {
                section = line;
                continue;
            }
            let Some((key, _)) = line.split_once(" = ") else {
                continue;
            };
            if line.starts_with(char::is_whitespace) || line.starts_with('#') {
                continue;
            }
            match section {
                "[features]" => {
                    features.insert(key.to_owned());
                }
                "[dependencies]" | "[dev-dependencies]" => {
                    dependencies.insert(key.to_owned());
                }
                _ => {}
            }
        }
        let reserved = reserved();
        let tags: Vec<&String> = features
            .iter()
            .filter(|f| !reserved.manifest_features.contains(*f))
            .collect();
        assert!(
            tags.len() >= 2,
            "the tagged spec has a feature per tag: {tags:?}"
        );
        for feature in &reserved.manifest_features {
            assert!(
                features.contains(feature),
                "{feature} is not in the manifest"
            );
        }
        assert_eq!(dependencies, reserved.manifest_dependencies);
    }
}
