//! A walk over JSON text that keeps the byte range of every key and value.
//!
//! serde_json forgets positions once it has built a value, and most problems of a mock
//! configuration ("`MockedLambdaRety` is not a mocked response") are found after that, so
//! the text is walked once more here. The walk runs only on text serde_json has already
//! accepted: it need not diagnose syntax, only stay safe (no indexing that can panic, depth
//! bounded like serde_json's own) if that promise were ever broken, in which case it gives up
//! with `None`.

use std::ops::Range;

/// Deepest nesting walked; serde_json refuses deeper text (its recursion limit is 128), so a
/// text that got here never reaches it.
const MAX_DEPTH: usize = 160;

/// A JSON value and where it is in the text.
#[derive(Debug)]
pub(super) struct Node {
    /// Byte range of the whole value (an object from `{` to `}`, a string with its quotes).
    pub span: Range<usize>,
    /// What it is.
    pub kind: Kind,
}

/// The kinds of value the checks need to tell apart; arrays, numbers, booleans and `null`
/// are only ever wrong or taken whole (a `Return` value is re-read from its span).
#[derive(Debug)]
pub(super) enum Kind {
    /// An object's members in text order, duplicates included (the checks report them).
    Object(Vec<Member>),
    /// A string, unescaped.
    String(String),
    /// Anything else, by the name messages use for it (`"an array"`, `"a number"`, …).
    Other(&'static str),
}

/// One `"key": value` member of an object.
#[derive(Debug)]
pub(super) struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Byte range of the key with its quotes.
    pub key_span: Range<usize>,
    /// The value.
    pub value: Node,
}

impl Node {
    /// How a message names this value's type: "an object", "a string", …
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Object(_) => "an object",
            Kind::String(_) => "a string",
            Kind::Other(name) => name,
        }
    }

    /// The members, if this is an object.
    pub fn members(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(text) => Some(text),
            _ => None,
        }
    }
}

/// Walks `text`, one JSON value with optional surrounding whitespace.
pub(super) fn scan(text: &str) -> Option<Node> {
    let mut scanner = Scanner { text, bytes: text.as_bytes(), pos: 0 };
    scanner.skip_ws();
    scanner.value(0)
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `byte` (after whitespace) or gives up.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.pos;
        let kind = match self.peek()? {
            b'{' => Kind::Object(self.object(depth)?),
            b'[' => {
                self.array(depth)?;
                Kind::Other("an array")
            }
            b'"' => Kind::String(self.string()?.0),
            b't' => self.literal("true", "a boolean")?,
            b'f' => self.literal("false", "a boolean")?,
            b'n' => self.literal("null", "null")?,
            _ => {
                let digits = self.bytes.get(start..)?;
                let len =
                    digits.iter().take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')).count();
                if len == 0 {
                    return None;
                }
                self.pos += len;
                Kind::Other("a number")
            }
        };
        Some(Node { span: start..self.pos, kind })
    }

    fn literal(&mut self, word: &str, name: &'static str) -> Option<Kind> {
        let end = self.pos + word.len();
        (self.text.get(self.pos..end)? == word).then(|| {
            self.pos = end;
            Kind::Other(name)
        })
    }

    fn object(&mut self, depth: usize) -> Option<Vec<Member>> {
        self.pos += 1; // `{`
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(members);
        }
        loop {
            self.skip_ws();
            let (key, key_span) = self.string()?;
            self.expect(b':')?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member { key, key_span, value });
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(members);
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.pos += 1; // `[`
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        loop {
            self.skip_ws();
            self.value(depth + 1)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string at the cursor: its unescaped text (serde_json does the unescaping, so `\u`
    /// escapes and surrogate pairs mean what they mean everywhere else) and its span.
    fn string(&mut self) -> Option<(String, Range<usize>)> {
        let start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
        self.pos += 1;
        let raw = self.text.get(start..self.pos)?;
        Some((serde_json::from_str(raw).ok()?, start..self.pos))
    }
}
