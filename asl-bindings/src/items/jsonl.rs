//! `InputType: JSONL` (JSON Lines): each line holds one JSON value, which is an item.
//!
//! Lines end at `\n` (a `\r` before it is whitespace to JSON). Lines that are empty or
//! only whitespace are skipped, so the newline a file usually ends with is not an item
//! (floci's reading of the Developer Guide; AWS does not say). A line that is not JSON fails
//! the reader. `ItemsPointer` does not apply to JSONL.

use serde_json::Value;

use super::bytes::Bytes;
use super::error::ReadError;
use super::{Body, MAX_ITEM_BYTES};

/// The items of a JSON Lines object, one line at a time.
pub(crate) struct JsonlItems {
    bytes: Bytes,
    /// The line number of the line last read (1-based), for errors.
    line: u64,
    line_buf: Vec<u8>,
    done: bool,
}

impl JsonlItems {
    /// Reads `body` as JSON Lines.
    pub(crate) fn open(body: Body) -> Result<JsonlItems, ReadError> {
        Ok(JsonlItems { bytes: Bytes::new(body)?, line: 0, line_buf: Vec::new(), done: false })
    }

    /// Reads the next line into `line_buf`; false at the end of the object.
    fn read_line(&mut self) -> Result<bool, ReadError> {
        self.line_buf.clear();
        let mut any = false;
        while let Some(b) = self.bytes.next_byte()? {
            any = true;
            if b == b'\n' {
                break;
            }
            if self.line_buf.len() >= MAX_ITEM_BYTES {
                return Err(ReadError::failed(format!(
                    "Line {} of the JSONL exceeds the maximum size of {MAX_ITEM_BYTES} bytes that asl-rs reads.",
                    self.line + 1
                )));
            }
            self.line_buf.push(b);
        }
        if any {
            self.line += 1;
        }
        Ok(any)
    }

    /// The next item, skipping blank lines.
    fn read_item(&mut self) -> Result<Option<Value>, ReadError> {
        while self.read_line()? {
            if self.line_buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return serde_json::from_slice(&self.line_buf).map(Some).map_err(|err| {
                ReadError::failed(format!("Line {} of the JSONL is not valid JSON: {err}.", self.line))
            });
        }
        Ok(None)
    }
}

impl Iterator for JsonlItems {
    type Item = Result<Value, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.read_item().transpose();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;

    fn items(text: &str) -> Vec<Result<Value, ReadError>> {
        JsonlItems::open(Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))).unwrap().collect()
    }

    #[test]
    fn one_item_per_line_skipping_blank_lines() {
        let got: Vec<Value> =
            items("{\"workerId\":\"w1\"}\n{\"workerId\":\"w2\"}\n\n").into_iter().map(Result::unwrap).collect();
        assert_eq!(got, vec![json!({"workerId":"w1"}), json!({"workerId":"w2"})]);
    }

    #[test]
    fn any_json_value_is_an_item_and_crlf_is_fine() {
        let got: Vec<Value> = items("1\r\n\"two\"\r\n  \t\r\n[3]\nnull").into_iter().map(Result::unwrap).collect();
        assert_eq!(got, vec![json!(1), json!("two"), json!([3]), json!(null)]);
    }

    #[test]
    fn a_malformed_line_ends_the_items_with_an_error() {
        let got = items("{\"workerId\":\"w1\"}\nnot-json\n{\"x\":1}\n");
        assert_eq!(got.len(), 2);
        let err = got[1].clone().unwrap_err();
        assert_eq!(err.error, "States.ItemReaderFailed");
        assert!(err.cause.starts_with("Line 2 of the JSONL is not valid JSON"), "{}", err.cause);
    }

    #[test]
    fn two_values_on_one_line_are_an_error() {
        assert!(items("1 2\n")[0].is_err());
    }

    #[test]
    fn an_empty_object_has_no_items() {
        assert!(items("").is_empty());
        assert!(items("\u{feff}\n").is_empty());
    }
}
