//! URL encoding of JSON values: query strings and `application/x-www-form-urlencoded`
//! bodies, in the four array formats of `Transform.RequestEncodingOptions.ArrayFormat`.
//!
//! What AWS documents (<https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html>,
//! "Applying URL-encoding on request body"), for `{"array": ["a","b","c","d"]}`:
//!
//! | `ArrayFormat` | encoding |
//! |---|---|
//! | `INDICES` (default) | `array[0]=a&array[1]=b&array[2]=c&array[3]=d` |
//! | `REPEAT` | `array=a&array=b&array=c&array=d` |
//! | `COMMAS` | `array=a,b,c,d` |
//! | `BRACKETS` | `array[]=a&array[]=b&array[]=c&array[]=d` |
//!
//! and, in its Stripe example, what goes on the wire for a nested object and a space:
//! `description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data`.
//! So brackets are percent-encoded (`%5B`, `%5D`), a space is `%20` (not `+`), and an
//! object's members are `key[member]`. Every character but the RFC 3986 unreserved ones
//! (`A-Z a-z 0-9 - . _ ~`) is percent-encoded, as UTF-8.
//!
//! Where the documentation is silent the encoder follows the `qs` library, whose four
//! array formats these are by name: an empty array or object adds nothing, `null` is an
//! empty value (`key=`), nested arrays and objects nest their brackets (`a[0][b]=c`). For
//! `COMMAS`, the elements are each percent-encoded and joined by a literal `,` (as the
//! documentation shows it), so a comma inside an element stays distinguishable (`%2C`);
//! an element that is itself an array or object is written as its JSON text.

use serde_json::{Map, Value};

/// How arrays are encoded (`Transform.RequestEncodingOptions.ArrayFormat`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ArrayFormat {
    /// `a[0]=x&a[1]=y`: Step Functions' default.
    #[default]
    Indices,
    /// `a=x&a=y`.
    Repeat,
    /// `a=x,y`.
    Commas,
    /// `a[]=x&a[]=y`.
    Brackets,
}

impl ArrayFormat {
    /// The format of an `ArrayFormat` value, if it is one of the four.
    pub(crate) fn parse(name: &str) -> Option<ArrayFormat> {
        match name {
            "INDICES" => Some(ArrayFormat::Indices),
            "REPEAT" => Some(ArrayFormat::Repeat),
            "COMMAS" => Some(ArrayFormat::Commas),
            "BRACKETS" => Some(ArrayFormat::Brackets),
            _ => None,
        }
    }
}

/// The URL encoding of an object's members: `key=value` pairs joined by `&`, nested
/// values flattened with brackets, in the object's order.
pub(crate) fn encode_object(members: &Map<String, Value>, format: ArrayFormat) -> String {
    let mut pairs = Vec::new();
    for (key, value) in members {
        flatten(&percent(key), value, format, &mut pairs);
    }
    join(&pairs)
}

/// The URL encoding of an array's elements as if they were an object's members keyed by
/// their index (`0=a&1=b`): what `qs` makes of a top-level array.
pub(crate) fn encode_array(items: &[Value], format: ArrayFormat) -> String {
    let mut pairs = Vec::new();
    for (index, value) in items.iter().enumerate() {
        flatten(&index.to_string(), value, format, &mut pairs);
    }
    join(&pairs)
}

/// `key=value` pairs of plain strings (a connection's parameters), encoded and joined.
pub(crate) fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let encoded: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (percent(k), percent(v))).collect();
    join(&encoded)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn percent(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space, as forms write it) for comparing keys of a
/// query string written by hand; malformed escapes stay as they are.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = match (byte, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&high), Some(&low)) => hex(high).zip(hex(low)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(if byte == b'+' { b' ' } else { byte });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Adds the pairs of `value` under the already encoded `key`.
fn flatten(key: &str, value: &Value, format: ArrayFormat, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::Object(members) => {
            for (member, value) in members {
                flatten(&format!("{key}%5B{}%5D", percent(member)), value, format, pairs);
            }
        }
        Value::Array(items) => match format {
            ArrayFormat::Indices => {
                for (index, item) in items.iter().enumerate() {
                    flatten(&format!("{key}%5B{index}%5D"), item, format, pairs);
                }
            }
            ArrayFormat::Brackets => {
                for item in items {
                    flatten(&format!("{key}%5B%5D"), item, format, pairs);
                }
            }
            ArrayFormat::Repeat => {
                for item in items {
                    flatten(key, item, format, pairs);
                }
            }
            ArrayFormat::Commas if !items.is_empty() => {
                let joined: Vec<String> = items.iter().map(|item| percent(&scalar_text(item))).collect();
                pairs.push((key.to_owned(), joined.join(",")));
            }
            ArrayFormat::Commas => {}
        },
        scalar => pairs.push((key.to_owned(), percent(&scalar_text(scalar)))),
    }
}

/// A value as the text of one form value: a string as it is, `null` as nothing, anything
/// else as its JSON text.
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn join(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{ArrayFormat, encode_array, encode_object, encode_pairs, percent, percent_decode};

    fn encode(value: Value, format: ArrayFormat) -> String {
        match value {
            Value::Object(members) => encode_object(&members, format),
            _ => unreachable!("tests encode objects"),
        }
    }

    /// The four examples of AWS's documentation, with brackets percent-encoded as the
    /// documented wire example does.
    #[test]
    fn array_formats_encode_as_documented() {
        let body = json!({"array": ["a", "b", "c", "d"]});
        let cases = [
            (ArrayFormat::Indices, "array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c&array%5B3%5D=d"),
            (ArrayFormat::Repeat, "array=a&array=b&array=c&array=d"),
            (ArrayFormat::Commas, "array=a,b,c,d"),
            (ArrayFormat::Brackets, "array%5B%5D=a&array%5B%5D=b&array%5B%5D=c&array%5B%5D=d"),
        ];
        for (format, expected) in cases {
            assert_eq!(encode(body.clone(), format), expected, "{format:?}");
        }
    }

    /// The Stripe example of AWS's documentation (in the definition's member order).
    #[test]
    fn nested_objects_and_spaces_encode_as_the_documented_request() {
        let body = json!({
            "customer": "1234567890",
            "description": "Monthly subscription",
            "metadata": {"order_details": "monthly report data"}
        });
        assert_eq!(
            encode(body, ArrayFormat::Indices),
            "customer=1234567890&description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data"
        );
    }

    #[test]
    fn scalars_nesting_and_empty_containers() {
        let body = json!({
            "n": 1.5, "t": true, "z": null, "e": [], "o": {},
            "deep": [{"a": [1, 2]}, {"b": "x"}]
        });
        assert_eq!(
            encode(body.clone(), ArrayFormat::Indices),
            "n=1.5&t=true&z=&deep%5B0%5D%5Ba%5D%5B0%5D=1&deep%5B0%5D%5Ba%5D%5B1%5D=2&deep%5B1%5D%5Bb%5D=x"
        );
        assert_eq!(
            encode(body.clone(), ArrayFormat::Brackets),
            "n=1.5&t=true&z=&deep%5B%5D%5Ba%5D%5B%5D=1&deep%5B%5D%5Ba%5D%5B%5D=2&deep%5B%5D%5Bb%5D=x"
        );
        assert_eq!(
            encode(body.clone(), ArrayFormat::Repeat),
            "n=1.5&t=true&z=&deep%5Ba%5D=1&deep%5Ba%5D=2&deep%5Bb%5D=x"
        );
        assert_eq!(
            encode(body, ArrayFormat::Commas),
            "n=1.5&t=true&z=&deep=%7B%22a%22%3A%5B1%2C2%5D%7D,%7B%22b%22%3A%22x%22%7D"
        );
    }

    #[test]
    fn commas_inside_elements_stay_distinguishable() {
        assert_eq!(encode(json!({"a": ["x,y", "z"]}), ArrayFormat::Commas), "a=x%2Cy,z");
    }

    #[test]
    fn percent_keeps_only_unreserved_characters() {
        assert_eq!(percent("aZ09-._~"), "aZ09-._~");
        assert_eq!(percent("a b&c=d/é[]+"), "a%20b%26c%3Dd%2F%C3%A9%5B%5D%2B");
        assert_eq!(percent(""), "");
    }

    #[test]
    fn percent_decode_reverses_percent_and_tolerates_junk() {
        for text in ["a b&c=d/é[]+", "", "%", "100%"] {
            assert_eq!(percent_decode(&percent(text)), text);
        }
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn arrays_and_pairs() {
        assert_eq!(encode_array(&[json!("a"), json!({"b": 1})], ArrayFormat::Indices), "0=a&1%5Bb%5D=1");
        assert_eq!(encode_pairs([("api key", "v&1"), ("x", "")]), "api%20key=v%261&x=");
        assert_eq!(encode_pairs([]), "");
    }

    #[test]
    fn array_format_names() {
        assert_eq!(ArrayFormat::parse("COMMAS"), Some(ArrayFormat::Commas));
        assert_eq!(ArrayFormat::parse("commas"), None);
    }
}
