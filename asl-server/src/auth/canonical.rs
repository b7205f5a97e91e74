//! The canonical request: the text both sides hash, built from the request as it arrived.
//!
//! The rules are AWS's ("Create a canonical request" in the IAM user guide's SigV4 pages),
//! read the way botocore and the other SDKs apply them for services other than S3:
//!
//! - the path is normalised (empty and `.` segments dropped, `..` removes the one before, a
//!   trailing `/` kept) and then URI-encoded once more, so a path that arrives as `/a%20b` is
//!   signed as `/a%2520b` ("each path segment must be URI-encoded twice");
//! - query parameters are decoded, re-encoded with only `A-Za-z0-9-_.~` left bare, and sorted
//!   by name, then value;
//! - each signed header is written `name:value`, the value trimmed, inner runs of spaces and
//!   tabs collapsed to one space, and repeated headers joined by `,`;
//! - `SignedHeaders` is repeated as the client sent it, and the last line is the payload hash.

use axum::http::{HeaderMap, HeaderName, Method, Uri, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};

/// Bytes left bare when SigV4 URI-encodes: letters, digits and `-_.~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// In a path, `/` separates segments and stays bare too.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// The canonical request for `signed_headers` (the client's `SignedHeaders` value) and the
/// hex SHA-256 of the payload. Bytes, not text: header values may carry non-UTF-8 octets.
pub(super) fn canonical_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    signed_headers: &str,
    payload_hash: &str,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_uri(uri.path()).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_query(uri.query().unwrap_or("")).as_bytes());
    out.push(b'\n');
    for name in signed_headers.split(';') {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(&header_value(name, uri, headers));
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

/// The normalised, re-encoded path.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    let mut normalised = String::from("/");
    normalised.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        normalised.push('/');
    }
    percent_encode(normalised.as_bytes(), PATH).to_string()
}

/// The sorted, re-encoded query string. A parameter without `=` is signed as `name=`.
fn canonical_query(query: &str) -> String {
    let encode = |text: &str| {
        let decoded: Vec<u8> = percent_decode_str(text).collect();
        percent_encode(&decoded, UNRESERVED).to_string()
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (encode(name), encode(value))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

/// The canonical value of one signed header: its values trimmed, collapsed and joined by `,`.
/// `host` falls back to the URI's authority, where HTTP/2 puts it; a signed header the request
/// lacks is empty, and the signature will not match.
fn header_value(name: &str, uri: &Uri, headers: &HeaderMap) -> Vec<u8> {
    let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
        return Vec::new();
    };
    let mut values = headers.get_all(&name).iter().map(|value| value.as_bytes()).peekable();
    if values.peek().is_none() && name == header::HOST {
        return uri.authority().map(|authority| authority.as_str().as_bytes().to_vec()).unwrap_or_default();
    }
    let mut out = Vec::new();
    for (i, value) in values.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let words = value.split(|b| *b == b' ' || *b == b'\t').filter(|word| !word.is_empty());
        for (j, word) in words.enumerate() {
            if j > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(word);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn paths_are_normalised_then_encoded_again() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("//example//"), "/example/");
        assert_eq!(canonical_uri("/a/./b/../c"), "/a/c");
        assert_eq!(canonical_uri("/../.."), "/");
        assert_eq!(canonical_uri("/a%20b/~x"), "/a%2520b/~x");
    }

    #[test]
    fn queries_are_sorted_and_strictly_encoded() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("Param2=value2&Param1=value1"), "Param1=value1&Param2=value2");
        assert_eq!(canonical_query("b=2&a&a=1"), "a=&a=1&b=2");
        assert_eq!(canonical_query("%E1%88%B4=bar&x=a%20b+c"), "%E1%88%B4=bar&x=a%20b%2Bc");
    }

    #[test]
    fn header_values_are_trimmed_collapsed_and_joined() {
        let mut headers = HeaderMap::new();
        headers.append("my-header2", HeaderValue::from_static("  \"a   b \t c\"  "));
        headers.append("x-multi", HeaderValue::from_static("one"));
        headers.append("x-multi", HeaderValue::from_static(" two "));
        let uri = Uri::from_static("http://example.com:8083/");
        assert_eq!(header_value("my-header2", &uri, &headers), b"\"a b c\"");
        assert_eq!(header_value("x-multi", &uri, &headers), b"one,two");
        assert_eq!(header_value("host", &uri, &headers), b"example.com:8083");
        assert_eq!(header_value("absent", &uri, &headers), b"");
    }

    #[test]
    fn the_iam_documentation_example_hashes_as_documented() {
        // The IAM user guide's SigV4 example (GET ListUsers), whose canonical request the
        // guide gives with its hash f536975d….
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("iam.amazonaws.com"));
        headers.insert("content-type", HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"));
        headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        let request = canonical_request(
            &Method::GET,
            &Uri::from_static("/?Action=ListUsers&Version=2010-05-08"),
            &headers,
            "content-type;host;x-amz-date",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        assert_eq!(
            String::from_utf8_lossy(&request),
            "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; \
             charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            super::super::signing::sha256_hex(&request),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
    }
}
