//! How parameter values are written into paths, queries and headers, and how string enums
//! are read.

use crate::error::Error;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::borrow::Cow;
use std::marker::PhantomData;

/// Everything but RFC 3986's unreserved characters is encoded, so that a value is always one
/// path segment: `/`, `?`, `#`, `%` and `\` can never act as delimiters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

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
// parameters, query parameters, string enums), so they may go unused.

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
    let value = value.to_param();
    if matches!(value.as_ref(), "" | "." | "..") {
        return Err(Error::InvalidPathParameter {
            name,
            value: value.into_owned(),
        });
    }
    path.extend(utf8_percent_encode(&value, PATH_SEGMENT));
    Ok(())
}

/// Query pairs, in order; a list parameter is repeated (`form` style, `explode: true`).
#[derive(Default)]
#[allow(dead_code)]
pub(crate) struct Query(Vec<(&'static str, String)>);

#[allow(dead_code)]
impl Query {
    pub(crate) fn push<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.0.push((name, value.to_param().into_owned()));
    }

    pub(crate) fn push_each<V: ParamValue>(&mut self, name: &'static str, values: &[V]) {
        for value in values {
            self.push(name, value);
        }
    }

    /// Sets the URL's query; leaves it without `?` when there are no pairs.
    pub(crate) fn apply(self, url: &mut reqwest::Url) {
        if !self.0.is_empty() {
            url.query_pairs_mut().extend_pairs(self.0);
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
