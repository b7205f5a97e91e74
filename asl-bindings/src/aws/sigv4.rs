//! Signature Version 4 signing of requests to AWS, by AWS's own signer (`aws-sigv4`, the one
//! the AWS SDK for Rust uses), with the settings of the SDKs' JSON services: the path
//! encoded twice in the canonical request, no payload-hash header, the session token signed.

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
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
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into();
    let signable = SignableRequest::new(
        request.method,
        request.url,
        request.headers.iter().copied(),
        SignableBody::Bytes(request.body),
    )
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

    use super::{Request, signing_headers};
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
}
