//! The identifiers of one generated function body.
//!
//! `lower` names every argument a generated function takes from the description; the
//! locals and closure parameters `emit` adds to the body are its own, and must never shadow
//! an argument, or a value would silently go to the wrong place in the request. A `Scope`
//! knows the arguments and gives each local a name none of them has.

use crate::reserved::{first_free, Numbering};
use proc_macro2::{Ident, Span};
use std::collections::HashSet;

pub(crate) struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// A scope whose arguments are `arguments` (Rust names as `lower` decided them).
    pub(crate) fn new<'a>(arguments: impl IntoIterator<Item = &'a str>) -> Scope {
        Scope {
            taken: arguments
                .into_iter()
                .map(|name| name.strip_prefix("r#").unwrap_or(name).to_owned())
                .collect(),
        }
    }

    /// A new name for a local: `base` when free, else `base_1`, `base_2`, ...
    pub(crate) fn local(&mut self, base: &str) -> Ident {
        let name = first_free(base, Numbering::LOCAL, |name| self.taken.contains(name));
        self.taken.insert(name.clone());
        Ident::new(&name, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locals_never_take_an_argument_name() {
        let mut scope = Scope::new(["request", "request_1", "r#type"]);
        assert_eq!(scope.local("request").to_string(), "request_2");
        assert_eq!(scope.local("request").to_string(), "request_3");
        assert_eq!(scope.local("response").to_string(), "response");
        assert_eq!(scope.local("type").to_string(), "type_1");
    }
}
