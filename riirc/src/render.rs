//! Renders RIIR diagnostics for people (rustc style via codespan-reporting: `file:line:col`, the source line,
//! a caret) and for machines (one JSON object per line). Spans are byte offsets; line:col is built here.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, LabelStyle};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{Buffer, WriteColor};
use codespan_reporting::term::{self, Chars, Config};
use riir_dialect::{Diagnostic, Severity, Span};

/// Lines longer than this are not quoted (a 2 MB generated line would flood the terminal), nor are lines with
/// control characters; the diagnostic still gives `file:line:col`.
const MAX_QUOTED_LINE: usize = 1000;

/// A source file as diagnostics see it: its display name and its text (lossily decoded when it was not
/// UTF-8; offsets before the first bad byte are unchanged, which is where such a diagnostic points).
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, bytes: &[u8]) -> Self {
        Source {
            name: name.into(),
            text: String::from_utf8_lossy(bytes).into_owned(),
        }
    }

    /// 1-based line and column (in characters) of byte offset `at`.
    pub fn line_col(&self, at: usize) -> (usize, usize) {
        let at = floor_char_boundary(&self.text, at.min(self.text.len()));
        let before = &self.text[..at];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// Whether the line holding byte `at` can be shown: not too long, and no control characters (binary
    /// input would garble the terminal).
    fn line_quotable(&self, at: usize) -> bool {
        let at = floor_char_boundary(&self.text, at.min(self.text.len()));
        let start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[at..].find('\n').map_or(self.text.len(), |i| at + i);
        end - start <= MAX_QUOTED_LINE
            && !self.text[start..end]
                .chars()
                .any(|c| c.is_control() && c != '\t' && c != '\r')
    }

    /// The span clamped to the text and widened to character boundaries, so rendering never slices a character.
    fn clamp(&self, span: Span) -> std::ops::Range<usize> {
        let len = self.text.len();
        let start = floor_char_boundary(&self.text, (span.start as usize).min(len));
        let mut end = (span.end as usize).clamp(start, len);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether to color: only when writing to a terminal that allows it.
pub fn stderr_wants_color() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Renders diagnostics as text, rustc style.
pub fn render(source: &Source, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut buf = if color { Buffer::ansi() } else { Buffer::no_color() };
    let file = SimpleFile::new(source.name.as_str(), source.text.as_str());
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    for d in diagnostics {
        let quotable = d
            .labels
            .iter()
            .all(|l| l.span.is_synthetic() || source.line_quotable(l.span.start as usize));
        let cs = to_codespan(source, d, quotable);
        if !quotable || term::emit(&mut buf, &config, &file, &cs).is_err() {
            plain(&mut buf, source, d);
        }
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

fn to_codespan(source: &Source, d: &Diagnostic, with_labels: bool) -> CsDiagnostic<()> {
    let cs = match d.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
    };
    let labels = if with_labels {
        d.labels
            .iter()
            .filter(|l| !l.span.is_synthetic())
            .map(|l| {
                let style = if l.primary {
                    LabelStyle::Primary
                } else {
                    LabelStyle::Secondary
                };
                CsLabel::new(style, (), source.clamp(l.span)).with_message(l.message.clone())
            })
            .collect()
    } else {
        Vec::new()
    };
    cs.with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(d.notes.clone())
}

/// The form used when the source line cannot be quoted: message, location, label text and notes.
fn plain(buf: &mut Buffer, source: &Source, d: &Diagnostic) {
    use std::io::Write;
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = buf.reset();
    let _ = writeln!(buf, "{severity}: {}", d.message);
    for l in d.labels.iter().filter(|l| !l.span.is_synthetic()) {
        let (line, col) = source.line_col(l.span.start as usize);
        let _ = writeln!(buf, "  --> {}:{line}:{col}: {}", source.name, l.message);
    }
    for n in &d.notes {
        let _ = writeln!(buf, "   = {n}");
    }
    let _ = writeln!(buf);
}

/// One JSON object per diagnostic: severity, message, file, and for each label its 1-based line/column range.
pub fn render_json(source: &Source, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let labels: Vec<serde_json::Value> = d
            .labels
            .iter()
            .filter(|l| !l.span.is_synthetic())
            .map(|l| {
                let r = source.clamp(l.span);
                let (line, column) = source.line_col(r.start);
                let (end_line, end_column) = source.line_col(r.end);
                serde_json::json!({
                    "primary": l.primary, "message": l.message,
                    "byte_start": r.start, "byte_end": r.end,
                    "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                })
            })
            .collect();
        let obj = serde_json::json!({
            "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "message": d.message,
            "file": source.name,
            "labels": labels,
            "notes": d.notes,
        });
        out.push_str(&obj.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_source_and_caret() {
        let src = Source::new("x.riir", b"func @f() {\n  riir.op \"a\" {bad = 1}\n}\n");
        let d = Diagnostic::error(
            "unknown key `bad` in op \"a\"",
            Span::new(27, 30),
            "expected one of kernel",
        );
        let text = render(&src, &[d], false);
        assert!(text.contains("--> x.riir:2:16"), "{text}");
        assert!(text.contains("2 |   riir.op \"a\" {bad = 1}"), "{text}");
        assert!(text.contains("^^^ expected one of kernel"), "{text}");
    }

    #[test]
    fn long_lines_are_not_quoted() {
        let mut bytes = vec![b'x'; 5000];
        bytes.push(b'\n');
        let src = Source::new("big", &bytes);
        let text = render(&src, &[Diagnostic::error("bad", Span::new(4000, 4001), "here")], false);
        assert_eq!(text, "error: bad\n  --> big:1:4001: here\n\n");
    }

    #[test]
    fn spans_inside_a_character_are_widened() {
        let src = Source::new("u", "é\u{FFFD}".as_bytes());
        let text = render(&src, &[Diagnostic::error("bad", Span::new(1, 2), "here")], false);
        assert!(text.contains("u:1:1"), "{text}");
    }
}
