//! Generates the pet store's client into `$OUT_DIR/petstore.rs`, as a user's build script
//! would: warnings denied, since this description is ours to keep clean.

fn main() {
    codegen::BuildScript::new("api.yaml")
        .module_name("petstore")
        .deny_warnings(true)
        .run();
    // A client whose every operation answers with a stream: the runtime's streaming parts
    // in the module form too.
    codegen::BuildScript::new("../specs/openapi32/streams.32.yaml")
        .module_name("streams")
        .deny_warnings(true)
        .run();
}
