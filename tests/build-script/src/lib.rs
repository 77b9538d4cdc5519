//! A crate that generates the client of its API in `build.rs` (see `codegen::build_script`)
//! and includes it as a module, with a function of its own on top.

/// The pet store's client, generated from `api.yaml` by the build script.
pub mod petstore {
    include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
}

/// A client of streamed answers (`tests/specs/openapi32/streams.32.yaml`), generated likewise.
pub mod streams {
    include!(concat!(env!("OUT_DIR"), "/streams.rs"));
}

use petstore::{Client, Error, Kind, ListPetsParams};

/// The names of a store's pets of one kind, on the first page.
pub async fn pet_names(client: &Client, store: &str, kind: Kind) -> Result<Vec<String>, Error> {
    let page = client
        .list_pets(store, &ListPetsParams::default().kind(kind).limit(50))
        .await?;
    Ok(page
        .body()
        .pets
        .iter()
        .map(|pet| pet.name.clone())
        .collect())
}
