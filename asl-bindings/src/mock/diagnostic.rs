//! Problems found in a mock configuration, rendered as rustc renders its own:
//!
//! ```text
//! error: test case `HappyPath` of `LambdaSQSIntegration` names the mocked response `MockedLambdaSucess`, which `MockedResponses` does not define
//!  --> MockConfigFile.json:6:26
//!   |
//! 6 |           "LambdaState":"MockedLambdaSucess",
//!   |                         ^^^^^^^^^^^^^^^^^^^^
//!   = help: did you mean `MockedLambdaSuccess`?
//! ```
//!
//! One format for files read by `asl build`, `asl serve` and their tests, so a mistake reads
//! the same wherever it is found.

use std::ops::Range;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Severity {
    /// The file is refused.
    Error,
    /// The file works, but probably not as its author meant.
    Warning,
}

/// One problem, at a byte range of the text.
#[derive(Clone, Debug)]
pub(super) struct Diagnostic {
    pub severity: Severity,
    /// Where: the key or value at fault.
    pub span: Range<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, span, message: message.into(), help: None }
    }

    pub fn warning(span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, span, message: message.into(), help: None }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic with `path:line:col`, the line it points at and a caret underline.
    /// Spans are clamped to the text and to the first line they cover, so a wrong span
    /// degrades the picture instead of panicking.
    pub fn render(&self, origin: &str, text: &str) -> String {
        let start = floor_char_boundary(text, self.span.start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_end = if text[..line_end].ends_with('\r') { line_end - 1 } else { line_end };
        let end = floor_char_boundary(text, self.span.end.clamp(start, line_end.max(start)));
        let line_number = text[..line_start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;

        // A long line (a minified file is one line) is shown as a window around the span.
        let long = text[line_start..line_end.max(start)].chars().count() > MAX_LINE;
        let (before, cut_before) = last_chars(&text[line_start..start], if long { CONTEXT } else { MAX_LINE });
        let (marked, cut_marked) = first_chars(&text[start..end], if long { 2 * CONTEXT } else { MAX_LINE });
        let (after, cut_after) = match (cut_marked, long) {
            (true, _) => ("", true),
            (false, true) => first_chars(&text[end..line_end.max(end)], CONTEXT),
            (false, false) => (&text[end..line_end.max(end)], false),
        };
        let before = if cut_before { format!("...{before}") } else { before.to_owned() };
        let after = if cut_after { format!("{after}...") } else { after.to_owned() };

        // Tabs are shown as four spaces, as rustc does, and the carets follow suit.
        let shown = format!("{before}{marked}{after}").replace('\t', "    ");
        let width = |s: &str| s.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum::<usize>();
        let indent = width(&before);
        let carets = width(marked).max(1);

        let gutter = " ".repeat(line_number.to_string().len());
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!(
            "{severity}: {message}\n{gutter}--> {origin}:{line_number}:{column}\n{gutter} |\n{line_number} | {shown}\n{gutter} | {pad}{underline}",
            message = self.message,
            pad = " ".repeat(indent),
            underline = "^".repeat(carets),
        );
        if let Some(help) = &self.help {
            out.push_str(&format!("\n{gutter} = help: {help}"));
        }
        out
    }
}

/// Lines up to this many characters are shown whole.
const MAX_LINE: usize = 160;
/// How many characters of a longer line are shown on each side of a span.
const CONTEXT: usize = 60;

/// The last `n` characters of `text`, and whether that left some out.
fn last_chars(text: &str, n: usize) -> (&str, bool) {
    match text.char_indices().rev().nth(n) {
        Some((i, c)) => (&text[i + c.len_utf8()..], true),
        None => (text, false),
    }
}

/// The first `n` characters of `text`, and whether that left some out.
fn first_chars(text: &str, n: usize) -> (&str, bool) {
    match text.char_indices().nth(n) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    }
}

/// The largest char boundary of `text` at or below `at` (clamped to its length).
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The byte offset of 1-based `line` and `column` (serde_json's numbering of its syntax
/// errors; a column of 0 means the line's start), clamped to the text.
pub(super) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start =
        if line <= 1 { 0 } else { text.match_indices('\n').nth(line - 2).map_or(text.len(), |(i, _)| i + 1) };
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    // serde_json counts a column past the last character it read; point at that character.
    let wanted = line_start + column.saturating_sub(1);
    floor_char_boundary(text, wanted.min(line_end))
}

/// Every diagnostic rendered in file order, then a summary line: the text of the `Err` that
/// `MockConfig::parse` returns.
pub(super) fn report(diagnostics: &mut [Diagnostic], origin: &str, text: &str) -> String {
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let mut out: Vec<String> = diagnostics.iter().map(|d| d.render(origin, text)).collect();
    let plural = if errors == 1 { "" } else { "s" };
    out.push(format!("error: could not read the mock configuration `{origin}` due to {errors} error{plural}"));
    out.join("\n\n")
}

/// The closest of `candidates` to `wrong` (same letters in another case, or within a
/// few edits), for a "did you mean" hint.
pub(super) fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != wrong)
        .map(|c| {
            let distance = if c.eq_ignore_ascii_case(wrong) { 0 } else { edit_distance(wrong, c) };
            (distance, c)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars (names here are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}
