//! `InputType: JSON`: the object holds one JSON document; its array's elements (or the
//! array `ItemsPointer` selects) are the items, read one element at a time.
//!
//! What AWS does, as recorded by LocalStack's snapshots and floci's tests against AWS:
//! - an array: each element is an item;
//! - an object: each member is an item `{"Key": name, "Value": value}` (floci observed
//!   this on AWS; LocalStack's older emulation rejects objects instead);
//! - anything else: `Attempting to map over non-iterable node.`;
//! - `ItemsPointer` (a JSON Pointer, RFC 6901) selects the node to map over; `""` is the
//!   whole document; a pointer that leads nowhere fails with AWS's
//!   `The provided ReaderConfig.ItemsPointer does not match any valid path in the JSON structure.`
//!
//! The document is checked as it streams: an error after some elements (a truncated array,
//! say) ends the items with that error, where AWS, which reads the whole object first,
//! would fail before the first child execution.

use serde_json::{Map, Value};

use super::bytes::Bytes;
use super::error::{NON_ITERABLE, POINTER_NOT_FOUND, ReadError};
use super::json_scan::{Container, Sink, expect, expect_end, finish_container, scan_string, scan_value, skip_ws};
use super::{Body, MAX_ITEM_BYTES};

/// Where the reader is in the node it maps over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Just inside its opening bracket.
    First,
    /// After an item.
    Next,
    /// Past its closing bracket (or failed): no more items.
    Done,
}

/// The items of a JSON document, pulled one at a time.
pub(crate) struct JsonItems {
    bytes: Bytes,
    /// The array or object mapped over.
    node: Container,
    /// The containers around it, outermost first, whose remainders are checked at the end.
    around: Vec<Container>,
    step: Step,
}

/// Splits a JSON Pointer into its reference tokens, unescaping `~1` and `~0`.
fn pointer_tokens(pointer: &str) -> Result<Vec<String>, ReadError> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(ReadError::failed(format!(
            "The ReaderConfig.ItemsPointer '{pointer}' is not a JSON Pointer: it must be empty or start with '/'."
        )));
    };
    Ok(rest.split('/').map(|token| token.replace("~1", "/").replace("~0", "~")).collect())
}

/// Reads an object member's key (its opening quote is next) and the colon after it.
fn read_key(bytes: &mut Bytes) -> Result<String, ReadError> {
    if skip_ws(bytes)? != Some(b'"') {
        return Err(super::json_scan::syntax(bytes, "expected a string key"));
    }
    let mut raw = Vec::new();
    scan_string(bytes, &mut Sink::keep(&mut raw, MAX_ITEM_BYTES))?;
    expect(bytes, b':')?;
    serde_json::from_slice(&raw).map_err(|err| ReadError::failed(format!("The JSON is not valid: {err}.")))
}

/// Having read a member or element, goes on to the next one: true when there is one
/// (its key, for an object, not yet read), false after the closing bracket.
fn more(bytes: &mut Bytes, container: Container) -> Result<bool, ReadError> {
    let close = if container == Container::Array { b']' } else { b'}' };
    match skip_ws(bytes)? {
        Some(b',') => {
            bytes.next_byte()?;
            Ok(true)
        }
        Some(b) if b == close => {
            bytes.next_byte()?;
            Ok(false)
        }
        _ => Err(super::json_scan::syntax(bytes, "expected ',' or the end of the array or object")),
    }
}

/// Opens the container that starts next, if one does: true when it has a first member.
fn open_container(bytes: &mut Bytes, container: Container) -> Result<bool, ReadError> {
    let close = if container == Container::Array { b']' } else { b'}' };
    bytes.next_byte()?; // the opening bracket
    if skip_ws(bytes)? == Some(close) {
        bytes.next_byte()?;
        return Ok(false);
    }
    Ok(true)
}

/// The kind of container that starts next, without taking its bracket.
fn container_ahead(bytes: &mut Bytes) -> Result<Option<Container>, ReadError> {
    Ok(match skip_ws(bytes)? {
        Some(b'[') => Some(Container::Array),
        Some(b'{') => Some(Container::Object),
        _ => None,
    })
}

/// Moves into the member `token` of the container that starts next; on return the member's
/// value starts next. Fails as AWS does when there is no such member.
fn descend(bytes: &mut Bytes, token: &str) -> Result<Container, ReadError> {
    let not_found = || ReadError::failed(POINTER_NOT_FOUND);
    let Some(container) = container_ahead(bytes)? else {
        // A scalar has no members, but a broken document is reported as broken.
        scan_value(bytes, &mut Sink::skip())?;
        return Err(not_found());
    };
    if !open_container(bytes, container)? {
        return Err(not_found());
    }
    match container {
        Container::Object => loop {
            if read_key(bytes)? == token {
                return Ok(container);
            }
            scan_value(bytes, &mut Sink::skip())?;
            if !more(bytes, container)? {
                return Err(not_found());
            }
        },
        Container::Array => {
            // RFC 6901 array indexes: digits without a leading zero.
            let index = match token.parse::<u64>() {
                Ok(i) if token == "0" || !token.starts_with('0') => i,
                _ => return Err(not_found()),
            };
            for _ in 0..index {
                scan_value(bytes, &mut Sink::skip())?;
                if !more(bytes, container)? {
                    return Err(not_found());
                }
            }
            Ok(container)
        }
    }
}

impl JsonItems {
    /// Reads up to the node to map over (the whole document, or what `items_pointer`
    /// selects) and stops just inside it.
    pub(crate) fn open(body: Body, items_pointer: Option<&str>) -> Result<JsonItems, ReadError> {
        let tokens = pointer_tokens(items_pointer.unwrap_or(""))?;
        let mut bytes = Bytes::new(body)?;
        let mut around = Vec::with_capacity(tokens.len());
        for token in &tokens {
            around.push(descend(&mut bytes, token)?);
        }
        let Some(node) = container_ahead(&mut bytes)? else {
            // Report a broken document as broken before calling it non-iterable.
            scan_value(&mut bytes, &mut Sink::skip())?;
            return Err(ReadError::failed(NON_ITERABLE));
        };
        let step = if open_container(&mut bytes, node)? { Step::First } else { Step::Done };
        let mut items = JsonItems { bytes, node, around, step };
        if items.step == Step::Done {
            items.finish()?;
        }
        Ok(items)
    }

    /// Checks the rest of the document after the mapped node's closing bracket.
    fn finish(&mut self) -> Result<(), ReadError> {
        while let Some(container) = self.around.pop() {
            finish_container(&mut self.bytes, container)?;
        }
        expect_end(&mut self.bytes)
    }

    /// The next item, or `None` after the node's last one.
    fn read_item(&mut self) -> Result<Option<Value>, ReadError> {
        match self.step {
            Step::Done => return Ok(None),
            Step::First => {}
            Step::Next => {
                if !more(&mut self.bytes, self.node)? {
                    self.step = Step::Done;
                    self.finish()?;
                    return Ok(None);
                }
            }
        }
        self.step = Step::Next;
        let key = match self.node {
            Container::Object => Some(read_key(&mut self.bytes)?),
            Container::Array => None,
        };
        let mut raw = Vec::new();
        scan_value(&mut self.bytes, &mut Sink::keep(&mut raw, MAX_ITEM_BYTES))?;
        let value: Value =
            serde_json::from_slice(&raw).map_err(|err| ReadError::failed(format!("The JSON is not valid: {err}.")))?;
        Ok(Some(match key {
            Some(key) => {
                let mut entry = Map::new();
                entry.insert("Key".to_owned(), Value::String(key));
                entry.insert("Value".to_owned(), value);
                Value::Object(entry)
            }
            None => value,
        }))
    }
}

impl Iterator for JsonItems {
    type Item = Result<Value, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.read_item() {
            Ok(item) => item.map(Ok),
            Err(err) => {
                self.step = Step::Done;
                self.around.clear();
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

    fn open(text: &str, pointer: Option<&str>) -> Result<JsonItems, ReadError> {
        JsonItems::open(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())), pointer)
    }

    fn items(text: &str, pointer: Option<&str>) -> Result<Vec<Value>, ReadError> {
        open(text, pointer)?.collect()
    }

    #[test]
    fn an_array_gives_its_elements() {
        assert_eq!(
            items(r#" [{"a":1}, 2, "three", [4], null, true] "#, None).unwrap(),
            vec![json!({"a":1}), json!(2), json!("three"), json!([4]), json!(null), json!(true)]
        );
        assert_eq!(items("[]", None).unwrap(), Vec::<Value>::new());
        assert_eq!(items("\u{feff}[1]", None).unwrap(), vec![json!(1)]);
    }

    #[test]
    fn an_object_gives_key_value_items() {
        assert_eq!(
            items(r#"{"a":{"x":1},"b":[2]}"#, None).unwrap(),
            vec![json!({"Key":"a","Value":{"x":1}}), json!({"Key":"b","Value":[2]})]
        );
        assert_eq!(items("{}", None).unwrap(), Vec::<Value>::new());
    }

    #[test]
    fn elements_named_key_and_value_stay_whole() {
        assert_eq!(items(r#"[{"Key":"k","Value":1}]"#, None).unwrap(), vec![json!({"Key":"k","Value":1})]);
    }

    #[test]
    fn a_scalar_is_not_iterable() {
        for text in ["123", "\"s\"", "null", " true "] {
            assert_eq!(open(text, None).err().unwrap().cause, "Attempting to map over non-iterable node.");
        }
    }

    #[test]
    fn broken_documents_are_item_reader_failures() {
        for text in ["", "not-json", "[1,", "[1 2]", "{\"a\":}", "[1] x"] {
            let err = match open(text, None) {
                Err(err) => err,
                Ok(items) => items.filter_map(Result::err).next().unwrap(),
            };
            assert_eq!(err.error, "States.ItemReaderFailed");
            assert!(err.cause.starts_with("The JSON is not valid"), "{text:?}: {}", err.cause);
        }
    }

    #[test]
    fn items_before_a_break_are_read_then_the_error_ends_them() {
        let mut it = open("[1, 2, oops]", None).unwrap();
        assert_eq!(it.next().unwrap().unwrap(), json!(1));
        assert_eq!(it.next().unwrap().unwrap(), json!(2));
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }

    #[test]
    fn items_pointer_selects_a_nested_node() {
        let doc = r#"{"skip":{"deep":[1,{"x":"]"}]},"data":{"records":[{"id":1},{"id":2}],"n":2},"tail":[]}"#;
        assert_eq!(items(doc, Some("/data/records")).unwrap(), vec![json!({"id":1}), json!({"id":2})]);
        assert_eq!(items(doc, Some("/data")).unwrap().len(), 2);
        assert_eq!(items(doc, Some("/skip/deep/1")).unwrap(), vec![json!({"Key":"x","Value":"]"})]);
        assert_eq!(items("[[1],[2,3]]", Some("/1")).unwrap(), vec![json!(2), json!(3)]);
    }

    #[test]
    fn an_empty_pointer_is_the_whole_document() {
        assert_eq!(items("[1,2]", Some("")).unwrap(), vec![json!(1), json!(2)]);
    }

    #[test]
    fn pointer_tokens_are_unescaped() {
        assert_eq!(items(r#"{"a/b":{"c~d":[7]}}"#, Some("/a~1b/c~0d")).unwrap(), vec![json!(7)]);
    }

    #[test]
    fn a_pointer_to_nothing_fails_as_aws_does() {
        let want = "The provided ReaderConfig.ItemsPointer does not match any valid path in the JSON structure.";
        for (doc, pointer) in [
            (r#"{"records":[1]}"#, "/missing"),
            (r#"{"records":[1]}"#, "/records/1"),
            (r#"{"records":[1]}"#, "/records/01"),
            (r#"{"records":[1]}"#, "/records/x"),
            (r#"{"records":123}"#, "/records/x"),
            ("{}", "/a"),
            ("[]", "/0"),
        ] {
            assert_eq!(open(doc, Some(pointer)).err().unwrap().cause, want, "{doc} {pointer}");
        }
    }

    #[test]
    fn a_pointer_to_a_scalar_is_not_iterable() {
        assert_eq!(
            open(r#"{"records":123}"#, Some("/records")).err().unwrap().cause,
            "Attempting to map over non-iterable node."
        );
    }

    #[test]
    fn a_pointer_without_a_slash_is_rejected() {
        assert!(open("{}", Some("records")).err().unwrap().cause.contains("is not a JSON Pointer"));
    }

    #[test]
    fn the_document_around_the_node_is_checked() {
        let mut it = open(r#"{"a":[1],"b":tru}"#, Some("/a")).unwrap();
        assert_eq!(it.next().unwrap().unwrap(), json!(1));
        assert!(it.next().unwrap().is_err());
        assert_eq!(items(r#"{"a":[1],"b":{"c":[null]}}"#, Some("/a")).unwrap(), vec![json!(1)]);
    }
}
