//! `InputType: CSV`: text delimited files, one item per record, every value a string.
//!
//! The rules are AWS's, from the Developer Guide page "How Step Functions parses input CSV
//! files":
//! - fields are separated by `CSVDelimiter` (comma by default), records by newlines
//!   (`\n`, `\r\n` or `\r`);
//! - double quotes may enclose a field, which can then hold delimiters and newlines;
//!   a doubled quote stands for one quote, inside quotes and outside them (the guide's
//!   example `{""MyKey"":""MyValue""}` is an unquoted field that becomes `{"MyKey":"MyValue"}`);
//! - a backslash escapes the next character: `\\`, `\"` and `\<delimiter>` keep that
//!   character, and a backslash before any other character is dropped (`\z` is `z`);
//! - a row with fewer fields than headers gets empty strings for the missing values;
//!   a row with more fields has the extra ones skipped;
//! - headers come from the first row (`CSVHeaderLocation: FIRST_ROW`, the default) or from
//!   `CSVHeaders` (`GIVEN`, where the first row is data); duplicates fail with
//!   `CSV headers cannot contain duplicates.`; headers may be at most 10 KiB.
//!
//! Not documented, and chosen here: empty lines are skipped (as most CSV readers do), an
//! unclosed quote ends its field at the end of the object, and bytes that are not UTF-8
//! become U+FFFD (as Java's decoders do by default).
//!
//! This is a tokenizer of its own rather than the `csv` crate: that crate has no
//! backslash escapes outside quotes and keeps `""` in an unquoted field as two quotes, so
//! it cannot follow the rules above.

use serde_json::{Map, Value};

use super::bytes::Bytes;
use super::error::{DUPLICATE_HEADERS, ReadError};
use super::{Body, MAX_ITEM_BYTES};

/// The largest header row AWS accepts (ItemReader page: "Step Functions supports CSV
/// headers of up to 10 KiB").
pub const MAX_HEADER_BYTES: usize = 10 * 1024;

/// Where the tokenizer is within a field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    /// Nothing of the field read yet.
    Start,
    /// A field that did not start with a quote.
    Plain,
    /// Between a field's opening quote and its closing one.
    Quoted,
    /// After a quoted field's closing quote.
    AfterQuote,
}

/// The records of a delimited text, one at a time.
pub(crate) struct Records {
    bytes: Bytes,
    delimiter: u8,
    /// Bytes the last record took (for the header size limit).
    last_len: usize,
}

/// Turns a field's bytes into a string, replacing what is not UTF-8.
fn field_text(raw: Vec<u8>) -> String {
    String::from_utf8(raw).unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

impl Records {
    /// Reads `body` with fields separated by `delimiter`.
    pub(crate) fn new(body: Body, delimiter: u8) -> Result<Records, ReadError> {
        Ok(Records { bytes: Bytes::new(body)?, delimiter, last_len: 0 })
    }

    /// Takes a byte, counting it against the record's size.
    fn take(&mut self) -> Result<Option<u8>, ReadError> {
        let b = self.bytes.next_byte()?;
        if b.is_some() {
            self.last_len += 1;
            if self.last_len > MAX_ITEM_BYTES {
                return Err(ReadError::failed(format!(
                    "A CSV record exceeds the maximum size of {MAX_ITEM_BYTES} bytes that asl-rs reads (at byte {}).",
                    self.bytes.position()
                )));
            }
        }
        Ok(b)
    }

    /// Ends a record at a `\r`, taking the `\n` of a `\r\n`.
    fn end_at_cr(&mut self) -> Result<(), ReadError> {
        if self.bytes.peek()? == Some(b'\n') {
            self.take()?;
        }
        Ok(())
    }

    /// Reads the next record's fields into `fields`; false at the end of the object.
    pub(crate) fn next_record(&mut self, fields: &mut Vec<String>) -> Result<bool, ReadError> {
        fields.clear();
        self.last_len = 0;
        // Skip empty lines.
        loop {
            match self.bytes.peek()? {
                None => return Ok(false),
                Some(b'\n') => {
                    self.bytes.next_byte()?;
                }
                Some(b'\r') => {
                    self.bytes.next_byte()?;
                    if self.bytes.peek()? == Some(b'\n') {
                        self.bytes.next_byte()?;
                    }
                }
                Some(_) => break,
            }
        }
        let mut field = Vec::new();
        let mut state = In::Start;
        loop {
            let Some(b) = self.take()? else {
                fields.push(field_text(field));
                return Ok(true);
            };
            if state == In::Start {
                if b == b'"' {
                    state = In::Quoted;
                    continue;
                }
                state = In::Plain;
            }
            match (state, b) {
                (In::Quoted, b'"') => {
                    if self.bytes.peek()? == Some(b'"') {
                        self.take()?;
                        field.push(b'"');
                    } else {
                        state = In::AfterQuote;
                    }
                }
                (_, b'\\') => {
                    // The escaped byte is kept as it is; a lone backslash at the end goes.
                    if let Some(escaped) = self.take()? {
                        field.push(escaped);
                    }
                }
                (In::Quoted, _) => field.push(b),
                (_, b) if b == self.delimiter => {
                    fields.push(field_text(std::mem::take(&mut field)));
                    state = In::Start;
                }
                (_, b'\n') => {
                    fields.push(field_text(field));
                    return Ok(true);
                }
                (_, b'\r') => {
                    self.end_at_cr()?;
                    fields.push(field_text(field));
                    return Ok(true);
                }
                (_, b'"') => {
                    // Outside quotes a doubled quote is one quote; a single one is kept.
                    if self.bytes.peek()? == Some(b'"') {
                        self.take()?;
                    }
                    field.push(b'"');
                    state = In::Plain;
                }
                (_, b) => {
                    field.push(b);
                    state = In::Plain;
                }
            }
        }
    }
}

/// Checks a header row: not too large and without duplicates.
fn check_headers(headers: &[String], size: usize) -> Result<(), ReadError> {
    if size > MAX_HEADER_BYTES {
        return Err(ReadError::failed(format!(
            "The CSV headers take {size} bytes, more than the {MAX_HEADER_BYTES} bytes (10 KiB) Step Functions supports."
        )));
    }
    let mut seen = std::collections::HashSet::with_capacity(headers.len());
    if headers.iter().any(|h| !seen.insert(h.as_str())) {
        return Err(ReadError::failed(DUPLICATE_HEADERS));
    }
    Ok(())
}

/// The items of a delimited text: one object per record, keyed by the headers in their
/// order.
pub(crate) struct CsvItems {
    records: Records,
    headers: Vec<String>,
    fields: Vec<String>,
    done: bool,
}

impl CsvItems {
    /// Reads `body`, with the headers given or (when `given` is `None`) from its first
    /// record. An object without any record has no items.
    pub(crate) fn open(body: Body, delimiter: u8, given: Option<&[String]>) -> Result<CsvItems, ReadError> {
        let mut records = Records::new(body, delimiter)?;
        let mut fields = Vec::new();
        let (headers, done) = match given {
            Some(given) => {
                let size = given.iter().map(String::len).sum::<usize>() + given.len().saturating_sub(1);
                check_headers(given, size)?;
                (given.to_vec(), false)
            }
            None => {
                if records.next_record(&mut fields)? {
                    check_headers(&fields, records.last_len)?;
                    (std::mem::take(&mut fields), false)
                } else {
                    (Vec::new(), true)
                }
            }
        };
        Ok(CsvItems { records, headers, fields, done })
    }
}

impl Iterator for CsvItems {
    type Item = Result<Value, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.records.next_record(&mut self.fields) {
            Ok(true) => {
                let mut item = Map::with_capacity(self.headers.len());
                let mut values = self.fields.drain(..);
                for header in &self.headers {
                    item.insert(header.clone(), Value::String(values.next().unwrap_or_default()));
                }
                Some(Ok(Value::Object(item)))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(err) => {
                self.done = true;
                Some(Err(err))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;

    fn body(text: &str) -> Body {
        Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))
    }

    fn records(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut r = Records::new(body(text), delimiter).unwrap();
        let mut out = Vec::new();
        let mut fields = Vec::new();
        while r.next_record(&mut fields).unwrap() {
            out.push(fields.clone());
        }
        out
    }

    fn items(text: &str, given: Option<&[String]>) -> Result<Vec<Value>, ReadError> {
        CsvItems::open(body(text), b',', given)?.collect()
    }

    #[test]
    fn first_row_headers_make_string_valued_objects() {
        assert_eq!(
            items("workerId,team\nw1,\"alpha,beta\"\nw2,gamma\n", None).unwrap(),
            vec![json!({"workerId":"w1","team":"alpha,beta"}), json!({"workerId":"w2","team":"gamma"})]
        );
    }

    #[test]
    fn values_keep_the_header_order() {
        let item = items("z,a,m\n1,2,3", None).unwrap().remove(0);
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn given_headers_read_every_row() {
        let given = ["workerId".to_owned(), "team".to_owned()];
        assert_eq!(
            items("w1,alpha\nw2,gamma\n", Some(&given)).unwrap(),
            vec![json!({"workerId":"w1","team":"alpha"}), json!({"workerId":"w2","team":"gamma"})]
        );
    }

    #[test]
    fn short_rows_get_empty_strings_and_long_rows_lose_extras() {
        assert_eq!(
            items("a,b,c\n1\n1,2,3,4,5\n", None).unwrap(),
            vec![json!({"a":"1","b":"","c":""}), json!({"a":"1","b":"2","c":"3"})]
        );
    }

    #[test]
    fn duplicate_headers_fail_as_aws_does() {
        assert_eq!(items("a,b,a\n1,2,3", None).unwrap_err().cause, "CSV headers cannot contain duplicates.");
        let given = ["x".to_owned(), "x".to_owned()];
        assert_eq!(items("1,2", Some(&given)).unwrap_err().cause, "CSV headers cannot contain duplicates.");
    }

    #[test]
    fn headers_over_10_kib_are_refused() {
        let wide = (0..2100).map(|i| format!("h{i}")).collect::<Vec<_>>().join(",");
        assert!(wide.len() > MAX_HEADER_BYTES);
        assert!(items(&format!("{wide}\n"), None).unwrap_err().cause.contains("10 KiB"));
    }

    #[test]
    fn the_aws_guide_example_parses_as_documented() {
        let given: Vec<String> =
            ["MyLetters", "MyNumbers", "MyString", "MyObject", "MyArray"].iter().map(|s| s.to_string()).collect();
        let text = "abc,123,\"This string contains commas, a double quotation marks (\"\"), and a newline (\n)\",{\"\"MyKey\"\":\"\"MyValue\"\"},\"[1,2,3]\"";
        assert_eq!(
            items(text, Some(&given)).unwrap(),
            vec![json!({
                "MyLetters": "abc",
                "MyNumbers": "123",
                "MyString": "This string contains commas, a double quotation marks (\"), and a newline (\n)",
                "MyObject": "{\"MyKey\":\"MyValue\"}",
                "MyArray": "[1,2,3]"
            })]
        );
    }

    #[test]
    fn backslashes_escape_as_the_guide_says() {
        let text = "path,note\nC:\\\\Program Files\\\\MyApp.exe,a\\\"quoted\\\" word\nsecond\\,field,dropped\\zslash\n";
        assert_eq!(
            items(text, None).unwrap(),
            vec![
                json!({"path":"C:\\Program Files\\MyApp.exe","note":"a\"quoted\" word"}),
                json!({"path":"second,field","note":"droppedzslash"}),
            ]
        );
    }

    #[test]
    fn quoted_fields_hold_delimiters_quotes_and_newlines() {
        assert_eq!(
            records("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"\"\n", b','),
            vec![vec!["a,b", "say \"hi\"", "two\r\nlines", ""]]
        );
    }

    #[test]
    fn crlf_cr_and_lf_end_records_and_empty_lines_are_skipped() {
        assert_eq!(
            records("a,b\r\n1,2\r\n\r\n3,4\r5,6\n\n", b','),
            vec![vec!["a", "b"], vec!["1", "2"], vec!["3", "4"], vec!["5", "6"]]
        );
    }

    #[test]
    fn a_trailing_delimiter_makes_an_empty_last_field() {
        assert_eq!(records("a,\n,b", b','), vec![vec!["a", ""], vec!["", "b"]]);
    }

    #[test]
    fn every_delimiter_splits_fields() {
        for d in [b',', b'|', b';', b' ', b'\t'] {
            let text = format!("x{}y\n", d as char);
            assert_eq!(records(&text, d), vec![vec!["x", "y"]], "{}", d as char);
        }
        assert_eq!(records("a,b|c\n", b'|'), vec![vec!["a,b", "c"]]);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_header() {
        assert_eq!(items("\u{feff}id,n\n1,2\n", None).unwrap(), vec![json!({"id":"1","n":"2"})]);
    }

    #[test]
    fn oddities_do_not_panic() {
        assert_eq!(records("\"open", b','), vec![vec!["open"]]);
        assert_eq!(records("\"a\"b,c", b','), vec![vec!["ab", "c"]]);
        assert_eq!(records("a\"b", b','), vec![vec!["a\"b"]]);
        assert_eq!(records("end\\", b','), vec![vec!["end"]]);
        assert_eq!(records("\u{ff}", b','), vec![vec!["\u{ff}"]]);
        let mut r = Records::new(Box::new(std::io::Cursor::new(vec![b'a', 0xff, b'b'])), b',').unwrap();
        let mut fields = Vec::new();
        assert!(r.next_record(&mut fields).unwrap());
        assert_eq!(fields, vec!["a\u{fffd}b"]);
    }

    #[test]
    fn an_empty_object_has_no_items() {
        assert_eq!(items("", None).unwrap(), Vec::<Value>::new());
        assert_eq!(items("\n\n", None).unwrap(), Vec::<Value>::new());
        assert_eq!(items("a,b\n", None).unwrap(), Vec::<Value>::new());
    }

    #[test]
    fn an_oversized_record_is_an_error() {
        let text = format!("h\n{}\n", "x".repeat(MAX_ITEM_BYTES + 1));
        let err = items(&text, None).unwrap_err();
        assert!(err.cause.contains("maximum size"), "{}", err.cause);
    }
}
