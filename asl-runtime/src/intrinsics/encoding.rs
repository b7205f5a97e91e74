//! Encoding and hashing: `States.Base64Encode`, `States.Base64Decode`, `States.Hash`.
//!
//! Base64 is written here rather than taken from a crate because AWS's decoder is Java's
//! `Base64.getDecoder()`, whose edge rules no configurable crate reproduces exactly:
//! padding optional (`YQ` decodes) but a lone `=` after two symbols an error (`YQ=`),
//! unused trailing bits ignored (`YR==` decodes like `YQ==`), no whitespace.

use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::args::Args;
use super::render;
use crate::Error;

/// The longest input (in Java characters) `Base64Encode`, `Base64Decode` and `Hash`
/// accept (AWS quota).
pub(super) const MAX_INPUT: usize = 10_000;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `States.Base64Encode(string)`: the UTF-8 bytes of the string in standard, padded
/// base64 (`Data to encode` → `RGF0YSB0byBlbmNvZGU=`, cases `encode-decode-base-64-encode-*`).
pub(super) fn base64_encode(args: Args) -> Result<Value, Error> {
    args.count(1, 1)?;
    let text = args.string(0)?;
    check_length(&args, text)?;
    Ok(Value::String(encode(text.as_bytes())))
}

/// `States.Base64Decode(string)`: the text the base64 encodes (cases
/// `encode-decode-base-64-decode-*`). Bytes that are not UTF-8 become U+FFFD, as in Java's
/// `new String(bytes, UTF_8)`.
pub(super) fn base64_decode(args: Args) -> Result<Value, Error> {
    args.count(1, 1)?;
    let text = args.string(0)?;
    check_length(&args, text)?;
    let bytes = decode(text).map_err(|e| args.fail(format_args!("argument #1 is not valid base64: {e}")))?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `States.Hash(data, algorithm)`: the lowercase hex digest of the data's UTF-8 bytes with
/// `MD5`, `SHA-1`, `SHA-256`, `SHA-384` or `SHA-512` (names as written, case-sensitive;
/// cases `hash-calculations-hash-0…4`). Data that is not a string is hashed as the text
/// `States.Format` would render it (Java's `toString`).
pub(super) fn hash(args: Args) -> Result<Value, Error> {
    args.count(2, 2)?;
    let data = match args.value(0) {
        Value::String(s) => s.clone(),
        other => render::java_to_string(other),
    };
    check_length(&args, &data)?;
    let algorithm = args.string(1)?;
    match hex_digest(algorithm, data.as_bytes()) {
        Some(digest) => Ok(Value::String(digest)),
        None => Err(args.fail(format_args!(
            "unsupported hash algorithm '{algorithm}'; expected MD5, SHA-1, SHA-256, SHA-384 or SHA-512"
        ))),
    }
}

/// The lowercase hex digest of `bytes` with one of the algorithms AWS's hash functions
/// accept (`MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`; `None` for any other), shared
/// by `States.Hash` and JSONata's `$hash`.
pub(crate) fn hex_digest(algorithm: &str, bytes: &[u8]) -> Option<String> {
    let digest: Vec<u8> = match algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        _ => return None,
    };
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

fn check_length(args: &Args, text: &str) -> Result<(), Error> {
    let length = render::java_length(text);
    if length > MAX_INPUT {
        return Err(
            args.fail(format_args!("argument #1 has {length} characters, more than the maximum of {MAX_INPUT}"))
        );
    }
    Ok(())
}

/// Standard base64 with `=` padding.
fn encode(bytes: &[u8]) -> String {
    let symbol = |index: u32| char::from(ALPHABET[(index & 63) as usize]);
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let bits = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(symbol(bits >> 18));
        out.push(symbol(bits >> 12));
        out.push(if chunk.len() > 1 { symbol(bits >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { symbol(bits) } else { '=' });
    }
    out
}

/// Decodes as Java's basic decoder does; the error says why it would throw.
fn decode(text: &str) -> Result<Vec<u8>, String> {
    let input = text.as_bytes();
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    // Symbols of the current 4-symbol unit, and how many there are.
    let mut bits: u32 = 0;
    let mut have = 0;
    let mut pos = 0;
    while let Some(&byte) = input.get(pos) {
        pos += 1;
        if byte == b'=' {
            // Padding is legal after 3 symbols, or as `==` after 2.
            let pair = have == 2 && input.get(pos) == Some(&b'=');
            if pair {
                pos += 1;
            }
            if !(have == 3 || pair) {
                return Err(format!("misplaced padding at character {pos}"));
            }
            break;
        }
        let Some(value) = ALPHABET.iter().position(|&a| a == byte) else {
            let c = text.get(pos - 1..).and_then(|s| s.chars().next()).unwrap_or('?');
            return Err(format!("illegal character {c:?} at character {}", chars_before(text, pos - 1) + 1));
        };
        bits = (bits << 6) | value as u32;
        have += 1;
        if have == 4 {
            out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
            bits = 0;
            have = 0;
        }
    }
    match have {
        0 => {}
        1 => return Err("the last unit has a single symbol".to_string()),
        2 => out.push((bits >> 4) as u8),
        _ => out.extend_from_slice(&[(bits >> 10) as u8, (bits >> 2) as u8]),
    }
    if pos < input.len() {
        return Err(format!("unexpected text after the padding at character {}", chars_before(text, pos) + 1));
    }
    Ok(out)
}

/// How many characters precede byte offset `at` (the offsets used are after ASCII only).
fn chars_before(text: &str, at: usize) -> usize {
    text.get(..at).map_or(at, |s| s.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intrinsics::tests::{cause, run};
    use serde_json::json;

    #[test]
    fn base64_recorded() {
        // encode-decode-base-64-encode-0/1 and -decode-0/1.
        assert_eq!(run("States.Base64Encode($.a)", json!({"a": ""})), Ok(json!("")));
        assert_eq!(run("States.Base64Encode($.a)", json!({"a": "Data to encode"})), Ok(json!("RGF0YSB0byBlbmNvZGU=")));
        assert_eq!(run("States.Base64Decode($.a)", json!({"a": ""})), Ok(json!("")));
        assert_eq!(run("States.Base64Decode($.a)", json!({"a": "RGF0YSB0byBlbmNvZGU="})), Ok(json!("Data to encode")));
        // assign-reference-variables-…-assign-from-intrinsic-function's values.
        assert_eq!(run("States.Base64Encode('Hello World')", json!({})), Ok(json!("SGVsbG8gV29ybGQ=")));
        assert_eq!(run("States.Base64Decode('SGVsbG8gV29ybGQ=')", json!({})), Ok(json!("Hello World")));
    }

    #[test]
    fn base64_round_trips_every_length() {
        let text = "héllo wörld 😀 ~?>";
        for end in text.char_indices().map(|(i, _)| i) {
            let encoded = encode(&text.as_bytes()[..end]);
            assert_eq!(decode(&encoded).as_deref(), Ok(&text.as_bytes()[..end]));
        }
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn base64_decoding_follows_java() {
        assert_eq!(decode("YQ"), Ok(b"a".to_vec()));
        assert_eq!(decode("YWI"), Ok(b"ab".to_vec()));
        assert_eq!(decode("YWI="), Ok(b"ab".to_vec()));
        assert_eq!(decode("YR=="), Ok(b"a".to_vec()), "trailing bits are ignored");
        assert_eq!(decode("YQ="), Err("misplaced padding at character 3".to_string()));
        assert_eq!(decode("=YQ"), Err("misplaced padding at character 1".to_string()));
        assert_eq!(decode("Y"), Err("the last unit has a single symbol".to_string()));
        assert_eq!(decode("YQ==YQ=="), Err("unexpected text after the padding at character 5".to_string()));
        assert_eq!(decode("YQ ="), Err("illegal character ' ' at character 3".to_string()));
        assert_eq!(decode("é"), Err("illegal character 'é' at character 1".to_string()));
    }

    #[test]
    fn base64_failures() {
        assert_eq!(
            cause("States.Base64Decode($.a)", json!({"a": "YQ="})),
            "Invalid arguments in States.Base64Decode($.a): argument #1 is not valid base64: misplaced padding at \
             character 3"
        );
        assert_eq!(
            cause("States.Base64Encode($.a)", json!({"a": 1})),
            "Invalid arguments in States.Base64Encode($.a): argument #1 must be a string, but was a number"
        );
        let long = "a".repeat(MAX_INPUT + 1);
        assert_eq!(
            cause("States.Base64Encode($.a)", json!({ "a": long })),
            "Invalid arguments in States.Base64Encode($.a): argument #1 has 10001 characters, more than the maximum \
             of 10000"
        );
        assert!(run("States.Base64Encode($.a)", json!({"a": "a".repeat(MAX_INPUT)})).is_ok());
        assert_eq!(run("States.Base64Decode($.a)", json!({"a": "/w=="})), Ok(json!("\u{FFFD}")), "not UTF-8");
    }

    #[test]
    fn hash_recorded() {
        // hash-calculations-hash-0…4.
        for (algorithm, want) in [
            ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
            ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
            ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
            (
                "SHA-384",
                "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
            ),
            (
                "SHA-512",
                "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4",
            ),
        ] {
            let input = json!({"FunctionInput": {"fst": "input data", "snd": algorithm}});
            assert_eq!(run("States.Hash($.FunctionInput.fst, $.FunctionInput.snd)", input), Ok(json!(want)));
        }
    }

    #[test]
    fn hash_of_other_values_hashes_their_java_text() {
        let of = |expr: &str, input| run(expr, input);
        assert_eq!(
            of("States.Hash($.a, 'MD5')", json!({"a": {"k": [1, "x"]}})),
            of("States.Hash('{k=[1, x]}', 'MD5')", json!({}))
        );
        assert_eq!(of("States.Hash(12, 'SHA-1')", json!({})), of("States.Hash('12', 'SHA-1')", json!({})));
    }

    #[test]
    fn hash_failures() {
        assert_eq!(
            cause("States.Hash('x', 'sha-256')", json!({})),
            "Invalid arguments in States.Hash('x', 'sha-256'): unsupported hash algorithm 'sha-256'; expected MD5, \
             SHA-1, SHA-256, SHA-384 or SHA-512"
        );
        assert_eq!(
            cause("States.Hash('x', 1)", json!({})),
            "Invalid arguments in States.Hash('x', 1): argument #2 must be a string, but was a number"
        );
        let long = "é".repeat(MAX_INPUT + 1);
        assert!(
            cause("States.Hash($.a, 'MD5')", json!({ "a": long }))
                .ends_with("has 10001 characters, more than the maximum of 10000")
        );
    }
}
