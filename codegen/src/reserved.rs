//! Names that are taken before the description names anything, and the one way of finding a
//! free name beside taken ones.
//!
//! A generated crate already uses some names: the runtime's public items and `Client`'s
//! methods, the prelude types its modules use unqualified, the methods the derives of a
//! parameter struct add, the manifest's own features and dependencies. Each list is kept by
//! the code that prints those names (`emit`, the runtime sources) and tied to it by a test;
//! the pipeline gathers them here and hands them to `lower`, which decides every other name.
//! This module imports nothing from the crate, so every stage may use it.

use std::collections::BTreeSet;

/// The names every generated crate takes for itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reserved {
    /// Type names: the runtime's public items, and the types the generated modules use
    /// unqualified (`Option`, `Value`).
    pub type_names: BTreeSet<String>,
    /// `Client`'s own methods (`new`, `send`): no operation may take one.
    pub client_methods: BTreeSet<String>,
    /// `ClientBuilder`'s own methods (`token`, `base_url`): no server's builder may take one.
    pub builder_methods: BTreeSet<String>,
    /// The methods a parameter struct's derives give it (`default`, `clone`): no optional
    /// parameter's setter may take one.
    pub params_struct_methods: BTreeSet<String>,
    /// The methods a model struct has besides its setters: `new`, and those its derives
    /// give it (`clone`, `serialize`). No setter may take one.
    pub model_struct_methods: BTreeSet<String>,
    /// The manifest's own features (`default`, `rustls`): no tag's feature may take one,
    /// and they count towards crates.io's limit on features.
    pub manifest_features: BTreeSet<String>,
    /// The manifest's dependencies, whose names are features too when optional.
    pub manifest_dependencies: BTreeSet<String>,
}

/// How a taken name is numbered: `base`, then `base{separator}{first}`, and on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbering {
    pub separator: &'static str,
    pub first: usize,
}

impl Numbering {
    /// Rust types and description keys: `Name`, `Name2`, `Name3`.
    pub const JOINED: Numbering = Numbering {
        separator: "",
        first: 2,
    };
    /// Rust functions, fields and arguments: `name`, `name_2`, `name_3`.
    pub const SNAKE: Numbering = Numbering {
        separator: "_",
        first: 2,
    };
    /// Cargo features and description keys in kebab case: `name`, `name-2`, `name-3`.
    pub const KEBAB: Numbering = Numbering {
        separator: "-",
        first: 2,
    };
    /// Locals of a generated function body: `name`, `name_1`, `name_2`.
    pub const LOCAL: Numbering = Numbering {
        separator: "_",
        first: 1,
    };
}

/// `base` when `taken` does not claim it, else the first numbered form of it that `taken`
/// does not claim. A raw identifier's `r#` is dropped from the numbered forms, which are
/// never keywords.
pub fn first_free(base: &str, numbering: Numbering, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    let bare = base.strip_prefix("r#").unwrap_or(base);
    // `taken` claims finitely many names, so this ends.
    let mut n = numbering.first;
    loop {
        let candidate = format!("{bare}{}{n}", numbering.separator);
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_free_name_follows_the_numbering() {
        let taken = ["a", "a2", "b", "b_2", "r#type", "c", "c-2", "d", "d_1"];
        let is_taken = |name: &str| taken.contains(&name);
        assert_eq!(first_free("z", Numbering::JOINED, is_taken), "z");
        assert_eq!(first_free("a", Numbering::JOINED, is_taken), "a3");
        assert_eq!(first_free("b", Numbering::SNAKE, is_taken), "b_3");
        assert_eq!(first_free("r#type", Numbering::SNAKE, is_taken), "type_2");
        assert_eq!(first_free("c", Numbering::KEBAB, is_taken), "c-3");
        assert_eq!(first_free("d", Numbering::LOCAL, is_taken), "d_2");
    }
}
