//! `StringMatches`: a whole-string glob in which only `*` is special.
//!
//! The specification: `*` matches zero or more characters; `\*` is a literal star, `\\` a
//! literal backslash, and any other backslash ("open escape") is a runtime error. Everything
//! else, `?` and `[` included, is literal. `*` crosses line breaks too: the specification
//! says "any characters" and gives no exception.

use crate::error::Error;

/// Whether `text` matches `pattern` as a whole.
///
/// # Errors
///
/// `States.Runtime` for an open escape. The compiler rejects such patterns, so only a
/// hand-built rule can reach this.
pub(super) fn matches(pattern: &str, text: &str) -> Result<bool, Error> {
    let pieces = literal_pieces(pattern)?;
    // `pieces` holds the literal runs between stars: one more than there are stars.
    let (first, rest) = match pieces.split_first() {
        Some(split) => split,
        None => return Ok(text.is_empty()),
    };
    let Some((last, middle)) = rest.split_last() else {
        return Ok(text == first);
    };
    let Some(after_first) = text.strip_prefix(first.as_str()) else {
        return Ok(false);
    };
    // The last run anchors the end; stripping it from what follows the first run keeps the two
    // from sharing characters ("a*a" must not match "a").
    let Some(mut between) = after_first.strip_suffix(last.as_str()) else {
        return Ok(false);
    };
    // With `*` the only wildcard, taking each middle run at its leftmost occurrence never loses
    // a match: any later occurrence leaves less text for the runs after it.
    for piece in middle {
        match between.find(piece.as_str()) {
            Some(at) => between = &between[at + piece.len()..],
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// Splits a pattern at its unescaped stars and resolves the escapes in each run.
fn literal_pieces(pattern: &str) -> Result<Vec<String>, Error> {
    let mut pieces = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => pieces.push(String::new()),
            '\\' => match chars.next() {
                Some(escaped @ ('*' | '\\')) => push(&mut pieces, escaped),
                _ => {
                    return Err(Error::runtime(format!(
                        "The StringMatches pattern '{pattern}' has an open escape: a backslash must be followed by '*' or '\\'."
                    )));
                }
            },
            other => push(&mut pieces, other),
        }
    }
    Ok(pieces)
}

fn push(pieces: &mut [String], c: char) {
    if let Some(piece) = pieces.last_mut() {
        piece.push(c);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::matches;

    fn m(pattern: &str, text: &str) -> bool {
        matches(pattern, text).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    #[test]
    fn specification_examples() {
        assert!(m("foo*.log", "foo23.log"));
        assert!(m("*.log", "zebra.log"));
        assert!(m("foo*.*", "foobar.zebra"));
        assert!(!m("foo*.log", "foo23.txt"));
    }

    #[test]
    fn whole_string() {
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(!m("abc", "xabc"));
        assert!(!m("b", "abc"));
        assert!(m("", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn stars() {
        assert!(m("*", ""));
        assert!(m("*", "anything at all"));
        assert!(m("**", "x"));
        assert!(m("a*", "a"));
        assert!(m("*a", "a"));
        assert!(m("a*b*c", "abc"));
        assert!(m("a*b*c", "a-b-b-c"));
        assert!(!m("a*b*c", "acb"));
        assert!(!m("a*a", "a"));
        assert!(m("a*a", "aa"));
        assert!(m("*ab*ab*", "xabyyab"));
        assert!(!m("*ab*ab*", "xaby"));
        assert!(m("a*b", "a\nline\nb"));
    }

    #[test]
    fn other_characters_are_literal() {
        assert!(m("a?c", "a?c"));
        assert!(!m("a?c", "abc"));
        assert!(m("[ab]", "[ab]"));
        assert!(!m("[ab]", "a"));
        assert!(m("é*ü", "éxü"));
        assert!(m("*😀", "x😀"));
    }

    #[test]
    fn escapes() {
        // JSON "a\\*b" is the pattern a\*b: a literal star.
        assert!(m(r"a\*b", "a*b"));
        assert!(!m(r"a\*b", "axb"));
        // JSON "a\\\\b" is the pattern a\\b: one literal backslash.
        assert!(m(r"a\\b", r"a\b"));
        assert!(!m(r"a\\b", r"a\\b"));
        // An escaped backslash followed by a real star.
        assert!(m(r"a\\*", r"a\tail"));
        assert!(m(r"\**", "*rest"));
        assert!(!m(r"\**", "rest"));
    }

    #[test]
    fn open_escapes_fail() {
        for pattern in [r"a\b", "a\\", r"\d*"] {
            let error = matches(pattern, "x").err();
            assert_eq!(error.map(|e| e.name), Some("States.Runtime".into()), "{pattern}");
        }
    }
}
