//! Nested executions: a Task whose resource is Step Functions' own `StartExecution`
//! (`arn:aws:states:::states:startExecution`, `.sync`, `.sync:2`, region and account
//! optional) starts a workflow registered with the same [`Runtime`] as a child execution,
//! as AWS does: without a suffix it answers at once with the child's ARN and start date;
//! `.sync` and `.sync:2` wait for the child and answer with its description (output as JSON
//! text or as JSON). A state machine the runtime does not know goes to the workflow's own
//! handler, like any other integration.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::context::{ExecutionInfo, format_timestamp};
use crate::error::{Error, names};
use crate::execution::items::{ItemSource, ItemsCall, ResultsCall};
use crate::execution::{BoxFuture, TaskCall, TaskHandler, Workflow};
use crate::intrinsics::{SplitMix64, uuid_v4};
use crate::runtime::durable;
use crate::runtime::{Description, ExecutionHandle, ExecutionStatus, Runtime};

/// The handler a runtime gives its executions: `startExecution` tasks of registered
/// workflows start them as child executions; every other task, a `startExecution` of a
/// state machine the runtime does not know included, goes to the workflow's own handler
/// (which may start it elsewhere, or mock it, as for any integration).
pub(crate) struct Nested {
    runtime: Runtime,
    inner: Arc<dyn TaskHandler>,
}

impl Nested {
    /// `runtime`'s handler for an execution whose own tasks `inner` runs.
    pub(crate) fn new(runtime: Runtime, inner: Arc<dyn TaskHandler>) -> Nested {
        Nested { runtime, inner }
    }
}

impl TaskHandler for Nested {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        if let Some(suffix @ ("" | ".sync" | ".sync:2")) = start_execution_suffix(call.resource)
            && let Some(registered) = self.registered(&call.input)
        {
            return Box::pin(self.start_child(suffix, registered, call.input));
        }
        self.inner.invoke(call)
    }

    fn open_items<'a>(&'a self, call: ItemsCall<'a>) -> BoxFuture<'a, Result<Box<dyn ItemSource>, Error>> {
        self.inner.open_items(call)
    }

    fn write_results<'a>(&'a self, call: ResultsCall<'a>) -> BoxFuture<'a, Result<(), Error>> {
        self.inner.write_results(call)
    }
}

/// The integration pattern suffix of a Step Functions `StartExecution` resource
/// (`arn:<partition>:states:<region>:<account>:states:startExecution<suffix>`, region and
/// account empty or not), or `None` for any other resource.
fn start_execution_suffix(resource: &str) -> Option<&str> {
    let mut fields = resource.splitn(6, ':');
    match (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next()) {
        (Some("arn"), Some(_), Some("states"), Some(_), Some(_), Some(rest)) => {
            rest.strip_prefix("states:startExecution")
        }
        _ => None,
    }
}

impl Nested {
    /// The registered workflow that a `startExecution` task with these `parameters` starts
    /// (found by the state machine name at the end of their `StateMachineArn`).
    fn registered(&self, parameters: &Value) -> Option<(&'static Workflow, Arc<dyn TaskHandler>)> {
        let arn = parameters.get("StateMachineArn").and_then(Value::as_str).unwrap_or_default();
        let machine = arn.rsplit(':').next().unwrap_or_default();
        self.runtime.registered(machine)
    }

    /// Starts the child execution of `registered` that `parameters` describe
    /// (`StateMachineArn`, `Input`, `Name`); without a suffix, returns at once with its ARN
    /// and start date; with `.sync` (output as JSON text) or `.sync:2` (output as JSON), waits
    /// for it and returns its description, or fails with `States.TaskFailed` and the
    /// description as cause.
    async fn start_child(
        &self,
        suffix: &str,
        (workflow, handler): (&'static Workflow, Arc<dyn TaskHandler>),
        parameters: Value,
    ) -> Result<Value, Error> {
        let input = match parameters.get("Input") {
            None => json!({}),
            // AWS takes the input as JSON text or as JSON.
            Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::String(text.clone())),
            Some(value) => value.clone(),
        };
        let name = match parameters.get("Name").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None => uuid_v4(&mut SplitMix64::from_entropy()),
        };
        let described = match self.child(workflow, handler, &name, input).await? {
            Child::Running(handle) if suffix.is_empty() => handle.describe(),
            Child::Running(handle) => {
                handle.wait().await;
                handle.describe()
            }
            Child::Ended(described) => *described,
        };
        if suffix.is_empty() {
            return Ok(json!({
                "ExecutionArn": described.execution_arn,
                "StartDate": format_timestamp(described.start_date),
            }));
        }
        let as_text = suffix == ".sync";
        let record = record(&described, as_text);
        match described.status {
            ExecutionStatus::Succeeded => Ok(record),
            _ => Err(Error::new(names::TASK_FAILED, crate::path::cause::json_text(&record))),
        }
    }
}

/// The child execution a `startExecution` task attempt stands for.
enum Child {
    /// Started by this attempt, or by an earlier one of the same task and still running.
    Running(ExecutionHandle),
    /// Started by an earlier attempt of the same task (before a crash) and ended since.
    Ended(Box<Description>),
}

impl Nested {
    /// Starts the child `name` of `workflow` with `input`, or finds the one an earlier
    /// dispatch of the same task attempt started: a task attempt whose result was not
    /// committed before a crash is dispatched again, and must not start a second child nor
    /// fail because the first exists. (As AWS's `StartExecution` is idempotent for a
    /// running execution of the same name and input; a child of the same name with another
    /// input is `ExecutionAlreadyExists`.)
    async fn child(
        &self,
        workflow: &'static Workflow,
        handler: Arc<dyn TaskHandler>,
        name: &str,
        input: Value,
    ) -> Result<Child, Error> {
        let exists = |arn: &str| {
            Error::new("StepFunctions.ExecutionAlreadyExistsException", format!("Execution Already Exists: '{arn}'"))
        };
        let info = ExecutionInfo::new(workflow.name, name, self.runtime.now(), input);
        let arn = info.execution_arn();
        if let Some(handle) = self.runtime.execution(&arn) {
            let same = handle.describe().input == info.input;
            return if same { Ok(Child::Running(handle)) } else { Err(exists(&arn)) };
        }
        if let Some(store) = self.runtime.store() {
            let stored = store.execution(&arn).await.map_err(|error| durable::store_failure(&error))?;
            if let Some(record) = stored {
                let described = durable::describe(&record);
                return if described.input == info.input {
                    Ok(Child::Ended(Box::new(described)))
                } else {
                    Err(exists(&arn))
                };
            }
        }
        let handle = self.runtime.start_with(workflow, handler, info).map_err(|_| exists(&arn))?;
        handle.stored().await.map_err(|error| durable::store_failure(&error))?;
        Ok(Child::Running(handle))
    }
}

/// A child execution's description as a `.sync` task returns it: AWS's `DescribeExecution`
/// fields in alphabetical order, input and output as JSON text (`.sync`) or JSON (`.sync:2`).
fn record(described: &Description, as_text: bool) -> Value {
    let json_or_text = |value: &Value| {
        if as_text { Value::String(crate::path::cause::json_text(value)) } else { value.clone() }
    };
    let mut record = Map::new();
    let mut put = |key: &str, value: Value| {
        record.insert(key.to_owned(), value);
    };
    if let Some(cause) = &described.cause {
        put("Cause", Value::from(cause.as_str()));
    }
    if let Some(error) = &described.error {
        put("Error", Value::from(error.as_str()));
    }
    put("ExecutionArn", Value::from(described.execution_arn.as_str()));
    put("Input", json_or_text(&described.input));
    put("InputDetails", json!({ "Included": true }));
    put("Name", Value::from(described.name.as_str()));
    if let Some(output) = &described.output {
        put("Output", json_or_text(output));
        put("OutputDetails", json!({ "Included": true }));
    }
    put("StartDate", Value::from(format_timestamp(described.start_date)));
    put("StateMachineArn", Value::from(described.state_machine_arn.as_str()));
    let status = serde_json::to_value(described.status).unwrap_or(Value::Null);
    put("Status", status);
    if let Some(stop) = described.stop_date {
        put("StopDate", Value::from(format_timestamp(stop)));
    }
    Value::Object(record)
}
