//! The operations of the API, one module per family, and the table from operation names
//! to them.

mod activities;
mod aliases;
pub(crate) mod executions;
pub(crate) mod history;
mod map_runs;
pub(crate) mod names;
mod page;
mod state_machines;
mod tags;
mod test_state;
mod tokens;
mod validate;
mod versions;

use serde_json::Value;

use crate::service::Service;
use crate::wire::{ApiError, Request};

/// Runs the operation `name` on a request body the service model has checked.
///
/// # Errors
///
/// The operation's, as AWS names them; `UnknownOperationException` for a name that is not
/// one of the service's operations.
pub async fn call(service: &Service, name: &str, body: &Value) -> Result<Value, ApiError> {
    let request = Request::new(body);
    match name {
        "CreateStateMachine" => state_machines::create(service, request).await,
        "DescribeStateMachine" => state_machines::describe(service, request).await,
        "UpdateStateMachine" => state_machines::update(service, request).await,
        "DeleteStateMachine" => state_machines::delete(service, request).await,
        "ListStateMachines" => state_machines::list(service, request).await,
        "DescribeStateMachineForExecution" => state_machines::describe_for_execution(service, request).await,
        "StartExecution" => executions::start(service, request).await,
        "StartSyncExecution" => executions::start_sync(service, request).await,
        "DescribeExecution" => executions::describe(service, request).await,
        "StopExecution" => executions::stop(service, request).await,
        "ListExecutions" => executions::list(service, request).await,
        "RedriveExecution" => executions::redrive(service, request).await,
        "GetExecutionHistory" => history::get(service, request).await,
        "SendTaskSuccess" => tokens::success(service, request).await,
        "SendTaskFailure" => tokens::failure(service, request).await,
        "SendTaskHeartbeat" => tokens::heartbeat(service, request).await,
        "CreateActivity" => activities::create(service, request).await,
        "DescribeActivity" => activities::describe(service, request).await,
        "DeleteActivity" => activities::delete(service, request).await,
        "ListActivities" => activities::list(service, request).await,
        "GetActivityTask" => activities::get_task(service, request).await,
        "PublishStateMachineVersion" => versions::publish(service, request).await,
        "ListStateMachineVersions" => versions::list(service, request).await,
        "DeleteStateMachineVersion" => versions::delete(service, request).await,
        "CreateStateMachineAlias" => aliases::create(service, request).await,
        "DescribeStateMachineAlias" => aliases::describe(service, request).await,
        "UpdateStateMachineAlias" => aliases::update(service, request).await,
        "DeleteStateMachineAlias" => aliases::delete(service, request).await,
        "ListStateMachineAliases" => aliases::list(service, request).await,
        "TagResource" => tags::tag(service, request).await,
        "UntagResource" => tags::untag(service, request).await,
        "ListTagsForResource" => tags::list(service, request).await,
        "ValidateStateMachineDefinition" => validate::validate(service, request).await,
        "ListMapRuns" => map_runs::list(service, request).await,
        "DescribeMapRun" => map_runs::describe(service, request).await,
        "UpdateMapRun" => map_runs::update(service, request).await,
        "TestState" => test_state::test_state(body).await,
        _ => Err(ApiError::unknown_operation()),
    }
}
