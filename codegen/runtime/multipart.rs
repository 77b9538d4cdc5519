//! `multipart/form-data` bodies: files to upload, and the parts a body is written as.

use crate::encoding::ParamValue;
use crate::error::Error;
use std::fmt;

/// A file to upload: its bytes, and the name and media type to send with them.
///
/// ```
/// let file = __crate__::FilePart::new(b"{}".to_vec())
///     .file_name("config.json")
///     .content_type("application/json");
/// assert_eq!(file.len(), 2);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    data: bytes::Bytes,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl FilePart {
    pub fn new(data: impl Into<bytes::Bytes>) -> Self {
        FilePart {
            data: data.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// The `filename` of the part's `Content-Disposition`.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's `Content-Type`; without one, the description's, else
    /// `application/octet-stream`.
    pub fn content_type(mut self, media_type: impl Into<String>) -> Self {
        self.content_type = Some(media_type.into());
        self
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// The bytes are not shown: they may be large, or secret.
impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("len", &self.data.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A body being written part by part.
#[derive(Default)]
pub(crate) struct Multipart {
    form: reqwest::multipart::Form,
}

#[allow(dead_code)]
impl Multipart {
    /// A string, number or boolean, as text (`text/plain` unless `content_type` says else).
    pub(crate) fn text<V: ParamValue + ?Sized>(mut self, name: &'static str, value: &V, content_type: Option<&str>) -> Result<Self, Error> {
        let part = reqwest::multipart::Part::text(value.to_param().into_owned());
        self.form = self.form.part(name, with_type(part, content_type)?);
        Ok(self)
    }

    /// Any other value, as JSON (`application/json` unless `content_type` says else).
    pub(crate) fn json<T: serde::Serialize + ?Sized>(mut self, name: &'static str, value: &T, content_type: Option<&str>) -> Result<Self, Error> {
        let text = serde_json::to_vec(value).map_err(|error| Error::InvalidConfig(format!("part `{name}` cannot be written as JSON: {error}")))?;
        let part = reqwest::multipart::Part::bytes(text);
        self.form = self.form.part(name, with_type(part, content_type.or(Some("application/json")))?);
        Ok(self)
    }

    pub(crate) fn file(mut self, name: &'static str, file: &FilePart, content_type: Option<&str>) -> Result<Self, Error> {
        let mut part = reqwest::multipart::Part::stream(file.data.clone());
        if let Some(file_name) = &file.file_name {
            part = part.file_name(file_name.clone());
        }
        let media_type = file.content_type.as_deref().or(content_type).unwrap_or("application/octet-stream");
        self.form = self.form.part(name, with_type(part, Some(media_type))?);
        Ok(self)
    }

    pub(crate) fn finish(self) -> reqwest::multipart::Form {
        self.form
    }
}

fn with_type(part: reqwest::multipart::Part, content_type: Option<&str>) -> Result<reqwest::multipart::Part, Error> {
    match content_type {
        // The description may list several (`image/png, image/jpeg`): the first is sent.
        Some(media_type) => {
            let first = media_type.split(',').next().unwrap_or(media_type).trim();
            part.mime_str(first).map_err(|_| Error::InvalidConfig(format!("`{first}` is not a media type")))
        }
        None => Ok(part),
    }
}
