//! Signature Version 4 signing of requests to AWS, by AWS's own signer (`aws-sigv4`, the one
//! the AWS SDK for Rust uses), with the settings of the SDKs' JSON services (the path
//! encoded twice in the canonical request, no payload-hash header, the session token
//! signed) or of S3 ([`s3_signing_headers`]).

use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings, UriPathNormalizationMode,
    sign,
};
use aws_sigv4::sign::v4;

use super::Credentials;

/// What is signed: the request as it will be sent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Request<'a> {
    /// `POST`, `GET`…
    pub method: &'a str,
    /// The full URL, its path and query already percent-encoded (as sent).
    pub url: &'a str,
    /// The headers that are sent and signed (besides `host`, which comes from the URL).
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

/// The headers that sign `request` for `service` in `region` at `time`: `authorization`,
/// `x-amz-date`, and `x-amz-security-token` for temporary credentials.
///
/// # Errors
///
/// The URL or a header cannot be signed (the signer's message).
pub(crate) fn signing_headers(
    request: &Request<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, String> {
    let body = SignableBody::Bytes(request.body);
    sign_with(request, body, SigningSettings::default(), credentials, region, service, time)
}

/// The headers that sign `request` for S3 in `region` at `time`, as the SDKs sign S3
/// requests: the path as sent (S3 does not decode it before checking, so it is neither
/// encoded again nor normalised: a key's `//` and `.` segments stay), and the payload's
/// SHA-256 sent and signed in `x-amz-content-sha256` — `UNSIGNED-PAYLOAD` when `unsigned`
/// (a GET, whose empty body needs no proof), else the hash of `request.body`. Besides that
/// header, the same as [`signing_headers`].
///
/// # Errors
///
/// The URL or a header cannot be signed (the signer's message).
pub(crate) fn s3_signing_headers(
    request: &Request<'_>,
    unsigned: bool,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, String> {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let body = if unsigned { SignableBody::UnsignedPayload } else { SignableBody::Bytes(request.body) };
    sign_with(request, body, settings, credentials, region, "s3", time)
}

/// Signs `request`, whose body the signature covers as `body`, with `settings`.
fn sign_with(
    request: &Request<'_>,
    body: SignableBody<'_>,
    settings: SigningSettings,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, String> {
    let identity = aws_credential_types::Credentials::new(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        credentials.session_token.clone(),
        None,
        "environment",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into();
    let signable = SignableRequest::new(request.method, request.url, request.headers.iter().copied(), body)
        .map_err(|e| format!("cannot sign the request: {e}"))?;
    let (instructions, _signature) =
        sign(signable, &params).map_err(|e| format!("cannot sign the request: {e}"))?.into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers.into_iter().map(|header| (header.name(), header.value().to_owned())).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::time::{Duration, SystemTime};

    use super::{Request, s3_signing_headers, signing_headers};
    use crate::aws::Credentials;

    fn example_credentials(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(str::to_owned),
        }
    }

    /// 2015-08-30T12:36:00Z, the time of AWS's SigV4 test suite.
    fn suite_time() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    #[test]
    fn the_aws_test_suite_get_vanilla_case() {
        let request = Request { method: "GET", url: "https://example.amazonaws.com/", headers: &[], body: b"" };
        let headers =
            signing_headers(&request, &example_credentials(None), "us-east-1", "service", suite_time()).unwrap();
        let get = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        assert_eq!(get("x-amz-date"), Some("20150830T123600Z"));
        assert_eq!(
            get("authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date, \
                 Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
            )
        );
        assert_eq!(get("x-amz-security-token"), None);
    }

    #[test]
    fn temporary_credentials_send_and_sign_their_token() {
        let request = Request {
            method: "POST",
            url: "http://127.0.0.1:3001/2015-03-31/functions/f/invocations",
            headers: &[("x-amz-invocation-type", "Event")],
            body: b"{}",
        };
        let headers =
            signing_headers(&request, &example_credentials(Some("TOKEN")), "eu-west-1", "lambda", suite_time())
                .unwrap();
        let get = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        assert_eq!(get("x-amz-security-token"), Some("TOKEN"));
        let authorization = get("authorization").unwrap_or_default();
        assert!(
            authorization.contains("Credential=AKIDEXAMPLE/20150830/eu-west-1/lambda/aws4_request"),
            "{authorization}"
        );
        assert!(
            authorization.contains("SignedHeaders=host;x-amz-date;x-amz-invocation-type;x-amz-security-token"),
            "{authorization}"
        );
    }

    /// The examples of AWS's S3 guide, *Signature Calculations for the Authorization Header:
    /// Transferring Payload in a Single Chunk* (2013-05-24T00:00:00Z, `examplebucket`).
    fn s3_example(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        unsigned: bool,
    ) -> Vec<(&'static str, String)> {
        let credentials = Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let request = Request { method, url, headers, body };
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_369_353_600);
        s3_signing_headers(&request, unsigned, &credentials, "us-east-1", time).unwrap()
    }

    fn header<'a>(headers: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[test]
    fn s3_get_object_example() {
        let headers =
            s3_example("GET", "https://examplebucket.s3.amazonaws.com/test.txt", &[("range", "bytes=0-9")], b"", false);
        assert_eq!(
            header(&headers, "x-amz-content-sha256"),
            Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            header(&headers, "authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
                 SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
                 Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
            )
        );
    }

    /// The key `test$file.text` is sent as `test%24file.text` and signed as sent: encoded
    /// once, as S3 wants, not twice as the JSON services do.
    #[test]
    fn s3_put_object_example_signs_the_path_encoded_once() {
        let headers = s3_example(
            "PUT",
            "https://examplebucket.s3.amazonaws.com/test%24file.text",
            &[("date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            b"Welcome to Amazon S3.",
            false,
        );
        assert_eq!(
            header(&headers, "x-amz-content-sha256"),
            Some("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        );
        assert_eq!(
            header(&headers, "authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
                 SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, \
                 Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
            )
        );
    }

    #[test]
    fn s3_list_objects_example_and_unsigned_payloads() {
        let headers = s3_example("GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", &[], b"", false);
        assert!(
            header(&headers, "authorization")
                .unwrap_or_default()
                .ends_with("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            "{headers:?}"
        );
        let unsigned = s3_example("GET", "https://examplebucket.s3.amazonaws.com/test.txt", &[], b"", true);
        assert_eq!(header(&unsigned, "x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    }
}
