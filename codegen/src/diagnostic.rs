//! Problems found in a spec, each tied to a place in it.

use std::fmt;

/// One problem in the input, with enough location for a person to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file as the user named it.
    pub file: String,
    /// A JSON pointer into the document (`#/paths/~1orgs~1{org}~1packages/get`); `#` for the
    /// whole document.
    pub pointer: String,
    /// 1-based line and column, where the parser knows them.
    pub line: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            pointer: pointer.into(),
            line: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_line(mut self, line: usize, column: usize) -> Self {
        self.line = Some((line, column));
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        match self.line {
            Some((line, column)) => write!(f, "\n  --> {}:{line}:{column}", self.file)?,
            None => write!(f, "\n  --> {}", self.file)?,
        }
        write!(f, "\n   at {}", self.pointer)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in one run; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        let count = self.0.len();
        write!(f, "\n\n{count} error{}", if count == 1 { "" } else { "s" })
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
