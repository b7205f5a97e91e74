//! [`Bindings`]: the Task handler of `asl serve` and `asl build` binaries, which sends each
//! Task to its execution's test case (mocked responses) or to its resource's binding.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use asl_runtime::Error;
use asl_runtime::execution::items::{ItemSource, ItemsCall, ResultsCall};
use asl_runtime::execution::{BoxFuture, TaskCall, TaskHandler};
use asl_runtime::runtime::WeakRuntime;
use serde_json::Value;

use crate::http::{Connections, HttpInvoke};
use crate::lambda::{Lambda, LambdaConfig};
use crate::mock::{Answer, Invocations, MockConfig};
use crate::resource::Binding;
use crate::s3::{ObjectStore, Objects, S3Config};

/// The error a Task fails with when nothing serves its resource.
pub const UNBOUND_ERROR: &str = "States.TaskFailed";

/// How Tasks are bound (what the flags, environment and configuration file set).
#[derive(Clone, Debug, Default)]
pub struct BindingsConfig {
    /// A Step Functions Local mock configuration file (`SFN_MOCK_CONFIG`).
    pub mock_config: Option<PathBuf>,
    /// The Lambda endpoint, over `AWS_ENDPOINT_URL_LAMBDA` and `AWS_ENDPOINT_URL`.
    pub lambda_endpoint: Option<String>,
    /// The connections file that `http:invoke` Tasks authenticate with.
    pub http_connections: Option<PathBuf>,
    /// Buckets that are folders on this machine (`--s3-dir BUCKET=DIR`): bucket, folder
    /// (relative to the current directory unless absolute).
    pub s3_dirs: Vec<(String, PathBuf)>,
    /// The S3 endpoint of the other buckets, over `AWS_ENDPOINT_URL_S3` and
    /// `AWS_ENDPOINT_URL`.
    pub s3_endpoint: Option<String>,
}

/// Which test case each execution runs (an execution is named by its ARN).
#[derive(Debug, Default)]
pub struct TestCases {
    chosen: Mutex<HashMap<String, Chosen>>,
}

/// An execution's test case: the state machine whose cases it comes from, and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Chosen {
    machine: String,
    case: String,
}

impl TestCases {
    fn get(&self, execution: &str) -> Option<Chosen> {
        self.chosen.lock().unwrap_or_else(PoisonError::into_inner).get(execution).cloned()
    }

    fn set(&self, execution: &str, chosen: Chosen) {
        self.chosen.lock().unwrap_or_else(PoisonError::into_inner).insert(execution.to_owned(), chosen);
    }
}

/// Runs Task states by resource: an execution's test case first (the states it mocks), then
/// Lambda, `http:invoke`, task-token waits; anything else fails with how to bind it.
pub struct Bindings {
    mocks: Option<MockConfig>,
    mock_file: Option<PathBuf>,
    test_cases: TestCases,
    invocations: Invocations,
    lambda: Lambda,
    http: HttpInvoke,
    objects: Arc<Objects>,
    /// The runtime whose tokens a mocked `.waitForTaskToken` Task answers.
    runtime: OnceLock<WeakRuntime>,
}

impl std::fmt::Debug for Bindings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bindings").field("mock_file", &self.mock_file).finish_non_exhaustive()
    }
}

impl Bindings {
    /// Bindings as `config` says, in `region` (of AWS endpoints and `http:invoke`'s
    /// User-Agent); endpoints `config` does not set and credentials come from the
    /// environment, as the AWS SDKs read them.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or is not valid (its diagnostics), a bucket's folder that
    /// is not there, or an HTTP client that cannot be set up.
    pub fn new(config: &BindingsConfig, region: &str) -> Result<Bindings, String> {
        let mocks = config.mock_config.as_deref().map(MockConfig::from_file).transpose()?;
        let connections = match &config.http_connections {
            Some(path) => Connections::from_file(path)?,
            None => Connections::none(),
        };
        Ok(Bindings {
            mocks,
            mock_file: config.mock_config.clone(),
            test_cases: TestCases::default(),
            invocations: Invocations::new(),
            lambda: Lambda::new(LambdaConfig::from_env(
                crate::lambda::SERVICE_ID,
                config.lambda_endpoint.as_deref(),
                region,
            ))?,
            http: HttpInvoke::new(connections, region)?,
            objects: Arc::new(Objects::new(
                &S3Config { dirs: config.s3_dirs.clone(), endpoint: config.s3_endpoint.clone() },
                region,
            )?),
            runtime: OnceLock::new(),
        })
    }

    /// Tells the bindings which runtime runs their Tasks (a mocked `.waitForTaskToken`
    /// Task answers its token there). The first call counts.
    pub fn attach(&self, runtime: WeakRuntime) {
        let _ = self.runtime.set(runtime);
    }

    /// The same bindings, reading and writing a Distributed Map's objects through
    /// `objects` (an endpoint with credentials of its own, say) instead of those the
    /// configuration and the environment give.
    #[must_use]
    pub fn with_objects(mut self, objects: Objects) -> Bindings {
        self.objects = Arc::new(objects);
        self
    }

    /// Where a Distributed Map's objects are read from and written to (its ItemReader and
    /// ResultWriter): buckets that are folders, and S3.
    pub fn objects(&self) -> &Objects {
        &self.objects
    }

    /// The mock configuration, if one was given.
    pub fn mocks(&self) -> Option<&MockConfig> {
        self.mocks.as_ref()
    }

    /// Makes `execution` (of the state machine `machine`) run the test case `case` of the
    /// mock configuration.
    ///
    /// # Errors
    ///
    /// What is missing: the mock configuration, or the test case in it, in words for the
    /// person who asked for it.
    pub fn choose_test_case(&self, execution: &str, machine: &str, case: &str) -> Result<(), String> {
        let Some(mocks) = &self.mocks else {
            return Err(format!(
                "test case `{case}` asked for, but no mock configuration was given: pass --mock-config FILE \
                 (or set SFN_MOCK_CONFIG)"
            ));
        };
        if mocks.test_case(machine, case).is_none() {
            let file = self.mock_file.as_deref().map_or_else(String::new, |f| format!(" in {}", f.display()));
            let known: Vec<&str> = mocks
                .machines()
                .into_iter()
                .find(|(name, _)| *name == machine)
                .map(|(_, cases)| cases)
                .unwrap_or_default();
            let known = if known.is_empty() {
                "none".to_owned()
            } else {
                known.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            };
            return Err(format!(
                "the mock configuration has no test case `{case}` for state machine `{machine}`{file} (its test cases: {known})"
            ));
        }
        self.test_cases.set(execution, Chosen { machine: machine.to_owned(), case: case.to_owned() });
        Ok(())
    }

    /// The test case `execution` runs, if any: the state machine and the case's name.
    pub fn test_case_of(&self, execution: &str) -> Option<(String, String)> {
        self.test_cases.get(execution).map(|chosen| (chosen.machine, chosen.case))
    }

    /// The mocked answer to `call`, if its execution's test case mocks its state.
    fn mocked(&self, call: &TaskCall<'_>) -> Option<Result<Value, Error>> {
        let mocks = self.mocks.as_ref()?;
        // The test case was chosen for the execution that was started; a Distributed Map's
        // child executions run its Tasks too, each counting its own invocations.
        let chosen = self.test_cases.get(call.root_execution)?;
        let case = mocks.test_case(&chosen.machine, &chosen.case)?;
        if !case.mocks(call.state) {
            return None;
        }
        let execution = call.context.get("Execution").and_then(|e| e.get("Id")).and_then(Value::as_str);
        let invocation = self.invocations.next(execution.unwrap_or(call.root_execution), call.state);
        let answer = match case.answer(call.state, invocation)? {
            Answer::Return(value) => Ok(value.clone()),
            Answer::ReturnInput => Ok(call.input.clone()),
            Answer::Throw { error, cause } => Err(Error::new(error.to_owned(), cause)),
            Answer::Exhausted { error, cause } => Err(Error::new(error, cause)),
        };
        Some(match (answer, call.task_token) {
            // Step Functions Local answers a mocked callback task's token itself.
            (Ok(value), Some(token)) => self.answer_token(token, value),
            (answer, _) => answer,
        })
    }

    /// Sends `value` as the outcome of the task token `token` (the handler then returns,
    /// and the task ends with the token's outcome).
    fn answer_token(&self, token: &str, value: Value) -> Result<Value, Error> {
        let runtime = self.runtime.get().and_then(WeakRuntime::upgrade).ok_or_else(|| {
            Error::runtime("a mocked .waitForTaskToken task has no runtime to answer its token (an asl-rs bug)")
        })?;
        runtime
            .callbacks()
            .send_task_success(token, value)
            .map_err(|refused| Error::runtime(format!("the mocked answer to a task token was refused: {refused}")))?;
        Ok(Value::Null)
    }

    /// The error of a Task nothing serves, saying how to serve it.
    fn unbound(&self, call: &TaskCall<'_>) -> Error {
        let how = match &self.mocks {
            Some(_) => "add its state to the execution's test case in the mock configuration",
            None => {
                "give a mock configuration (--mock-config FILE, or SFN_MOCK_CONFIG) with a test case that mocks its state, and start the execution with that test case"
            }
        };
        Error::new(
            UNBOUND_ERROR,
            format!(
                "Task state '{}' calls '{}', which nothing here serves (Lambda functions, http:invoke, activities, \
                 nested executions and .waitForTaskToken tasks are served); {how}",
                call.state, call.resource
            ),
        )
    }
}

impl TaskHandler for Bindings {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        if let Some(answer) = self.mocked(&call) {
            return Box::pin(std::future::ready(answer));
        }
        match Binding::of(call.resource) {
            Binding::LambdaFunction | Binding::LambdaInvoke => Box::pin(async move {
                let result = self.lambda.invoke(call.resource, call.input).await;
                // With a token, the Lambda's answer only says it took the work; the token's
                // outcome ends the task.
                if call.task_token.is_some() { result.map(|_| Value::Null) } else { result }
            }),
            Binding::HttpInvoke => Box::pin(self.http.invoke(call.input)),
            // The task ends when its token is answered, not now.
            Binding::TokenOnly => Box::pin(std::future::ready(Ok(Value::Null))),
            // The runtime serves these before a handler sees them; a Task that still comes
            // here (a startExecution of a machine the runtime does not know) has nothing.
            Binding::Activity | Binding::NestedExecution | Binding::Unbound => {
                Box::pin(std::future::ready(Err(self.unbound(&call))))
            }
        }
    }

    /// A Distributed Map's items, from the bucket's folder or S3.
    fn open_items<'a>(&'a self, call: ItemsCall<'a>) -> BoxFuture<'a, Result<Box<dyn ItemSource>, Error>> {
        let objects: Arc<dyn ObjectStore> = Arc::clone(&self.objects) as Arc<dyn ObjectStore>;
        Box::pin(crate::items::open_source(objects, call))
    }

    /// A Distributed Map's result files, to the bucket's folder or S3, in order (the
    /// manifest last).
    fn write_results<'a>(&'a self, call: ResultsCall<'a>) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            for (key, body) in call.objects {
                self.objects.put(call.bucket, &key, body).await.map_err(|error| {
                    let cause = crate::items::s3_cause(&error);
                    Error::new(asl_runtime::error::names::RESULT_WRITER_FAILED, cause)
                })?;
            }
            Ok(())
        })
    }
}
