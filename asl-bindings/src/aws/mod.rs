//! What every binding that talks to an AWS service shares, read the way the AWS SDKs and
//! CLI read it: credentials from the environment ([`Credentials`]), the endpoint and
//! region ([`endpoint`]), SigV4 request signing ([`sigv4`]), and the errors a service
//! answers with in the words Step Functions reports them ([`error`]).
//!
//! Step Functions calls services through the AWS SDK for Java (v1): its causes end in
//! `(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID:
//! …; Proxy: null)`, that SDK's message format, and a failure to reach a service is its
//! `SdkClientException`. [`error`] reproduces both.

mod config;
mod credentials;
pub(crate) mod endpoint;
pub(crate) mod error;
pub(crate) mod sigv4;

pub use config::ServiceConfig;
pub use credentials::Credentials;

/// An environment made of `pairs`, for the tests of what reads the environment.
#[cfg(test)]
pub(crate) fn test_env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
}
