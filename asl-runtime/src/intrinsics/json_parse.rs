//! The JSON reader behind `States.StringToJson`.
//!
//! serde_json reads `-0` as the float `-0.0`, where AWS returns the integer `0`
//! (case `json-manipulation-string-to-json-3`): a Java reader types a number by its text,
//! so `-0` is an integer. This reader does the same (integers without `.` or exponent,
//! other numbers as doubles) and is otherwise strict RFC 8259: one value, optional
//! surrounding whitespace, no comments, no trailing commas, no `NaN`.

use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused, as Jackson's default read limit (1000) does; it
/// also bounds this reader's recursion.
const MAX_DEPTH: usize = 1000;

/// Parses `text` as one JSON value, or says what is wrong and where (1-based character).
pub(super) fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser { text, pos: 0 };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < text.len() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        let column = self.text.get(..self.pos).map_or(0, |s| s.chars().count()) + 1;
        format!("{what} at character {column}")
    }

    /// The text not read yet. `pos` only ever stops on character boundaries (after ASCII
    /// or after a whole run of characters), so this is never empty by mistake.
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` (after whitespace) or fails.
    fn expect(&mut self, byte: u8, what: &str) -> Result<(), String> {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// A value inside `depth` arrays and objects.
    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth >= MAX_DEPTH && matches!(self.peek(), Some(b'{' | b'[')) {
            return Err(self.error("JSON nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.keyword("true", Value::Bool(true)),
            Some(b'f') => self.keyword("false", Value::Bool(false)),
            Some(b'n') => self.keyword("null", Value::Null),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of text")),
        }
    }

    fn keyword(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.rest().starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("unrecognized token"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1; // '{'
        let mut members = Map::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a field name"));
            }
            let key = self.string()?;
            self.expect(b':', "expected ':'")?;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            // A repeated key keeps its first position and takes the last value, as a Java
            // LinkedHashMap (and Jackson's ObjectNode) does.
            members.insert(key, value);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match digits(self) {
            0 => return Err(self.error("expected a digit")),
            n if n > 1 && self.text.as_bytes().get(int_start) == Some(&b'0') => {
                return Err(self.error("leading zeros are not allowed"));
            }
            _ => {}
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error("expected a digit after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        if integral {
            // `-0` parses as the i64 0: no sign survives, as in Java.
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Number(Number::from(i)));
            }
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Value::Number(Number::from(u)));
            }
            // Wider integers (Java's BigInteger) have no exact serde_json form: fall
            // through to the nearest double.
        }
        match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(self.error("number out of range")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let rest = self.rest();
            // Copy the run up to the next quote, backslash or control character at once.
            let run = rest.find(|c: char| c == '"' || c == '\\' || c < ' ').unwrap_or(rest.len());
            out.push_str(&rest[..run]);
            self.pos += run;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("unescaped control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// One escape sequence, the backslash already consumed.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let Some(byte) = self.peek() else { return Err(self.error("unterminated string")) };
        self.pos += 1;
        let c = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) && self.rest().starts_with("\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        return Ok(());
                    }
                    // Not a pair: the high half stands alone and the next escape is read
                    // on its own.
                    self.pos = save;
                }
                // A lone surrogate is legal in a Java string but not in a Rust one.
                char::from_u32(high).unwrap_or('\u{FFFD}')
            }
            _ => return Err(self.error("invalid escape sequence")),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let hex = self.text.get(self.pos..self.pos + 4).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match hex.and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error("invalid \\u escape")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recorded_values() {
        // json-manipulation-string-to-json-2…9.
        assert_eq!(parse("null"), Ok(json!(null)));
        assert_eq!(parse("-0"), Ok(json!(0)));
        assert_eq!(parse("-0").map(|v| v.is_i64()), Ok(true));
        assert_eq!(parse("1"), Ok(json!(1)));
        assert_eq!(parse("1.1"), Ok(json!(1.1)));
        assert_eq!(parse("true"), Ok(json!(true)));
        assert_eq!(parse("\"HelloWorld\""), Ok(json!("HelloWorld")));
        assert_eq!(parse("[1, 2, \"HelloWorld\"]"), Ok(json!([1, 2, "HelloWorld"])));
        assert_eq!(parse("{\"Arg1\": 1, \"Arg2\": []}"), Ok(json!({"Arg1": 1, "Arg2": []})));
    }

    #[test]
    fn numbers_are_typed_by_their_text() {
        assert_eq!(parse("-0.0").map(|v| v.is_f64()), Ok(true));
        assert_eq!(parse("2.0").map(|v| v.is_f64()), Ok(true));
        assert_eq!(parse("1e2"), Ok(json!(100.0)));
        assert_eq!(parse("-9223372036854775808"), Ok(json!(i64::MIN)));
        assert_eq!(parse("18446744073709551615"), Ok(json!(u64::MAX)));
        assert_eq!(parse("18446744073709551616"), Ok(json!(18446744073709551616.0)));
        assert!(parse("1e400").is_err());
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(parse(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#), Ok(json!("a\"\\/\u{8}\u{c}\n\r\té😀")));
        assert_eq!(parse(r#""\ud83d""#), Ok(json!("\u{FFFD}")));
        assert_eq!(parse(r#""\ud83dx""#), Ok(json!("\u{FFFD}x")));
        assert_eq!(parse(r#""\ud83d\u0041""#), Ok(json!("\u{FFFD}A")));
        assert!(parse("\"a\nb\"").is_err());
        assert!(parse(r#""\x""#).is_err());
        assert!(parse(r#""\u12""#).is_err());
        assert!(parse("\"open").is_err());
    }

    #[test]
    fn structure() {
        assert_eq!(parse(" { \"a\" : [ ] , \"b\" : { } } "), Ok(json!({"a": [], "b": {}})));
        let dup = parse(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(dup, Ok(json!({"a": 3, "b": 2})));
        let keys: Vec<String> =
            dup.ok().and_then(|v| v.as_object().map(|o| o.keys().cloned().collect())).unwrap_or_default();
        assert_eq!(keys, ["a", "b"]);
        for bad in ["", "[1,]", "{\"a\":1,}", "{a:1}", "[1 2]", "{\"a\" 1}", "[1] x", "tru", "nul", "// c\n1", "'a'"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse("[1] x"), Err("unexpected text after the JSON value at character 5".to_string()));
    }

    #[test]
    fn depth_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&deep).is_err());
        assert!(parse(&"[".repeat(100_000)).is_err());
    }
}
