//! Step Functions Local's mock configuration file (`MockConfigFile.json`), read as AWS
//! documents it, so a file written for Step Functions Local works here unchanged.
//!
//! ```json
//! {
//!   "StateMachines": {
//!     "LambdaSQSIntegration": {
//!       "TestCases": {
//!         "RetryPath": { "LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess" }
//!       }
//!     }
//!   },
//!   "MockedResponses": {
//!     "MockedLambdaRetry": {
//!       "0":   { "Throw": { "Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready." } },
//!       "1-2": { "Throw": { "Error": "Lambda.TimeoutException", "Cause": "Lambda timed out." } },
//!       "3":   { "Return": { "StatusCode": 200, "Payload": { "StatusCode": 200, "body": "Hello from Lambda!" } } }
//!     },
//!     "MockedSQSSuccess": { "0": { "Return": { "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51" } } }
//!   }
//! }
//! ```
//!
//! An execution started with a test case (`…:stateMachine:LambdaSQSIntegration#RetryPath`)
//! takes the answers of the states its test case names from their mocked responses
//! ([`TestCase::answer`]); every other Task state calls its real service.
//!
//! # What AWS documents, and what this module does with it
//!
//! The sources are the two pages of the Step Functions developer guide,
//! <https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html> ("mock
//! configuration file") and
//! <https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html> ("test").
//!
//! - **Structure.** "The field name is the name of the state machine and value is an object
//!   containing a single field named `TestCases`"; "The name of each test case must be unique
//!   per state machine and the value of each test case is an object specifying a mocked
//!   response to use for Task states"; "`MockedResponses` is an object containing multiple
//!   mocked response objects with unique field names" (config page). Both top-level fields
//!   are "fields that you must define": a file without one is refused, as are unknown fields
//!   at every level (a misspelt `TestCase` or `Errors` would otherwise be silently ignored;
//!   the docs' own text says `MockedResponse` once where the field is `MockedResponses`, so
//!   the hint for that slip matters). A repeated key is refused too: the docs require
//!   unique names, and a JSON reader would silently keep only one.
//! - **Invocation keys.** "You specify the invocation number using individual integer strings,
//!   such as "0", "1", "2", and "3" or an inclusive range of integers, such as "0-1", "2-3""
//!   (config page). Numbers are 0-based: in the docs' `RetryPath`, `"0"` is "the initial
//!   attempt", `"1-2"` "the first and second retry attempts", `"3"` "the third retry attempt"
//!   (test page). A key that is not a number or range, a range that ends before it starts, and
//!   two keys giving the same invocation are errors (each invocation has one response).
//! - **Coverage.** "When you mock a Task, you must specify a mocked response for every
//!   invocation. […] If you do not specify a mocked response, the state machine execution will
//!   fail" (config page); "you must denote mocks for retries with consecutive attempt numbers
//!   […] If you do not specify a mocked response for a specific retry attempt, for example,
//!   retry "3", the state machine execution will fail" (test page). So a call beyond the
//!   responses is [`Answer::Exhausted`] and fails the execution. The docs do not name the
//!   error: Floci's maintainers, checking against `amazon/aws-stepfunctions-local:2.0.0`,
//!   report that Step Functions Local "starts the execution and fails it with `States.Runtime`
//!   only when the state that names the entry is entered", also for "a mock that defines
//!   attempt 1 but not attempt 0" (floci-io/floci PR #2823). `States.Runtime` is also what
//!   makes the docs' sentence true: it is the one error no Retry or Catch can take, so the
//!   execution fails. A mocked response with no entries, or with a gap (`"0"`, then `"2"`), is
//!   therefore accepted, as Step Functions Local accepts it, with a warning
//!   ([`MockConfig::warnings`]): the responses after a gap can never be used.
//! - **Responses.** "A response must contain a single field named `Return` or `Throw` whose
//!   value is the result or error output for the mocked Task invocation"; "The value of
//!   `Throw` must be an object containing an `Error` and `Cause` fields with string values"
//!   (config page). `Return` takes any JSON value (the docs show objects, but a task result
//!   may be any value). `Error` is required; a missing `Cause` is accepted and answered as an
//!   empty cause, because the conformance cases' `mocks` (`../shared/conformance/README.md`),
//!   read by the same code, leave it out.
//! - **Not checked against the definition.** "Step Functions Local doesn't validate if mocked
//!   response structures conform to actual service response structures" (test page), and the
//!   file names no definition, so which states exist is the caller's to check
//!   ([`TestCase::states`]).
//!
//! # How invocations are counted
//!
//! Per state name, per execution, every call included: the first attempt and each retry
//! ("Step Functions Local will exhaust the retry attempts set in the policy until it receives
//! a success response", test page), and every pass through the state, whether the state is
//! entered again by a loop, by another Map iteration or by another Parallel branch. The docs
//! imply a count shared by Map iterations: "If you set a value greater than `1`, Step
//! Functions Local will run multiple iterations concurrently, which will cause the overall
//! execution order of states across iterations to be unpredictable. This may further cause
//! Step Functions Local to use different mocked responses for iteration states from one
//! execution to the next" (config page, on a Map's `MaxConcurrency`); Floci's maintainers
//! confirmed against 2.0.0 that it "keeps one counter per state per execution and advances it
//! on every invocation, retries included" (floci-io/floci issue #3254). State names are
//! unique in a whole definition, branches and iterators included (the ASL spec's rule, which
//! asl-codegen enforces as `DUPLICATE_STATE_NAME`), so a state's name is enough.
//! [`Invocations`] keeps these counts.
//!
//! # Callbacks, nested executions (where the docs are terse or silent)
//!
//! - `.waitForTaskToken`: "Step Functions Local will automatically generate a task token when
//!   you mock a Task using the `.waitForTaskToken`" (config page). The mocked response is the
//!   answer to that token: a `Return` is the task's result as if `SendTaskSuccess` had sent
//!   it, a `Throw` its failure as if `SendTaskFailure` had. Nobody outside needs to answer.
//! - `.sync` tasks and `states:startExecution`: a mocked Task "will never call the service
//!   endpoint" (config page), so a mocked `startExecution` starts no child execution; its
//!   `Return` is the task's result.
//! - A child execution that an unmocked `startExecution` starts is a different execution of a
//!   different state machine, started without a `#TestCase` suffix: the parent's test case
//!   does not reach into it, and its invocations are counted apart (it has its own ARN).

mod diagnostic;
mod read;
mod scan;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

/// The error an execution fails with when a state is called more times than its mocked
/// response has answers for (see the [module docs](self)).
pub const EXHAUSTED_ERROR: &str = "States.Runtime";

/// A checked mock configuration: state machines → test cases → mocked responses.
#[derive(Debug)]
pub struct MockConfig {
    /// In file order.
    machines: Vec<Machine>,
    /// Rendered warnings (the file works, but part of it cannot do what it seems to).
    warnings: Vec<String>,
}

/// One state machine's test cases.
#[derive(Debug)]
struct Machine {
    name: String,
    /// In file order.
    cases: Vec<TestCase>,
}

/// One test case: which mocked response answers each mocked state.
#[derive(Debug)]
pub struct TestCase {
    /// The state machine's name (empty for [`TestCase::from_mocks`]).
    machine: String,
    /// The test case's name (empty for [`TestCase::from_mocks`]).
    name: String,
    /// State name → its mocked response, in file order. Shared: test cases may name the
    /// same response.
    states: Vec<(String, Arc<MockedResponse>)>,
}

/// One entry of `MockedResponses`.
#[derive(Debug)]
struct MockedResponse {
    /// Its name (the state's, for [`TestCase::from_mocks`]).
    name: String,
    /// Sorted by invocation, no two covering the same one.
    steps: Vec<Step>,
}

/// The response to the invocations `first..=last`.
#[derive(Debug)]
struct Step {
    /// The key as written (`"1-2"`), for messages.
    key: String,
    first: u64,
    last: u64,
    response: Response,
}

/// What one response does.
#[derive(Debug)]
enum Response {
    /// `{"Return": value}`.
    Return(Value),
    /// `{"Throw": {"Error", "Cause"}}`.
    Throw { error: String, cause: Option<String> },
    /// `{"ReturnInput": true}`: not in AWS's format; the conformance cases' `mocks` use it.
    ReturnInput,
}

impl MockConfig {
    /// Reads and checks a mock configuration file.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or its text is not a valid mock configuration (see
    /// [`MockConfig::parse`]).
    pub fn from_file(path: &Path) -> Result<MockConfig, String> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("error: cannot read the mock configuration `{origin}`: {e}"))?;
        Self::parse(&text, &origin)
    }

    /// Parses and checks mock configuration text; `origin` names it in diagnostics.
    ///
    /// # Errors
    ///
    /// Every problem in the text at once, each as `error: …` with its `origin:line:col`, the
    /// line it is on and a hint, followed by a summary line (warnings found on the way are
    /// included).
    pub fn parse(text: &str, origin: &str) -> Result<MockConfig, String> {
        read::config(without_bom(text), origin)
    }

    /// The test case `case` of the state machine `machine`, if the file has it.
    pub fn test_case(&self, machine: &str, case: &str) -> Option<&TestCase> {
        let machine = self.machines.iter().find(|m| m.name == machine)?;
        machine.cases.iter().find(|c| c.name == case)
    }

    /// The state machines the file configures and each one's test cases, in file order.
    pub fn machines(&self) -> Vec<(&str, Vec<&str>)> {
        self.machines.iter().map(|m| (m.name.as_str(), m.cases.iter().map(|c| c.name.as_str()).collect())).collect()
    }

    /// What in the file works but probably not as meant (a mocked response with no entries, a
    /// gap in the invocation numbers), rendered like errors, in file order. Step Functions
    /// Local accepts these files, so they are no reason to refuse one.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

impl TestCase {
    /// Parses a test case written inline: an object of state name → mocked response (the
    /// `mocks` of a conformance case, `../shared/conformance/README.md`). `origin` names the
    /// text in diagnostics.
    ///
    /// # Errors
    ///
    /// Every problem in the text, as [`MockConfig::parse`] reports them.
    pub fn from_mocks(text: &str, origin: &str) -> Result<TestCase, String> {
        read::inline(without_bom(text), origin)
    }

    /// The test case's name (empty for one read by [`TestCase::from_mocks`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this test case mocks the state `state`.
    pub fn mocks(&self, state: &str) -> bool {
        self.response(state).is_some()
    }

    /// The states this test case mocks and the name of each one's mocked response, in file
    /// order (for checking them against the definition).
    pub fn states(&self) -> impl Iterator<Item = (&str, &str)> {
        self.states.iter().map(|(state, response)| (state.as_str(), response.name.as_str()))
    }

    /// The mocked answer of the `invocation`-th call (0-based, counted as SFN Local counts) of `state`;
    /// `None` if the test case does not mock `state`.
    ///
    /// Counting: every call of the state in the execution, retries and re-entries (loops, Map
    /// iterations, Parallel branches) included; see [`Invocations`].
    pub fn answer(&self, state: &str, invocation: u64) -> Option<Answer<'_>> {
        let mocked = self.response(state)?;
        let step = mocked.steps.iter().find(|s| (s.first..=s.last).contains(&invocation));
        Some(match step.map(|s| &s.response) {
            Some(Response::Return(value)) => Answer::Return(value),
            Some(Response::Throw { error, cause }) => Answer::Throw { error, cause: cause.as_deref().unwrap_or("") },
            Some(Response::ReturnInput) => Answer::ReturnInput,
            None => {
                Answer::Exhausted { error: EXHAUSTED_ERROR, cause: self.exhausted_cause(state, mocked, invocation) }
            }
        })
    }

    fn response(&self, state: &str) -> Option<&MockedResponse> {
        self.states.iter().find(|(name, _)| name == state).map(|(_, response)| &**response)
    }

    /// Why `invocation` of `state` has no answer, naming everything needed to fix the file.
    fn exhausted_cause(&self, state: &str, mocked: &MockedResponse, invocation: u64) -> String {
        let defined = if mocked.steps.is_empty() {
            "it defines none".to_owned()
        } else {
            let keys: Vec<&str> = mocked.steps.iter().map(|s| s.key.as_str()).collect();
            format!("it defines {}", keys.join(", "))
        };
        if self.name.is_empty() {
            format!("The mocks of state '{state}' have no response for its invocation {invocation} ({defined}).")
        } else {
            format!(
                "The mocked response '{}' that test case '{}' of state machine '{}' gives state '{state}' has no response for its invocation {invocation} ({defined}).",
                mocked.name, self.name, self.machine
            )
        }
    }
}

/// `text` without a leading UTF-8 byte order mark. Windows editors write one; serde_json
/// refuses it, while Step Functions Local (Java) reads past it, so a file it takes must not be
/// refused here for an invisible character.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The mocked answer to one call of a Task state.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer<'a> {
    /// The task succeeds with this result (for a `.waitForTaskToken` task: the output its
    /// token is answered with).
    Return(&'a serde_json::Value),
    /// The task fails with this error and cause (empty when the file gives none); Retry and
    /// Catch see it as they see a real failure.
    Throw {
        /// The error name, matched by `ErrorEquals`.
        error: &'a str,
        /// The cause.
        cause: &'a str,
    },
    /// What SFN Local does when the calls outrun the numbered responses, if that is an error: the error to fail the task with (name and cause as SFN Local gives them, or the clearest you can make).
    ///
    /// The error is [`EXHAUSTED_ERROR`] (`States.Runtime`, which no Retry or Catch takes: the
    /// execution fails, as the docs say); the cause names the state, the invocation, the
    /// mocked response and the invocations it does define.
    Exhausted {
        /// `States.Runtime`.
        error: &'static str,
        /// What was missing, for the execution's `cause`.
        cause: String,
    },
    /// The task returns its effective input (after `InputPath`/`Parameters`/`Arguments`):
    /// `{"ReturnInput": true}`, an asl-rs extension the conformance cases' `mocks` use; AWS's
    /// format has no such response.
    ReturnInput,
}

/// How many times each state of each execution was called (thread-safe; an execution is named by its ARN).
///
/// The counts live in memory: an execution resumed after its process restarted counts from
/// 0 again (Step Functions Local keeps no executions across restarts either).
#[derive(Debug, Default)]
pub struct Invocations {
    /// Execution ARN → state name → calls so far.
    counts: Mutex<HashMap<String, HashMap<String, u64>>>,
}

impl Invocations {
    /// No calls yet.
    pub fn new() -> Invocations {
        Invocations::default()
    }

    /// The 0-based number of this call of `state` in `execution`, counting it.
    pub fn next(&self, execution: &str, state: &str) -> u64 {
        // A panic elsewhere while the lock was held leaves the counts as they were: still
        // right, so a poisoned lock is used as is.
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(execution.to_owned()).or_default().entry(state.to_owned()).or_default();
        let this = *count;
        *count = count.saturating_add(1);
        this
    }

    /// Forgets an execution (it ended).
    pub fn forget(&self, execution: &str) {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner).remove(execution);
    }
}
