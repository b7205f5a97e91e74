//! [`Endpoint`]: S3's REST API at an endpoint (AWS's, LocalStack's, MinIO's, moto's…),
//! path-style (`{endpoint}/{bucket}/{key}`, each segment of the key percent-encoded), signed
//! with SigV4 as the SDKs sign S3 calls when there are credentials.
//!
//! - `GetObject`: `GET /{bucket}/{key}[?versionId=…]`, the body streamed as it arrives.
//! - `ListObjectsV2`: `GET /{bucket}?list-type=2&…`, the XML page read (no
//!   `encoding-type`, so keys come as XML text).
//! - `PutObject`: `PUT /{bucket}/{key}`, the body's SHA-256 signed.
//!
//! The endpoint is chosen as the SDKs choose it: the one given (`--s3-endpoint`), then
//! `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else AWS's, `https://s3.{region}.amazonaws.com`.
//! S3's error answers (`<Error><Code>NoSuchKey</Code>…`) become [`S3Error`]s with their code,
//! message and status; a call that gets no answer, or an answer that is not S3's, is an
//! [`SdkClientException`](super::CLIENT_ERROR).

mod xml;

use std::time::SystemTime;

use asl_runtime::execution::BoxFuture;
use futures_util::TryStreamExt;
use reqwest::{Method, Response};
use tokio_util::io::StreamReader;

use super::{ListPage, ListRequest, Object, ObjectStore, S3Error};
use crate::aws::endpoint::{self, Endpoint as Base};
use crate::aws::{Credentials, ServiceConfig, error, sigv4};

/// The most of an error answer that is read (S3's are a few hundred bytes).
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// The most of a listing page that is read: 1,000 keys of at most 1,024 bytes each, every
/// byte escaped, with room to spare.
const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// The identifier of S3 in `AWS_ENDPOINT_URL_S3`.
pub const SERVICE_ID: &str = "S3";

/// Where S3 is and as whom it is called (`EndpointConfig::from_env(SERVICE_ID, …)`).
pub type EndpointConfig = ServiceConfig;

/// S3 at an endpoint.
#[derive(Debug)]
pub struct Endpoint {
    client: reqwest::Client,
    base: Base,
    region: String,
    credentials: Option<Credentials>,
}

impl Endpoint {
    /// The endpoint `config` says.
    ///
    /// # Errors
    ///
    /// The endpoint is not an `http://` or `https://` URL, the region cannot be one, or the
    /// HTTP client cannot be set up.
    pub fn new(config: EndpointConfig) -> Result<Endpoint, String> {
        let region = if config.region.trim().is_empty() { endpoint::FALLBACK_REGION } else { config.region.trim() };
        if !endpoint::is_region(region) {
            return Err(format!("`{region}` is not an AWS region (the S3 region)"));
        }
        let url = config.endpoint.unwrap_or_else(|| endpoint::aws_url("s3", region));
        let base = Base::parse(&url).map_err(|e| format!("the S3 endpoint is not usable: {e}"))?;
        Ok(Endpoint {
            client: crate::client::new_client()?,
            base,
            region: region.to_owned(),
            credentials: config.credentials,
        })
    }

    /// The endpoint's URL.
    pub fn url(&self) -> String {
        self.base.join("", "")
    }

    /// Sends a request: `method` to `path` (encoded) with `query` (encoded pairs), signed
    /// when there are credentials. The answer, whatever its status.
    async fn send(&self, method: Method, path: &str, query: &str, body: Vec<u8>) -> Result<Response, S3Error> {
        if self.base.is_aws() && self.credentials.is_none() {
            return Err(S3Error::client(self.no_credentials()));
        }
        let url = self.base.join(path, query);
        let mut request = self.client.request(method.clone(), &url);
        if let Some(credentials) = &self.credentials {
            let signable = sigv4::Request { method: method.as_str(), url: &url, headers: &[], body: &body };
            // A GET has no body to vouch for; a PUT's hash is signed so S3 checks what arrived.
            let unsigned = method == Method::GET;
            let signed = sigv4::s3_signing_headers(&signable, unsigned, credentials, &self.region, SystemTime::now())
                .map_err(|e| S3Error::client(format!("Unable to execute HTTP request: {e}")))?;
            for (name, value) in signed {
                request = request.header(name, value);
            }
        }
        request.body(body).send().await.map_err(|e| S3Error::client(error::unreachable_cause(&e)))
    }

    /// The cause of a call to AWS's endpoint without credentials.
    fn no_credentials(&self) -> String {
        format!(
            "Unable to load AWS credentials: the S3 endpoint is AWS's ({}) and no AWS credentials are set. To use \
             AWS, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary \
             credentials); to use another S3 server, set AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL, or give \
             --s3-endpoint); to use a folder of this machine as the bucket, give --s3-dir BUCKET=DIR",
            self.url()
        )
    }
}

impl ObjectStore for Endpoint {
    fn get<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Object, S3Error>> {
        Box::pin(async move {
            let path = object_path(bucket, key)?;
            let query = version.map(|v| format!("versionId={}", endpoint::encode(v))).unwrap_or_default();
            let response = self.send(Method::GET, &path, &query, Vec::new()).await?;
            if !response.status().is_success() {
                return Err(failure(response, S3Error::no_such_key).await);
            }
            let Some(size) = response.content_length() else {
                return Err(S3Error::client(format!(
                    "The answer to GetObject of `{key}` in bucket `{bucket}` has no Content-Length"
                )));
            };
            let stream = response.bytes_stream().map_err(std::io::Error::other);
            Ok(Object { body: Box::pin(StreamReader::new(stream)), size })
        })
    }

    fn list<'a>(&'a self, request: &'a ListRequest) -> BoxFuture<'a, Result<ListPage, S3Error>> {
        Box::pin(async move {
            let path = format!("/{}", bucket_segment(&request.bucket)?);
            let response = self.send(Method::GET, &path, &list_query(request), Vec::new()).await?;
            if !response.status().is_success() {
                return Err(failure(response, S3Error::no_such_bucket).await);
            }
            let body = read_body(response, MAX_PAGE_BYTES).await?;
            let text = String::from_utf8(body)
                .map_err(|_| S3Error::client("The ListObjectsV2 answer is not UTF-8 text".to_owned()))?;
            xml::list_page(&text).map_err(|e| S3Error::client(format!("The ListObjectsV2 answer cannot be read: {e}")))
        })
    }

    fn put<'a>(&'a self, bucket: &'a str, key: &'a str, body: Vec<u8>) -> BoxFuture<'a, Result<(), S3Error>> {
        Box::pin(async move {
            let path = object_path(bucket, key)?;
            let response = self.send(Method::PUT, &path, "", body).await?;
            if !response.status().is_success() {
                return Err(failure(response, S3Error::no_such_bucket).await);
            }
            Ok(())
        })
    }
}

/// The query of a `ListObjectsV2` call (names in order; empty values are left out, as S3
/// takes an empty prefix, delimiter or start-after for none).
fn list_query(request: &ListRequest) -> String {
    let max_keys = request.max_keys.map(|n| n.to_string());
    let pairs = [
        ("continuation-token", request.continuation_token.as_deref()),
        ("delimiter", request.delimiter.as_deref().filter(|d| !d.is_empty())),
        ("list-type", Some("2")),
        ("max-keys", max_keys.as_deref()),
        ("prefix", request.prefix.as_deref().filter(|p| !p.is_empty())),
        ("start-after", request.start_after.as_deref().filter(|s| !s.is_empty())),
    ];
    pairs
        .iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name}={}", endpoint::encode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// The error an answer that is not a success carries: S3's `<Error>`, else by status
/// (`missing` for a 404, the error of what the call looked for).
async fn failure(response: Response, missing: fn() -> S3Error) -> S3Error {
    let status = response.status();
    let body = read_body(response, MAX_ERROR_BYTES).await.unwrap_or_default();
    if let Some((code, message)) = xml::error(&String::from_utf8_lossy(&body)) {
        return S3Error::new(code, message, status.as_u16());
    }
    match status.as_u16() {
        // A HEAD, or a server that says no more than the status.
        404 => missing(),
        403 => S3Error::access_denied("Access Denied"),
        code => S3Error::new(
            super::CLIENT_ERROR,
            format!(
                "The S3 endpoint answered {code} {} without an S3 error",
                status.canonical_reason().unwrap_or_default()
            ),
            code,
        ),
    }
}

/// The body of `response`, at most `limit` bytes.
async fn read_body(mut response: Response, limit: usize) -> Result<Vec<u8>, S3Error> {
    let mut body = Vec::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| S3Error::client(format!("Unable to read the answer: {e}")))?
    {
        if body.len() + chunk.len() > limit {
            return Err(S3Error::client(format!("The answer is longer than {limit} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `/{bucket}/{key}`, encoded.
///
/// # Errors
///
/// The bucket cannot be one, or the key cannot travel in a URL's path: it is empty (the
/// path would name the bucket), or has a `.` or `..` segment (URLs resolve those, so the
/// request would name another key).
fn object_path(bucket: &str, key: &str) -> Result<String, S3Error> {
    let bucket = bucket_segment(bucket)?;
    if key.is_empty() {
        return Err(S3Error::client("The key is empty".to_owned()));
    }
    if key.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(S3Error::client(format!(
            "The key `{key}` has a `.` or `..` segment, which a path-style S3 URL cannot carry"
        )));
    }
    let segments: Vec<String> = key.split('/').map(endpoint::encode).collect();
    Ok(format!("/{bucket}/{}", segments.join("/")))
}

/// The bucket as a path segment.
fn bucket_segment(bucket: &str) -> Result<String, S3Error> {
    if bucket.is_empty() || bucket.contains('/') {
        return Err(S3Error::new("InvalidBucketName", "The specified bucket is not valid.", 400));
    }
    Ok(endpoint::encode(bucket))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use crate::aws::test_env as vars;

    #[test]
    fn config_from_the_environment() {
        let env = [
            ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"),
            ("AWS_ENDPOINT_URL", "http://localhost:4566"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ];
        let config = EndpointConfig::from_vars(SERVICE_ID, None, "", vars(&env));
        assert_eq!(
            config,
            EndpointConfig {
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: "eu-west-1".into(),
                credentials: None
            }
        );
        assert_eq!(
            EndpointConfig::from_vars(SERVICE_ID, None, "", vars(&env[1..])).endpoint.as_deref(),
            Some("http://localhost:4566")
        );
        let flagged = EndpointConfig::from_vars(SERVICE_ID, Some("http://flag:1"), "ap-south-1", vars(&env));
        assert_eq!((flagged.endpoint.as_deref(), flagged.region.as_str()), (Some("http://flag:1"), "ap-south-1"));
        assert_eq!(EndpointConfig::from_vars(SERVICE_ID, None, "", vars(&[])).endpoint, None);
    }

    #[test]
    fn without_an_endpoint_it_is_aws_in_the_region() {
        let config = |endpoint: Option<&str>, region: &str| EndpointConfig {
            endpoint: endpoint.map(str::to_owned),
            region: region.to_owned(),
            credentials: None,
        };
        assert_eq!(Endpoint::new(config(None, "eu-west-1")).unwrap().url(), "https://s3.eu-west-1.amazonaws.com");
        assert_eq!(Endpoint::new(config(None, "")).unwrap().url(), "https://s3.us-east-1.amazonaws.com");
        assert!(Endpoint::new(config(Some("localhost:9000"), "us-east-1")).is_err());
        assert!(Endpoint::new(config(None, "Not A Region")).is_err());
    }

    #[tokio::test]
    async fn aws_without_credentials_says_how_to_bind_s3() {
        let endpoint =
            Endpoint::new(EndpointConfig { endpoint: None, region: "us-east-1".into(), credentials: None }).unwrap();
        let error = endpoint.get("b", "k", None).await.unwrap_err();
        assert_eq!(error.code, "SdkClientException");
        assert!(error.message.contains("AWS_ENDPOINT_URL_S3") && error.message.contains("--s3-dir"), "{error}");
    }

    #[test]
    fn paths_encode_each_segment_and_refuse_dot_segments() {
        assert_eq!(object_path("b", "in/a b+c&d=é.json").unwrap(), "/b/in/a%20b%2Bc%26d%3D%C3%A9.json");
        assert_eq!(object_path("b", "a//b/").unwrap(), "/b/a//b/");
        assert_eq!(object_path("b", "100%").unwrap(), "/b/100%25");
        for key in ["", "a/../b", "./a", ".."] {
            assert_eq!(object_path("b", key).unwrap_err().code, "SdkClientException", "{key:?}");
        }
        assert_eq!(object_path("", "k").unwrap_err().code, "InvalidBucketName");
        assert_eq!(object_path("a/b", "k").unwrap_err().code, "InvalidBucketName");
    }

    #[test]
    fn list_queries_name_what_is_asked() {
        let request = ListRequest {
            bucket: "b".into(),
            prefix: Some("in/a b".into()),
            delimiter: Some("/".into()),
            start_after: Some(String::new()),
            continuation_token: Some("1ue+/x=".into()),
            max_keys: Some(10),
        };
        assert_eq!(
            list_query(&request),
            "continuation-token=1ue%2B%2Fx%3D&delimiter=%2F&list-type=2&max-keys=10&prefix=in%2Fa%20b"
        );
        assert_eq!(list_query(&ListRequest { bucket: "b".into(), ..ListRequest::default() }), "list-type=2");
    }
}
