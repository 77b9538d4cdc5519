//! How parameter values are written into paths, queries, headers and cookies (OpenAPI's
//! `style` and `explode`, after RFC 6570), and how string enums are read.

use crate::error::Error;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::borrow::Cow;
use std::marker::PhantomData;

/// Everything but RFC 3986's unreserved characters is encoded, so that a value is always one
/// path segment or one query value: `/`, `?`, `#`, `%`, `&`, `=`, `,` and `\` can never act
/// as delimiters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn encode(text: &str) -> Cow<'_, str> {
    utf8_percent_encode(text, UNRESERVED).into()
}

/// A value that can be written as a path segment, query value or header value.
pub(crate) trait ParamValue {
    fn to_param(&self) -> Cow<'_, str>;
}

impl ParamValue for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

macro_rules! display_param {
    ($($ty:ty),*) => {
        $(impl ParamValue for $ty {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        })*
    };
}

display_param!(bool, i32, i64, f64, chrono::NaiveDate);

impl ParamValue for chrono::DateTime<chrono::Utc> {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

// The helpers below are each used only by specs that have what they encode (path
// parameters, query parameters, string enums, styles other than the defaults), so they may
// go unused.

/// How a list or an object is written (OpenAPI's `style`).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Form,
    Simple,
    Label,
    Matrix,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// A parameter's value as the styles see it: nothing (`null`), one value, a list, or an
/// object's members. Values nested deeper are written as JSON text.
#[allow(dead_code)]
pub(crate) enum Parts<'a> {
    Undefined,
    One(Cow<'a, str>),
    List(Vec<Cow<'a, str>>),
    Object(Vec<(String, Cow<'a, str>)>),
}

#[allow(dead_code)]
impl<'a> Parts<'a> {
    pub(crate) fn one<V: ParamValue + ?Sized>(value: &'a V) -> Self {
        Parts::One(value.to_param())
    }

    pub(crate) fn list<V: ParamValue>(values: &'a [V]) -> Self {
        Parts::List(values.iter().map(ParamValue::to_param).collect())
    }

    /// Any value, as its JSON form breaks into parts.
    pub(crate) fn serialized<T: serde::Serialize + ?Sized>(value: &T) -> Parts<'static> {
        fn text(value: serde_json::Value) -> Cow<'static, str> {
            match value {
                serde_json::Value::String(text) => Cow::Owned(text),
                other => Cow::Owned(other.to_string()),
            }
        }
        match serde_json::to_value(value).unwrap_or(serde_json::Value::Null) {
            serde_json::Value::Null => Parts::Undefined,
            serde_json::Value::Array(items) => Parts::List(items.into_iter().map(text).collect()),
            serde_json::Value::Object(members) => Parts::Object(
                members
                    .into_iter()
                    .filter(|(_, value)| !value.is_null())
                    .map(|(key, value)| (key, text(value)))
                    .collect(),
            ),
            scalar => Parts::One(text(scalar)),
        }
    }

    /// A value sent as JSON text (a parameter described by `content: application/json`).
    pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> Parts<'static> {
        Parts::One(Cow::Owned(serde_json::to_string(value).unwrap_or_default()))
    }

    /// The atoms in order: values, or an object's names and values.
    fn atoms(&self) -> Vec<&str> {
        match self {
            Parts::Undefined => Vec::new(),
            Parts::One(value) => vec![value],
            Parts::List(values) => values.iter().map(|v| v.as_ref()).collect(),
            Parts::Object(members) => members.iter().flat_map(|(k, v)| [k.as_str(), v.as_ref()]).collect(),
        }
    }
}

/// RFC 6570's expansion of `parts` for the path styles and headers: `prefix` before each
/// exploded item (`;` for matrix, `.` for label), and `named` when items carry the
/// parameter's name (matrix). `encode` writes each atom.
fn expand(name: &str, parts: &Parts, explode: bool, prefix: &str, named: bool, encode: fn(&str) -> Cow<'_, str>) -> String {
    let mut out = String::new();
    let joiner = if explode && !prefix.is_empty() { prefix } else { "," };
    match parts {
        Parts::Undefined => {
            out.push_str(prefix);
            if named {
                out.push_str(&encode(name));
            }
        }
        Parts::Object(members) if explode => {
            for (i, (key, value)) in members.iter().enumerate() {
                out.push_str(if i == 0 { prefix } else { joiner });
                out.push_str(&encode(key));
                out.push('=');
                out.push_str(&encode(value));
            }
        }
        Parts::List(values) if explode && named => {
            for value in values {
                out.push_str(prefix);
                out.push_str(&encode(name));
                out.push('=');
                out.push_str(&encode(value));
            }
        }
        _ => {
            out.push_str(prefix);
            if named {
                out.push_str(&encode(name));
                out.push('=');
            }
            let atoms: Vec<Cow<str>> = parts.atoms().into_iter().map(encode).collect();
            out.push_str(&atoms.join(joiner));
        }
    }
    out
}

/// Appends `value` to `path` as exactly one percent-encoded segment.
///
/// `.`, `..` and the empty string are refused: URL handling removes dot segments and
/// collapses empty ones, so they would reach a different resource.
#[allow(dead_code)]
pub(crate) fn push_path_segment<V: ParamValue + ?Sized>(
    path: &mut String,
    name: &'static str,
    value: &V,
) -> Result<(), Error> {
    push_path(path, name, Style::Simple, false, &Parts::one(value))
}

/// Appends a path parameter written in `style` (simple, label or matrix); what it writes
/// is refused, as by [`push_path_segment`], when it would not stay one segment.
#[allow(dead_code)]
pub(crate) fn push_path(path: &mut String, name: &'static str, style: Style, explode: bool, parts: &Parts) -> Result<(), Error> {
    let written = match style {
        Style::Matrix => expand(name, parts, explode, ";", true, encode),
        Style::Label => expand(name, parts, explode, ".", false, encode),
        _ => expand(name, parts, explode, "", false, encode),
    };
    if matches!(written.as_str(), "" | "." | "..") {
        let value = parts.atoms().join(",");
        return Err(Error::InvalidPathParameter { name, value });
    }
    path.push_str(&written);
    Ok(())
}

/// A header parameter's value (`simple` style); values are not percent-encoded.
#[allow(dead_code)]
pub(crate) fn header_value(explode: bool, parts: &Parts) -> String {
    fn verbatim(text: &str) -> Cow<'_, str> {
        Cow::Borrowed(text)
    }
    expand("", parts, explode, "", false, verbatim)
}

/// Sets a header parameter, replacing any value the client sends with every request: the
/// operation's value wins, and the header goes out once.
#[allow(dead_code)]
pub(crate) fn set_header(request: reqwest::RequestBuilder, name: &'static str, value: &str) -> reqwest::RequestBuilder {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
        (Ok(name), Ok(value)) => {
            let mut one = HeaderMap::new();
            one.insert(name, value);
            request.headers(one)
        }
        // Not a valid header: reqwest says so when the request is built.
        _ => request.header(name, value),
    }
}

/// Query pairs, in order, each already percent-encoded.
#[derive(Default)]
#[allow(dead_code)]
pub(crate) struct Query(Vec<String>);

#[allow(dead_code)]
impl Query {
    pub(crate) fn push<V: ParamValue + ?Sized>(&mut self, name: &str, value: &V) {
        self.0.push(format!("{}={}", encode(name), encode(&value.to_param())));
    }

    /// A list parameter, the name repeated (`form` style, `explode: true`).
    pub(crate) fn push_each<V: ParamValue>(&mut self, name: &str, values: &[V]) {
        for value in values {
            self.push(name, value);
        }
    }

    /// A parameter in any query style.
    pub(crate) fn push_styled(&mut self, name: &str, style: Style, explode: bool, parts: &Parts) {
        let delimiter = match style {
            Style::SpaceDelimited => "%20",
            Style::PipeDelimited => "%7C",
            _ => ",",
        };
        let pair = |key: &str, value: &str| format!("{}={}", encode(key), encode(value));
        match parts {
            Parts::Object(members) if style == Style::DeepObject => {
                for (key, value) in members {
                    self.0.push(format!("{}%5B{}%5D={}", encode(name), encode(key), encode(value)));
                }
            }
            Parts::Object(members) if explode => {
                self.0.extend(members.iter().map(|(key, value)| pair(key, value)));
            }
            Parts::List(values) if explode => {
                self.0.extend(values.iter().map(|value| pair(name, value)));
            }
            Parts::Undefined => self.0.push(format!("{}=", encode(name))),
            _ => {
                let atoms: Vec<Cow<str>> = parts.atoms().into_iter().map(encode).collect();
                self.0.push(format!("{}={}", encode(name), atoms.join(delimiter)));
            }
        }
    }

    /// Sets the URL's query; leaves it without `?` when there are no pairs.
    pub(crate) fn apply(self, url: &mut reqwest::Url) {
        if !self.0.is_empty() {
            url.set_query(Some(&self.0.join("&")));
        }
    }
}

/// Cookie parameters (`form` style), for one `Cookie` header.
#[derive(Default)]
#[allow(dead_code)]
pub(crate) struct Cookies(Vec<String>);

#[allow(dead_code)]
impl Cookies {
    pub(crate) fn push(&mut self, name: &str, explode: bool, parts: &Parts) {
        let pair = |key: &str, value: &str| format!("{}={}", encode(key), encode(value));
        match parts {
            Parts::Object(members) if explode => {
                self.0.extend(members.iter().map(|(key, value)| pair(key, value)));
            }
            Parts::List(values) if explode => {
                self.0.extend(values.iter().map(|value| pair(name, value)));
            }
            _ => {
                let atoms: Vec<Cow<str>> = parts.atoms().into_iter().map(encode).collect();
                self.0.push(format!("{}={}", encode(name), atoms.join(",")));
            }
        }
    }

    /// The `Cookie` header, when there is any cookie.
    pub(crate) fn apply(self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if self.0.is_empty() {
            request
        } else {
            request.header(reqwest::header::COOKIE, self.0.join("; "))
        }
    }
}

/// Reads a string enum from any string, borrowed or not, without allocating for the
/// values the description lists.
#[allow(dead_code)]
pub(crate) struct EnumVisitor<T>(PhantomData<T>);

#[allow(dead_code)]
impl<T> EnumVisitor<T> {
    pub(crate) fn new() -> Self {
        EnumVisitor(PhantomData)
    }
}

impl<T: for<'a> From<&'a str>> serde::de::Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// What every string enum of the models has besides its definition: the values on the wire,
/// conversions from and to strings, serde, and parameter encoding. One macro rather than
/// the same seven impls written out for each enum: a large description has thousands.
/// `$unknown` is the variant that keeps a value the description does not list.
#[allow(unused_macros)]
macro_rules! string_enum {
    ($name:ident, $unknown:ident, $(($variant:ident, $value:literal)),* $(,)?) => {
        impl $name {
            /// The values the API description lists.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $value,)*
                    $name::$unknown(value) => value.as_str(),
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => $name::$variant,)*
                    other => $name::$unknown(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok($name::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(crate::encoding::EnumVisitor::new())
            }
        }

        impl crate::encoding::ParamValue for $name {
            fn to_param(&self) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(self.as_str())
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;

#[cfg(test)]
mod tests {
    //! Every cell of the style table in OpenAPI 3.0.4, section 4.8.12.6 ("Style Examples"),
    //! for a parameter `color`: undefined, `"blue"`, `["blue", "black", "brown"]` and
    //! `{"R": 100, "G": 200, "B": 150}`. 3.0.4 corrects 3.0.3's label row, which
    //! contradicted RFC 6570 (`.blue.black.brown` for `explode: false`).
    use super::*;

    fn values() -> [Parts<'static>; 4] {
        [
            Parts::Undefined,
            Parts::One("blue".into()),
            Parts::List(vec!["blue".into(), "black".into(), "brown".into()]),
            Parts::Object(vec![("R".into(), "100".into()), ("G".into(), "200".into()), ("B".into(), "150".into())]),
        ]
    }

    fn path(style: Style, explode: bool) -> Vec<String> {
        values()
            .iter()
            .map(|parts| {
                let mut out = String::new();
                match push_path(&mut out, "color", style, explode, parts) {
                    Ok(()) => out,
                    Err(_) => "<refused>".to_owned(),
                }
            })
            .collect()
    }

    fn query(style: Style, explode: bool) -> Vec<String> {
        values()
            .iter()
            .map(|parts| {
                let mut query = Query::default();
                query.push_styled("color", style, explode, parts);
                query.0.join("&")
            })
            .collect()
    }

    #[test]
    fn matrix() {
        assert_eq!(path(Style::Matrix, false), [";color", ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"]);
        assert_eq!(path(Style::Matrix, true), [";color", ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"]);
    }

    #[test]
    fn label() {
        // The table's `.` for an undefined value is refused: alone in a segment, URL
        // handling removes it, and the request would reach another resource.
        assert_eq!(path(Style::Label, false), ["<refused>", ".blue", ".blue,black,brown", ".R,100,G,200,B,150"]);
        assert_eq!(path(Style::Label, true), ["<refused>", ".blue", ".blue.black.brown", ".R=100.G=200.B=150"]);
    }

    #[test]
    fn simple() {
        // The empty value is refused in a path (it would change which resource is reached);
        // in a header it is the empty string, as the table says.
        assert_eq!(path(Style::Simple, false), ["<refused>", "blue", "blue,black,brown", "R,100,G,200,B,150"]);
        assert_eq!(path(Style::Simple, true), ["<refused>", "blue", "blue,black,brown", "R=100,G=200,B=150"]);
        let headers = |explode| values().iter().map(|parts| header_value(explode, parts)).collect::<Vec<_>>();
        assert_eq!(headers(false), ["", "blue", "blue,black,brown", "R,100,G,200,B,150"]);
        assert_eq!(headers(true), ["", "blue", "blue,black,brown", "R=100,G=200,B=150"]);
    }

    #[test]
    fn form() {
        assert_eq!(query(Style::Form, false), ["color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"]);
        assert_eq!(query(Style::Form, true), ["color=", "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"]);
    }

    #[test]
    fn delimited_and_deep_object() {
        assert_eq!(query(Style::SpaceDelimited, false)[2..], ["color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"]);
        assert_eq!(query(Style::PipeDelimited, false)[2..], ["color=blue%7Cblack%7Cbrown", "color=R%7C100%7CG%7C200%7CB%7C150"]);
        assert_eq!(query(Style::DeepObject, true)[3], "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150");
    }

    #[test]
    fn delimiters_inside_values_are_encoded() {
        let mut query = Query::default();
        query.push_styled("q", Style::Form, false, &Parts::List(vec!["a,b".into(), "c&d=e".into(), "f g".into()]));
        assert_eq!(query.0, ["q=a%2Cb,c%26d%3De,f%20g"]);
        let mut segment = String::new();
        push_path(&mut segment, "p", Style::Label, false, &Parts::One(".".into())).unwrap_err();
        push_path(&mut segment, "p", Style::Simple, false, &Parts::One("a/b".into())).unwrap();
        assert_eq!(segment, "a%2Fb");
    }

    #[test]
    fn objects_break_into_members_and_nested_values_stay_json() {
        #[derive(serde::Serialize)]
        struct Color {
            r: u8,
            tags: Vec<&'static str>,
            note: Option<&'static str>,
        }
        let parts = Parts::serialized(&Color { r: 100, tags: vec!["a", "b"], note: None });
        let mut query = Query::default();
        query.push_styled("color", Style::DeepObject, true, &parts);
        assert_eq!(query.0, ["color%5Br%5D=100", "color%5Btags%5D=%5B%22a%22%2C%22b%22%5D"]);
    }
}
