//! What a vendor's profile adds to the crate, through the one door `emit` opens for it.
//!
//! `emit` knows no vendor. The pipeline hands it one [`Extension`], and `emit` asks it for
//! its part: a sentence of the crate docs, the runtime file that becomes `profile.rs`, and
//! whole modules of its own. What a profile changes in the IR (which operations are paged,
//! say) it changes before `emit` runs, with the IR's own mechanisms.

use crate::ir::Api;
use proc_macro2::TokenStream;

/// A profile's part of a generated crate. Shared by the threads that build the crate's
/// pieces, hence `Sync`.
pub trait Extension: Sync {
    /// The profile's name, as the crate docs give it.
    fn name(&self) -> &str;
    /// Why the crate follows this profile: `chosen`, or what detection saw.
    fn reason(&self) -> &str;
    /// What a client following it does beyond its description: one sentence of the crate
    /// docs.
    fn conventions(&self) -> &str;
    /// The source of the crate's `profile.rs`: default headers, the error body, what counts
    /// as a rate limit. Each profile's defines the items the generic runtime uses
    /// (`ErrorBody`, `RateLimitKind`, `ProfileError`, and the crate-private helpers).
    fn runtime(&self) -> &'static str;
    /// The headers its runtime sends with every request unless the user sets others, as
    /// (name, value): part of the crate's public surface.
    fn default_headers(&self) -> Vec<(&'static str, &'static str)>;
    /// The modules it adds at the crate root (`owner` for `src/owner.rs`), each re-exported
    /// whole.
    fn modules(&self) -> Vec<&'static str>;
    /// The items of `module`, one of [`Extension::modules`].
    fn module(&self, module: &str, api: &Api) -> TokenStream;
    /// The public items its modules define that follow from the description, for the
    /// crate's API surface.
    fn public_items(&self, api: &Api) -> Vec<ExtensionItem>;
}

/// A public item an extension's module defines, as the crate's API surface records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionItem {
    /// A struct of optional parameters, printed by `params_struct`: `Default`, a setter per
    /// field. Its fields as (name, type of the field).
    ParamsStruct {
        name: String,
        fields: Vec<(String, String)>,
        /// Where in the description it comes from.
        pointer: String,
        /// It is compiled when, for each of these gates, one of its features is on.
        gates: Vec<Vec<String>>,
    },
    /// A method, by path (`OwnerClient::list_packages`): its arguments after `&self` as
    /// (name, type), and what it returns.
    Method {
        path: String,
        arguments: Vec<(String, String)>,
        returns: String,
        pointer: String,
        gates: Vec<Vec<String>>,
    },
}
