//! Progress of a long run on standard error: one line redrawn in place, with a bar, on a
//! terminal; plain lines elsewhere (CI logs), few enough to read.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// A terminal is redrawn at most this often: a listing yields thousands of versions a minute.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// Plain output reports a listing every this many versions.
const PLAIN_LISTING_STEP: usize = 1000;
const BAR_WIDTH: usize = 24;

pub struct Progress {
    out: Box<dyn Write + Send>,
    terminal: bool,
    /// A redrawable line is on screen and must be cleared before anything else is written.
    line_shown: bool,
    last_drawn: Option<Instant>,
}

impl Progress {
    /// Standard error, as a terminal if it is one.
    pub fn stderr() -> Progress {
        let terminal = std::io::stderr().is_terminal();
        Progress::new(Box::new(std::io::stderr()), terminal)
    }

    pub fn new(out: Box<dyn Write + Send>, terminal: bool) -> Progress {
        Progress {
            out,
            terminal,
            line_shown: false,
            last_drawn: None,
        }
    }

    /// `seen` versions of `package` listed so far, of about `total` (GitHub's count).
    pub fn listing(&mut self, package: &str, seen: usize, total: Option<usize>) {
        let done = total.is_some_and(|total| seen >= total);
        if self.terminal {
            let text = match total {
                Some(total) => format!(
                    "listing {package} {} {seen}/{total} versions",
                    bar(seen, total)
                ),
                None => format!("listing {package}: {seen} versions"),
            };
            self.redraw(&text, done);
        } else if seen % PLAIN_LISTING_STEP == 0 {
            let of = total.map_or(String::new(), |total| format!(" of {total}"));
            self.line(&format!("listing {package}: {seen}{of} versions"));
        }
    }

    /// The registry's tags of `package` and what they need are being read.
    pub fn checking(&mut self, package: &str) {
        if self.terminal {
            self.redraw(
                &format!("reading {package}'s tags and what they need from the registry"),
                true,
            );
        }
    }

    /// The `done`th of `total` deletions of `package`; `what` says which and how it went, and is
    /// a line of its own in plain output.
    pub fn deleting(&mut self, package: &str, done: usize, total: usize, what: &str) {
        if self.terminal {
            let text = format!(
                "deleting from {package} {} {done}/{total}",
                bar(done, total)
            );
            self.redraw(&text, done >= total);
        } else {
            self.line(&format!("[{done}/{total}] {package}: {what}"));
        }
    }

    /// A line that stays.
    pub fn line(&mut self, text: &str) {
        self.clear();
        let _ = writeln!(self.out, "{text}");
    }

    /// Removes the redrawable line, if any.
    pub fn clear(&mut self) {
        if self.line_shown {
            let _ = write!(self.out, "\r\x1b[2K");
            let _ = self.out.flush();
            self.line_shown = false;
        }
    }

    fn redraw(&mut self, text: &str, force: bool) {
        let due = self
            .last_drawn
            .is_none_or(|at| at.elapsed() >= REDRAW_EVERY);
        if !(due || force) {
            return;
        }
        let _ = write!(self.out, "\r\x1b[2K{text}");
        let _ = self.out.flush();
        self.line_shown = true;
        self.last_drawn = Some(Instant::now());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

fn bar(done: usize, total: usize) -> String {
    // An empty task is a finished one.
    let filled = (done.min(total) * BAR_WIDTH)
        .checked_div(total)
        .unwrap_or(BAR_WIDTH);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn plain_output_is_lines_and_few_of_them() {
        let sink = Shared::default();
        let mut progress = Progress::new(Box::new(sink.clone()), false);
        for seen in 1..=2500 {
            progress.listing("app", seen, Some(2500));
        }
        progress.deleting("app", 1, 2, "deleted 7 sha256:0123 (untagged, 40 days old)");
        progress.line("done");
        assert_eq!(
            sink.text(),
            "listing app: 1000 of 2500 versions\nlisting app: 2000 of 2500 versions\n\
             [1/2] app: deleted 7 sha256:0123 (untagged, 40 days old)\ndone\n"
        );
    }

    #[test]
    fn a_terminal_gets_one_line_redrawn_then_cleared() {
        let sink = Shared::default();
        let mut progress = Progress::new(Box::new(sink.clone()), true);
        progress.deleting("app", 1, 4, "ignored on a terminal");
        progress.deleting("app", 4, 4, "ignored on a terminal");
        progress.line("summary");
        let text = sink.text();
        assert!(
            text.starts_with("\r\x1b[2Kdeleting from app [######------------------] 1/4"),
            "{text:?}"
        );
        // The last step is always drawn, however soon after the previous one.
        assert!(
            text.contains("\r\x1b[2Kdeleting from app [########################] 4/4"),
            "{text:?}"
        );
        assert!(text.ends_with("\r\x1b[2Ksummary\n"), "{text:?}");
        assert_eq!(text.matches('\n').count(), 1, "{text:?}");
    }
}
