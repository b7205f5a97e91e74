//! Where an AWS service is and as whom it is called: what the Lambda and S3 bindings are
//! configured with, read from the environment as the AWS SDKs read it.

use super::Credentials;
use super::endpoint;

/// Where an AWS service is called and as whom ([`LambdaConfig`](crate::lambda::LambdaConfig),
/// [`EndpointConfig`](crate::s3::EndpointConfig)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceConfig {
    /// The endpoint (`http://localhost:4566` for LocalStack, `http://127.0.0.1:3001` for
    /// `sam local start-lambda`, `http://127.0.0.1:9000` for MinIO); `None`: AWS's in
    /// `region`.
    pub endpoint: Option<String>,
    /// The region requests are signed for and AWS's endpoint is in (for Lambda, that of
    /// functions named without one: a full ARN's own region wins). Empty: `us-east-1`.
    pub region: String,
    /// What requests are signed with; `None`: they are sent unsigned, which only an endpoint
    /// that is not AWS's accepts.
    pub credentials: Option<Credentials>,
}

impl ServiceConfig {
    /// `endpoint_flag` if given, else the environment as the AWS SDKs read it:
    /// `AWS_ENDPOINT_URL_<service_id>` (`LAMBDA`, `S3`), then `AWS_ENDPOINT_URL` (neither
    /// when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`); the region `region` unless it is
    /// empty, else `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`; credentials
    /// from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    pub fn from_env(service_id: &str, endpoint_flag: Option<&str>, region: &str) -> ServiceConfig {
        ServiceConfig::from_vars(service_id, endpoint_flag, region, |name| std::env::var(name).ok())
    }

    /// [`ServiceConfig::from_env`] over any source of variables.
    pub(crate) fn from_vars(
        service_id: &str,
        endpoint_flag: Option<&str>,
        region: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> ServiceConfig {
        ServiceConfig {
            endpoint: endpoint::configured(endpoint_flag, service_id, &var),
            region: endpoint::region(region, &var),
            credentials: Credentials::from_vars(&var),
        }
    }
}
