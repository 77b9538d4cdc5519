//! The documents of the corpus that are genuinely broken, judged by hand: a refusal of one
//! of these is right. Every other refusal is a document the generator should take.

/// Document (as named in the report), and what is wrong with it.
pub const BROKEN: &[(&str, &str)] = &[
    (
        "api.video.json",
        "`\"pattern\": 0` at `#/components/schemas/video-thumbnail-pick-payload/properties/timecode`: a pattern is a string",
    ),
    (
        "enode.io.json",
        "the items of a parameter's schema are a `$ref` to `#/paths/~1vehicles~1%7BvehicleId%7D/get/parameters/1`, a Parameter Object",
    ),
    (
        "rumble.run.json",
        "a schema is a `$ref` to `#/components/responses/StatusMessage`, a Response Object",
    ),
    (
        "shutterstock.com.json",
        "two schemas are a `$ref` to `#/paths/~1v2~1images~1collections/post/x-code-samples/2/source` (and `3/source`), a string of JavaScript",
    ),
    (
        "swaggerhub.com.json",
        "a response is a `$ref` to `#/components/schemas/BadRequest`, a Schema Object",
    ),
];

/// Why `document` is broken, if it is known to be.
pub fn why(document: &str) -> Option<&'static str> {
    BROKEN.iter().find(|b| b.0 == document).map(|b| b.1)
}
