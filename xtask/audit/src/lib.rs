//! Drift audit: how a hand-maintained spec differs from an official description.
//!
//! Compares the operations both describe (all of ours, and the official ones tagged like
//! ours): paths, methods, operationIds, parameters (required, type, format, enum values,
//! default), response statuses with their schemas, and every schema they reach, property by
//! property. Works on plain JSON values so that it sees exactly what each document says.
//!
//! Upkeep of this project's fragment, not generation: it lives beside `xtask`, which reads
//! the files, and out of the generator library.

use codegen::Diagnostic;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One way the two documents disagree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// What differs, e.g. `GET /orgs/{org}/packages parameter query visibility`.
    pub place: String,
    /// Which aspect, e.g. `enum`, `default`, `presence`.
    pub field: String,
    pub ours: String,
    pub official: String,
}

/// A difference that is intended, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowed {
    pub place: String,
    pub field: String,
    pub reason: String,
}

impl Allowed {
    /// An entry names a difference by its place and field.
    pub fn explains(&self, difference: &Difference) -> bool {
        self.place == difference.place && self.field == difference.field
    }
}

/// Reads an allowlist: a YAML list of `{place, field, reason}`.
pub fn parse_allowlist(text: &str, file: &str) -> Result<Vec<Allowed>, Diagnostic> {
    serde_yaml::from_str(text).map_err(|error| {
        let diagnostic = Diagnostic::new(file, "#", format!("invalid allowlist: {error}"))
            .with_hint("each entry needs `place`, `field` and `reason`");
        match error.location() {
            Some(location) => diagnostic.with_line(location.line(), location.column()),
            None => diagnostic,
        }
    })
}

/// Every difference between `ours` and the matching part of `official`, sorted.
pub fn audit(ours: &Value, official: &Value) -> Vec<Difference> {
    let mut audit = Audit {
        ours,
        official,
        differences: Vec::new(),
        schemas: BTreeMap::new(),
    };
    let ours_ops = operations(ours);
    let tags: BTreeSet<&str> = ours_ops
        .values()
        .flat_map(|op| op.operation["tags"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let official_ops: BTreeMap<String, Op> = operations(official)
        .into_iter()
        .filter(|(id, op)| {
            ours_ops.contains_key(id)
                || op.operation["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .any(|tag| tags.contains(tag))
        })
        .collect();
    let ids: BTreeSet<&String> = ours_ops.keys().chain(official_ops.keys()).collect();
    for id in ids {
        match (ours_ops.get(id), official_ops.get(id)) {
            (Some(o), Some(f)) => audit.operation(o, f),
            (Some(o), None) => audit.differ(
                format!("operation {id}"),
                "presence",
                format!("{} {}", o.method, o.path),
                "absent",
            ),
            (None, Some(f)) => audit.differ(
                format!("operation {id}"),
                "presence",
                "absent",
                format!("{} {}", f.method, f.path),
            ),
            (None, None) => {}
        }
    }
    while let Some((ours_name, official_name)) = audit.next_schema() {
        let place = if ours_name == official_name {
            format!("schema {ours_name}")
        } else {
            format!("schema {ours_name} (official {official_name})")
        };
        let o = audit.ours["components"]["schemas"][&ours_name].clone();
        let f = audit.official["components"]["schemas"][&official_name].clone();
        audit.schema(&place, &o, &f);
    }
    let mut differences = audit.differences;
    differences.sort();
    differences.dedup();
    differences
}

struct Op<'a> {
    method: String,
    path: String,
    operation: &'a Value,
    path_item: &'a Value,
}

fn operations(document: &Value) -> BTreeMap<String, Op<'_>> {
    let mut found = BTreeMap::new();
    let Some(paths) = document["paths"].as_object() else {
        return found;
    };
    for (path, item) in paths {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let operation = &item[method];
            if let Some(id) = operation["operationId"].as_str() {
                found.insert(
                    id.to_owned(),
                    Op {
                        method: method.to_uppercase(),
                        path: path.clone(),
                        operation,
                        path_item: item,
                    },
                );
            }
        }
    }
    found
}

struct Audit<'a> {
    ours: &'a Value,
    official: &'a Value,
    differences: Vec<Difference>,
    /// Component schemas to compare: (ours, official) -> compared yet.
    schemas: BTreeMap<(String, String), bool>,
}

/// Follows `$ref`s within `document` (at most 16 deep).
fn resolve<'v>(document: &'v Value, mut value: &'v Value) -> &'v Value {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => match document.pointer(reference.trim_start_matches('#')) {
                Some(target) => value = target,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

fn schema_ref_name(value: &Value) -> Option<&str> {
    value
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn show(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "absent".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

impl<'a> Audit<'a> {
    fn differ(
        &mut self,
        place: String,
        field: &str,
        ours: impl Into<String>,
        official: impl Into<String>,
    ) {
        self.differences.push(Difference {
            place,
            field: field.to_owned(),
            ours: ours.into(),
            official: official.into(),
        });
    }

    fn next_schema(&mut self) -> Option<(String, String)> {
        let next = self
            .schemas
            .iter()
            .find(|(_, done)| !**done)
            .map(|(k, _)| k.clone())?;
        self.schemas.insert(next.clone(), true);
        Some(next)
    }

    fn operation(&mut self, o: &Op<'a>, f: &Op<'a>) {
        let place = format!("{} {}", o.method, o.path);
        if o.path != f.path {
            self.differ(place.clone(), "path", o.path.clone(), f.path.clone());
        }
        if o.method != f.method {
            self.differ(place.clone(), "method", o.method.clone(), f.method.clone());
        }
        self.parameters(&place, o, f);
        self.responses(&place, o.operation, f.operation);
    }

    fn parameter_map(document: &'a Value, op: &Op<'a>) -> BTreeMap<(String, String), &'a Value> {
        let mut map = BTreeMap::new();
        for list in [&op.path_item["parameters"], &op.operation["parameters"]] {
            for parameter in list.as_array().into_iter().flatten() {
                let parameter = resolve(document, parameter);
                let key = (show(parameter.get("in")), show(parameter.get("name")));
                map.insert(key, parameter);
            }
        }
        map
    }

    fn parameters(&mut self, place: &str, o: &Op<'a>, f: &Op<'a>) {
        let ours = Self::parameter_map(self.ours, o);
        let official = Self::parameter_map(self.official, f);
        let keys: BTreeSet<&(String, String)> = ours.keys().chain(official.keys()).collect();
        for key in keys {
            let at = format!("{place} parameter {} {}", key.0, key.1);
            match (ours.get(key), official.get(key)) {
                (Some(po), Some(pf)) => {
                    let required =
                        |p: &Value| show(Some(p.get("required").unwrap_or(&Value::Bool(false))));
                    if required(po) != required(pf) {
                        self.differ(at.clone(), "required", required(po), required(pf));
                    }
                    let so = resolve(self.ours, &po["schema"]);
                    let sf = resolve(self.official, &pf["schema"]);
                    for field in ["type", "format", "default"] {
                        if so.get(field) != sf.get(field) {
                            self.differ(
                                at.clone(),
                                field,
                                show(so.get(field)),
                                show(sf.get(field)),
                            );
                        }
                    }
                    self.enums(&at, so, sf);
                }
                (Some(_), None) => self.differ(at, "presence", "present", "absent"),
                (None, Some(_)) => self.differ(at, "presence", "absent", "present"),
                (None, None) => {}
            }
        }
    }

    fn enums(&mut self, place: &str, o: &Value, f: &Value) {
        let values = |schema: &Value| -> BTreeSet<String> {
            schema["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| show(Some(v)))
                .collect()
        };
        let (vo, vf) = (values(o), values(f));
        if vo != vf {
            let list = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
            self.differ(place.to_owned(), "enum", list(&vo), list(&vf));
        }
    }

    fn responses(&mut self, place: &str, o: &Value, f: &Value) {
        let empty = Map::new();
        let ro = o["responses"].as_object().unwrap_or(&empty);
        let rf = f["responses"].as_object().unwrap_or(&empty);
        let statuses: BTreeSet<&String> = ro.keys().chain(rf.keys()).collect();
        for status in statuses {
            let at = format!("{place} response {status}");
            match (ro.get(status), rf.get(status)) {
                (Some(a), Some(b)) => {
                    let a = resolve(self.ours, a);
                    let b = resolve(self.official, b);
                    let media = |r: &Value| -> BTreeSet<String> {
                        r["content"]
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(k, _)| k.clone())
                            .collect()
                    };
                    let (ma, mb) = (media(a), media(b));
                    if ma != mb {
                        let list =
                            |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
                        self.differ(at.clone(), "media types", list(&ma), list(&mb));
                        continue;
                    }
                    for media_type in ma {
                        let sa = &a["content"][&media_type]["schema"];
                        let sb = &b["content"][&media_type]["schema"];
                        self.schema(&format!("{at} {media_type}"), sa, sb);
                    }
                }
                (Some(_), None) => self.differ(at, "presence", "present", "absent"),
                (None, Some(_)) => self.differ(at, "presence", "absent", "present"),
                (None, None) => {}
            }
        }
    }

    /// Compares two schemas; a pair of component references is queued and compared once.
    fn schema(&mut self, place: &str, o: &Value, f: &Value) {
        if let (Some(a), Some(b)) = (schema_ref_name(o), schema_ref_name(f)) {
            if a != b {
                self.differ(place.to_owned(), "$ref", a, b);
            }
            self.schemas
                .entry((a.to_owned(), b.to_owned()))
                .or_insert(false);
            return;
        }
        let o = resolve(self.ours, o);
        let f = resolve(self.official, f);
        for field in ["type", "format", "nullable", "default"] {
            if o.get(field) != f.get(field) {
                self.differ(
                    place.to_owned(),
                    field,
                    show(o.get(field)),
                    show(f.get(field)),
                );
            }
        }
        self.enums(place, o, f);
        let required = |s: &Value| -> BTreeSet<String> {
            s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| show(Some(v)))
                .collect()
        };
        let (qo, qf) = (required(o), required(f));
        if qo != qf {
            let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
            self.differ(place.to_owned(), "required", list(&qo), list(&qf));
        }
        let empty = Map::new();
        let po = o["properties"].as_object().unwrap_or(&empty);
        let pf = f["properties"].as_object().unwrap_or(&empty);
        let names: BTreeSet<&String> = po.keys().chain(pf.keys()).collect();
        for name in names {
            let at = format!("{place}.{name}");
            match (po.get(name), pf.get(name)) {
                (Some(a), Some(b)) => self.schema(&at, a, b),
                (Some(_), None) => self.differ(at, "presence", "present", "absent"),
                (None, Some(_)) => self.differ(at, "presence", "absent", "present"),
                (None, None) => {}
            }
        }
        if o.get("items").is_some() || f.get("items").is_some() {
            let null = Value::Null;
            self.schema(
                &format!("{place}[]"),
                o.get("items").unwrap_or(&null),
                f.get("items").unwrap_or(&null),
            );
        }
        let additional = |s: &Value| {
            show(s.get("additionalProperties").map(|a| {
                if a.is_object() {
                    &Value::Bool(true)
                } else {
                    a
                }
            }))
        };
        if additional(o) != additional(f) {
            self.differ(
                place.to_owned(),
                "additionalProperties",
                additional(o),
                additional(f),
            );
        }
    }
}

/// The result of an audit: every difference with the reason the allowlist gives for it (if
/// any), and the allowlist entries that no longer match anything.
#[derive(Debug)]
pub struct Report {
    pub rows: Vec<(Difference, Option<String>)>,
    pub stale: Vec<Allowed>,
}

impl Report {
    /// Explains `differences` with `allowed`.
    pub fn new(differences: Vec<Difference>, allowed: &[Allowed]) -> Report {
        let stale = allowed
            .iter()
            .filter(|a| !differences.iter().any(|d| a.explains(d)))
            .cloned()
            .collect();
        let rows = differences
            .into_iter()
            .map(|d| {
                let reason = allowed
                    .iter()
                    .find(|a| a.explains(&d))
                    .map(|a| a.reason.clone());
                (d, reason)
            })
            .collect();
        Report { rows, stale }
    }

    /// How many differences the allowlist does not explain.
    pub fn unexplained(&self) -> usize {
        self.rows
            .iter()
            .filter(|(_, reason)| reason.is_none())
            .count()
    }

    /// A table for people: one row per difference.
    pub fn table(&self) -> String {
        let headers = ["PLACE", "FIELD", "OURS", "OFFICIAL", "ALLOWED BECAUSE"];
        let cells: Vec<[String; 5]> = self
            .rows
            .iter()
            .map(|(d, reason)| {
                [
                    d.place.clone(),
                    d.field.clone(),
                    clip(&d.ours),
                    clip(&d.official),
                    reason.clone().unwrap_or_else(|| "NOT ALLOWED".to_owned()),
                ]
            })
            .collect();
        let mut widths = headers.map(str::len);
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |row: &[&str]| -> String {
            let padded: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            padded.join("  ").trim_end().to_owned() + "\n"
        };
        let mut out = line(&headers);
        for row in &cells {
            out.push_str(&line(&row.each_ref().map(String::as_str)));
        }
        out
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(per_page_default: i64, extra_property: bool) -> Value {
        let mut properties = json!({"id": {"type": "integer"}});
        if extra_property {
            properties["name"] = json!({"type": "string"});
        }
        json!({
            "paths": {"/things": {"get": {
                "operationId": "things/list", "tags": ["things"],
                "parameters": [{"name": "per_page", "in": "query", "schema": {"type": "integer", "default": per_page_default}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/thing"}}}}}}
            }}},
            "components": {"schemas": {"thing": {"type": "object", "properties": properties}}}
        })
    }

    #[test]
    fn identical_documents_do_not_differ() {
        assert_eq!(audit(&doc(30, false), &doc(30, false)), vec![]);
    }

    #[test]
    fn defaults_and_properties_are_compared() {
        let differences = audit(&doc(50, true), &doc(30, false));
        let found: Vec<(&str, &str, &str, &str)> = differences
            .iter()
            .map(|d| {
                (
                    d.place.as_str(),
                    d.field.as_str(),
                    d.ours.as_str(),
                    d.official.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "GET /things parameter query per_page",
                    "default",
                    "50",
                    "30"
                ),
                ("schema thing.name", "presence", "present", "absent"),
            ]
        );
    }

    #[test]
    fn allowlist_matches_by_place_and_field() {
        let differences = audit(&doc(50, false), &doc(30, false));
        let allowed = parse_allowlist(
            "- place: GET /things parameter query per_page\n  field: default\n  reason: we like 50\n- place: nowhere\n  field: enum\n  reason: stale\n",
            "allow.yaml",
        )
        .unwrap();
        let report = Report::new(differences, &allowed);
        assert_eq!(report.unexplained(), 0);
        assert_eq!(report.rows[0].1.as_deref(), Some("we like 50"));
        assert_eq!(report.stale.len(), 1);
        assert_eq!(report.stale[0].place, "nowhere");
    }
}
