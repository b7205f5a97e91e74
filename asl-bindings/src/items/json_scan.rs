//! A validating JSON scanner over [`Bytes`]: it walks one value at a time, keeping its
//! bytes only when asked. The JSON reader uses it to step over the parts of a large object
//! it does not map over and to cut out one element at a time, so a 1 GB array is never
//! held whole; serde_json then parses each element's bytes.

use super::bytes::Bytes;
use super::error::ReadError;

/// How deeply arrays and objects may nest. Jackson, the parser AWS's Java services use,
/// stops at 1000 by default; the limit also keeps the scanner's own stack small.
const MAX_DEPTH: usize = 1000;

/// The container a value sits in, with what the scanner expects next inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Container {
    /// Inside `[ … ]`.
    Array,
    /// Inside `{ … }`.
    Object,
}

/// A syntax error at the scanner's position.
pub(crate) fn syntax(bytes: &Bytes, what: &str) -> ReadError {
    ReadError::failed(format!("The JSON is not valid: {what} at byte {}.", bytes.position()))
}

/// Skips whitespace and returns the next byte without taking it.
pub(crate) fn skip_ws(bytes: &mut Bytes) -> Result<Option<u8>, ReadError> {
    while let Some(b) = bytes.peek()? {
        if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            return Ok(Some(b));
        }
        bytes.next_byte()?;
    }
    Ok(None)
}

/// Takes the next non-whitespace byte, which must be `want`.
pub(crate) fn expect(bytes: &mut Bytes, want: u8) -> Result<(), ReadError> {
    match skip_ws(bytes)? {
        Some(b) if b == want => {
            bytes.next_byte()?;
            Ok(())
        }
        Some(_) => Err(syntax(bytes, &format!("expected '{}'", want as char))),
        None => Err(syntax(bytes, &format!("expected '{}' but the input ended", want as char))),
    }
}

/// Where a sink of scanned bytes puts them: nowhere, or a buffer bounded by a size.
pub(crate) struct Sink<'a> {
    out: Option<&'a mut Vec<u8>>,
    limit: usize,
}

impl<'a> Sink<'a> {
    /// Keep nothing (the value is only checked).
    pub(crate) fn skip() -> Sink<'a> {
        Sink { out: None, limit: 0 }
    }

    /// Keep the bytes in `out`, failing when they pass `limit`.
    pub(crate) fn keep(out: &'a mut Vec<u8>, limit: usize) -> Sink<'a> {
        Sink { out: Some(out), limit }
    }

    fn push(&mut self, bytes: &Bytes, b: u8) -> Result<(), ReadError> {
        if let Some(out) = self.out.as_deref_mut() {
            if out.len() >= self.limit {
                return Err(ReadError::failed(format!(
                    "An item of the JSON exceeds the maximum size of {} bytes that asl-rs reads (ending at byte {}).",
                    self.limit,
                    bytes.position()
                )));
            }
            out.push(b);
        }
        Ok(())
    }
}

/// Takes one byte that the caller has peeked, into the sink.
fn take(bytes: &mut Bytes, sink: &mut Sink<'_>) -> Result<Option<u8>, ReadError> {
    let b = bytes.next_byte()?;
    if let Some(b) = b {
        sink.push(bytes, b)?;
    }
    Ok(b)
}

/// Scans a string whose opening quote is next.
pub(crate) fn scan_string(bytes: &mut Bytes, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    take(bytes, sink)?; // the opening quote
    loop {
        match take(bytes, sink)? {
            None => return Err(syntax(bytes, "a string is not closed")),
            Some(b'"') => return Ok(()),
            Some(b'\\') => match take(bytes, sink)? {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                Some(b'u') => {
                    for _ in 0..4 {
                        match take(bytes, sink)? {
                            Some(h) if h.is_ascii_hexdigit() => {}
                            _ => return Err(syntax(bytes, "a \\u escape needs four hex digits")),
                        }
                    }
                }
                _ => return Err(syntax(bytes, "unknown escape in a string")),
            },
            Some(b) if b < 0x20 => return Err(syntax(bytes, "a control character in a string")),
            Some(_) => {}
        }
    }
}

/// Takes digits while there are; how many.
fn digits(bytes: &mut Bytes, sink: &mut Sink<'_>) -> Result<usize, ReadError> {
    let mut n = 0;
    while let Some(b'0'..=b'9') = bytes.peek()? {
        take(bytes, sink)?;
        n += 1;
    }
    Ok(n)
}

/// Scans a number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn scan_number(bytes: &mut Bytes, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    if bytes.peek()? == Some(b'-') {
        take(bytes, sink)?;
    }
    match bytes.peek()? {
        Some(b'0') => {
            take(bytes, sink)?;
        }
        Some(b'1'..=b'9') => {
            digits(bytes, sink)?;
        }
        _ => return Err(syntax(bytes, "a number needs digits")),
    }
    if bytes.peek()? == Some(b'.') {
        take(bytes, sink)?;
        if digits(bytes, sink)? == 0 {
            return Err(syntax(bytes, "a number needs digits after '.'"));
        }
    }
    if let Some(b'e' | b'E') = bytes.peek()? {
        take(bytes, sink)?;
        if let Some(b'+' | b'-') = bytes.peek()? {
            take(bytes, sink)?;
        }
        if digits(bytes, sink)? == 0 {
            return Err(syntax(bytes, "a number needs digits in its exponent"));
        }
    }
    Ok(())
}

/// Scans `true`, `false` or `null`.
fn scan_literal(bytes: &mut Bytes, sink: &mut Sink<'_>, word: &[u8]) -> Result<(), ReadError> {
    for &want in word {
        if take(bytes, sink)? != Some(want) {
            return Err(syntax(bytes, "unexpected character"));
        }
    }
    Ok(())
}

/// Scans a scalar value, or opens a container; `Some` when a container was opened.
fn scan_start(bytes: &mut Bytes, sink: &mut Sink<'_>) -> Result<Option<Container>, ReadError> {
    match skip_ws(bytes)? {
        None => Err(syntax(bytes, "expected a value but the input ended")),
        Some(b'{') => {
            take(bytes, sink)?;
            Ok(Some(Container::Object))
        }
        Some(b'[') => {
            take(bytes, sink)?;
            Ok(Some(Container::Array))
        }
        Some(b'"') => scan_string(bytes, sink).map(|()| None),
        Some(b'-' | b'0'..=b'9') => scan_number(bytes, sink).map(|()| None),
        Some(b't') => scan_literal(bytes, sink, b"true").map(|()| None),
        Some(b'f') => scan_literal(bytes, sink, b"false").map(|()| None),
        Some(b'n') => scan_literal(bytes, sink, b"null").map(|()| None),
        Some(_) => Err(syntax(bytes, "unexpected character")),
    }
}

/// Scans an object member's key and colon; the key's opening quote is next.
fn scan_key(bytes: &mut Bytes, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    match skip_ws(bytes)? {
        Some(b'"') => {}
        _ => return Err(syntax(bytes, "expected a string key")),
    }
    scan_string(bytes, sink)?;
    if skip_ws(bytes)? != Some(b':') {
        return Err(syntax(bytes, "expected ':' after a key"));
    }
    take(bytes, sink)?;
    Ok(())
}

/// Scans one whole value (with everything nested in it) into `sink`.
pub(crate) fn scan_value(bytes: &mut Bytes, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut stack: Vec<Container> = Vec::new();
    loop {
        // A value is due here.
        if let Some(opened) = scan_start(bytes, sink)? {
            if stack.len() >= MAX_DEPTH {
                return Err(syntax(bytes, &format!("arrays and objects nest deeper than {MAX_DEPTH} levels")));
            }
            stack.push(opened);
            let close = if opened == Container::Array { b']' } else { b'}' };
            if skip_ws(bytes)? == Some(close) {
                take(bytes, sink)?;
                stack.pop();
            } else {
                if opened == Container::Object {
                    scan_key(bytes, sink)?;
                }
                continue;
            }
        }
        // A value ended: close containers until one goes on with another value.
        loop {
            let Some(&top) = stack.last() else { return Ok(()) };
            match (skip_ws(bytes)?, top) {
                (Some(b','), _) => {
                    take(bytes, sink)?;
                    if top == Container::Object {
                        scan_key(bytes, sink)?;
                    }
                    break;
                }
                (Some(b']'), Container::Array) | (Some(b'}'), Container::Object) => {
                    take(bytes, sink)?;
                    stack.pop();
                }
                (None, _) => return Err(syntax(bytes, "the input ended inside an array or object")),
                _ => return Err(syntax(bytes, "expected ',' or the end of the array or object")),
            }
        }
    }
}

/// Having scanned a value inside `container`, scans the rest of it up to and including its
/// closing bracket.
pub(crate) fn finish_container(bytes: &mut Bytes, container: Container) -> Result<(), ReadError> {
    let close = if container == Container::Array { b']' } else { b'}' };
    loop {
        match skip_ws(bytes)? {
            Some(b',') => {
                bytes.next_byte()?;
                if container == Container::Object {
                    scan_key(bytes, &mut Sink::skip())?;
                }
                scan_value(bytes, &mut Sink::skip())?;
            }
            Some(b) if b == close => {
                bytes.next_byte()?;
                return Ok(());
            }
            None => return Err(syntax(bytes, "the input ended inside an array or object")),
            Some(_) => return Err(syntax(bytes, "expected ',' or the end of the array or object")),
        }
    }
}

/// Checks that nothing but whitespace follows the document.
pub(crate) fn expect_end(bytes: &mut Bytes) -> Result<(), ReadError> {
    match skip_ws(bytes)? {
        None => Ok(()),
        Some(_) => Err(syntax(bytes, "unexpected characters after the JSON document")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    fn bytes(text: &str) -> Bytes {
        Bytes::new(Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))).unwrap()
    }

    /// Scans one value and checks nothing follows; returns the kept bytes.
    fn scan(text: &str) -> Result<String, ReadError> {
        let mut b = bytes(text);
        let mut out = Vec::new();
        scan_value(&mut b, &mut Sink::keep(&mut out, usize::MAX))?;
        expect_end(&mut b)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn accepts_what_serde_json_accepts() {
        for text in [
            "0",
            "-12.5e+3",
            "1E9",
            "true",
            "null",
            "\"a\\\"b\\u00e9\\n\"",
            "[]",
            "{}",
            "[1, [2, {\"a\": [3]}], {}]",
            " {\"k\" : \"v\", \"n\": {\"m\": []}} ",
        ] {
            let kept = scan(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&kept).unwrap(),
                serde_json::from_str::<serde_json::Value>(text).unwrap()
            );
        }
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for text in [
            "",
            "not-json",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{1:2}",
            "[1}",
            "{\"a\":1]",
            "\"open",
            "\"bad \\x escape\"",
            "\"\\u12g4\"",
            "\"tab\there\"",
            "[1] 2",
            "[[[",
        ] {
            assert!(scan(text).is_err(), "{text:?} should be rejected");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(scan(&text).unwrap_err().cause.contains("nest deeper than 1000"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(scan(&ok).is_ok());
    }

    #[test]
    fn kept_bytes_are_bounded() {
        let mut b = bytes("[1, 2, 3, 4, 5]");
        let mut out = Vec::new();
        let err = scan_value(&mut b, &mut Sink::keep(&mut out, 4)).unwrap_err();
        assert!(err.cause.contains("maximum size of 4 bytes"), "{}", err.cause);
    }

    /// A small deterministic generator (xorshift64*), so failures reproduce.
    fn random(seed: &mut u64) -> u64 {
        *seed ^= *seed >> 12;
        *seed ^= *seed << 25;
        *seed ^= *seed >> 27;
        seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    #[test]
    fn agrees_with_serde_json_on_random_documents() {
        // JSON's structural characters and the letters of its literals; no `d`, so no
        // `\u` escape can name a lone surrogate (which serde_json rejects and a scanner
        // that does not decode strings cannot see).
        let alphabet = b"[]{},:\" \\/01-9.eE+-truefalsn\n";
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        let mut agreed_valid = 0;
        for _ in 0..20_000 {
            let len = (random(&mut seed) % 12) as usize;
            let text: String =
                (0..len).map(|_| alphabet[(random(&mut seed) % alphabet.len() as u64) as usize] as char).collect();
            let ours = scan(&text).is_ok();
            let theirs = serde_json::from_str::<serde_json::Value>(&text).is_ok();
            assert_eq!(ours, theirs, "{text:?}");
            agreed_valid += usize::from(ours);
        }
        assert!(agreed_valid > 100, "too few valid documents to mean anything: {agreed_valid}");
    }

    #[test]
    fn finishes_the_rest_of_a_container() {
        let mut b = bytes("1, {\"x\": [2]}, \"y\"] ");
        scan_value(&mut b, &mut Sink::skip()).unwrap();
        finish_container(&mut b, Container::Array).unwrap();
        expect_end(&mut b).unwrap();

        let mut b = bytes("1, \"b\": 2} x");
        scan_value(&mut b, &mut Sink::skip()).unwrap();
        finish_container(&mut b, Container::Object).unwrap();
        assert!(expect_end(&mut b).is_err());
    }
}
