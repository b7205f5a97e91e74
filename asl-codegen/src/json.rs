//! A strict JSON (RFC 8259) reader that records the byte range of every key and value.
//!
//! serde_json drops positions once a value is built, and semantic errors ("`Next` names no
//! state") need them, so the definition is read with this small recursive-descent parser.
//! It accepts exactly RFC 8259 (no comments, trailing commas, single quotes, NaN…),
//! reports duplicate keys, and limits nesting so hostile input cannot overflow the stack.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::node::{Member, Node, NodeValue, pointer_push};
use crate::source::Span;

/// Deepest nesting of arrays/objects accepted. Real definitions stay far below it.
pub const MAX_DEPTH: usize = 128;

/// Parses `text` as one JSON value. Syntax errors are fatal (returns `None` after reporting
/// one diagnostic); duplicate keys are reported and the first occurrence is kept.
pub fn parse(text: &str, diags: &mut Diagnostics) -> Option<Node> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, diags };
    parser.skip_ws();
    if parser.pos == parser.bytes.len() {
        parser.diags.report(Code::EmptyDefinition, "", Span::new(0, 0), "the definition is empty");
        return None;
    }
    let node = parser.value(0, "").ok()?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        let start = parser.pos;
        parser.error(
            start,
            "unexpected text after the end of the JSON document",
            "remove everything after the closing bracket",
        );
        return None;
    }
    Some(node)
}

struct Parser<'t, 'd> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    diags: &'d mut Diagnostics,
}

/// Marker: a fatal syntax error was already reported.
struct Fatal;

impl Parser<'_, '_> {
    fn error(&mut self, at: usize, message: &str, help: &str) -> Fatal {
        let end = self.next_char_end(at);
        let mut d = Diagnostic::new(Code::Syntax, "", Span::new(at, end), format!("invalid JSON: {message}"));
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.diags.push(d);
        Fatal
    }

    fn next_char_end(&self, at: usize) -> usize {
        self.text.get(at..).and_then(|s| s.chars().next()).map_or(at, |c| at + c.len_utf8())
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn unexpected(&mut self, expected: &str) -> Fatal {
        let at = self.pos;
        match self.bytes.get(at) {
            None => self.error(at, &format!("unexpected end of input, expected {expected}"), ""),
            Some(b'/') => self.error(at, "comments are not allowed in JSON", "remove the comment"),
            Some(b'\'') => self.error(at, "strings must use double quotes", "replace ' with \""),
            Some(_) => {
                let c = self.text[at..].chars().next().unwrap_or('?');
                // Show printable characters as they are; only invisible ones need escaping.
                let shown = if c.is_control() { c.escape_debug().to_string() } else { c.to_string() };
                self.error(at, &format!("unexpected character `{shown}`, expected {expected}"), "")
            }
        }
    }

    fn value(&mut self, depth: usize, pointer: &str) -> Result<Node, Fatal> {
        if depth > MAX_DEPTH {
            let at = self.pos;
            let end = self.next_char_end(at);
            self.diags.push(Diagnostic::new(
                Code::TooDeeplyNested,
                pointer,
                Span::new(at, end),
                format!("JSON nests deeper than {MAX_DEPTH} levels"),
            ));
            return Err(Fatal);
        }
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth, pointer),
            Some(b'[') => self.array(depth, pointer),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node { value: NodeValue::String(s), span: Span::new(start, self.pos) })
            }
            Some(b't') => self.literal("true", NodeValue::Bool(true)),
            Some(b'f') => self.literal("false", NodeValue::Bool(false)),
            Some(b'n') => self.literal("null", NodeValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected("a JSON value")),
        }
    }

    fn literal(&mut self, word: &str, value: NodeValue) -> Result<Node, Fatal> {
        let start = self.pos;
        if self.text[start..].starts_with(word) {
            self.pos += word.len();
            Ok(Node { value, span: Span::new(start, self.pos) })
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Node, Fatal> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while let Some(b'0'..=b'9') = p.bytes.get(p.pos) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 {
            return Err(self.error(self.pos, "a number needs digits", ""));
        }
        if n > 1 && self.bytes[int_start] == b'0' {
            return Err(self.error(int_start, "numbers must not have leading zeros", ""));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error(self.pos, "a digit must follow the decimal point", ""));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error(self.pos, "an exponent needs digits", ""));
            }
        }
        let text = &self.text[start..self.pos];
        match serde_json::from_str::<serde_json::Number>(text) {
            Ok(n) => Ok(Node { value: NodeValue::Number(n), span: Span::new(start, self.pos) }),
            Err(_) => Err(self.error(start, &format!("the number {text} is out of range"), "")),
        }
    }

    fn hex4(&mut self) -> Result<u32, Fatal> {
        let at = self.pos;
        let hex = self.text.get(at..at + 4).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match hex.and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error(at, "`\\u` must be followed by four hex digits", "")),
        }
    }

    /// Reads a string starting at the opening quote; leaves `pos` after the closing quote.
    fn string(&mut self) -> Result<String, Fatal> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error(open, "this string is never closed", "add the closing \"")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let esc = self.pos;
                    self.pos += 1;
                    let c = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.text[self.pos..].starts_with("\\u") {
                                    self.pos += 2;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..0xE000).contains(&lo) {
                                        return Err(self.error(esc, "invalid UTF-16 surrogate pair", ""));
                                    }
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    return Err(self.error(esc, "unpaired UTF-16 surrogate", ""));
                                }
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.error(esc, "unpaired UTF-16 surrogate", ""));
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => return Err(self.error(esc, "invalid unicode escape", "")),
                            }
                            continue;
                        }
                        _ => {
                            return Err(self.error(
                                esc,
                                "invalid escape sequence",
                                "a backslash in a JSON string must be written `\\\\`",
                            ));
                        }
                    };
                    out.push(c);
                    self.pos += 1;
                }
                Some(_) => {
                    return Err(self.error(
                        self.pos,
                        "control characters must be escaped inside strings",
                        "write a line break as `\\n` and a tab as `\\t`",
                    ));
                }
            }
        }
    }

    fn array(&mut self, depth: usize, pointer: &str) -> Result<Node, Fatal> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node { value: NodeValue::Array(items), span: Span::new(start, self.pos) });
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) == Some(&b']') {
                return Err(self.error(self.pos, "trailing comma before `]`", "remove the last comma"));
            }
            let child = pointer_push(pointer, &items.len().to_string());
            items.push(self.value(depth + 1, &child)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node { value: NodeValue::Array(items), span: Span::new(start, self.pos) });
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize, pointer: &str) -> Result<Node, Fatal> {
        let start = self.pos;
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node { value: NodeValue::Object(members), span: Span::new(start, self.pos) });
        }
        loop {
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b'"') => {}
                Some(b'}') => return Err(self.error(self.pos, "trailing comma before `}`", "remove the last comma")),
                _ => return Err(self.unexpected("a key in double quotes")),
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.unexpected("`:` after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let child = pointer_push(pointer, &key);
            let value = self.value(depth + 1, &child)?;
            if let Some(first) = members.iter().find(|m| m.key == key) {
                let line_note = format!("the first `{key}` is at byte {}", first.key_span.start);
                self.diags.push(
                    Diagnostic::new(Code::DuplicateKey, child, key_span, format!("duplicate key `{key}`"))
                        .with_label("defined again here")
                        .with_help("remove one of the two; JSON readers disagree on which one wins")
                        .with_note(line_note),
                );
            } else {
                members.push(Member { key, key_span, value });
            }
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node { value: NodeValue::Object(members), span: Span::new(start, self.pos) });
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Node {
        let mut d = Diagnostics::new();
        let n = parse(text, &mut d);
        assert!(d.is_empty(), "{d:?}");
        n.unwrap_or_else(|| Node { value: NodeValue::Null, span: Span::default() })
    }

    fn err(text: &str) -> Diagnostic {
        let mut d = Diagnostics::new();
        assert!(parse(text, &mut d).is_none(), "accepted {text:?}");
        d.into_vec().remove(0)
    }

    #[test]
    fn reads_values_with_spans() {
        let n = ok(r#" {"a": [1, "x\u00e9", true, null], "b": {"c": -1.5e3}} "#);
        assert_eq!(n.span, Span::new(1, 54));
        let a = n.get("a").map(|m| m.key_span);
        assert_eq!(a, Some(Span::new(2, 5)));
        assert_eq!(n.to_json(), serde_json::json!({"a": [1, "xé", true, null], "b": {"c": -1.5e3}}));
    }

    #[test]
    fn surrogate_pairs_decode() {
        assert_eq!(ok(r#""\ud83d\ude00""#).as_str(), Some("😀"));
    }

    #[test]
    fn rejects_non_json() {
        for bad in [
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "// c\n{}",
            "{\"a\":1} x",
            "01",
            "1.",
            "NaN",
            "\"\\x\"",
            "\"a\nb\"",
            "\"\\ud800\"",
            "[",
            "{\"a\"}",
            "-",
            "1e",
        ] {
            assert_eq!(err(bad).code, Code::Syntax, "{bad}");
        }
    }

    #[test]
    fn empty_text_is_its_own_diagnostic() {
        assert_eq!(err("  \n").code, Code::EmptyDefinition);
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_kept() {
        let mut d = Diagnostics::new();
        let n = parse(r#"{"a": 1, "a": 2}"#, &mut d);
        assert_eq!(d.len(), 1);
        let d0 = d.iter().next().map(|d| (d.code, d.pointer.clone()));
        assert_eq!(d0, Some((Code::DuplicateKey, "/a".to_string())));
        assert_eq!(n.map(|n| n.to_json()), Some(serde_json::json!({"a": 1})));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert_eq!(err(&text).code, Code::TooDeeplyNested);
    }
}
