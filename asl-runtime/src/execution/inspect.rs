//! Testing one state, as AWS's `TestState` API does: the state runs on the engine like any
//! other, from the input, variables and context object it is given, and the engine writes
//! down what its data flow and its Retry and Catch did ([`Inspection`], TestState's
//! `inspectionData`).
//!
//! [`run_state_test`] does it all: it starts an execution at the state under test, a
//! [`Driver`] advances it until its top-level frame has left the state, and the outcome
//! says how the state ended, where it goes next and what the engine saw. What the state's
//! work would produce — a Task's handler, a Map's iterations, a Parallel's branches — can
//! be given instead ([`StateTest::with_stand_in`]); the work is then not done, and the
//! result (or error) given goes through the state's data flow, Retry and Catch as a real
//! one would.
//!
//! The engine records at the points where each value exists, so what is shown is what the
//! state computed, not a second evaluation: the JSONPath steps (`InputPath`, `Parameters`,
//! `ResultSelector`, `ResultPath`, `ItemsPath`), JSONata `Arguments`, the raw result, a Map's
//! concurrency, tolerated failures and iteration inputs, and the decisions of Retry and
//! Catch. A step that is a pure selection (`InputPath` before `Parameters`, `ResultPath`
//! before `OutputPath`) is selected once more for the record; a template, which can call
//! `States.UUID`, runs once.
//!
//! A Distributed Map that reads its items with an `ItemReader` reads them all through the
//! handler's [`open_items`](super::TaskHandler::open_items) first (a test starts no child
//! execution), then stands in: the `ItemSelector`'s and `ItemBatcher`'s work is written down
//! as for items from the input.
//!
//! Three things differ from a normal run, each because TestState asks for it:
//!
//! - a Retry that would retry ends the run there, with the error ([`Inspection::retry_delay`]
//!   says after how long the retry would have come); nothing waits for it;
//! - a Wait state does not wait;
//! - the context object `$$` can be given whole ([`StateTest::with_context_object`]).
//!
//! # What a normal run pays
//!
//! A step's code is generic over how it is watched: the state under test runs in the
//! watching instance, every other step of every execution in the plain one, where each
//! question "is this watched?" is a constant and the data flow is the usual one, so it
//! compiles as if state tests did not exist. What is left is one test per step, of an
//! `Option` that is `None` (and a driver a pointer larger).

use std::time::Duration;

use serde_json::{Map, Value};

use super::{Driver, Execution, Status, TaskHandler, Workflow};
use crate::callbacks::Callbacks;
use crate::clock::Clock;
use crate::context::ExecutionInfo;
use crate::error::{Error, names};
use crate::path;
use crate::retry::{self, RetryPolicy, RetryState};

/// How to run one state under test: where it is, what it starts with, and what stands in
/// for the work it would do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateTest {
    /// The container (0 = the top level) and the index in it of the state under test.
    pub(super) at: (u16, u16),
    /// The workflow variables the state sees.
    pub(super) variables: Map<String, Value>,
    /// `$$`, exactly, if given.
    pub(super) context: Option<Value>,
    /// Retries already made by the Retrier that applies to the state's error.
    pub(super) retrier_retry_count: u32,
    /// What the state's work produces instead of doing it.
    pub(super) stand_in: Option<Result<Value, Error>>,
    /// How many of a Distributed Map's iterations failed.
    pub(super) map_iteration_failure_count: u64,
}

impl StateTest {
    /// A test of state `state` (its index) of container `container` (0 = the top level; a
    /// state inside a Map's `ItemProcessor` or a Parallel branch is in the container the
    /// description gives it), with no variables, the context object an execution would show,
    /// and its work done for real.
    pub fn new(container: u16, state: u16) -> StateTest {
        StateTest { at: (container, state), ..StateTest::default() }
    }

    /// The workflow variables the state sees when it is entered (TestState's `variables`).
    pub fn with_variables(mut self, variables: Map<String, Value>) -> StateTest {
        self.variables = variables;
        self
    }

    /// Makes `$$` (`$states.context`) exactly `context` (TestState's `context`), except that
    /// a Task attempt with a task token shows it as `Task.Token` when `context` has no `Task`
    /// of its own. (A Map's `ItemSelector` still sees its `$$.Map.Item`.)
    pub fn with_context_object(mut self, context: Value) -> StateTest {
        self.context = Some(context);
        self
    }

    /// Counts `count` retries as already made, in this state execution, by the Retrier
    /// that applies to the state's error (TestState's `retrierRetryCount`): the Retrier
    /// decides as it would on its next error.
    pub fn with_retrier_retry_count(mut self, count: u32) -> StateTest {
        self.retrier_retry_count = count;
        self
    }

    /// What the state's work produces, without doing it (TestState's `mock`): a Task's
    /// handler is not called, a Map runs no iteration and a Parallel no branch. The
    /// state's effective input is still computed (and a Map's items, concurrency and
    /// tolerated failures read), and `result` goes on through the state's data flow, Retry
    /// and Catch.
    pub fn with_stand_in(mut self, result: Result<Value, Error>) -> StateTest {
        self.stand_in = Some(result);
        self
    }

    /// How many iterations of a Distributed Map failed (TestState's
    /// `mapIterationFailureCount`): more than its `ToleratedFailureCount` or
    /// `ToleratedFailurePercentage` allow, and the Map fails with
    /// `States.ExceedToleratedFailureThreshold` instead of producing the stand-in. A Map
    /// without either field is not checked.
    pub fn with_map_iteration_failure_count(mut self, count: u64) -> StateTest {
        self.map_iteration_failure_count = count;
        self
    }

    /// The state under test: its container and its index there.
    pub fn state(&self) -> (u16, u16) {
        self.at
    }
}

/// What the engine saw of the state under test (TestState's `inspectionData`). A field is
/// `None` when the state has no such step or did not get that far.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Inspection {
    /// After `InputPath` (JSONPath).
    pub after_input_path: Option<Value>,
    /// After `Parameters`, the effective input (JSONPath; `InputPath`'s selection when there
    /// are none).
    pub after_parameters: Option<Value>,
    /// After `Arguments`, the effective input (JSONata).
    pub after_arguments: Option<Value>,
    /// The result of the state's work (a Task's, Map's or Parallel's; a Pass state's
    /// `Result`).
    pub result: Option<Value>,
    /// After `ResultSelector` (JSONPath; the result itself when there is none).
    pub after_result_selector: Option<Value>,
    /// After `ResultPath`, before `OutputPath` (JSONPath).
    pub after_result_path: Option<Value>,
    /// A Map's items, after `ItemsPath` (JSONPath).
    pub after_items_path: Option<Value>,
    /// A Map's iteration inputs, after `ItemSelector`, one per item.
    pub after_item_selector: Option<Value>,
    /// A Distributed Map's child inputs, after `ItemBatcher`, one per batch.
    pub after_item_batcher: Option<Value>,
    /// A Map's `MaxConcurrency` (0: unbounded).
    pub max_concurrency: Option<u64>,
    /// A Distributed Map's `ToleratedFailureCount`, when it has one.
    pub tolerated_failure_count: Option<u64>,
    /// A Distributed Map's `ToleratedFailurePercentage`, when it has one.
    pub tolerated_failure_percentage: Option<f64>,
    /// The error the state's work ended with, as Retry and Catch saw it.
    pub error: Option<Error>,
    /// The index in `Retry` of the Retrier that applied to [`Inspection::error`] (also when
    /// it had no retry left).
    pub retry_index: Option<usize>,
    /// When that Retrier would retry: after how long. The run ended there, with the error.
    pub retry_delay: Option<Duration>,
    /// The index in `Catch` of the catcher that took [`Inspection::error`].
    pub catch_index: Option<usize>,
}

/// A state test under way: what it was given and what it has seen. Kept by whoever runs
/// the test ([`run_state_test`]), which lends it to the driver: the execution itself holds
/// nothing of it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Inspector {
    /// What the test was given (its state and variables are in the execution already).
    pub(super) test: StateTest,
    /// What it has seen.
    pub(super) seen: Inspection,
}

impl Inspector {
    /// The inspector of `test`.
    pub(super) fn new(test: StateTest) -> Inspector {
        Inspector { test, seen: Inspection::default() }
    }

    /// The stand-in for the state's work, if one was given (for the one attempt a state
    /// test makes).
    pub(super) fn stand_in(&self) -> Option<Result<Value, Error>> {
        self.test.stand_in.clone()
    }

    /// Before Retry decides on `error`: records it and the Retrier that applies, and counts
    /// the retries the test says were made already as made by that Retrier.
    pub(super) fn before_retry(&mut self, retries: &mut RetryState, policies: &[RetryPolicy], error: &Error) {
        self.seen.error = Some(error.clone());
        if error.is_terminal() {
            return;
        }
        let Some(index) = policies.iter().position(|policy| retry::matches(policy, error)) else {
            return;
        };
        self.seen.retry_index = Some(index);
        if retries.retries_by(index) == 0 {
            retries.count_retries(index, self.test.retrier_retry_count);
        }
    }

    /// Whether a Map whose tolerated failures are `count` and `percentage`, over `items`
    /// items, fails with the test's iteration failures; records the two fields.
    pub(super) fn map_fails(&mut self, count: Option<u64>, percentage: Option<f64>, items: usize) -> Option<Error> {
        self.seen.tolerated_failure_count = count;
        self.seen.tolerated_failure_percentage = percentage;
        let failed = self.test.map_iteration_failure_count;
        let over_count = count.is_some_and(|count| failed > count);
        let share = failed as f64 * 100.0 / items.max(1) as f64;
        let over_percentage = percentage.is_some_and(|percentage| failed > 0 && share > percentage);
        (over_count || over_percentage)
            .then(|| Error::new(names::EXCEED_TOLERATED_FAILURE_THRESHOLD, super::kinds::map::THRESHOLD_EXCEEDED))
    }

    /// `$$` as given, with `token` as `Task.Token` unless it has a `Task` of its own.
    pub(super) fn context_object(&self, token: Option<&str>) -> Option<Value> {
        let given = self.test.context.as_ref()?;
        let mut context = given.clone();
        if let (Some(token), Value::Object(sections)) = (token, &mut context)
            && !sections.contains_key("Task")
        {
            let task = Map::from_iter([("Token".to_owned(), Value::from(token))]);
            sections.insert("Task".to_owned(), Value::Object(task));
        }
        Some(context)
    }
}

/// How a state under test ended (TestState's `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateTestStatus {
    /// It completed: its output goes to its `Next` state, or ends the execution.
    Succeeded,
    /// It failed: no Retry retries the error and no Catch takes it.
    Failed,
    /// Its error would be retried (after [`Inspection::retry_delay`]).
    Retriable,
    /// A catcher took its error; its output goes to the catcher's `Next` state.
    CaughtError,
}

/// How a state test went ([`run_state_test`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StateTestOutcome {
    /// How the state ended.
    pub status: StateTestStatus,
    /// Its output (when it succeeded or a catcher took its error).
    pub output: Option<Value>,
    /// The state it goes to next (none when it ends the execution or failed).
    pub next_state: Option<&'static str>,
    /// Its error's name (unless it succeeded, or a Fail state named none).
    pub error: Option<String>,
    /// Its error's cause, as the state raised it (without the execution-level "An error
    /// occurred while executing the state …" an execution's failure shows).
    pub cause: Option<String>,
    /// What its data flow, Retry and Catch did.
    pub inspection: Inspection,
    /// The workflow variables after it: those it was given, with what it assigned.
    pub variables: Map<String, Value>,
}

/// Runs the state `test` names, of `workflow`, with `input` and `info` as `$$.Execution`,
/// on the engine, until it is over (see the [module docs](self)), and says how it ended.
/// Its tasks go to `handler` unless `test` gives a stand-in; a callback task or an activity
/// without one waits for its token, which only `handler` can have, as in any execution.
pub async fn run_state_test(
    workflow: &Workflow,
    handler: &dyn TaskHandler,
    clock: &dyn Clock,
    info: ExecutionInfo,
    input: Value,
    test: StateTest,
) -> StateTestOutcome {
    let at = test.at;
    // Tokens of a state test concern nobody else.
    let callbacks = Callbacks::new();
    let execution = Execution::start_state_test(info, input, clock.now(), &test);
    let mut inspector = Inspector::new(test);
    let mut driver = Driver::for_state_test(workflow, handler, clock, &callbacks, execution, &mut inspector);
    while driver.advance().await {
        let top = driver.execution().top_frame();
        if (top.container, top.state) != at || !top.entered {
            break;
        }
    }
    let execution = driver.into_execution();
    let inspection = inspector.seen;
    let top = execution.top_frame();
    let variables = top.variables.clone();
    let name = |at: (u16, u16)| workflow.state(at).map(|state| state.name);
    let raised = |error: Option<&Error>| match error {
        Some(error) => ((!error.name.is_empty()).then(|| error.reported_name().to_owned()), error.cause.clone()),
        None => (None, None),
    };
    let mut outcome = StateTestOutcome {
        status: StateTestStatus::Succeeded,
        output: None,
        next_state: None,
        error: None,
        cause: None,
        inspection,
        variables,
    };
    match execution.outcome() {
        // It went on to another state (or to itself again).
        None => {
            outcome.output = Some(top.input.clone());
            outcome.next_state = name((top.container, top.state));
            if outcome.inspection.catch_index.is_some() {
                outcome.status = StateTestStatus::CaughtError;
                (outcome.error, outcome.cause) = raised(outcome.inspection.error.as_ref());
            }
        }
        Some(ended) if ended.status == Status::Succeeded => outcome.output = ended.output.clone(),
        Some(_) if outcome.inspection.retry_delay.is_some() => {
            outcome.status = StateTestStatus::Retriable;
            (outcome.error, outcome.cause) = raised(outcome.inspection.error.as_ref());
        }
        Some(ended) => {
            outcome.status = StateTestStatus::Failed;
            outcome.error = ended.error.clone();
            // The state's own words, without the execution's preface naming it.
            let preface = name(at).map(|state| path::cause::in_state(state, top.entered_event, ""));
            outcome.cause = ended.cause.as_deref().map(|cause| {
                let bare = preface.as_deref().and_then(|preface| cause.strip_prefix(preface));
                bare.unwrap_or(cause).to_owned()
            });
        }
    }
    outcome
}

/// The top-level frame of an execution as it stands (see [`Execution::top_frame`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct TopFrame<'e> {
    /// The container it runs.
    pub(super) container: u16,
    /// Its current state's index in the container.
    pub(super) state: u16,
    /// Whether that state has been entered: `false` once a state has completed and the
    /// frame has moved to the next one, until that one's first transition.
    pub(super) entered: bool,
    /// The current state's raw input (after a state completed: its output).
    pub(super) input: &'e Value,
    /// The workflow variables the frame sees.
    pub(super) variables: &'e Map<String, Value>,
    /// The id of the current state's `…StateEntered` event.
    pub(super) entered_event: u64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::RealClock;
    use crate::execution::{BoxFuture, TaskCall};
    use crate::retry::RetryPolicy;

    /// A handler for tests whose tasks all have stand-ins.
    fn no_handler(_: TaskCall<'_>) -> BoxFuture<'_, Result<Value, Error>> {
        Box::pin(async { panic!("a stand-in was given: no handler may run") })
    }

    /// Tests state `name` of `definition` with `input`, as `test` sets it up.
    async fn run(
        definition: &str,
        name: &str,
        input: Value,
        test: impl FnOnce(StateTest) -> StateTest,
    ) -> StateTestOutcome {
        let source = asl_codegen::Source::new("t.asl.json", definition);
        let settings = asl_codegen::Settings::new().allow_run_time_failures();
        let loaded = asl_codegen::load(&source, &settings).unwrap_or_else(|d| panic!("{d:?}"));
        let at = loaded.workflow.locate(name).expect("the state exists");
        let info = ExecutionInfo::new("t", "test", RealClock.now(), input.clone());
        run_state_test(loaded.workflow, &no_handler, &RealClock, info, input, test(StateTest::new(at.0, at.1))).await
    }

    /// A machine of `state`, called `S`, going on to `Next` (a Succeed state) if it goes on.
    fn machine(state: Value) -> String {
        let goes_on = state.get("Next").is_some();
        let mut states = Map::from_iter([("S".to_owned(), state)]);
        if goes_on {
            states.insert("Next".to_owned(), json!({"Type": "Succeed"}));
        }
        json!({"StartAt": "S", "States": states}).to_string()
    }

    #[tokio::test]
    async fn a_pass_state_shows_each_step_and_where_it_goes() {
        let state = json!({"Type": "Pass", "InputPath": "$.a", "Parameters": {"x.$": "$.b"},
            "ResultPath": "$.r", "OutputPath": "$.r", "Next": "Next"});
        let outcome = run(&machine(state), "S", json!({"a": {"b": 1}}), |t| t).await;
        assert_eq!(outcome.status, StateTestStatus::Succeeded);
        assert_eq!((outcome.output, outcome.next_state), (Some(json!({"x": 1})), Some("Next")));
        let seen = outcome.inspection;
        assert_eq!(seen.after_input_path, Some(json!({"b": 1})));
        assert_eq!(seen.after_parameters, Some(json!({"x": 1})));
        assert_eq!(seen.after_result_selector, Some(json!({"x": 1})));
        // `ResultPath` places the result into the raw input.
        assert_eq!(seen.after_result_path, Some(json!({"a": {"b": 1}, "r": {"x": 1}})));
        assert_eq!(seen.result, None, "AWS shows a Pass state's result only for a `Result`");
    }

    #[tokio::test]
    async fn a_pass_state_with_a_result_shows_it_and_not_its_input_steps() {
        let state = json!({"Type": "Pass", "Result": {"k": "v"}, "ResultPath": "$.r", "End": true});
        let outcome = run(&machine(state), "S", json!({"a": 1}), |t| t).await;
        assert_eq!((outcome.status, outcome.next_state), (StateTestStatus::Succeeded, None));
        assert_eq!(outcome.output, Some(json!({"a": 1, "r": {"k": "v"}})));
        let seen = outcome.inspection;
        assert_eq!((seen.result, seen.after_input_path), (Some(json!({"k": "v"})), None));
    }

    #[tokio::test]
    async fn a_task_runs_its_stand_in_through_its_data_flow() {
        let state = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"p.$": "$.Payload"},
            "ResultPath": "$.out", "Next": "Next"});
        let result = json!({"Payload": 7, "StatusCode": 200});
        let outcome = run(&machine(state), "S", json!({"in": true}), |t| t.with_stand_in(Ok(result.clone()))).await;
        assert_eq!(outcome.status, StateTestStatus::Succeeded);
        assert_eq!((outcome.output, outcome.next_state), (Some(json!({"in": true, "out": {"p": 7}})), Some("Next")));
        let seen = outcome.inspection;
        assert_eq!(seen.after_parameters, Some(json!({"FunctionName": "f", "Payload": {"in": true}})));
        assert_eq!((seen.result, seen.after_result_selector), (Some(result), Some(json!({"p": 7}))));
    }

    #[tokio::test]
    async fn a_retrier_with_retries_left_makes_it_retriable_and_says_when() {
        let state = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["Other"]}, {"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 5}],
            "End": true});
        let failing =
            |n| move |t: StateTest| t.with_stand_in(Err(Error::new("Boom", "why"))).with_retrier_retry_count(n);
        let outcome = run(&machine(state.clone()), "S", json!({}), failing(4)).await;
        assert_eq!(outcome.status, StateTestStatus::Retriable);
        assert_eq!((outcome.error.as_deref(), outcome.cause.as_deref()), (Some("Boom"), Some("why")));
        assert_eq!(outcome.inspection.retry_index, Some(1));
        assert_eq!(outcome.inspection.retry_delay, Some(Duration::from_secs(16)), "1 s × 2.0⁴");
        // No retry left: it fails, and the Retrier that applied is still named.
        let outcome = run(&machine(state), "S", json!({}), failing(5)).await;
        assert_eq!((outcome.status, outcome.inspection.retry_index), (StateTestStatus::Failed, Some(1)));
        assert_eq!((outcome.error.as_deref(), outcome.inspection.retry_delay), (Some("Boom"), None));
    }

    #[tokio::test]
    async fn a_catcher_takes_the_error_to_its_next_state() {
        let definition = json!({"StartAt": "S", "States": {
            "S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                "Catch": [{"ErrorEquals": ["Nope"], "Next": "A"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "B"}]},
            "A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}});
        let outcome =
            run(&definition.to_string(), "S", json!({"x": 1}), |t| t.with_stand_in(Err(Error::new("Boom", "why"))))
                .await;
        assert_eq!((outcome.status, outcome.next_state), (StateTestStatus::CaughtError, Some("B")));
        assert_eq!(outcome.output, Some(json!({"x": 1, "e": {"Error": "Boom", "Cause": "why"}})));
        assert_eq!((outcome.error.as_deref(), outcome.inspection.catch_index), (Some("Boom"), Some(1)));
    }

    #[tokio::test]
    async fn a_choice_goes_to_the_rule_that_holds_and_a_wait_does_not_wait() {
        let definition = json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericGreaterThan": 1, "Next": "W"}], "Default": "D"},
            "W": {"Type": "Wait", "Seconds": 31_536_000, "Next": "D"}, "D": {"Type": "Succeed"}}});
        let outcome = run(&definition.to_string(), "C", json!({"v": 2}), |t| t).await;
        assert_eq!((outcome.status, outcome.next_state), (StateTestStatus::Succeeded, Some("W")));
        assert_eq!(outcome.inspection.after_input_path, Some(json!({"v": 2})));
        // A year, at once.
        let outcome = run(&definition.to_string(), "W", json!({"v": 2}), |t| t).await;
        assert_eq!((outcome.status, outcome.next_state), (StateTestStatus::Succeeded, Some("D")));
    }

    #[tokio::test]
    async fn a_state_sees_the_variables_and_context_object_given_and_assigns_more() {
        let state = json!({"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"b": "{% $a + 1 %}"},
            "Output": {"a": "{% $a %}", "name": "{% $states.context.State.Name %}"}, "End": true});
        let variables = Map::from_iter([("a".to_owned(), json!(1))]);
        let context = json!({"State": {"Name": "Given"}});
        let outcome =
            run(&machine(state), "S", json!({}), |t| t.with_variables(variables).with_context_object(context)).await;
        assert_eq!(outcome.output, Some(json!({"a": 1, "name": "Given"})));
        assert_eq!(Value::Object(outcome.variables), json!({"a": 1, "b": 2}));
    }

    #[tokio::test]
    async fn a_failure_keeps_the_states_own_words() {
        let state = json!({"Type": "Pass", "InputPath": "$.missing", "End": true});
        let outcome = run(&machine(state), "S", json!({}), |t| t).await;
        assert_eq!((outcome.status, outcome.error.as_deref()), (StateTestStatus::Failed, Some("States.Runtime")));
        assert_eq!(outcome.cause.as_deref(), Some("Invalid path '$.missing' : No results for path: $['missing']"));
        let state = json!({"Type": "Fail", "Error": "E", "Cause": "C"});
        let outcome = run(&machine(state), "S", json!({}), |t| t).await;
        assert_eq!((outcome.error.as_deref(), outcome.cause.as_deref()), (Some("E"), Some("C")));
    }

    #[tokio::test]
    async fn a_map_and_a_parallel_take_their_stand_ins() {
        let map = json!({"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
            "ItemSelector": {"v.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}},
            "ToleratedFailureCount": 1, "End": true});
        let input = json!({"items": [1, 2, 3]});
        let outcome =
            run(&machine(map.clone()), "S", input.clone(), |t| t.with_stand_in(Ok(json!([10, 20, 30])))).await;
        assert_eq!((outcome.status, outcome.output), (StateTestStatus::Succeeded, Some(json!([10, 20, 30]))));
        let seen = outcome.inspection;
        assert_eq!((seen.after_items_path, seen.max_concurrency), (Some(json!([1, 2, 3])), Some(2)));
        assert_eq!(seen.after_item_selector, Some(json!([{"v": 1}, {"v": 2}, {"v": 3}])));
        assert_eq!(seen.tolerated_failure_count, Some(1));
        let outcome =
            run(&machine(map), "S", input, |t| t.with_stand_in(Ok(json!([]))).with_map_iteration_failure_count(2))
                .await;
        assert_eq!(outcome.error.as_deref(), Some(names::EXCEED_TOLERATED_FAILURE_THRESHOLD));
        let parallel = json!({"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}]});
        let outcome = run(&machine(parallel), "S", json!({}), |t| t.with_stand_in(Ok(json!(["b"])))).await;
        assert_eq!(outcome.output, Some(json!(["b"])));
    }

    #[test]
    fn the_retrier_that_applies_gets_the_retries_already_made() {
        let policies = [RetryPolicy::from_names(["Other"]), RetryPolicy::from_names(["Boom"])];
        let mut inspector = Inspector::new(StateTest::new(0, 0).with_retrier_retry_count(2));
        let mut retries = RetryState::new();
        inspector.before_retry(&mut retries, &policies, &Error::named("Boom"));
        assert_eq!((retries.retries_by(0), retries.retries_by(1), retries.retry_count()), (0, 2, 2));
        assert_eq!(inspector.seen.retry_index, Some(1));
        assert_eq!(inspector.seen.error, Some(Error::named("Boom")));
    }

    #[test]
    fn a_map_fails_only_beyond_a_tolerance_it_has() {
        let mut inspector = Inspector::new(StateTest::new(0, 0).with_map_iteration_failure_count(2));
        assert_eq!(inspector.map_fails(None, None, 3), None);
        assert_eq!(inspector.map_fails(Some(2), None, 3), None);
        let error = inspector.map_fails(Some(1), None, 3).map(|e| e.name);
        assert_eq!(error.as_deref(), Some(names::EXCEED_TOLERATED_FAILURE_THRESHOLD));
        assert!(inspector.map_fails(None, Some(50.0), 3).is_some(), "2 of 3 is over 50%");
        assert!(inspector.map_fails(None, Some(70.0), 3).is_none());
        assert_eq!(inspector.seen.tolerated_failure_percentage, Some(70.0));
    }

    #[test]
    fn a_given_context_object_gets_the_task_token_it_lacks() {
        let test = StateTest::new(0, 0).with_context_object(serde_json::json!({"State": {"Name": "S"}}));
        let inspector = Inspector::new(test);
        let with_token = inspector.context_object(Some("t"));
        assert_eq!(with_token, Some(serde_json::json!({"State": {"Name": "S"}, "Task": {"Token": "t"}})));
        let test = StateTest::new(0, 0).with_context_object(serde_json::json!({"Task": {"Token": "given"}}));
        assert_eq!(
            Inspector::new(test).context_object(Some("t")),
            Some(serde_json::json!({"Task": {"Token": "given"}}))
        );
        assert_eq!(Inspector::new(StateTest::new(0, 0)).context_object(Some("t")), None);
    }
}
