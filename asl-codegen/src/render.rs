// The module's first sentence is the doc comment on `pub mod render` in lib.rs; rustdoc
// puts it before these lines, which continue it.
//! Used by the front-ends that own a terminal or a log: the build.rs
//! [`Builder`](crate::Builder) and the `asl` command.
//! (`include_asl!` cannot show a snippet of a non-Rust file, so it uses
//! [`Diagnostic::render_short`] instead.)
//!
//! ```text
//! error[ASL201]: Missing 'Next' target: Shp
//!   --> flows/order.asl.json:12:15
//!    |
//! 12 |       "Next": "Shp"
//!    |               ^^^^^ no state named `Shp`
//!    |
//!    = help: did you mean `Ship`?
//! ```
//!
//! The drawing is done by `annotate-snippets`, the renderer rustc's own output is modelled
//! on. Only the lines the diagnostic points at are handed to it, so rendering one
//! diagnostic of a 1 MiB definition does not re-scan the whole file, and spans are clamped
//! and snapped to character boundaries first, so a wrong span from a validator degrades
//! the picture instead of panicking.

use std::ops::Range;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::source::Source;

/// Whether rendered text carries ANSI colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RenderStyle {
    /// No escape codes. Stable across runs and terminals, so it is what snapshot tests,
    /// logs and build scripts get.
    #[default]
    Plain,
    /// ANSI colours in rustc's palette, for a terminal.
    Color,
}

impl RenderStyle {
    fn renderer(self) -> Renderer {
        // Ascii decorations (`-->`, `|`, `^`) in both styles: they are what rustc prints, and
        // the two styles then differ only in colour.
        let renderer = match self {
            RenderStyle::Plain => Renderer::plain(),
            RenderStyle::Color => Renderer::styled(),
        };
        renderer.decor_style(DecorStyle::Ascii)
    }
}

/// Renders one diagnostic: a title line with severity and code, the `path:line:col` of
/// its span, the source lines it covers with the span underlined and labelled, then the
/// help and notes. The result has no trailing newline.
pub fn render(diagnostic: &Diagnostic, source: &Source, style: RenderStyle) -> String {
    let level = level(diagnostic.severity);
    let path = source.path().display().to_string();
    let excerpt = Excerpt::new(source, diagnostic.span.start, diagnostic.span.end);

    let mut annotation = AnnotationKind::Primary.span(excerpt.annotation.clone());
    if let Some(label) = &diagnostic.label {
        // annotate-snippets lays a label out on one line; a line break in it would print the
        // rest at column 0, outside the gutter.
        annotation = annotation.label(label.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let snippet = Snippet::source(excerpt.text).line_start(excerpt.first_line).path(path).annotation(annotation);

    // Titles, helps and notes may span lines (annotate-snippets indents the rest); a
    // trailing line break would only add an empty line.
    let mut group = level.primary_title(diagnostic.message.trim_end()).id(diagnostic.code.id()).element(snippet);
    if let Some(help) = &diagnostic.help {
        group = group.element(Level::HELP.message(help.trim_end()));
    }
    for note in &diagnostic.notes {
        group = group.element(Level::NOTE.message(note.trim_end()));
    }
    style.renderer().render(&[group])
}

/// Renders every diagnostic of one source (in the order given), separated by blank lines,
/// followed by a summary line in cargo's words:
///
/// ```text
/// error: could not validate `flows/order.asl.json` due to 3 previous errors; 1 warning emitted
/// ```
///
/// or, when there are only warnings, ``warning: `flows/order.asl.json` generated 1 warning``.
/// Returns an empty string when there is nothing to report; otherwise the text ends with a
/// newline.
pub fn render_all(diagnostics: &Diagnostics, source: &Source, style: RenderStyle) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render(diagnostic, source, style));
        out.push_str("\n\n");
    }
    out.push_str(&summary(diagnostics, source, style));
    out.push('\n');
    out
}

/// The closing line of [`render_all`], without a trailing newline, or an empty string
/// when there are no diagnostics.
pub fn summary(diagnostics: &Diagnostics, source: &Source, style: RenderStyle) -> String {
    let errors = diagnostics.errors().count();
    let warnings = diagnostics.len() - errors;
    let path = source.path().display();
    let title = match (errors, warnings) {
        (0, 0) => return String::new(),
        (0, w) => Level::WARNING.primary_title(format!("`{path}` generated {}", count(w, "warning"))),
        (e, 0) => {
            Level::ERROR.primary_title(format!("could not validate `{path}` due to {}", count(e, "previous error")))
        }
        (e, w) => Level::ERROR.primary_title(format!(
            "could not validate `{path}` due to {}; {} emitted",
            count(e, "previous error"),
            count(w, "warning")
        )),
    };
    style.renderer().render(&[Group::with_title(title)])
}

/// `1 warning`, `2 warnings`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

/// The whole lines of a source that a span touches, and the span relative to them.
#[derive(Debug, PartialEq)]
struct Excerpt<'a> {
    /// The lines, without the line break after the last one.
    text: &'a str,
    /// 1-based number of the first line.
    first_line: usize,
    /// The span, as a byte range into `text`, on character boundaries.
    annotation: Range<usize>,
}

impl<'a> Excerpt<'a> {
    fn new(source: &'a Source, start: usize, end: usize) -> Self {
        let text = source.text();
        // Clamp into the text and onto character boundaries: `start` backwards and `end`
        // forwards, so a span that splits a character still covers all of it.
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = ceil_char_boundary(text, end.clamp(start, text.len()));

        let line_begin = text[..start].rfind('\n').map_or(0, |i| i + 1);
        // The last line is the one holding the span's last byte; a span that ends just after
        // a line break does not drag the next line in. An empty span sits on `start`'s line.
        let last_byte = if end > start { end - 1 } else { start };
        // (Searched as bytes: `last_byte` may sit inside a multi-byte character.)
        let mut line_end =
            text.as_bytes()[last_byte..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| last_byte + i);
        // A span on the line break itself (e.g. "expected a value" at the end of a line)
        // is shown as a caret just after the line's last character.
        line_end = line_end.max(start);
        // Leave a CRLF's carriage return out, as the line break it is part of is left out.
        if line_end > start && text[..line_end].ends_with('\r') {
            line_end -= 1;
        }

        let excerpt = &text[line_begin..line_end];
        let annotation = (start - line_begin)..(end.min(line_end) - line_begin).max(start - line_begin);
        Excerpt { text: excerpt, first_line: source.line_col(start).line, annotation }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::source::Span;

    const ORDER: &str = r#"{
  "StartAt": "Pay",
  "States": {
    "Pay": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:pay",
      "Next": "Ship"
    },
    "Ship": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ship",
      "Next": "Shp"
    }
  }
}
"#;

    fn span_of(text: &str, needle: &str) -> Span {
        let start = text.find(needle).expect("needle in text");
        Span::new(start, start + needle.len())
    }

    fn missing_target(source: &Source, span: Span) -> Diagnostic {
        Diagnostic::new(Code::MissingTransitionTarget, "/States/Ship/Next", span, "Missing 'Next' target: Shp")
            .with_label("no state named `Shp`")
            .with_help("did you mean `Ship`?")
            .with_note(format!("{} has 2 states", source.path().display()))
    }

    #[test]
    fn renders_like_rustc() {
        let source = Source::new("flows/order.asl.json", ORDER);
        let d = missing_target(&source, span_of(ORDER, "\"Shp\""));
        let expected = r#"error[ASL201]: Missing 'Next' target: Shp
  --> flows/order.asl.json:12:15
   |
12 |       "Next": "Shp"
   |               ^^^^^ no state named `Shp`
   |
   = help: did you mean `Ship`?
   = note: flows/order.asl.json has 2 states"#;
        assert_eq!(render(&d, &source, RenderStyle::Plain), expected);
    }

    #[test]
    fn line_breaks_in_texts() {
        let text = "{\"StartAt\": \"A\"}";
        let source = Source::new("w.asl.json", text);
        let d = Diagnostic::new(Code::Syntax, "", span_of(text, "\"A\""), "first\nsecond\n")
            .with_label("two\nlines")
            .with_note("note one\nnote two");
        let expected = "error[ASL001]: first
               second
 --> w.asl.json:1:13
  |
1 | {\"StartAt\": \"A\"}
  |             ^^^ two lines
  |
  = note: note one
          note two";
        assert_eq!(render(&d, &source, RenderStyle::Plain), expected);
    }

    #[test]
    fn position_matches_render_short() {
        let source = Source::new("flows/order.asl.json", ORDER);
        let d = missing_target(&source, span_of(ORDER, "\"Shp\""));
        let short = d.render_short(&source);
        let position = short.split(": ").next().expect("position");
        assert!(render(&d, &source, RenderStyle::Plain).contains(&format!("--> {position}\n")));
    }

    #[test]
    fn color_has_escapes_plain_has_none() {
        let source = Source::new("flows/order.asl.json", ORDER);
        let d = missing_target(&source, span_of(ORDER, "\"Shp\""));
        assert!(!render(&d, &source, RenderStyle::Plain).contains('\u{1b}'));
        assert!(render(&d, &source, RenderStyle::Color).contains('\u{1b}'));
    }

    #[test]
    fn warning_without_label_or_help() {
        let text = "{\"StartAt\": \"A\"}";
        let source = Source::new("w.asl.json", text);
        let d = Diagnostic::new(Code::NoPath, "/StartAt", span_of(text, "\"A\""), "looks like a path");
        assert_eq!(
            render(&d, &source, RenderStyle::Plain),
            "warning[ASL902]: looks like a path\n --> w.asl.json:1:13\n  |\n1 | {\"StartAt\": \"A\"}\n  |             ^^^"
        );
    }

    /// Renders a diagnostic at `span` of `text` and checks its header names `line:col`.
    fn renders_at(text: &str, span: Span, line_col: &str) -> String {
        let source = Source::new("t.asl.json", text);
        let d = Diagnostic::new(Code::Syntax, "", span, "something");
        let out = render(&d, &source, RenderStyle::Plain);
        assert!(out.contains(&format!("--> t.asl.json:{line_col}\n")), "{out}");
        out
    }

    #[test]
    fn empty_file() {
        renders_at("", Span::new(0, 0), "1:1");
        renders_at("", Span::new(3, 10), "1:1");
    }

    #[test]
    fn spans_at_and_past_eof() {
        let text = "{\n  \"StartAt\": \"A\"\n";
        renders_at(text, Span::new(text.len(), text.len()), "3:1");
        renders_at(text, Span::new(text.len() + 5, text.len() + 9), "3:1");
        renders_at("{", Span::new(1, 1), "1:2");
        renders_at("{", Span::new(0, 100), "1:1");
    }

    #[test]
    fn empty_span_and_reversed_span() {
        let text = "{\"a\": 1}";
        let out = renders_at(text, Span::new(6, 6), "1:7");
        assert!(out.contains("|       ^"), "{out}");
        renders_at(text, Span::new(6, 2), "1:7");
    }

    #[test]
    fn multi_line_span() {
        let out = renders_at(ORDER, span_of(ORDER, "{\n      \"Type\": \"Task\",\n      \"Resource\""), "4:12");
        assert!(out.contains("\n4 |       \"Pay\": {"), "{out}");
        assert!(out.contains("\n6 | |       \"Resource\""), "{out}");
        assert!(!out.contains("\n7 |"), "{out}");
    }

    #[test]
    fn span_ending_after_a_line_break_stays_on_its_line() {
        let text = "{\n  \"a\": 1\n}";
        let out = renders_at(text, Span::new(2, 11), "2:1");
        assert!(!out.contains("3 |"), "{out}");
    }

    #[test]
    fn non_ascii() {
        let text = "{\n  \"Étape ☃\": {\"Type\": \"Päss\"}\n}";
        let out = renders_at(text, span_of(text, "\"Päss\""), "2:23");
        assert!(out.contains("2 |   \"Étape ☃\": {\"Type\": \"Päss\"}"), "{out}");
        // a span that starts and ends inside characters is widened to whole characters
        let inside = text.find('☃').expect("snowman") + 1;
        renders_at(text, Span::new(inside, inside + 1), "2:10");
        renders_at(text, Span::new(inside, inside), "2:10");
    }

    #[test]
    fn crlf() {
        let text = "{\r\n  \"StartAt\": \"A\",\r\n  \"States\": {}\r\n}\r\n";
        let out = renders_at(text, span_of(text, "\"A\""), "2:14");
        assert!(!out.contains('\r') && !out.contains('␍'), "{out:?}");
        // a span over a CRLF line break, and one across two CRLF lines
        let at_break = text.find("\r\n").expect("crlf");
        renders_at(text, Span::new(at_break, at_break + 2), "1:2");
        let out = renders_at(text, span_of(text, "\"A\",\r\n  \"States\""), "2:14");
        assert!(!out.contains('␍'), "{out:?}");
        renders_at(text, Span::new(text.len(), text.len()), "5:1");
    }

    #[test]
    fn lone_carriage_returns_and_tabs() {
        let text = "{\r\"a\":\t1}";
        renders_at(text, Span::new(7, 8), "1:8");
    }

    #[test]
    fn every_span_of_a_tricky_text_renders() {
        let text = "{\r\n\t\"é☃\": [1,\n\n  \"x\"]}\r\n\n";
        for start in 0..=text.len() + 1 {
            for end in 0..=text.len() + 1 {
                let source = Source::new("t.json", text);
                let d = Diagnostic::new(Code::Syntax, "", Span::new(start, end), "m").with_label("l");
                let out = render(&d, &source, RenderStyle::Plain);
                assert!(out.starts_with("error[ASL001]: m\n"), "{start}..{end}: {out}");
                // the header agrees with `Source::line_col` (and so with `render_short`)
                let at = floor_char_boundary(text, start.min(text.len()));
                let header = format!("--> t.json:{}\n", source.line_col(at));
                assert!(out.contains(&header), "{start}..{end}: {out}");
            }
        }
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let mut text = String::from("{\"States\": {");
        for i in 0..2000 {
            text.push_str(&format!("\"S{i}\": {{\"Type\": \"Pass\", \"End\": true}}, "));
        }
        text.push_str("\"X\": 1}}");
        let span = span_of(&text, "\"S1500\"");
        let out = renders_at(&text, span, &format!("1:{}", span.start + 1));
        assert!(out.contains("\"S1500\": {\"Type\""), "{out}");
        assert!(out.lines().all(|line| line.chars().count() < 160), "{out}");
    }

    #[test]
    fn render_all_summarises() {
        let source = Source::new("flows/order.asl.json", ORDER);
        let mut diags = Diagnostics::new();
        assert_eq!(render_all(&diags, &source, RenderStyle::Plain), "");

        diags.push(Diagnostic::new(Code::NoPath, "/StartAt", span_of(ORDER, "\"Pay\""), "w"));
        let out = render_all(&diags, &source, RenderStyle::Plain);
        assert!(out.ends_with("\n\nwarning: `flows/order.asl.json` generated 1 warning\n"), "{out}");

        diags.push(missing_target(&source, span_of(ORDER, "\"Shp\"")));
        let out = render_all(&diags, &source, RenderStyle::Plain);
        assert!(
            out.ends_with(
                "\n\nerror: could not validate `flows/order.asl.json` due to 1 previous error; 1 warning emitted\n"
            ),
            "{out}"
        );
        assert_eq!(out.matches("-->").count(), 2);

        diags.push(missing_target(&source, span_of(ORDER, "\"Ship\"")));
        diags.push(Diagnostic::new(Code::NoPath, "/StartAt", span_of(ORDER, "\"Pay\""), "w2"));
        let out = render_all(&diags, &source, RenderStyle::Plain);
        assert!(
            out.ends_with(
                "error: could not validate `flows/order.asl.json` due to 2 previous errors; 2 warnings emitted\n"
            ),
            "{out}"
        );
    }
}
