//! Responses read as they arrive: server-sent events (`text/event-stream`) and sequences of
//! JSON values (`application/jsonl`, `application/x-ndjson`, `application/json-seq`). Each
//! item is decoded as soon as its last byte arrives, so the first reaches the caller long
//! before a stream that never ends would have; memory is bounded per item (by
//! [`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)), not per
//! stream.
//!
//! A stream is never sent again once the server answered with a success: by then items may
//! have been handed over, and a new request would repeat them. Dropping a stream closes the
//! connection. Hooks see the status and headers of a streamed answer, never its body; the
//! response cache does not apply; the call's tracing span ends when the stream does. A
//! client-wide timeout (`ClientBuilder::timeout`) bounds the whole call, stream included.

use crate::error::{DecodeError, Error};
use crate::trace::Span;
use bytes::{Buf, Bytes, BytesMut};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// One server-sent event: its `data` decoded, and the fields that came with it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event<T> {
    /// The `id` field of this event, else the last one the stream gave (what a reconnection
    /// would send as `Last-Event-ID`).
    pub id: Option<String>,
    /// The `event` field: the event's type, `None` for the default (`message`).
    pub event: Option<String>,
    /// The `retry` field, when this event set one: how long the server asks a client to wait
    /// before reconnecting.
    pub retry: Option<Duration>,
    pub data: T,
}

/// A successful answer whose body is still arriving, as `Client::send_streaming` hands it
/// over.
pub(crate) struct Opened {
    pub(crate) response: crate::client::RawResponse,
    pub(crate) body: reqwest::Response,
    pub(crate) span: Span,
    pub(crate) attempts: u32,
    pub(crate) limit: usize,
}

/// How an item's bytes become a value.
pub(crate) type Decode<T> = fn(&[u8]) -> Result<T, serde_path_to_error::Error<serde_json::Error>>;

/// An item as JSON.
// Used only by crates with JSON items.
#[allow(dead_code)]
pub(crate) fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(bytes))
}

/// An item as text: an event's data described as a string, or not described. Invalid UTF-8
/// is replaced, not an error.
// Used only by crates with text events.
#[allow(dead_code)]
pub(crate) fn text(bytes: &[u8]) -> Result<String, serde_path_to_error::Error<serde_json::Error>> {
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

type NextChunk = Pin<Box<dyn Future<Output = (reqwest::Response, reqwest::Result<Option<Bytes>>)> + Send>>;

/// What both kinds of stream share: the body arriving chunk by chunk, the bytes not yet
/// made into an item, and the end of the call's span.
struct Incoming {
    /// The body, while a chunk is not being awaited.
    body: Option<reqwest::Response>,
    next: Option<NextChunk>,
    buffer: BytesMut,
    limit: usize,
    status: StatusCode,
    headers: HeaderMap,
    span: Span,
    attempts: u32,
    ended: bool,
}

/// What the body gave when polled.
enum Arrival {
    Chunk,
    End,
}

impl Incoming {
    fn new(opened: Opened) -> (crate::client::RawResponse, Incoming) {
        let Opened { response, body, span, attempts, limit } = opened;
        let incoming = Incoming {
            body: Some(body),
            next: None,
            buffer: BytesMut::new(),
            limit,
            status: response.status(),
            headers: response.headers().clone(),
            span,
            attempts,
            ended: false,
        };
        (response, incoming)
    }

    /// Appends the next chunk to the buffer, or says the body ended.
    fn poll_arrival(&mut self, cx: &mut Context<'_>) -> Poll<Result<Arrival, Error>> {
        if self.next.is_none() {
            let Some(mut body) = self.body.take() else {
                return Poll::Ready(Ok(Arrival::End));
            };
            self.next = Some(Box::pin(async move {
                let chunk = body.chunk().await;
                (body, chunk)
            }));
        }
        let Some(next) = self.next.as_mut() else {
            return Poll::Ready(Ok(Arrival::End));
        };
        let (body, chunk) = match next.as_mut().poll(cx) {
            Poll::Ready(arrived) => arrived,
            Poll::Pending => return Poll::Pending,
        };
        self.next = None;
        match chunk {
            Ok(Some(chunk)) => {
                self.body = Some(body);
                self.buffer.extend_from_slice(&chunk);
                Poll::Ready(Ok(Arrival::Chunk))
            }
            Ok(None) => Poll::Ready(Ok(Arrival::End)),
            Err(error) => Poll::Ready(Err(Error::transport(error))),
        }
    }

    fn too_large(&self) -> Error {
        Error::TooLarge { status: self.status, limit: self.limit }
    }

    fn decode<T>(&self, decode: Decode<T>, bytes: &[u8]) -> Result<T, Error> {
        decode(bytes).map_err(|error| Error::Decode(Box::new(DecodeError::new(self.status, self.headers.clone(), &error, bytes))))
    }

    /// The body ended with `partial` not yet a whole item.
    fn cut_short(&self, partial: &[u8]) -> Error {
        Error::Decode(Box::new(DecodeError::incomplete(self.status, self.headers.clone(), partial)))
    }

    /// Ends the stream: no more items, the connection closed, the span ended.
    fn end(&mut self, error: Option<&Error>) {
        if !self.ended {
            self.ended = true;
            self.next = None;
            self.body = None;
            self.buffer = BytesMut::new();
            self.span.end(Some(self.status), error, Some(self.attempts));
        }
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        self.end(None);
    }
}

/// Server-sent events (`text/event-stream`, as the HTML standard reads them), each
/// [`Event`]'s data decoded as `T`. A stream of `Result`s: an item that does not decode is
/// an error in its place and the stream goes on; a transport failure, an event larger than
/// the client's limit or a body that ends in the middle of an event ends it with an error.
/// Use `futures::StreamExt` to consume it.
pub struct EventStream<T> {
    incoming: Incoming,
    decode: Decode<T>,
    fields: EventFields,
    _items: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").field("status", &self.incoming.status).field("ended", &self.incoming.ended).finish_non_exhaustive()
    }
}

/// The fields of the event being read, and what carries over from one event to the next.
#[derive(Default)]
struct EventFields {
    data: BytesMut,
    /// Whether a `data` field was read since the last event: an event without one is
    /// not dispatched.
    has_data: bool,
    event: Option<String>,
    retry: Option<Duration>,
    /// Whether anything of an event was read since the last one ended.
    started: bool,
    last_id: Option<String>,
    /// A line ended with `\r` at the end of what had arrived: a `\n` first in the next chunk
    /// belongs to it.
    after_cr: bool,
    /// The byte order mark, allowed once at the start, has been looked for.
    past_start: bool,
}

impl<T> EventStream<T> {
    // Used only by crates with server-sent events.
    #[allow(dead_code)]
    pub(crate) fn new(opened: Opened, decode: Decode<T>) -> crate::client::Response<EventStream<T>> {
        let (response, incoming) = Incoming::new(opened);
        let stream = EventStream { incoming, decode, fields: EventFields::default(), _items: PhantomData };
        response.streaming(stream)
    }

    /// The next whole event among the bytes that have arrived, if there is one.
    fn next_event(&mut self) -> Option<Result<Event<T>, Error>> {
        let fields = &mut self.fields;
        let buffer = &mut self.incoming.buffer;
        if !fields.past_start {
            if buffer.len() < 3 && b"\xEF\xBB\xBF".starts_with(buffer) && !buffer.is_empty() {
                return None;
            }
            if buffer.starts_with(b"\xEF\xBB\xBF") {
                buffer.advance(3);
            }
            fields.past_start = !buffer.is_empty();
        }
        loop {
            if fields.after_cr && buffer.first() == Some(&b'\n') {
                buffer.advance(1);
            }
            fields.after_cr = false;
            let end = buffer.iter().position(|byte| *byte == b'\n' || *byte == b'\r')?;
            let line = buffer.split_to(end);
            let terminator = buffer[0];
            buffer.advance(1);
            fields.after_cr = terminator == b'\r';
            if line.is_empty() {
                if !fields.has_data {
                    fields.event = None;
                    fields.retry = None;
                    fields.started = false;
                    continue;
                }
                return Some(self.dispatch());
            }
            fields.started = true;
            if line[0] == b':' {
                continue;
            }
            let (name, value) = match line.iter().position(|byte| *byte == b':') {
                Some(colon) => {
                    let value = &line[colon + 1..];
                    (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
                }
                None => (&line[..], &[][..]),
            };
            match name {
                b"data" => {
                    if fields.has_data {
                        fields.data.extend_from_slice(b"\n");
                    }
                    fields.data.extend_from_slice(value);
                    fields.has_data = true;
                }
                b"event" => fields.event = Some(String::from_utf8_lossy(value).into_owned()),
                b"id" if !value.contains(&0) => fields.last_id = Some(String::from_utf8_lossy(value).into_owned()),
                b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                    if let Ok(millis) = std::str::from_utf8(value).unwrap_or_default().parse() {
                        fields.retry = Some(Duration::from_millis(millis));
                    }
                }
                _ => {}
            }
            if fields.data.len() > self.incoming.limit {
                return Some(Err(self.incoming.too_large()));
            }
        }
    }

    fn dispatch(&mut self) -> Result<Event<T>, Error> {
        let fields = &mut self.fields;
        let data = std::mem::take(&mut fields.data);
        fields.has_data = false;
        fields.started = false;
        let event = fields.event.take().filter(|name| !name.is_empty());
        let retry = fields.retry.take();
        let id = fields.last_id.clone().filter(|id| !id.is_empty());
        let data = self.incoming.decode(self.decode, &data)?;
        Ok(Event { id, event, retry, data })
    }

    /// Whether the body ended in the middle of an event: a line not ended, or fields read
    /// since the last blank line.
    fn partial(&self) -> Option<Vec<u8>> {
        let fields = &self.fields;
        if self.incoming.buffer.is_empty() && !fields.started {
            return None;
        }
        let mut partial = fields.data.to_vec();
        partial.extend_from_slice(&self.incoming.buffer);
        Some(partial)
    }
}

impl<T> futures_core::Stream for EventStream<T> {
    type Item = Result<Event<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.incoming.ended {
                return Poll::Ready(None);
            }
            match this.next_event() {
                Some(Err(error @ Error::TooLarge { .. })) => {
                    this.incoming.end(Some(&error));
                    return Poll::Ready(Some(Err(error)));
                }
                Some(item) => return Poll::Ready(Some(item)),
                None => {}
            }
            if this.incoming.buffer.len() + this.fields.data.len() > this.incoming.limit {
                let error = this.incoming.too_large();
                this.incoming.end(Some(&error));
                return Poll::Ready(Some(Err(error)));
            }
            match this.incoming.poll_arrival(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(Arrival::Chunk)) => {}
                Poll::Ready(Ok(Arrival::End)) => {
                    let cut = this.partial().map(|partial| this.incoming.cut_short(&partial));
                    this.incoming.end(cut.as_ref());
                    return Poll::Ready(cut.map(Err));
                }
                Poll::Ready(Err(error)) => {
                    this.incoming.end(Some(&error));
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}

/// How the values of a JSON sequence are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Used only by crates with JSON sequences, each by crates with its kind.
#[allow(dead_code)]
pub(crate) enum Framing {
    /// JSON Lines (`application/jsonl`, `application/x-ndjson`): a value per line.
    Lines,
    /// JSON text sequences (RFC 7464, `application/json-seq`): each value after a record
    /// separator (`0x1E`) and ended by a line feed.
    RecordSeparated,
}

const RECORD_SEPARATOR: u8 = 0x1E;

/// A sequence of JSON values (JSON Lines or RFC 7464 JSON text sequences), each decoded as
/// `T`. A stream of `Result`s: a value that does not decode is an error in its place and the
/// stream goes on; a transport failure, a value larger than the client's limit or a body
/// that ends in the middle of a value ends it with an error. Use `futures::StreamExt` to
/// consume it.
pub struct JsonStream<T> {
    incoming: Incoming,
    decode: Decode<T>,
    framing: Framing,
    /// How far the buffer has been searched for the end of the value being read.
    searched: usize,
    _items: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for JsonStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonStream").field("status", &self.incoming.status).field("framing", &self.framing).field("ended", &self.incoming.ended).finish_non_exhaustive()
    }
}

impl<T> JsonStream<T> {
    // Used only by crates with JSON sequences.
    #[allow(dead_code)]
    pub(crate) fn new(opened: Opened, decode: Decode<T>, framing: Framing) -> crate::client::Response<JsonStream<T>> {
        let (response, incoming) = Incoming::new(opened);
        let stream = JsonStream { incoming, decode, framing, searched: 0, _items: PhantomData };
        response.streaming(stream)
    }

    /// The next whole value among the bytes that have arrived, if there is one.
    fn next_value(&mut self) -> Option<Result<T, Error>> {
        loop {
            let buffer = &mut self.incoming.buffer;
            let start = buffer.iter().position(|byte| !is_blank(*byte) && *byte != RECORD_SEPARATOR);
            let Some(start) = start else {
                buffer.clear();
                self.searched = 0;
                return None;
            };
            if start > 0 {
                buffer.advance(start);
                self.searched = self.searched.saturating_sub(start);
            }
            let end = match self.framing {
                Framing::Lines => {
                    let found = buffer[self.searched..].iter().position(|byte| *byte == b'\n');
                    self.searched = found.map_or(buffer.len(), |at| self.searched + at);
                    found.map(|_| self.searched)
                }
                // A value may hold line feeds; it ends at a line feed after which what came
                // is whole JSON, or where the next record begins.
                Framing::RecordSeparated => {
                    let mut end = None;
                    while let Some(at) = buffer[self.searched..].iter().position(|byte| *byte == b'\n' || *byte == RECORD_SEPARATOR) {
                        let at = self.searched + at;
                        self.searched = at + 1;
                        if buffer[at] == RECORD_SEPARATOR || serde_json::from_slice::<serde::de::IgnoredAny>(&buffer[..at]).is_ok() {
                            end = Some(at);
                            break;
                        }
                    }
                    end
                }
            };
            let Some(end) = end else {
                if buffer.len() > self.incoming.limit {
                    return Some(Err(self.incoming.too_large()));
                }
                return None;
            };
            let value = buffer.split_to(end);
            self.searched = 0;
            let value = value.strip_suffix(b"\r").unwrap_or(&value);
            if value.iter().all(|byte| is_blank(*byte)) {
                continue;
            }
            return Some(self.incoming.decode(self.decode, value));
        }
    }

    /// What is left when the body ends: a last line without its line feed is a value of
    /// JSON Lines (if it decodes); anything else left is a value cut short.
    fn rest(&mut self) -> Option<Result<T, Error>> {
        let rest = std::mem::take(&mut self.incoming.buffer);
        if rest.iter().all(|byte| is_blank(*byte) || *byte == RECORD_SEPARATOR) {
            return None;
        }
        match self.framing {
            Framing::Lines => {
                let decoded = self.incoming.decode(self.decode, &rest);
                Some(decoded.map_err(|_| self.incoming.cut_short(&rest)))
            }
            Framing::RecordSeparated => Some(Err(self.incoming.cut_short(&rest))),
        }
    }
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

impl<T> futures_core::Stream for JsonStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.incoming.ended {
                return Poll::Ready(None);
            }
            match this.next_value() {
                Some(Err(error @ Error::TooLarge { .. })) => {
                    this.incoming.end(Some(&error));
                    return Poll::Ready(Some(Err(error)));
                }
                Some(item) => return Poll::Ready(Some(item)),
                None => {}
            }
            match this.incoming.poll_arrival(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(Arrival::Chunk)) => {}
                Poll::Ready(Ok(Arrival::End)) => {
                    let last = this.rest();
                    this.incoming.end(last.as_ref().and_then(|last| last.as_ref().err()));
                    return Poll::Ready(last);
                }
                Poll::Ready(Err(error)) => {
                    this.incoming.end(Some(&error));
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}
