//! Text helpers: shortening, wrapping, and an estimate of how wide a line is drawn.
//!
//! The SVG is laid out without a font engine, so widths come from a table of Helvetica's
//! (and metric-compatible Arial's and Liberation Sans's) advance widths, with a margin for
//! the wider sans-serif fonts a viewer may substitute (DejaVu Sans is about 10 % wider).

/// `text` cut to at most `max` characters, ending in `…` when it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Extra room on every estimate, for fonts wider than Helvetica.
const MARGIN: f64 = 1.12;

/// The width of `text` drawn at `size` pixels, estimated generously.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let ems: f64 = text.chars().map(advance).sum();
    let weight = if bold { 1.07 } else { 1.0 };
    ems * size * MARGIN * weight
}

/// Helvetica's advance width of `c`, in ems (rounded to classes of characters).
fn advance(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '\'' | '|' | '.' | ',' | ':' | ';' | '!' => 0.28,
        ' ' | 'f' | 't' | 'I' | '[' | ']' | '(' | ')' | '/' | '\\' | '-' => 0.34,
        'r' | '"' | '`' | '{' | '}' | '*' => 0.39,
        'm' | 'M' | '@' => 0.84,
        'w' | 'W' => 0.85,
        '%' | '…' => 0.9,
        'A'..='Z' => 0.69,
        'a'..='z' | '0'..='9' | '$' | '#' | '_' | '?' | '&' | '+' | '=' | '<' | '>' | '~' | '^' | '·' => 0.58,
        c if c.is_ascii() => 0.6,
        // CJK, Hangul, full-width forms and emoji take a whole em.
        c if matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF | 0x20000..=0x3FFFD) => {
            1.0
        }
        _ => 0.7,
    }
}

/// `text` broken into lines of at most `max` pixels at `size` where it has spaces; a word
/// wider than `max` stays whole on its line. Never returns an empty list.
pub fn wrap(text: &str, max: f64, size: f64, bold: bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if line.is_empty() {
            line.push_str(word);
            continue;
        }
        let candidate = format!("{line} {word}");
        if width(&candidate, size, bold) <= max {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
        }
    }
    lines.push(line);
    lines
}

/// `text` with XML's special characters escaped (for text and attribute values), and the
/// characters XML 1.0 forbids (C0 controls but tab and line feed) left out.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("ab cd", 4), "ab…");
        assert_eq!(shorten("ééééé", 4), "ééé…");
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("", 100.0, 12.0, false), [""]);
        assert_eq!(wrap("one two three", 1000.0, 12.0, false), ["one two three"]);
        assert_eq!(wrap("one two three", 40.0, 12.0, false), ["one", "two", "three"]);
        assert_eq!(wrap("Supercalifragilistic", 10.0, 12.0, false), ["Supercalifragilistic"]);
    }

    #[test]
    fn widths_grow_with_text() {
        assert!(width("MMMM", 12.0, false) > width("iiii", 12.0, false));
        assert!(width("注文", 12.0, false) >= 2.0 * 12.0);
        assert!(width("Abc", 12.0, true) > width("Abc", 12.0, false));
    }

    #[test]
    fn xml_escapes() {
        assert_eq!(xml("a<b & \"c\" 'd'>\u{1}"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    }
}
