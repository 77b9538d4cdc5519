//! `openapi-rust-gen`: the generator for a description of your own, installed with
//! `cargo install --locked --path codegen/cli`. The same command line as
//! `cargo xtask generate`, without the workspace's defaults.

use openapi_rust_gen::CommandLine;
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  openapi-rust-gen --spec PATH --out DIR [--guide MD] [--crate-name NAME]
                   [--crate-version X.Y.Z] [--profile github|generic|auto]
                   [--deny-warnings] [--check] [--report FILE] [--deny-breaking]
      Generate a client crate from an OpenAPI 3.0, 3.1 or 3.2 description, JSON or YAML, into
      DIR, replacing it as a whole (or not at all). The crate is named after DIR unless
      --crate-name gives another; --guide MD becomes its documentation.
      --profile picks the vendor conventions the client follows; it defaults to auto,
      which detects them from the description's servers and says so. Warnings are
      printed and generation goes on, unless --deny-warnings. With --check, write nothing
      and fail, showing a diff, if the output on disk is stale.
      Every run compares the crate's public API with the one the crate in --out was
      generated with (its api-surface.json) and prints each change with its class under
      Cargo's SemVer rules and the version they call for; --report FILE writes that
      report (Markdown) to FILE. --deny-breaking fails, writing nothing, when the changes
      call for a breaking release or the previous surface cannot be read. The crate keeps
      the version it was generated with unless --crate-version gives another.
  openapi-rust-gen --help | --version

exit codes: 0 success, 1 bad spec / stale output / refused regeneration, 2 bad usage";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    openapi_rust_gen::run(
        &args,
        &CommandLine {
            name: "openapi-rust-gen",
            usage: USAGE,
            regenerate: "run the same command without --check",
            defaults: None,
        },
    )
}
