//! The `pattern`s of the model, checked without a regex engine.
//!
//! The model has three patterns, all simple character classes, so each is a few lines of Rust
//! rather than a `regex` dependency (which would also not run Java's lookahead in the first
//! one). A pattern this file does not know is kept as [`Pattern::Unchecked`] and passes
//! everything; a test in this module fails if the model ever has one, so an update of
//! `service-2.json` cannot silently drop a check.
//!
//! Coral matches the whole value, as Java's `Matcher.matches()` does: STS refuses
//! `bad/name` for `[\w+=,.@-]*`, which a search for a match anywhere would accept.

/// A `pattern` constraint of a string shape.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Pattern {
    /// `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$` (alias names): letters, digits, `_`, `-`
    /// and `.`, and not digits only.
    AliasName,
    /// `[!-~]+` (client tokens): one or more printable ASCII characters, no space.
    PrintableAscii,
    /// `\p{ASCII}*` (X-Ray trace headers): ASCII only, possibly empty.
    Ascii,
    /// A pattern this file has no check for; it accepts every value.
    Unchecked,
}

impl Pattern {
    /// The check for `source`, the pattern as the model writes it.
    pub(super) fn new(source: &str) -> Pattern {
        match source {
            r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$" => Pattern::AliasName,
            "[!-~]+" => Pattern::PrintableAscii,
            r"\p{ASCII}*" => Pattern::Ascii,
            _ => Pattern::Unchecked,
        }
    }

    /// Whether the whole of `value` matches.
    pub(super) fn matches(&self, value: &str) -> bool {
        match self {
            Pattern::AliasName => {
                let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
                let not_digit = |c: char| c.is_ascii_alphabetic() || matches!(c, '_' | '-' | '.');
                !value.is_empty() && value.chars().all(allowed) && value.chars().any(not_digit)
            }
            Pattern::PrintableAscii => !value.is_empty() && value.chars().all(|c| ('!'..='~').contains(&c)),
            Pattern::Ascii => value.is_ascii(),
            Pattern::Unchecked => true,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn alias_names() {
        let pattern = Pattern::new(r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$");
        assert_eq!(pattern, Pattern::AliasName);
        for good in ["PROD", "v1", "a-b_c.d", "_", "1.2", "9a"] {
            assert!(pattern.matches(good), "{good}");
        }
        // The failures AWS answered in localstack's recorded CreateStateMachineAlias test, plus
        // digits only (the lookahead), empty, and a letter outside ASCII.
        for bad in ["123", "INVALID ALIAS", "!INVALID", "ALIAS@", "", "é"] {
            assert!(!pattern.matches(bad), "{bad}");
        }
    }

    #[test]
    fn printable_ascii() {
        let pattern = Pattern::new("[!-~]+");
        assert!(pattern.matches("abc-123_~!"));
        for bad in ["", "a b", "tab\t", "é"] {
            assert!(!pattern.matches(bad), "{bad:?}");
        }
    }

    #[test]
    fn ascii() {
        let pattern = Pattern::new(r"\p{ASCII}*");
        assert!(pattern.matches(""));
        assert!(pattern.matches("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1\u{7f}\0"));
        assert!(!pattern.matches("Root=é"));
    }

    #[test]
    fn unknown_patterns_accept_everything() {
        let pattern = Pattern::new("[a-z]+");
        assert_eq!(pattern, Pattern::Unchecked);
        assert!(pattern.matches("ANYTHING"));
    }
}
