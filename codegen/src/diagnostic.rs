//! Problems found in a spec, each tied to a place in it.

use crate::locate::line_of;
use std::fmt;

/// Whether a problem stops generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Nothing is generated.
    Error,
    /// Generation goes on (with the nearest sound reading of the document, or without the
    /// part named); `--deny-warnings` makes it an error.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem in the input, with enough location for a person to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The spec as the user named it.
    pub spec_name: String,
    /// A JSON pointer into the document (`#/paths/~1orgs~1{org}~1packages/get`); `#` for the
    /// whole document.
    pub pointer: String,
    /// 1-based line and column, where the parser knows them.
    pub line: Option<(u32, u32)>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error: nothing is generated.
    pub fn new(spec_name: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            spec_name: spec_name.to_owned(),
            pointer: pointer.into(),
            line: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A problem that generation goes on past.
    pub fn warning(
        spec_name: &str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::new(spec_name, pointer, message)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_line(mut self, line: usize, column: usize) -> Self {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.line = Some((narrow(line), narrow(column)));
        self
    }

    /// With the line and column of its pointer in `text`, the document as written, unless it
    /// has them already or the text does not show the place.
    pub fn placed_in(self, text: &str) -> Self {
        match (self.line, line_of(text, &self.pointer)) {
            (None, Some((line, column))) => self.with_line(line, column),
            _ => self,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)?;
        match self.line {
            Some((line, column)) => write!(f, "\n  --> {}:{line}:{column}", self.spec_name)?,
            None => write!(f, "\n  --> {}", self.spec_name)?,
        }
        write!(f, "\n   at {}", self.pointer)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in one run. When generation fails, at least one is an error; the
/// warnings found on the way are kept beside them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Errors first, then warnings, each in document order, without repeats.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (a.severity, &a.pointer, &a.message).cmp(&(b.severity, &b.pointer, &b.message))
        });
        self.0.dedup();
    }

    /// A one-line count, e.g. `2 errors, 1 warning`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        match (errors, warnings) {
            (_, 0) => plural(errors, "error"),
            (0, _) => plural(warnings, "warning"),
            _ => format!(
                "{}, {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        write!(f, "\n\n{}", self.summary())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends reference tokens to a JSON pointer.
pub fn pointer_join(base: &str, tokens: &[&str]) -> String {
    let mut pointer = base.to_owned();
    for token in tokens {
        pointer.push('/');
        pointer.push_str(&escape_pointer_token(token));
    }
    pointer
}
