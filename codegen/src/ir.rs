//! The intermediate representation: the contract between `lower` and `emit`.
//!
//! Everything here is plain data. Every `$ref` is already resolved and every Rust name is
//! already decided, so `emit` never looks at the OpenAPI document and never invents a name.
//! The whole IR serialises (to YAML in the snapshot tests) so that a change in how a spec is
//! understood shows up as a readable diff, separately from a change in how code is printed.

use serde::{Serialize, Serializer};
use std::fmt;

/// One API: everything `emit` needs to print a client crate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Api {
    pub title: String,
    /// `info.version` of the description.
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    /// In document order (paths, then methods in the order GET, PUT, POST, DELETE, OPTIONS,
    /// HEAD, PATCH, TRACE).
    pub operations: Vec<Operation>,
    /// Sorted by name; names are unique.
    pub types: Vec<TypeDef>,
    /// One cargo feature per tag, sorted by name; empty when the description has one tag or
    /// none (or more than crates.io accepts), and then every operation is always compiled.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
    /// The credentials the description declares (`components.securitySchemes`) that the
    /// client can send, in document order. When empty, the client's token goes to every
    /// operation, as it did before descriptions declared schemes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_schemes: Vec<SecurityScheme>,
}

/// A security scheme by handle: its place in [`Api::security_schemes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SchemeId(pub usize);

/// One of `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityScheme {
    /// Its key in `components.securitySchemes`, e.g. `api_key`.
    pub name: String,
    /// The constant in the crate's `security.rs` that describes it, e.g. `API_KEY`.
    pub const_name: String,
    /// The `ClientBuilder` method that gives its credential, e.g. `api_key`.
    pub builder_method: String,
    /// A second `ClientBuilder` method: a bearer scheme's that takes a `TokenProvider`, an
    /// OAuth2 client-credentials scheme's that sets the token URL.
    pub companion_method: Option<String>,
    pub kind: SchemeKind,
    pub description: Option<String>,
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SchemeKind {
    /// `type: apiKey`: `name` in a header, the query or a cookie.
    ApiKey {
        location: ParameterLocation,
        name: String,
    },
    /// `type: http, scheme: basic`.
    Basic,
    /// A bearer token the user has: `type: http, scheme: bearer`, OAuth2 flows a person
    /// completes, `openIdConnect`.
    Bearer { source: BearerSource },
    /// OAuth2's `clientCredentials` flow: a token fetched from `token_url`.
    ClientCredentials {
        token_url: String,
        /// The scopes the description lists, with their descriptions.
        scopes: Vec<(String, String)>,
    },
}

/// Where a bearer scheme's token comes from, for the docs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum BearerSource {
    Http { format: Option<String> },
    OAuth2 { flows: Vec<String> },
    OpenIdConnect { url: String },
}

/// One way to authenticate an operation: every scheme listed, sent together, with the OAuth2
/// scopes each needs. Empty: no credentials needed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityRequirement(pub Vec<(SchemeId, Vec<String>)>);

/// An operation by handle: its place in [`Api::operations`], which keeps its order once
/// lowered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct OperationId(pub usize);

impl Api {
    /// The operation `id` stands for.
    pub fn operation(&self, id: OperationId) -> &Operation {
        &self.operations[id.0]
    }

    /// Every operation, with its handle.
    pub fn operations_with_ids(&self) -> impl Iterator<Item = (OperationId, &Operation)> {
        self.operations
            .iter()
            .enumerate()
            .map(|(i, operation)| (OperationId(i), operation))
    }

    /// The security scheme `id` stands for.
    pub fn scheme(&self, id: SchemeId) -> &SecurityScheme {
        &self.security_schemes[id.0]
    }

    /// The operations `feature` compiles.
    pub fn operations_of<'a>(
        &'a self,
        feature: &'a Feature,
    ) -> impl Iterator<Item = &'a Operation> {
        self.operations
            .iter()
            .filter(|o| o.gate.contains(&feature.name))
    }

    /// Every type name the crate defines: models, parameter structs and success enums.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        let models = self.types.iter().map(|t| t.name.as_str());
        let per_operation = self.operations.iter().flat_map(|o| {
            let success = match &o.success {
                Success::Enum { type_name, .. } => Some(type_name.as_str()),
                Success::Single { .. } => None,
            };
            o.optional_params_type.as_deref().into_iter().chain(success)
        });
        models.chain(per_operation)
    }
}

/// A cargo feature of the generated crate: the operations of one tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub name: String,
    /// The tag as written; `None` for the operations that have none.
    pub tag: Option<String>,
    /// The tag's description, from the document's `tags`.
    pub description: Option<String>,
    /// The features this one turns on: those of the tags that name its tag their `parent`
    /// (OpenAPI 3.2), so that turning on a group turns on all of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
}

/// The features any one of which compiles an item; empty when the item is always compiled.
pub type Gate = Vec<String>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Server {
    /// The URL template as written, e.g. `{protocol}://{hostname}/api/v3`.
    pub url: String,
    /// For a server with variables: the `ClientBuilder` method that selects it, e.g.
    /// `github_enterprise_server`.
    pub builder_method: Option<String>,
    pub description: Option<String>,
    pub variables: Vec<ServerVariable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerVariable {
    pub name: String,
    /// The argument of the server's builder method that sets it.
    pub rust_name: String,
    pub default: String,
    /// Empty when any value is allowed.
    pub allowed: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// As written in the spec, e.g. `packages/delete-package-for-org`.
    pub operation_id: String,
    /// The Rust method name, e.g. `delete_package_for_org`.
    pub method_name: String,
    pub http_method: HttpMethod,
    /// The path template as written, e.g. `/orgs/{org}/packages`.
    pub path: String,
    pub path_segments: Vec<PathSegment>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub docs_url: Option<String>,
    pub deprecated: bool,
    /// The operation's tags, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The features that compile the operation (its tags').
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gate: Gate,
    /// Path parameters in the order they appear in the template, then query parameters, then
    /// header parameters, each group in spec order.
    pub parameters: Vec<Parameter>,
    /// The struct that carries the optional parameters, when there are any. It derives
    /// the traits `emit` gives every parameter struct and has a setter per parameter, named like its field.
    pub optional_params_type: Option<String>,
    pub request_body: Option<RequestBody>,
    pub responses: Vec<Response>,
    pub success: Success,
    /// Set for list operations paged with `Link` headers (a profile says which those are).
    pub pagination: Option<Pagination>,
    /// The ways the description allows to authenticate it, in order; empty when it needs no
    /// credentials. `None` when the description declares no schemes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Vec<SecurityRequirement>>,
    /// Where the operation is defined, as a JSON pointer.
    pub pointer: String,
}

/// A list operation also gets a method that streams every item of every page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pagination {
    pub stream_method: String,
    /// The private method that builds the first page's URL, shared by both methods.
    pub url_method: String,
    pub item: TypeRef,
}

impl Operation {
    pub fn parameters_in(&self, location: ParameterLocation) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(move |p| p.location == location)
    }

    /// The body of the stream a successful call answers with, when it is one: items read
    /// as they arrive instead of a body read whole.
    pub fn stream(&self) -> Option<&ResponseBody> {
        match &self.success {
            Success::Single { body: Some(body) } if body.encoding.is_sequential() => Some(body),
            _ => None,
        }
    }

    /// The successful (2XX) responses.
    pub fn successes(&self) -> impl Iterator<Item = &Response> {
        self.responses.iter().filter(|r| r.status.is_success())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
    /// OpenAPI 3.2's `query`: a safe request with a body.
    Query,
    /// Any other method (3.2's `additionalOperations`), as sent: an RFC 9110 token.
    Other(String),
}

impl HttpMethod {
    pub fn as_str(&self) -> &str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
            HttpMethod::Query => "QUERY",
            HttpMethod::Other(method) => method,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PathSegment {
    /// Literal text, sent as written.
    Literal(String),
    /// A path parameter, by its Rust name; sent percent-encoded as one segment.
    Parameter(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    Path,
    Query,
    Header,
    Cookie,
}

/// How a parameter's value is written: OpenAPI's `style` (RFC 6570 expansions and a few of
/// its own), or `content: application/json` for a value sent as JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParameterStyle {
    Form,
    Simple,
    Label,
    Matrix,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    Json,
    /// OpenAPI 3.2's `in: querystring` described as JSON: the whole query string is the
    /// value's JSON text, percent-encoded. (As form fields it is `Form`, exploded.)
    QueryStringJson,
    /// `in: querystring` described as text: the whole query string is the text given,
    /// percent-encoded.
    QueryStringText,
}

impl ParameterStyle {
    /// Whether the parameter is the whole query string, not a field of it.
    pub fn is_query_string(self) -> bool {
        matches!(
            self,
            ParameterStyle::QueryStringJson | ParameterStyle::QueryStringText
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// The name on the wire.
    pub name: String,
    pub rust_name: String,
    pub location: ParameterLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub style: ParameterStyle,
    /// Whether lists and objects are written as several values (`explode`).
    pub explode: bool,
    /// The value the server assumes when the parameter is omitted.
    pub default: Option<serde_json::Value>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// A credential (a `token` query parameter, say): never shown by `Debug`.
    pub sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    pub media_type: String,
    pub encoding: Encoding,
    pub ty: TypeRef,
    pub required: bool,
    pub description: Option<String>,
    /// For `multipart/*`: the parts, by property.
    pub parts: Vec<Part>,
}

/// One part of a `multipart/*` body: a property of the body's schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The part's name on the wire (`Content-Disposition: form-data; name=...`).
    pub name: String,
    /// The field of the body struct that holds it.
    pub rust_name: String,
    /// The field's type (without the `Option` of a part that is not required).
    pub ty: TypeRef,
    pub required: bool,
    /// How its value is written.
    pub content: PartContent,
    /// Each item of a list is a part of its own, under the same name.
    pub repeated: bool,
    /// The `Content-Type` the description gives it (`encoding`), if any.
    pub content_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartContent {
    /// A string, number or boolean, as text (`text/plain`).
    Text,
    /// Bytes with an optional file name (`format: binary`; `application/octet-stream`).
    File,
    /// Anything else, as JSON (`application/json`).
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    pub status: Status,
    pub description: String,
    /// `None` when the response has no content.
    pub body: Option<ResponseBody>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseBody {
    pub media_type: String,
    pub encoding: Encoding,
    pub ty: TypeRef,
}

/// How a body is written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// `application/json` and `*+json`: serde_json.
    Json,
    /// `text/*`: a `String`.
    Text,
    /// `application/x-www-form-urlencoded` (request bodies only).
    Form,
    /// `multipart/*` (request bodies only): a part per property.
    Multipart,
    /// Anything else: raw bytes.
    Binary,
    /// `text/event-stream` (responses only): server-sent events read as they arrive, the
    /// body's type being each event's `data`.
    EventStream,
    /// `application/jsonl`, `application/x-ndjson` (responses only): a JSON value per line,
    /// read as they arrive, the body's type being each value's.
    JsonLines,
    /// `application/json-seq` (responses only): JSON text sequences (RFC 7464), likewise.
    JsonSeq,
}

impl Encoding {
    /// Whether a body so encoded is a sequence of items, read and handed over as each
    /// arrives rather than whole.
    pub fn is_sequential(self) -> bool {
        matches!(
            self,
            Encoding::EventStream | Encoding::JsonLines | Encoding::JsonSeq
        )
    }
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Success {
    /// Every success status has this body (or none).
    Single { body: Option<ResponseBody> },
    /// The success statuses have different bodies: a per-operation enum with a variant for
    /// each status.
    Enum {
        type_name: String,
        variants: Vec<SuccessVariant>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuccessVariant {
    pub status: Status,
    pub rust_name: String,
    pub body: Option<ResponseBody>,
    /// The body is held in a `Box`: much larger than the other variants'.
    pub boxed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Code(u16),
    /// `4XX` is `Range(4)`.
    Range(u16),
    Default,
}

impl Status {
    pub fn is_success(self) -> bool {
        match self {
            Status::Code(code) => (200..300).contains(&code),
            Status::Range(class) => class == 2,
            Status::Default => false,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Code(code) => write!(f, "{code}"),
            Status::Range(class) => write!(f, "{class}XX"),
            Status::Default => f.write_str("default"),
        }
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A Rust type, by structure. Prints as the Rust type it becomes (`Vec<Package>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    Bool,
    I32,
    I64,
    F64,
    String,
    DateTime,
    Date,
    /// Any JSON value: a schema with no type.
    Json,
    /// Raw bytes: a body that is neither JSON nor text.
    Bytes,
    /// A file to upload in a `multipart/*` body: bytes, with a file name and media type.
    File,
    /// A type in [`Api::types`], by name.
    Named(String),
    Vec(Box<TypeRef>),
    /// A JSON object with arbitrary keys (`additionalProperties`).
    Map(Box<TypeRef>),
    Option(Box<TypeRef>),
}

impl TypeRef {
    pub fn option(inner: TypeRef) -> TypeRef {
        TypeRef::Option(Box::new(inner))
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Bool => f.write_str("bool"),
            TypeRef::I32 => f.write_str("i32"),
            TypeRef::I64 => f.write_str("i64"),
            TypeRef::F64 => f.write_str("f64"),
            TypeRef::String => f.write_str("String"),
            TypeRef::DateTime => f.write_str("DateTime"),
            TypeRef::Date => f.write_str("Date"),
            TypeRef::Json => f.write_str("Json"),
            TypeRef::Bytes => f.write_str("Bytes"),
            TypeRef::File => f.write_str("File"),
            TypeRef::Named(name) => f.write_str(name),
            TypeRef::Vec(inner) => write!(f, "Vec<{inner}>"),
            TypeRef::Map(inner) => write!(f, "Map<{inner}>"),
            TypeRef::Option(inner) => write!(f, "Option<{inner}>"),
        }
    }
}

impl Serialize for TypeRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A named type the client defines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDef {
    pub name: String,
    pub description: Option<String>,
    /// Where the type was first defined, as a JSON pointer.
    pub pointer: String,
    pub kind: TypeKind,
    /// The features of the operations that reach the type: it is compiled when any is on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gate: Gate,
    /// A parameter or a request body reaches it: users build values of it, so a struct gets
    /// a constructor and setters.
    #[serde(skip_serializing_if = "is_false")]
    pub input: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    Struct {
        fields: Vec<Field>,
        /// Keys beyond `fields` (`additionalProperties` next to `properties`).
        additional_properties: Option<TypeRef>,
    },
    /// `oneOf` or `anyOf`: one of several types. Decoded by trying each in order, or, with a
    /// discriminator, by the value of that property.
    OneOf {
        variants: Vec<OneOfVariant>,
        discriminator: Option<Discriminator>,
    },
    /// A string enum. The emitted type also has a variant that keeps values the description
    /// did not list, so that a value the server adds later does not fail a whole response.
    Enum {
        variants: Vec<Variant>,
        /// The name of that catch-all variant; never the name of a listed variant.
        unknown_variant: String,
    },
    /// A named schema that is another type under a new name (`type: array` components).
    Alias { target: TypeRef },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// The name on the wire.
    pub name: String,
    pub rust_name: String,
    /// The type of a present, non-null value.
    pub ty: TypeRef,
    /// The key is always present (it may still be `null` when `nullable`).
    pub required: bool,
    pub nullable: bool,
    /// The field must be boxed to give a recursive type a finite size.
    pub boxed: bool,
    pub description: Option<String>,
    pub deprecated: bool,
    /// The method that sets it on a struct with a constructor (an input type's optional
    /// field), named like the field unless a method of the struct takes that name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setter: Option<String>,
}

impl Field {
    /// The field's type in the emitted struct.
    pub fn rust_type(&self) -> TypeRef {
        if self.required && !self.nullable {
            self.ty.clone()
        } else {
            TypeRef::option(self.ty.clone())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneOfVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    /// Held in a `Box`: much larger than the enum's other variants.
    pub boxed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discriminator {
    /// The property whose value picks the variant.
    pub property: String,
    /// Property value -> variant `rust_name`.
    pub mapping: Vec<(String, String)>,
    /// The catch-all variant for values not in `mapping`, keeping the JSON as sent.
    pub unknown_variant: String,
    /// The variant of a value not in `mapping`, or without the property (OpenAPI 3.2's
    /// `defaultMapping`); one that does not decode as it is kept in `unknown_variant`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_variant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// The value on the wire.
    pub value: String,
    pub rust_name: String,
}
