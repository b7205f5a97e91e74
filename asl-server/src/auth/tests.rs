//! The verifier end to end: AWS's published examples, a request botocore signed, requests
//! signed here and then altered, and each of AWS's refusals.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use serde_json::Value;

use super::*;

/// AWS's example credentials, used by the SigV4 test suite and the IAM user guide.
const EXAMPLE_KEY: &str = "AKIDEXAMPLE";
const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// `text` (`20150830T123600Z`) as a `SystemTime`, plus `offset` seconds.
fn clock(text: &str, offset: i64) -> SystemTime {
    let seconds = date::parse_basic(text).unwrap().unix_timestamp() + offset;
    UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap())
}

fn header_map(headers: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("bad name {name}");
        let value = HeaderValue::from_str(value).expect("bad value {value}");
        map.append(name, value);
    }
    map
}

/// A verifier for another service than `states`, to replay AWS's examples as published.
fn verifier_for(service: &'static str, region: &str, credentials: Credentials) -> Verifier {
    Verifier { service, ..Verifier::new([credentials], region) }
}

/// A request as the server receives it.
struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Request {
    /// `POST /` to Step Functions on 127.0.0.1:8083, as an SDK sends it, dated `at`.
    fn list_state_machines(at: &str) -> Request {
        Request {
            method: Method::POST,
            uri: Uri::from_static("/"),
            headers: header_map(&[
                ("host", "127.0.0.1:8083"),
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", "AWSStepFunctions.ListStateMachines"),
                ("x-amz-date", at),
            ]),
            body: br#"{"maxResults":10}"#.to_vec(),
        }
    }

    /// Signs every header present (the way botocore does) with `secret`, adding the
    /// `Authorization` header. The date comes from `X-Amz-Date`, or else from `Date`.
    fn sign(mut self, access_key_id: &str, secret: &str, region: &str) -> Request {
        let timestamp = match (self.headers.get("x-amz-date"), self.headers.get("date")) {
            (Some(amz), _) => lossy(amz),
            (None, Some(http)) => date::parse_http(&lossy(http)).map(date::basic).unwrap_or_default(),
            (None, None) => String::new(),
        };
        let day = timestamp.get(..8).unwrap_or_default().to_owned();
        let mut names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        names.dedup();
        let signed_headers = names.join(";");
        let payload = match self.headers.get("x-amz-content-sha256") {
            Some(sent) => lossy(sent),
            None => signing::sha256_hex(&self.body),
        };
        let canonical = canonical::canonical_request(&self.method, &self.uri, &self.headers, &signed_headers, &payload);
        let scope = format!("{day}/{region}/{SERVICE}/aws4_request");
        let string_to_sign = signing::string_to_sign(&timestamp, &scope, &canonical);
        let key = signing::signing_key(secret, &day, region, SERVICE).unwrap();
        let signature = signing::sign(&key, &string_to_sign).unwrap();
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
        );
        self.headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&authorization).unwrap());
        self
    }

    fn verify(&self, verifier: &Verifier, now: SystemTime) -> Result<(), ApiError> {
        verifier.verify(&self.method, &self.uri, &self.headers, &self.body, now)
    }

    fn set(mut self, name: &'static str, value: &str) -> Request {
        self.headers.insert(name, HeaderValue::from_str(value).expect("bad value {value}"));
        self
    }
}

fn states_verifier() -> Verifier {
    Verifier::new([Credentials::new("AKIDLOCAL", "local/secret/KEY")], "us-east-1")
}

const AT: &str = "20261207T103000Z";

/// The code and message of a refusal.
fn refusal(result: Result<(), ApiError>) -> (String, String) {
    match result {
        Ok(()) => panic!("the request was accepted"),
        Err(error) => {
            assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{error}");
            (error.code().to_owned(), error.message().to_owned())
        }
    }
}

// --- AWS's published examples ---------------------------------------------------------------

/// A test-suite case: name, method, request target, headers besides `Host` and `X-Amz-Date`,
/// body, `SignedHeaders` and the published signature.
type SuiteCase = (
    &'static str,
    Method,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
    &'static str,
);

/// Cases of AWS's SigV4 test suite (2015-08-30, region us-east-1, service `service`), with
/// their requests and signatures as the suite publishes them; transcribed from
/// aws/aws-sdk-js-v3 `packages/signature-v4/src/suite.fixture.ts` (`get-slashes`, from the
/// suite's `normalize-path` folder, as dacut/scratchstack-aws-signature ships it).
#[test]
fn aws_test_suite_requests_verify() {
    let suite: &[SuiteCase] = &[
        (
            "get-vanilla",
            Method::GET,
            "/",
            &[],
            "",
            "host;x-amz-date",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "get-vanilla-query-order-key-case",
            Method::GET,
            "/?Param2=value2&Param1=value1",
            &[],
            "",
            "host;x-amz-date",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        (
            "get-header-value-trim",
            Method::GET,
            "/",
            &[("My-Header1", "value1"), ("My-Header2", "\"a   b   c\"")],
            "",
            "host;my-header1;my-header2;x-amz-date",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
        ),
        (
            "post-x-www-form-urlencoded",
            Method::POST,
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "Param1=value1",
            "content-type;host;x-amz-date",
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        ),
        (
            "get-slashes",
            Method::GET,
            "//example//",
            &[],
            "",
            "host;x-amz-date",
            "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
        ),
    ];
    let verifier = verifier_for("service", "us-east-1", Credentials::new(EXAMPLE_KEY, EXAMPLE_SECRET));
    for (name, method, target, extra, body, signed_headers, signature) in suite {
        let mut headers = header_map(&[("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]);
        headers.extend(header_map(extra));
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={EXAMPLE_KEY}/20150830/us-east-1/service/aws4_request, \
             SignedHeaders={signed_headers}, Signature={signature}"
        );
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&authorization).unwrap());
        let uri: Uri = target.parse().expect("{name}: bad target");
        let result = verifier.verify(method, &uri, &headers, body.as_bytes(), clock("20150830T123600Z", 0));
        assert_eq!(result, Ok(()), "{name}");
    }
}

/// The IAM user guide's example: `GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08`.
#[test]
fn the_iam_documentation_example_verifies() {
    let headers = header_map(&[
        ("Host", "iam.amazonaws.com"),
        ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        ("X-Amz-Date", "20150830T123600Z"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
    ]);
    let verifier = verifier_for("iam", "us-east-1", Credentials::new(EXAMPLE_KEY, EXAMPLE_SECRET));
    let uri = Uri::from_static("/?Action=ListUsers&Version=2010-05-08");
    assert_eq!(verifier.verify(&Method::GET, &uri, &headers, b"", clock("20150830T123600Z", 60)), Ok(()));
    let other = verifier_for("iam", "us-east-1", Credentials::new(EXAMPLE_KEY, "another secret"));
    let (code, _) = refusal(other.verify(&Method::GET, &uri, &headers, b"", clock("20150830T123600Z", 60)));
    assert_eq!(code, "InvalidSignatureException");
}

// --- botocore -------------------------------------------------------------------------------

/// One of the requests in `testdata/botocore.json`, which botocore signed (see its `about`).
fn botocore(case: &str) -> (Request, Verifier, String) {
    let vector: Value = serde_json::from_str(include_str!("testdata/botocore.json")).unwrap();
    let text = |key: &str| vector[key].as_str().unwrap().to_owned();
    let mut headers = HeaderMap::new();
    for pair in vector[case].as_array().unwrap() {
        let (name, value) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        headers.extend(header_map(&[(name, value)]));
    }
    let request = Request {
        method: Method::POST,
        uri: text("uri").parse().expect("bad uri"),
        headers,
        body: text("body").into_bytes(),
    };
    let verifier = Verifier::new([Credentials::new(text("access_key_id"), text("secret_access_key"))], text("region"));
    (request, verifier, text("signed_at"))
}

#[test]
fn a_botocore_request_verifies() {
    let (request, verifier, signed_at) = botocore("plain");
    assert_eq!(request.verify(&verifier, clock(&signed_at, 90)), Ok(()));
}

#[test]
fn a_session_token_is_accepted_when_the_key_matches() {
    let (request, verifier, signed_at) = botocore("with_session_token");
    assert!(request.headers.contains_key("x-amz-security-token"));
    assert_eq!(request.verify(&verifier, clock(&signed_at, 0)), Ok(()));
    // The token is signed: changing it breaks the signature.
    let request = request.set("x-amz-security-token", "another token");
    assert_eq!(refusal(request.verify(&verifier, clock(&signed_at, 0))).0, "InvalidSignatureException");
}

#[test]
fn a_botocore_request_with_another_secret_configured_is_refused() {
    let (request, _, signed_at) = botocore("plain");
    let verifier = Verifier::new([Credentials::new("AKIDBOTOCOREEXAMPLE", "not the secret")], "us-east-1");
    let (code, message) = refusal(request.verify(&verifier, clock(&signed_at, 0)));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access \
         Key and signing method. Consult the service documentation for details."
    );
}

#[test]
fn a_botocore_request_with_its_body_changed_is_refused() {
    let (mut request, verifier, signed_at) = botocore("plain");
    request.body = br#"{"maxResults":11}"#.to_vec();
    assert_eq!(refusal(request.verify(&verifier, clock(&signed_at, 0))).0, "InvalidSignatureException");
}

// --- requests signed here --------------------------------------------------------------------

#[test]
fn requests_signed_with_the_configured_secret_verify() {
    let request = Request::list_state_machines(AT).sign("AKIDLOCAL", "local/secret/KEY", "us-east-1");
    assert_eq!(request.verify(&states_verifier(), clock(AT, 0)), Ok(()));
}

#[test]
fn a_different_secret_is_refused() {
    let request = Request::list_state_machines(AT).sign("AKIDLOCAL", "some/other/KEY", "us-east-1");
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.starts_with("The request signature we calculated does not match"), "{message}");
}

#[test]
fn an_unknown_access_key_is_refused() {
    let request = Request::list_state_machines(AT).sign("AKIDSTRANGER", "local/secret/KEY", "us-east-1");
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "UnrecognizedClientException");
    assert_eq!(message, "The security token included in the request is invalid.");
}

#[test]
fn tampering_after_signing_is_refused() {
    let signed = || Request::list_state_machines(AT).sign("AKIDLOCAL", "local/secret/KEY", "us-east-1");
    let verifier = states_verifier();

    let mut body = signed();
    body.body = br#"{"maxResults":1000}"#.to_vec();
    assert_eq!(refusal(body.verify(&verifier, clock(AT, 0))).0, "InvalidSignatureException");

    let target = signed().set("x-amz-target", "AWSStepFunctions.DeleteStateMachine");
    assert_eq!(refusal(target.verify(&verifier, clock(AT, 0))).0, "InvalidSignatureException");

    let mut path = signed();
    path.uri = Uri::from_static("/other");
    assert_eq!(refusal(path.verify(&verifier, clock(AT, 0))).0, "InvalidSignatureException");

    let mut method = signed();
    method.method = Method::PUT;
    assert_eq!(refusal(method.verify(&verifier, clock(AT, 0))).0, "InvalidSignatureException");

    // Moving the date inside the window still changes what was signed.
    let date = signed().set("x-amz-date", "20261207T103100Z");
    assert_eq!(refusal(date.verify(&verifier, clock(AT, 0))).0, "InvalidSignatureException");
}

#[test]
fn a_content_hash_header_must_match_the_body() {
    let verifier = states_verifier();
    let hash = signing::sha256_hex(br#"{"maxResults":10}"#);
    let honest = Request::list_state_machines(AT).set("x-amz-content-sha256", &hash).sign(
        "AKIDLOCAL",
        "local/secret/KEY",
        "us-east-1",
    );
    assert_eq!(honest.verify(&verifier, clock(AT, 0)), Ok(()));

    let mut swapped = honest;
    swapped.body = br#"{"maxResults":99}"#.to_vec();
    let (code, message) = refusal(swapped.verify(&verifier, clock(AT, 0)));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(message, "The provided 'x-amz-content-sha256' header does not match what was computed.");

    let unsigned = Request::list_state_machines(AT).set("x-amz-content-sha256", "UNSIGNED-PAYLOAD").sign(
        "AKIDLOCAL",
        "local/secret/KEY",
        "us-east-1",
    );
    assert_eq!(refusal(unsigned.verify(&verifier, clock(AT, 0))).0, "InvalidSignatureException");
}

#[test]
fn a_date_header_stands_in_for_x_amz_date() {
    let mut request = Request::list_state_machines(AT);
    request.headers.remove("x-amz-date");
    let request =
        request.set("date", "Mon, 07 Dec 2026 10:30:00 GMT").sign("AKIDLOCAL", "local/secret/KEY", "us-east-1");
    assert_eq!(request.verify(&states_verifier(), clock(AT, 0)), Ok(()));
}

// --- the clock ----------------------------------------------------------------------------

#[test]
fn more_than_five_minutes_of_skew_is_refused() {
    let request = Request::list_state_machines(AT).sign("AKIDLOCAL", "local/secret/KEY", "us-east-1");
    let verifier = states_verifier();
    assert_eq!(request.verify(&verifier, clock(AT, 300)), Ok(()));
    assert_eq!(request.verify(&verifier, clock(AT, -300)), Ok(()));

    let (code, message) = refusal(request.verify(&verifier, clock(AT, 301)));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "Signature expired: 20261207T103000Z is now earlier than 20261207T103001Z (20261207T103501Z - 5 min.)"
    );
    let (code, message) = refusal(request.verify(&verifier, clock(AT, -301)));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "Signature not yet current: 20261207T103000Z is still later than 20261207T102959Z (20261207T102459Z + 5 \
         min.)"
    );
}

#[test]
fn a_date_outside_the_basic_format_is_incomplete() {
    let request = Request::list_state_machines("2026-12-07T10:30:00Z").sign("AKIDLOCAL", "k", "us-east-1");
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "IncompleteSignatureException");
    assert_eq!(
        message,
        "Date must be in ISO-8601 'basic format'. Got '2026-12-07T10:30:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
}

// --- malformed or missing signatures -----------------------------------------------------------

#[test]
fn no_authorization_header_is_a_missing_token() {
    let request = Request::list_state_machines(AT);
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "MissingAuthenticationTokenException");
    assert_eq!(message, "Request is missing Authentication Token");

    let bearer = Request::list_state_machines(AT).set("authorization", "Bearer abc");
    assert_eq!(refusal(bearer.verify(&states_verifier(), clock(AT, 0))).0, "MissingAuthenticationTokenException");
}

#[test]
fn missing_parameters_and_date_are_listed_together() {
    let mut request = Request::list_state_machines(AT);
    request.headers.remove("x-amz-date");
    let header = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/states/aws4_request, SignedHeaders=host";
    let request = request.set("authorization", header);
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "IncompleteSignatureException");
    assert_eq!(
        message,
        format!(
            "Authorization header requires 'Signature' parameter. Authorization header requires existence of either \
             a 'X-Amz-Date' or a 'Date' header. Authorization={header}"
        )
    );
}

#[test]
fn host_must_be_signed() {
    let header = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/states/aws4_request, \
                  SignedHeaders=x-amz-date, Signature=00";
    let request = Request::list_state_machines(AT).set("authorization", header);
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(message, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

#[test]
fn only_hmac_sha256_is_supported() {
    let header = "AWS4-ECDSA-P256-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/states/aws4_request, \
                  SignedHeaders=host;x-amz-date, Signature=00";
    let request = Request::list_state_machines(AT).set("authorization", header);
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "IncompleteSignatureException");
    assert_eq!(message, "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). ");
}

#[test]
fn a_scope_for_another_region_service_or_day_is_refused_with_every_reason() {
    let header = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261206/eu-west-1/lambda/aws4_requests, \
                  SignedHeaders=host;x-amz-date, Signature=00";
    let request = Request::list_state_machines(AT).set("authorization", header);
    let (code, message) = refusal(request.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct \
         service: 'states'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requests'. \
         Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261206' != \
         '20261207', from '20261207T103000Z'."
    );

    let signed_for_eu = Request::list_state_machines(AT).sign("AKIDLOCAL", "local/secret/KEY", "eu-west-1");
    let (_, message) = refusal(signed_for_eu.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(message, "Credential should be scoped to a valid region, not 'eu-west-1'.");
}

#[test]
fn presigned_requests_are_refused_clearly() {
    let mut presigned = Request::list_state_machines(AT);
    presigned.uri = Uri::from_static("/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00");
    let (code, message) = refusal(presigned.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "IncompleteSignatureException");
    assert!(message.contains("presigned"), "{message}");

    let mut both = Request::list_state_machines(AT).sign("AKIDLOCAL", "local/secret/KEY", "us-east-1");
    both.uri = Uri::from_static("/?X-Amz-Algorithm=AWS4-HMAC-SHA256");
    let (code, message) = refusal(both.verify(&states_verifier(), clock(AT, 0)));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(message, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
}

#[test]
fn non_utf8_and_garbage_headers_are_refused_without_panicking() {
    let verifier = states_verifier();
    for value in [&b"AWS4-HMAC-SHA256 \xff\xfe"[..], b"AWS4-", b"AWS4-HMAC-SHA256 ,,,  ,", b"AWS4-HMAC-SHA256 ==="] {
        let mut request = Request::list_state_machines(AT);
        let value = HeaderValue::from_bytes(value).unwrap();
        request.headers.insert(header::AUTHORIZATION, value);
        assert!(request.verify(&verifier, clock(AT, 0)).is_err());
    }
    let request = Request::list_state_machines(AT)
        .sign("AKIDLOCAL", "local/secret/KEY", "us-east-1")
        .set("x-amz-date", "00000000T000000Z");
    assert!(request.verify(&verifier, clock(AT, 0)).is_err());
}

// --- configuration ------------------------------------------------------------------------

#[test]
fn debug_output_never_shows_secrets() {
    let credentials = Credentials::new("AKIDLOCAL", "local/secret/KEY");
    let shown = format!("{credentials:?}");
    assert!(shown.contains("AKIDLOCAL") && !shown.contains("local/secret/KEY"), "{shown}");
    let verifier = Verifier::new([credentials, Credentials::new("AKIDOTHER", "other/secret")], "eu-west-1");
    let shown = format!("{verifier:?}");
    assert!(shown.contains("AKIDOTHER") && shown.contains("eu-west-1"), "{shown}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[test]
fn any_configured_key_may_sign() {
    let verifier = Verifier::new(
        [Credentials::new("AKIDONE", "one/secret"), Credentials::new("AKIDTWO", "two/secret")],
        "us-east-1",
    );
    for (id, secret) in [("AKIDONE", "one/secret"), ("AKIDTWO", "two/secret")] {
        let request = Request::list_state_machines(AT).sign(id, secret, "us-east-1");
        assert_eq!(request.verify(&verifier, clock(AT, 0)), Ok(()), "{id}");
    }
    let crossed = Request::list_state_machines(AT).sign("AKIDONE", "two/secret", "us-east-1");
    assert_eq!(refusal(crossed.verify(&verifier, clock(AT, 0))).0, "InvalidSignatureException");
}
