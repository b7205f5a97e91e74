//! How `asl serve` runs Task states that no binding serves.
//!
//! The runtime itself serves activities (workers take them with `GetActivityTask`) and
//! `startExecution` tasks of the server's state machines (nested executions). What is left
//! comes here: a `.waitForTaskToken` task waits for its token, which a client reads from the
//! history (`TaskScheduled`'s parameters) and answers with `SendTaskSuccess`/`Failure`, as a
//! person approving a step does; any other resource fails the task with an error that says
//! so, which the definition's Retry and Catch see as they would any task failure.

use asl_runtime::Error;
use asl_runtime::execution::{BoxFuture, TaskCall, TaskHandler};
use serde_json::Value;

/// The Task handler of state machines created through the API.
pub struct Unbound;

/// The error an unbound Task fails with.
pub const UNBOUND_ERROR: &str = "States.TaskFailed";

impl TaskHandler for Unbound {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let answer = if call.task_token.is_some() {
            // The task ends when its token is answered, not now.
            Ok(Value::Null)
        } else {
            Err(Error::new(
                UNBOUND_ERROR,
                format!(
                    "Task state '{}' calls '{}', which this server cannot call: it runs activities, \
                     nested executions of its own state machines and tasks that wait for a task \
                     token (.waitForTaskToken); bind other resources with a mock configuration or \
                     an integration",
                    call.state, call.resource
                ),
            ))
        };
        Box::pin(std::future::ready(answer))
    }
}
