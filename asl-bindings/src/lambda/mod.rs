//! Lambda Task states through the Lambda Invoke REST API, the way AWS Step Functions calls
//! Lambda, for both resource forms:
//!
//! - `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`: the effective input is the
//!   payload, the function's result is the task's result;
//! - `arn:aws:states:::lambda:invoke` (and `.waitForTaskToken`): the effective input is the
//!   Invoke request (`FunctionName`, `Payload`, `Qualifier`, `InvocationType`,
//!   `ClientContext`, `LogType`), the task's result is the Invoke response as AWS shapes it
//!   (`ExecutedVersion`, `Payload`, `SdkHttpMetadata`, `SdkResponseMetadata`, `StatusCode`,
//!   `LogResult`).
//!
//! A call is `POST {endpoint}/2015-03-31/functions/{FunctionName}/invocations[?Qualifier=…]`
//! with the options as `X-Amz-Invocation-Type`, `X-Amz-Log-Type` and `X-Amz-Client-Context`,
//! so it works against AWS, LocalStack and `sam local start-lambda`. The endpoint and region
//! are read as the AWS SDKs read them (see [`ServiceConfig::from_env`]); requests are signed
//! with SigV4 when credentials are set.
//!
//! Errors are AWS's: a function error fails the task with the function's `errorType` (or
//! `Lambda.Unknown`), an API error with `Lambda.<exception>` (`Lambda.ResourceNotFoundException`,
//! `Lambda.TooManyRequestsException`, `Lambda.AWSLambdaException`…), an unreachable endpoint
//! with `Lambda.SdkClientException`, an input that is not an Invoke request with
//! `States.Runtime`, and a result above 256 KiB with `States.DataLimitExceeded`. The
//! evidence for each shape and cause is in the docs of `response.rs` and `request.rs`.
//! A Task's `TimeoutSeconds` bounds the call: the runtime drops it when time is up.

mod function;
mod request;
mod response;

use std::time::SystemTime;

use asl_runtime::Error;
use asl_runtime::dataflow::check_size;
use serde_json::Value;

use crate::aws::endpoint::{self, Endpoint};
pub use crate::aws::{Credentials, ServiceConfig};
use crate::aws::{error, sigv4};
use function::FunctionRef;
use request::{Form, Invocation};
use response::Answer;

/// The error of a call that got no answer (the SDK's `SdkClientException`).
pub const UNREACHABLE_ERROR: &str = "Lambda.SdkClientException";

/// The most of an answer that is read: Lambda's own limit on a synchronous response (6 MB)
/// with room to spare. A larger answer is a result above the 256 KiB limit anyway.
const MAX_ANSWER_BYTES: usize = 7 * 1024 * 1024;

/// The identifier of Lambda in `AWS_ENDPOINT_URL_LAMBDA`.
pub const SERVICE_ID: &str = "LAMBDA";

/// Where and as whom Lambda is called (`LambdaConfig::from_env(SERVICE_ID, …)`); without an
/// endpoint, AWS's `https://lambda.{region}.amazonaws.com`.
pub type LambdaConfig = ServiceConfig;

/// The Lambda binding: runs Tasks whose resource is a Lambda function ARN or
/// `lambda:invoke[.waitForTaskToken]`.
#[derive(Debug)]
pub struct Lambda {
    client: reqwest::Client,
    /// The configured endpoint; `None`: AWS's in each call's region.
    endpoint: Option<Endpoint>,
    region: String,
    credentials: Option<Credentials>,
}

impl Lambda {
    /// A binding as `config` says.
    ///
    /// # Errors
    ///
    /// The endpoint is not an `http://` or `https://` URL, the region cannot be one, or the
    /// HTTP client cannot be set up.
    pub fn new(config: LambdaConfig) -> Result<Lambda, String> {
        let endpoint = config
            .endpoint
            .as_deref()
            .map(Endpoint::parse)
            .transpose()
            .map_err(|e| format!("the Lambda endpoint is not usable: {e}"))?;
        let region = if config.region.trim().is_empty() { endpoint::FALLBACK_REGION } else { config.region.trim() };
        if !endpoint::is_region(region) {
            return Err(format!("`{region}` is not an AWS region (the Lambda region)"));
        }
        Ok(Lambda {
            client: crate::client::new_client()?,
            endpoint,
            region: region.to_owned(),
            credentials: config.credentials,
        })
    }

    /// Runs a Task whose resource is a Lambda function ARN or `lambda:invoke[.waitForTaskToken]`,
    /// with its effective input: the task's result as AWS shapes it, or the error (name and
    /// cause) AWS fails it with.
    ///
    /// # Errors
    ///
    /// What AWS fails the task with (see the [module docs](self)), and `States.TaskFailed`
    /// when the endpoint is AWS's and there are no credentials to sign with, saying how to
    /// bind Lambda.
    pub async fn invoke(&self, resource: &str, input: Value) -> Result<Value, Error> {
        let invocation = Invocation::new(resource, input)?;
        let function = FunctionRef::parse(&invocation.function_name);
        let region = function.region.unwrap_or(&self.region);
        let endpoint = match &self.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => Endpoint::parse(&endpoint::aws_url("lambda", region)).map_err(|e| unreachable(&e))?,
        };
        if endpoint.is_aws() && self.credentials.is_none() {
            return Err(Error::new(crate::UNBOUND_ERROR, no_credentials(&invocation.function_name, &endpoint)));
        }
        let (path, query) = invocation.target(endpoint.is_aws());
        let url = endpoint.join(&path, &query);
        let mut headers: Vec<(&str, String)> =
            invocation.headers().into_iter().map(|(name, value)| (name, value.to_owned())).collect();
        if let Some(credentials) = &self.credentials {
            let plain: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
            let request = sigv4::Request { method: "POST", url: &url, headers: &plain, body: &invocation.payload };
            let signed = sigv4::signing_headers(&request, credentials, region, "lambda", SystemTime::now())
                .map_err(|e| unreachable(&e))?;
            headers.extend(signed);
        }
        let name = size_name(invocation.form, resource);
        let answer = self.send(&url, &headers, invocation.payload, name).await?;
        let result = response::outcome(invocation.form, &answer)?;
        check_size(&result, name)?;
        Ok(result)
    }

    /// Posts `body` to `url` with `headers` and reads the answer (at most [`MAX_ANSWER_BYTES`]).
    async fn send(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
        size_name: &str,
    ) -> Result<Answer, Error> {
        let mut request = self.client.post(url).body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let transport = |e: reqwest::Error| Error::new(UNREACHABLE_ERROR, error::unreachable_cause(&e));
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(Error::new(
                    asl_runtime::error::names::DATA_LIMIT_EXCEEDED,
                    asl_runtime::dataflow::data_limit_exceeded(size_name),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, headers, body })
    }
}

/// What the `States.DataLimitExceeded` cause names: `lambda` for `lambda:invoke` (case
/// `states-errors-service-task-lambada-data-limit-exceeded-on-large-utf8-response`), the
/// resource for a function ARN (LocalStack's wording; no recorded case shows AWS's).
fn size_name(form: Form, resource: &str) -> &str {
    match form {
        Form::Invoke => "lambda",
        Form::Function => resource,
    }
}

/// The error of a request that could not be made (the SDK's `SdkClientException`).
fn unreachable(why: &str) -> Error {
    Error::new(UNREACHABLE_ERROR, format!("Unable to execute HTTP request: {why}"))
}

/// The cause of a call to AWS's endpoint without credentials.
fn no_credentials(function: &str, endpoint: &Endpoint) -> String {
    format!(
        "cannot call Lambda function '{function}': the Lambda endpoint is AWS's ({}) and no AWS credentials are set. \
         To call AWS, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary \
         credentials); to call a local Lambda, set AWS_ENDPOINT_URL_LAMBDA (or AWS_ENDPOINT_URL, or give the \
         Lambda endpoint flag) to it, e.g. http://127.0.0.1:3001 for `sam local start-lambda` or \
         http://localhost:4566 for LocalStack",
        endpoint.join("", "")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::{Credentials, Lambda, LambdaConfig, SERVICE_ID};

    use crate::aws::test_env as vars;

    #[test]
    fn config_from_the_environment() {
        let env = [
            ("AWS_ENDPOINT_URL", "http://localhost:4566"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ];
        assert_eq!(
            LambdaConfig::from_vars(SERVICE_ID, None, "", vars(&env)),
            LambdaConfig {
                endpoint: Some("http://localhost:4566".into()),
                region: "eu-west-1".into(),
                credentials: Some(Credentials {
                    access_key_id: "test".into(),
                    secret_access_key: "test".into(),
                    session_token: None
                }),
            }
        );
        let flagged = LambdaConfig::from_vars(SERVICE_ID, Some("http://127.0.0.1:3001"), "us-west-2", vars(&env));
        assert_eq!(
            (flagged.endpoint.as_deref(), flagged.region.as_str()),
            (Some("http://127.0.0.1:3001"), "us-west-2")
        );
        let bare = LambdaConfig::from_vars(SERVICE_ID, None, "", vars(&[]));
        assert_eq!(bare, LambdaConfig { endpoint: None, region: "us-east-1".into(), credentials: None });
    }

    #[test]
    fn bad_configurations_are_refused() {
        let config = |endpoint: Option<&str>, region: &str| LambdaConfig {
            endpoint: endpoint.map(str::to_owned),
            region: region.to_owned(),
            credentials: None,
        };
        assert!(Lambda::new(config(Some("localhost:3001"), "us-east-1")).is_err());
        assert!(Lambda::new(config(None, "us east")).is_err());
        assert!(Lambda::new(config(None, "")).is_ok());
        assert!(Lambda::new(config(Some("http://127.0.0.1:3001"), "eu-west-1")).is_ok());
    }

    #[test]
    fn the_binding_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Lambda>();
    }
}
