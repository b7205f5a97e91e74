//! From a Task's resource and effective input to an Invoke request.

use asl_runtime::Error;
use reqwest::header::HeaderValue;
use serde_json::{Map, Value};

use super::function::FunctionRef;
use crate::aws::endpoint;

/// `arn:aws:states:::lambda:invoke`, the optimised integration.
pub(crate) const INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// The fields `lambda:invoke` accepts: the Invoke API's request members that Step Functions
/// passes on (LocalStack's AWS-validated list, `LogType` included though AWS's guide leaves
/// it out).
const FIELDS: [&str; 6] = ["ClientContext", "FunctionName", "InvocationType", "LogType", "Payload", "Qualifier"];

/// Which of the two ways a Task calls Lambda.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// The function's ARN as the resource: the effective input is the payload, the function's
    /// result the task's result.
    Function,
    /// `lambda:invoke[.waitForTaskToken]`: the effective input holds the Invoke request, the
    /// task's result is the Invoke response.
    Invoke,
}

/// One call of the Invoke API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// How the Task called it.
    pub form: Form,
    /// `FunctionName` as given (for a function ARN resource, the resource).
    pub function_name: String,
    /// `Qualifier`, when given.
    pub qualifier: Option<String>,
    /// `InvocationType` (`RequestResponse`, `Event`, `DryRun`), when given.
    pub invocation_type: Option<String>,
    /// `LogType` (`None`, `Tail`), when given.
    pub log_type: Option<String>,
    /// `ClientContext` (base64 JSON, passed as is), when given.
    pub client_context: Option<String>,
    /// The request body.
    pub payload: Vec<u8>,
}

impl Invocation {
    /// The invocation a Task with `resource` and effective input `input` makes.
    ///
    /// # Errors
    ///
    /// `States.Runtime` when `lambda:invoke`'s input is not an Invoke request (no
    /// `FunctionName`, a field Step Functions does not pass, a value of the wrong type), in
    /// the words AWS uses for Parameters it cannot start a Task with; `States.TaskFailed`
    /// for a resource that is not Lambda's.
    pub(crate) fn new(resource: &str, input: Value) -> Result<Invocation, Error> {
        if resource.starts_with("arn:") && resource.split(':').nth(2) == Some("lambda") {
            if is_dot_segment(FunctionRef::parse(resource).name) {
                return Err(Error::runtime(format!("The resource '{resource}' names no function")));
            }
            return Ok(Invocation {
                form: Form::Function,
                function_name: resource.to_owned(),
                qualifier: None,
                invocation_type: None,
                log_type: None,
                client_context: None,
                payload: compact(&input).into_bytes(),
            });
        }
        if resource.strip_suffix(".waitForTaskToken").unwrap_or(resource) != INVOKE {
            return Err(Error::new(
                crate::UNBOUND_ERROR,
                format!("the Lambda binding cannot call '{resource}' (neither a Lambda function ARN nor {INVOKE})"),
            ));
        }
        let refuse = |why: String| {
            Error::runtime(format!("The Parameters '{}' could not be used to start the Task: [{why}]", compact(&input)))
        };
        let Value::Object(fields) = &input else {
            return Err(refuse("The Parameters must be a JSON object".to_owned()));
        };
        if let Some(unknown) = fields.keys().find(|key| !FIELDS.contains(&key.as_str())) {
            return Err(refuse(format!("The field '{unknown}' is not supported by Step Functions")));
        }
        let text = |name: &str| -> Result<Option<String>, Error> {
            match fields.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(refuse(format!("The value for the field '{name}' must be a STRING"))),
            }
        };
        let header = |name: &str| -> Result<Option<String>, Error> {
            let value = text(name)?;
            match &value {
                Some(v) if HeaderValue::from_str(v).is_err() => {
                    Err(refuse(format!("The value for the field '{name}' cannot be sent in an HTTP header")))
                }
                _ => Ok(value),
            }
        };
        let function_name = match text("FunctionName")? {
            Some(name) if !name.is_empty() => name,
            Some(_) => return Err(refuse("The value for the field 'FunctionName' must not be empty".to_owned())),
            None => return Err(refuse("The field 'FunctionName' is required but was missing".to_owned())),
        };
        if is_dot_segment(&function_name) || is_dot_segment(FunctionRef::parse(&function_name).name) {
            return Err(refuse("The value for the field 'FunctionName' names no function".to_owned()));
        }
        Ok(Invocation {
            form: Form::Invoke,
            function_name,
            qualifier: text("Qualifier")?,
            invocation_type: header("InvocationType")?,
            log_type: header("LogType")?,
            client_context: header("ClientContext")?,
            payload: payload_bytes(fields),
        })
    }

    /// The request's path and query under the endpoint. AWS's endpoint gets `FunctionName`
    /// as given, as the SDKs send it; any other (`sam local start-lambda`, LocalStack) gets
    /// the function's name, its qualifier moved to `Qualifier`: SAM finds functions by name
    /// or logical ID only, and LocalStack finds a name in the caller's own account, where
    /// its functions are.
    pub(crate) fn target(&self, aws_endpoint: bool) -> (String, String) {
        let (name, qualifier) = if aws_endpoint {
            (self.function_name.as_str(), self.qualifier.as_deref())
        } else {
            let function = FunctionRef::parse(&self.function_name);
            (function.name, self.qualifier.as_deref().or(function.qualifier))
        };
        let path = format!("/2015-03-31/functions/{}/invocations", endpoint::encode(name));
        let query = qualifier.map(|q| format!("Qualifier={}", endpoint::encode(q))).unwrap_or_default();
        (path, query)
    }

    /// The headers that carry the request's options (only those given: `sam local
    /// start-lambda` refuses a log type or invocation type it does not support even when
    /// it is the default).
    pub(crate) fn headers(&self) -> Vec<(&'static str, &str)> {
        [
            ("x-amz-invocation-type", &self.invocation_type),
            ("x-amz-log-type", &self.log_type),
            ("x-amz-client-context", &self.client_context),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}

/// The body `lambda:invoke` sends for its `Payload`, as LocalStack's AWS-recorded snapshots
/// of `test_lambda_task_service.py` show: nothing when there is none (`test_invoke`: an echo
/// function given `"Payload": null` returns `{}`, Lambda's event for an empty body), a
/// string's own text (`test_invoke_json_values`: the string `"null"` comes back as JSON
/// `null`, `"0.0"` as `0.0`), any other value as JSON.
fn payload_bytes(fields: &Map<String, Value>) -> Vec<u8> {
    match fields.get("Payload") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(value) => compact(value).into_bytes(),
    }
}

/// Whether `name` is `.` or `..`: as a path segment it would move the request off the
/// Invoke route (URLs resolve dot segments, encoded or not), and no function has such a name.
fn is_dot_segment(name: &str) -> bool {
    name == "." || name == ".."
}

/// `value` as compact JSON text.
fn compact(value: &Value) -> String {
    value.to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::{Form, Invocation};

    fn invoke(input: serde_json::Value) -> Result<Invocation, asl_runtime::Error> {
        Invocation::new("arn:aws:states:::lambda:invoke", input)
    }

    #[test]
    fn a_function_arn_sends_the_input_as_json() {
        let call = Invocation::new("arn:aws:lambda:us-east-1:1:function:f", json!("HelloWorld")).unwrap();
        assert_eq!((call.form, call.function_name.as_str()), (Form::Function, "arn:aws:lambda:us-east-1:1:function:f"));
        assert_eq!(call.payload, br#""HelloWorld""#);
        assert!(call.headers().is_empty());
    }

    #[test]
    fn invoke_payloads_null_string_and_json() {
        assert_eq!(invoke(json!({"FunctionName": "f"})).unwrap().payload, b"");
        assert_eq!(invoke(json!({"FunctionName": "f", "Payload": null})).unwrap().payload, b"");
        assert_eq!(invoke(json!({"FunctionName": "f", "Payload": "null"})).unwrap().payload, b"null");
        assert_eq!(
            invoke(json!({"FunctionName": "f", "Payload": {"b": 1, "a": [true]}})).unwrap().payload,
            br#"{"b":1,"a":[true]}"#
        );
    }

    #[test]
    fn options_become_headers() {
        let call = invoke(json!({
            "FunctionName": "f", "InvocationType": "Event", "LogType": "Tail", "ClientContext": "e30=", "Qualifier": "live"
        }))
        .unwrap();
        assert_eq!(
            call.headers(),
            [("x-amz-invocation-type", "Event"), ("x-amz-log-type", "Tail"), ("x-amz-client-context", "e30=")]
        );
        assert_eq!(call.qualifier.as_deref(), Some("live"));
        let wait = Invocation::new("arn:aws:states:::lambda:invoke.waitForTaskToken", json!({"FunctionName": "f"}));
        assert_eq!(wait.unwrap().form, Form::Invoke);
    }

    #[test]
    fn bad_parameters_are_runtime_errors_in_aws_words() {
        let cause = |input| invoke(input).unwrap_err().cause.unwrap_or_default();
        let missing = invoke(json!({"Payload": {}})).unwrap_err();
        assert_eq!(missing.name, "States.Runtime");
        assert_eq!(
            missing.cause.as_deref(),
            Some(
                r#"The Parameters '{"Payload":{}}' could not be used to start the Task: [The field 'FunctionName' is required but was missing]"#
            )
        );
        assert!(
            cause(json!({"FunctionName": 7})).ends_with("[The value for the field 'FunctionName' must be a STRING]")
        );
        assert!(cause(json!({"FunctionName": ""})).contains("must not be empty"));
        assert!(
            cause(json!({"FunctionName": "f", "Bogus": 1}))
                .ends_with("[The field 'Bogus' is not supported by Step Functions]")
        );
        assert!(cause(json!({"FunctionName": "f", "ClientContext": "a\nb"})).contains("HTTP header"));
        assert!(cause(json!(["f"])).contains("must be a JSON object"));
        for dots in ["..", ".", "..:live", "arn:aws:lambda:us-east-1:1:function:.."] {
            assert!(cause(json!({"FunctionName": dots})).ends_with("names no function]"), "{dots}");
        }
        let arn = Invocation::new("arn:aws:lambda:us-east-1:1:function:..", json!({})).unwrap_err();
        assert_eq!(arn.name, "States.Runtime");
        let elsewhere = Invocation::new("arn:aws:states:::sqs:sendMessage", json!({})).unwrap_err();
        assert_eq!(elsewhere.name, crate::UNBOUND_ERROR);
    }

    #[test]
    fn targets_keep_arns_for_aws_and_names_elsewhere() {
        let call =
            invoke(json!({"FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:Charge:live"})).unwrap();
        assert_eq!(
            call.target(true),
            ("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3ACharge%3Alive/invocations".to_owned(), String::new())
        );
        assert_eq!(
            call.target(false),
            ("/2015-03-31/functions/Charge/invocations".to_owned(), "Qualifier=live".to_owned())
        );
        let explicit = invoke(json!({"FunctionName": "Charge:live", "Qualifier": "$LATEST"})).unwrap();
        assert_eq!(explicit.target(false).1, "Qualifier=%24LATEST");
        assert_eq!(
            explicit.target(true),
            ("/2015-03-31/functions/Charge%3Alive/invocations".to_owned(), "Qualifier=%24LATEST".to_owned())
        );
    }
}
