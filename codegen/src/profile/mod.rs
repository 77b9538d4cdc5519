//! Profiles: one vendor's conventions that no OpenAPI keyword states, added to the generic
//! client only when asked for (or detected, and then said so).
//!
//! The generic pipeline produces a vendor-neutral client. A profile adds to the IR what its
//! vendor's API does beyond its description (GitHub pages list operations with `Link`
//! headers and has three route families per owner) and picks the runtime file that speaks
//! the vendor's headers, error body and rate limits (`codegen/runtime/profile/`).

pub mod github;

use crate::ir::Api;
use openapiv3::OpenAPI;
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
    pub fn detect(spec: &OpenAPI) -> (Profile, String) {
        let github = spec.servers.iter().find(|server| {
            let url = server.url.to_ascii_lowercase();
            url.contains("://api.github.com")
                || (url.trim_end_matches('/').ends_with("/api/v3")
                    && spec.info.title.to_ascii_lowercase().contains("github"))
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
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a profile adds to the generic IR.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Extension {
    Generic,
    Github(github::Github),
}

impl Extension {
    pub fn profile(&self) -> Profile {
        match self {
            Extension::Generic => Profile::Generic,
            Extension::Github(_) => Profile::Github,
        }
    }
}

/// The profile a run uses, why, and what it added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// `chosen`, or what detection saw.
    pub reason: String,
    pub extension: Extension,
}

impl Applied {
    pub fn profile(&self) -> Profile {
        self.extension.profile()
    }
}

/// Applies `profile` to a lowered API: the part of lowering that only a profile knows.
pub fn apply(profile: Profile, reason: String, api: &mut Api) -> Applied {
    let extension = match profile {
        Profile::Generic => Extension::Generic,
        Profile::Github => Extension::Github(github::apply(api)),
    };
    Applied { reason, extension }
}
