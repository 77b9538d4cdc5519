//! Profiles: one vendor's conventions that no OpenAPI keyword states, added to the generic
//! client only when asked for (or detected, and then said so).
//!
//! The generic pipeline produces a vendor-neutral client. A profile turns on IR mechanisms
//! where its vendor's API uses them (GitHub pages list operations with `Link` headers), and
//! gives `emit` its part through `emit::Extension`: a sentence of the crate docs, the runtime
//! file that speaks the vendor's headers, error body and rate limits
//! (`codegen/runtime/profile/`), and modules of its own (GitHub's `owner.rs`). Only the
//! pipeline joins a profile to the generic stages.

pub mod github;

use crate::emit::{Extension, ExtensionItem};
use crate::ir::Api;
use proc_macro2::TokenStream;
use serde::Serialize;
use std::fmt;

/// The conventions a generated client follows beyond its description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// None: plain HTTP as the description states it.
    Generic,
    /// GitHub's REST API (api.github.com, GitHub Enterprise Server and Cloud).
    Github,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Generic, Profile::Github];

    /// The name on the command line (`--profile github`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Generic => "generic",
            Profile::Github => "github",
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The profile a description's own words call for, and why: GitHub's when a server is
    /// `api.github.com` (or a GitHub Enterprise Server's `/api/v3`).
    pub fn detect(api: &Api) -> (Profile, String) {
        let github = api.servers.iter().find(|server| {
            let url = server.url.to_ascii_lowercase();
            url.contains("://api.github.com")
                || (url.trim_end_matches('/').ends_with("/api/v3")
                    && api.title.to_ascii_lowercase().contains("github"))
        });
        match github {
            Some(server) => (
                Profile::Github,
                format!(
                    "detected: the description lists the server `{}`",
                    server.url
                ),
            ),
            None => (
                Profile::Generic,
                "detected: the description names no vendor whose conventions the generator knows"
                    .to_owned(),
            ),
        }
    }

    /// The source of the crate's `profile.rs`.
    pub fn runtime(self) -> &'static str {
        match self {
            Profile::Generic => include_str!("../../runtime/profile/generic.rs"),
            Profile::Github => github::RUNTIME,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A profile applied to one API: which, why, and what it found there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    pub profile: Profile,
    /// `chosen`, or what detection saw.
    pub reason: String,
    /// GitHub's operations that differ only in whose resources they address: empty for
    /// other profiles, and when the names owner dispatch would take ([`github::OWNER_TYPES`])
    /// are schemas' already.
    pub owner_families: Vec<github::OwnerFamily>,
}

/// Applies `profile` to a lowered API: the part of lowering that only a profile knows. What it
/// turns on in the IR (pagination) is set on `api`; what the IR has no place for comes back.
pub fn apply(profile: Profile, reason: String, api: &mut Api) -> Applied {
    let owner_families = match profile {
        Profile::Generic => Vec::new(),
        Profile::Github => github::apply(api),
    };
    Applied {
        profile,
        reason,
        owner_families,
    }
}

impl Extension for Applied {
    fn name(&self) -> &str {
        self.profile.name()
    }

    fn reason(&self) -> &str {
        &self.reason
    }

    fn conventions(&self) -> &str {
        match self.profile {
            Profile::Generic => {
                "plain HTTP as the description states it; error bodies are kept as JSON, and a \
                 `429` is the one rate limit recognised."
            }
            Profile::Github => github::CONVENTIONS,
        }
    }

    fn runtime(&self) -> &'static str {
        self.profile.runtime()
    }

    fn public_items(&self, api: &Api) -> Vec<ExtensionItem> {
        github::public_items(api, &self.owner_families)
    }

    fn default_headers(&self) -> Vec<(&'static str, &'static str)> {
        match self.profile {
            Profile::Generic => Vec::new(),
            Profile::Github => github::default_headers(),
        }
    }

    fn modules(&self) -> Vec<&'static str> {
        if self.owner_families.is_empty() {
            Vec::new()
        } else {
            vec![github::OWNER_MODULE]
        }
    }

    fn module(&self, module: &str, api: &Api) -> TokenStream {
        match module {
            github::OWNER_MODULE => github::emit::owner_rs(api, &self.owner_families),
            _ => TokenStream::new(),
        }
    }
}
