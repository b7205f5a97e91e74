//! SigV4's cryptography: SHA-256 and HMAC-SHA256 from RustCrypto's `sha2` and `hmac`, the
//! signing-key derivation, and a constant-time comparison of signatures.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::authorization::ALGORITHM;
use crate::wire::ApiError;

type HmacSha256 = Hmac<Sha256>;

/// The hex SHA-256 of `bytes`, lowercase, as canonical requests and payload hashes are written.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The string to sign: algorithm, request time, credential scope and the canonical request's
/// hash, one per line.
pub(super) fn string_to_sign(timestamp: &str, scope: &str, canonical_request: &[u8]) -> String {
    format!("{ALGORITHM}\n{timestamp}\n{scope}\n{}", sha256_hex(canonical_request))
}

/// A MAC keyed with `key`. HMAC takes keys of any length, so the error cannot happen; it is
/// mapped rather than unwrapped all the same.
fn mac(key: &[u8]) -> Result<HmacSha256, ApiError> {
    HmacSha256::new_from_slice(key).map_err(|_| ApiError::internal("HMAC-SHA256 refused a key"))
}

fn hmac(key: &[u8], data: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut mac = mac(key)?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

/// The signing key of `secret` for one day, region and service:
/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
pub(super) fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> Result<Vec<u8>, ApiError> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes())?;
    let k_region = hmac(&k_date, region.as_bytes())?;
    let k_service = hmac(&k_region, service.as_bytes())?;
    hmac(&k_service, b"aws4_request")
}

/// Whether `signature` (hex, as sent) is the HMAC of `string_to_sign` under `signing_key`.
/// The comparison is `hmac`'s `verify_slice`, which takes the same time wherever the bytes
/// differ, so a client cannot find the right signature a byte at a time.
pub(super) fn verify(signing_key: &[u8], string_to_sign: &str, signature: &str) -> Result<bool, ApiError> {
    let Some(sent) = unhex(signature) else {
        return Ok(false);
    };
    let mut mac = mac(signing_key)?;
    mac.update(string_to_sign.as_bytes());
    Ok(mac.verify_slice(&sent).is_ok())
}

/// The signature of `string_to_sign`, in hex: what a client sends.
#[cfg(test)]
pub(super) fn sign(signing_key: &[u8], string_to_sign: &str) -> Result<String, ApiError> {
    hmac(signing_key, string_to_sign.as_bytes()).map(|bytes| hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

/// Decodes hex digits (either case); `None` for an odd length or any other character.
fn unhex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes.chunks(2).map(|pair| Some(digit(*pair.first()?)? << 4 | digit(*pair.get(1)?)?)).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00abFF"), Some(vec![0x00, 0xab, 0xff]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn the_empty_body_hashes_as_aws_documents() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn the_iam_documentation_example_signs_as_documented() {
        // The IAM user guide's example: the string to sign for GET ListUsers on 2015-08-30,
        // signed with the example secret, gives the documented signature.
        let sts = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n\
                   f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
        let key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
        let key = key.unwrap();
        let expected = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        assert_eq!(sign(&key, sts).ok().as_deref(), Some(expected));
        assert_eq!(verify(&key, sts, expected).ok(), Some(true));
        assert_eq!(verify(&key, sts, &expected.to_uppercase()).ok(), Some(true));
        assert_eq!(verify(&key, sts, &expected.replace('5', "6")).ok(), Some(false));
        assert_eq!(verify(&key, sts, "5d67").ok(), Some(false));
        assert_eq!(verify(&key, sts, "not hex").ok(), Some(false));
    }
}
