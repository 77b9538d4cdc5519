//! Each call judged by what came back from Prism, and the figures: passes, and failures by
//! whose fault they are.

use serde::Deserialize;
use std::collections::BTreeMap;

/// What the description says of an operation's answers.
#[derive(Debug, Clone, Default)]
pub struct Described {
    /// The statuses it lists.
    pub statuses: Vec<u16>,
    /// Whether its responses (or what they refer to) give examples, which Prism serves.
    pub examples: bool,
}

/// One call as the driver reported it.
#[derive(Debug, Clone, Deserialize)]
pub struct Call {
    pub operation: String,
    #[serde(default)]
    pub from_example: bool,
    pub status: Option<u16>,
    /// The query parameters the call sent.
    #[serde(default)]
    pub sent_query: Vec<String>,
    pub violations: Option<String>,
    /// How the call failed: `api`, `decode`, `transport`, `credentials`, `other`.
    pub error: Option<String>,
    pub message: Option<String>,
    pub body: Option<String>,
    /// Why the driver could not make the call.
    pub driver: Option<String>,
}

/// Whose fault a failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Pass,
    /// What the client sent: Prism reports a violation, refuses the credentials, the media
    /// type; or the driver could not build the arguments.
    OurRequest,
    /// What the client made of a valid answer.
    OurDecoding,
    /// The description contradicts itself: its examples do not fit its schemas.
    Document,
    /// What Prism cannot do (route a template, fake a response).
    Prism,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::Pass => "pass",
            Class::OurRequest => "our request",
            Class::OurDecoding => "our decoding",
            Class::Document => "the document's fault",
            Class::Prism => "Prism's limits",
        }
    }
}

/// The kind of Prism's problem document (`https://stoplight.io/prism/errors#NOT_FOUND`).
fn prism_kind(body: Option<&str>) -> Option<String> {
    let body: serde_json::Value = serde_json::from_str(body?).ok()?;
    let kind = body.get("type")?.as_str()?;
    Some(kind.rsplit('#').next().unwrap_or(kind).to_owned())
}

/// Whether every violation Prism lists is in the response it served (the description's
/// example or its own faking not fitting the description's schema), none in our request.
fn only_in_response(violations: &str) -> bool {
    let Ok(serde_json::Value::Array(list)) = serde_json::from_str::<serde_json::Value>(violations)
    else {
        return false;
    };
    !list.is_empty()
        && list
            .iter()
            .all(|v| v.pointer("/location/0").and_then(|l| l.as_str()) == Some("response"))
}

/// What Prism's problem document says was wrong with the request.
fn validation(body: Option<&str>) -> String {
    let body: Option<serde_json::Value> = body.and_then(|b| serde_json::from_str(b).ok());
    body.as_ref()
        .and_then(|b| b.get("validation"))
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// Whether Prism says a path parameter the request has is missing: it reads some templates
/// (`/tags/{resourceArn}`) otherwise than the description writes them.
fn path_misread(violations: &str) -> bool {
    let Ok(serde_json::Value::Array(list)) = serde_json::from_str::<serde_json::Value>(violations)
    else {
        return false;
    };
    !list.is_empty()
        && list.iter().all(|v| {
            v.pointer("/location/0").and_then(|l| l.as_str()) == Some("path")
                && v.get("code").and_then(|c| c.as_str()) == Some("required")
        })
}

/// Whether every violation is about a query parameter the request did not carry: Prism
/// checks an absent `deepObject` parameter as if it were there, empty.
fn about_unsent_query(violations: &str, sent: &[String]) -> bool {
    let Ok(serde_json::Value::Array(list)) = serde_json::from_str::<serde_json::Value>(violations)
    else {
        return false;
    };
    !list.is_empty()
        && list.iter().all(|v| {
            v.pointer("/location/1").and_then(|l| l.as_str()) == Some("query")
                && v.pointer("/location/2")
                    .and_then(|l| l.as_str())
                    .is_some_and(|name| !sent.iter().any(|s| s == name))
        })
}

/// Judges one call by what the description says of its answers.
pub fn judge(call: &Call, described: &Described) -> (Class, String) {
    // An answer that does not fit the schema is the description's example, or a value Prism
    // made up where the description gives none.
    let served = if described.examples {
        Class::Document
    } else {
        Class::Prism
    };
    let described = &described.statuses[..];
    if let Some(why) = &call.driver {
        return (Class::OurRequest, format!("driver: {why}"));
    }
    let violations = call
        .violations
        .as_deref()
        .filter(|v| !v.is_empty() && *v != "[]");
    let status = call.status.unwrap_or(0);
    let kind = prism_kind(call.body.as_deref());
    let message = || {
        let text = violations
            .map(str::to_owned)
            .or_else(|| call.message.clone())
            .unwrap_or_default();
        text.chars().take(300).collect::<String>()
    };
    match call.error.as_deref() {
        None if violations.is_none() => (Class::Pass, String::new()),
        None => (Class::OurRequest, message()),
        // A date that chrono cannot read was served for a `format: date-time` or `date`: the
        // value Prism made up (or the description's example) is no date.
        Some("decode")
            if call.message.as_deref().is_some_and(|m| {
                [
                    "input contains invalid characters",
                    "premature end of input",
                    "input is out of range",
                    "trailing input",
                ]
                .iter()
                .any(|chrono| m.contains(chrono))
            }) =>
        {
            (
                Class::Prism,
                format!("a served date is no date: {}", message()),
            )
        }
        Some("decode") => (Class::OurDecoding, message()),
        Some("credentials") => (Class::OurRequest, message()),
        Some("transport") => (Class::Prism, message()),
        Some("api") => match (status, kind.as_deref()) {
            // A described answer, served as described: the client did its part.
            (_, None) if violations.is_none() && described.contains(&status) => {
                (Class::Pass, String::new())
            }
            (401 | 403, _) => (Class::OurRequest, format!("{status}: {}", message())),
            (406 | 415, _) => (Class::OurRequest, format!("{status}: {}", message())),
            (500, Some("VIOLATIONS")) => (served, format!("response: {}", message())),
            (500, _) if violations.is_some_and(only_in_response) => (
                served,
                format!(
                    "the response served does not fit the description's schema: {}",
                    message()
                ),
            ),
            (400 | 422, _)
                if violations.is_some_and(|v| about_unsent_query(v, &call.sent_query)) =>
            {
                (
                    Class::Prism,
                    format!(
                        "Prism checks a parameter the request does not carry: {}",
                        message()
                    ),
                )
            }
            (400 | 422, _) if violations.is_some_and(path_misread) => (
                Class::Prism,
                format!("Prism misreads the path: {}", message()),
            ),
            (400 | 422, _) if violations.is_some() => match call.from_example {
                true => (
                    Class::Document,
                    format!("the description's example: {}", message()),
                ),
                false => (Class::OurRequest, message()),
            },
            (400 | 422, Some("UNPROCESSABLE_ENTITY"))
                if path_misread(&validation(call.body.as_deref())) =>
            {
                (
                    Class::Prism,
                    format!(
                        "Prism misreads the path: {}",
                        validation(call.body.as_deref())
                    ),
                )
            }
            (400 | 422, Some("UNPROCESSABLE_ENTITY")) => match call.from_example {
                true => (
                    Class::Document,
                    format!(
                        "the description's example: {}",
                        validation(call.body.as_deref())
                    ),
                ),
                false => (Class::OurRequest, validation(call.body.as_deref())),
            },
            (_, Some(kind))
                if kind.contains("NO_PATH_MATCHED") || kind.contains("NO_METHOD_MATCHED") =>
            {
                (Class::Prism, kind.to_owned())
            }
            (_, Some(kind)) => (Class::Prism, format!("{status} {kind}")),
            _ if described.contains(&status) => (Class::Pass, String::new()),
            _ => (Class::OurRequest, format!("{status}: {}", message())),
        },
        Some(_) => (Class::OurRequest, message()),
    }
}

/// One document's run.
#[derive(Debug, Clone)]
pub struct DocumentRun {
    pub name: String,
    /// Every call, judged.
    pub judged: Vec<(String, Class, String)>,
    /// Why the document could not be run at all.
    pub failure: Option<String>,
}

impl DocumentRun {
    pub fn failed(name: &str, why: String) -> DocumentRun {
        DocumentRun {
            name: name.to_owned(),
            judged: Vec::new(),
            failure: Some(why),
        }
    }

    pub fn judged(
        name: &str,
        calls: Vec<Call>,
        described: &BTreeMap<String, Described>,
    ) -> DocumentRun {
        let mut judged: Vec<(String, Class, String)> = calls
            .iter()
            .map(|call| {
                let unknown = Described::default();
                let (class, why) = judge(call, described.get(&call.operation).unwrap_or(&unknown));
                (call.operation.clone(), class, why)
            })
            .collect();
        // An operation the driver did not report (it panicked first) is ours.
        for operation in described.keys() {
            if !judged.iter().any(|(o, _, _)| o == operation) {
                judged.push((
                    operation.clone(),
                    Class::OurRequest,
                    "no report: the driver stopped".to_owned(),
                ));
            }
        }
        DocumentRun {
            name: name.to_owned(),
            judged,
            failure: None,
        }
    }

    pub fn count(&self, class: Class) -> usize {
        self.judged.iter().filter(|(_, c, _)| *c == class).count()
    }

    pub fn all_pass(&self) -> bool {
        self.failure.is_none() && self.count(Class::Pass) == self.judged.len()
    }

    pub fn summary(&self) -> String {
        match &self.failure {
            Some(why) => format!("not run ({why})"),
            None => format!(
                "{} of {} operations pass",
                self.count(Class::Pass),
                self.judged.len()
            ),
        }
    }
}

/// The figures over every run: (all, passed, ours, document, prism).
fn totals(runs: &[DocumentRun]) -> (usize, usize, usize, usize, usize) {
    let mut t = (0, 0, 0, 0, 0);
    for run in runs {
        t.0 += run.judged.len();
        t.1 += run.count(Class::Pass);
        t.2 += run.count(Class::OurRequest) + run.count(Class::OurDecoding);
        t.3 += run.count(Class::Document);
        t.4 += run.count(Class::Prism);
    }
    t
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

pub fn summary(runs: &[DocumentRun]) -> String {
    let (all, passed, ours, document, prism) = totals(runs);
    format!(
        "wire: {passed} of {all} operations pass ({}); counting out the documents' faults ({document}) and Prism's limits ({prism}): {}; ours: {ours}\n",
        percent(passed, all),
        percent(passed, all - document - prism)
    )
}

/// The report's section, in Markdown.
pub fn markdown(runs: &[DocumentRun], command: &str, seconds: f64) -> String {
    let (all, passed, ours, document, prism) = totals(runs);
    let mut text = String::from("## Wire conformance\n\n");
    text.push_str(&format!(
        "`{command}`: every operation of each document called once by a driver generated from the description, against Prism 5.14.2 serving that document (`--errors`, security validated), in {:.0} minutes.\n\n",
        seconds / 60.0
    ));
    text.push_str(&format!(
        "- **{passed} of {all} operations pass ({})**: the request accepted with no violation, the answer decoded.\n- Counting out the documents' own faults ({document}) and Prism's limits ({prism}): **{}**.\n- Ours: {ours} ({} of the request, {} of the decoding).\n\n",
        percent(passed, all),
        percent(passed, all - document - prism),
        runs.iter().map(|r| r.count(Class::OurRequest)).sum::<usize>(),
        runs.iter().map(|r| r.count(Class::OurDecoding)).sum::<usize>(),
    ));
    text.push_str("| document | operations | pass | our request | our decoding | document's fault | Prism's limits |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for run in runs {
        match &run.failure {
            Some(why) => text.push_str(&format!(
                "| {} | not run: {} | | | | | |\n",
                run.name,
                why.replace('|', "/")
            )),
            None => text.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                run.name,
                run.judged.len(),
                run.count(Class::Pass),
                run.count(Class::OurRequest),
                run.count(Class::OurDecoding),
                run.count(Class::Document),
                run.count(Class::Prism)
            )),
        }
    }
    text.push_str("\n### Every failure\n\n");
    for run in runs {
        for (operation, class, why) in run.judged.iter().filter(|(_, c, _)| *c != Class::Pass) {
            let why: String = why.replace(['\n', '|'], " ").chars().take(300).collect();
            text.push_str(&format!(
                "- {} `{operation}`: {}: {why}\n",
                run.name,
                class.label()
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(json: &str) -> Call {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn calls_are_judged_by_whose_fault_they_are() {
        let described = Described {
            statuses: vec![200, 404],
            examples: true,
        };
        let judged = |json: &str| judge(&call(json), &described).0;
        assert_eq!(judged(r#"{"operation": "a", "status": 200}"#), Class::Pass);
        assert_eq!(
            judged(r#"{"operation": "a", "status": 200, "violations": "[{\"message\": \"x\"}]"}"#),
            Class::OurRequest
        );
        assert_eq!(
            judged(r#"{"operation": "a", "status": 404, "error": "api", "body": "{}"}"#),
            Class::Pass
        );
        assert_eq!(
            judged(
                r#"{"operation": "a", "status": 401, "error": "api", "body": "{\"type\": \"https://stoplight.io/prism/errors#UNAUTHORIZED\"}"}"#
            ),
            Class::OurRequest
        );
        assert_eq!(
            judged(
                r#"{"operation": "a", "status": 500, "error": "api", "body": "{\"type\": \"https://stoplight.io/prism/errors#VIOLATIONS\"}"}"#
            ),
            Class::Document
        );
        assert_eq!(
            judged(
                r#"{"operation": "a", "status": 422, "error": "api", "violations": "[1]", "from_example": true}"#
            ),
            Class::Document
        );
        assert_eq!(
            judged(r#"{"operation": "a", "status": 422, "error": "api", "violations": "[1]"}"#),
            Class::OurRequest
        );
        assert_eq!(
            judged(
                r#"{"operation": "a", "status": 404, "error": "api", "body": "{\"type\": \"https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR\"}"}"#
            ),
            Class::Prism
        );
        assert_eq!(
            judged(r#"{"operation": "a", "status": 200, "error": "decode"}"#),
            Class::OurDecoding
        );
        assert_eq!(
            judged(
                r#"{"operation": "a", "status": 500, "error": "api", "violations": "[{\"location\": [\"response\", \"body\"]}]"}"#
            ),
            Class::Document
        );
        assert_eq!(
            judged(r#"{"operation": "a", "driver": "multipart"}"#),
            Class::OurRequest
        );
    }

    #[test]
    fn the_section_replaces_its_old_self() {
        let dir = std::env::temp_dir().join(format!("wire-section-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("CORPUS.md");
        std::fs::write(
            &path,
            "# Corpus\n\n## A\n\na\n\n## Wire conformance\n\nold\n\n## B\n\nb\n",
        )
        .unwrap();
        xtask::write_section(
            &path,
            "## Wire conformance",
            "## Wire conformance\n\nnew\n\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "# Corpus\n\n## A\n\na\n\n## Wire conformance\n\nnew\n\n## B\n\nb\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
