//! Where a JSON value is in its text: JSON Pointer → line and column, for the connections
//! file's diagnostics.
//!
//! `serde_json::Value` keeps no positions, and the checks that find most mistakes in a
//! connections file (an `AuthorizationType` without its parameters, a header name that is
//! not one) run on the parsed value. So the text is scanned once more, after serde_json
//! accepted it, recording where every value and every member name starts.

use std::collections::HashMap;

/// A 1-based line and column (columns count characters, as editors do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

/// The positions of every value (and member name) of a JSON text, by JSON Pointer.
#[derive(Debug, Default)]
pub(crate) struct Locations {
    values: HashMap<String, usize>,
    keys: HashMap<String, usize>,
    line_starts: Vec<usize>,
    text: String,
}

impl Locations {
    /// Scans `text`, which serde_json has already parsed (on text it cannot scan, the map
    /// stays partial and lookups fall back to the start of the text).
    pub(crate) fn new(text: &str) -> Locations {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        let mut locations =
            Locations { values: HashMap::new(), keys: HashMap::new(), line_starts, text: text.to_owned() };
        let mut scanner = Scanner { bytes: text.as_bytes(), at: 0 };
        scanner.value(String::new(), &mut locations);
        locations
    }

    /// Where the value at `pointer` starts.
    pub(crate) fn value(&self, pointer: &str) -> Position {
        self.position(self.values.get(pointer).copied().unwrap_or(0))
    }

    /// Where the member name of the value at `pointer` starts (the value's own position for
    /// an array element or the root).
    pub(crate) fn key(&self, pointer: &str) -> Position {
        match self.keys.get(pointer) {
            Some(&at) => self.position(at),
            None => self.value(pointer),
        }
    }

    fn position(&self, at: usize) -> Position {
        let line = self.line_starts.partition_point(|&start| start <= at).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..at).map_or(1, |prefix| prefix.chars().count() + 1);
        Position { line, column }
    }
}

/// Appends a reference token to a JSON Pointer (`~` → `~0`, `/` → `~1`).
pub(crate) fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Scans one value, recording it and its descendants under `pointer`. Returns `None`
    /// on text that is not JSON (never the case after serde_json parsed it).
    fn value(&mut self, pointer: String, locations: &mut Locations) -> Option<()> {
        self.skip_whitespace();
        locations.values.insert(pointer.clone(), self.at);
        match self.peek()? {
            b'{' => {
                self.at += 1;
                loop {
                    self.skip_whitespace();
                    match self.peek()? {
                        b'}' => {
                            self.at += 1;
                            return Some(());
                        }
                        b',' => self.at += 1,
                        b'"' => {
                            let key_at = self.at;
                            let key = self.string()?;
                            let member = child(&pointer, &key);
                            locations.keys.insert(member.clone(), key_at);
                            self.skip_whitespace();
                            (self.peek()? == b':').then_some(())?;
                            self.at += 1;
                            self.value(member, locations)?;
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut index = 0usize;
                loop {
                    self.skip_whitespace();
                    match self.peek()? {
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        b',' => self.at += 1,
                        _ => {
                            self.value(child(&pointer, &index.to_string()), locations)?;
                            index += 1;
                        }
                    }
                }
            }
            b'"' => self.string().map(drop),
            _ => {
                // A number, `true`, `false` or `null`: up to the next delimiter.
                while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    /// Scans a string literal and returns its decoded text.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    break;
                }
                _ => self.at += 1,
            }
        }
        let literal = std::str::from_utf8(self.bytes.get(start..self.at)?).ok()?;
        serde_json::from_str(literal).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::{Locations, Position, child};

    #[test]
    fn values_and_keys_have_their_line_and_column() {
        let text = "{\n  \"a/b\": {\"x~\": [1, \"é\", {\"k\": null}]},\n  \"c\":\"\\\"q\\\"\"\n}";
        let at = Locations::new(text);
        let position = |line, column| Position { line, column };
        assert_eq!(at.value(""), position(1, 1));
        assert_eq!(at.key("/a~1b"), position(2, 3));
        assert_eq!(at.value("/a~1b"), position(2, 10));
        assert_eq!(at.key("/a~1b/x~0"), position(2, 11));
        assert_eq!(at.value("/a~1b/x~0/1"), position(2, 21));
        assert_eq!(at.key("/a~1b/x~0/2/k"), position(2, 27));
        assert_eq!(at.value("/c"), position(3, 7));
        // Unknown pointers and array elements fall back sensibly.
        assert_eq!(at.key("/a~1b/x~0/0"), position(2, 18));
        assert_eq!(at.value("/nowhere"), position(1, 1));
    }

    #[test]
    fn text_that_is_not_json_does_not_panic() {
        for text in ["", "{", "{\"a\"", "[1,", "\"abc", "{\"a\":}", "\u{0}", "{\"a\" 1}"] {
            let at = Locations::new(text);
            let _ = at.value("/a");
            let _ = at.key("/a");
        }
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(child("", "arn:aws:events:r:1:connection/a/b"), "/arn:aws:events:r:1:connection~1a~1b");
        assert_eq!(child("/x", "~"), "/x/~0");
    }
}
