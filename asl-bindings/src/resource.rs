//! Which binding serves a Task's `Resource`.

use asl_runtime::execution::Workflow;
use asl_runtime::machine::{MapDef, StateKind};
use asl_runtime::path::Literal;
use asl_runtime::template::Template;

/// What serves a resource when the execution's test case (if any) does not mock its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`: the function's
    /// result is the task's result.
    LambdaFunction,
    /// `arn:aws:states:::lambda:invoke` (also `.waitForTaskToken`): the Invoke API's answer
    /// in AWS's envelope (`Payload`, `StatusCode`, …).
    LambdaInvoke,
    /// `arn:aws:states:::http:invoke`: an HTTP request.
    HttpInvoke,
    /// An activity: workers take it through the API (`GetActivityTask`).
    Activity,
    /// `arn:aws:states:::states:startExecution` (any variant): a child execution of a state
    /// machine of the same process.
    NestedExecution,
    /// Any other `.waitForTaskToken` resource: the task waits until someone answers its
    /// token (`SendTaskSuccess`/`SendTaskFailure`), as a person approving a step does.
    TokenOnly,
    /// Nothing: only a mock configuration can serve it.
    Unbound,
}

impl Binding {
    /// The binding of `resource`.
    pub fn of(resource: &str) -> Binding {
        let base = resource.strip_suffix(".waitForTaskToken");
        let plain = base.unwrap_or(resource);
        if resource.starts_with("arn:aws:lambda:") && resource.contains(":function:") {
            Binding::LambdaFunction
        } else if plain == "arn:aws:states:::lambda:invoke" {
            Binding::LambdaInvoke
        } else if plain == "arn:aws:states:::http:invoke" {
            Binding::HttpInvoke
        } else if resource.contains(":activity:") {
            Binding::Activity
        } else if plain.starts_with("arn:aws:states:::states:startExecution") {
            Binding::NestedExecution
        } else if base.is_some() {
            Binding::TokenOnly
        } else {
            Binding::Unbound
        }
    }

    /// What serves it, in a few words (for `BIN list`).
    pub fn describe(self) -> &'static str {
        match self {
            Binding::LambdaFunction | Binding::LambdaInvoke => "Lambda Invoke API",
            Binding::HttpInvoke => "HTTP request",
            Binding::Activity => "activity workers",
            Binding::NestedExecution => "nested execution",
            Binding::TokenOnly => "waits for its task token",
            Binding::Unbound => "needs a mock",
        }
    }
}

/// One Task state of a workflow and its binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskSite {
    /// The state's name.
    pub state: &'static str,
    /// Its `Resource`.
    pub resource: &'static str,
    /// What serves it.
    pub binding: Binding,
}

/// Every Task state of `workflow` (nested Parallel branches and Map processors included),
/// in definition order.
pub fn tasks(workflow: &Workflow) -> Vec<TaskSite> {
    workflow
        .containers
        .iter()
        .flat_map(|container| container.states.iter())
        .filter_map(|state| match &state.kind {
            StateKind::Task(task) => {
                Some(TaskSite { state: state.name, resource: task.resource, binding: Binding::of(task.resource) })
            }
            _ => None,
        })
        .collect()
}

/// Where a Distributed Map reads its items from or writes its results to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectSite {
    /// The Map state's name.
    pub state: &'static str,
    /// `ItemReader` or `ResultWriter`.
    pub field: &'static str,
    /// The resource (`arn:aws:states:::s3:getObject`, `…:listObjectsV2`, `…:putObject`).
    pub resource: &'static str,
    /// The bucket, when the definition names it (`None`: it comes from the input).
    pub bucket: Option<&'static str>,
}

/// Every `ItemReader` and exporting `ResultWriter` of `workflow`'s Distributed Maps, in
/// definition order.
pub fn object_sites(workflow: &Workflow) -> Vec<ObjectSite> {
    let mut sites = Vec::new();
    for state in workflow.containers.iter().flat_map(|container| container.states.iter()) {
        let StateKind::Map(MapDef { distributed: Some(distributed), .. }) = &state.kind else { continue };
        if let Some(reader) = distributed.reader {
            let bucket = reader.parameters.and_then(literal_bucket);
            sites.push(ObjectSite { state: state.name, field: "ItemReader", resource: reader.resource, bucket });
        }
        if let Some(writer) = distributed.writer
            && let Some(resource) = writer.resource
        {
            let bucket = writer.parameters.and_then(literal_bucket);
            sites.push(ObjectSite { state: state.name, field: "ResultWriter", resource, bucket });
        }
    }
    sites
}

/// The `Bucket` a payload template gives as it is written, if it does.
fn literal_bucket(template: &Template) -> Option<&'static str> {
    match template {
        Template::Literal(Literal::Object(members)) => {
            members.iter().find(|(key, _)| *key == "Bucket").and_then(|(_, value)| match value {
                Literal::Str(bucket) => Some(*bucket),
                _ => None,
            })
        }
        Template::Object(members) => {
            members.iter().find(|(key, _)| *key == "Bucket").and_then(|(_, value)| match value {
                Template::Literal(Literal::Str(bucket)) => Some(*bucket),
                _ => None,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Binding;

    #[test]
    fn resources_map_to_their_binding() {
        let cases = [
            ("arn:aws:lambda:us-east-1:123456789012:function:Charge", Binding::LambdaFunction),
            ("arn:aws:lambda:us-east-1:123456789012:function:Charge:live", Binding::LambdaFunction),
            ("arn:aws:states:::lambda:invoke", Binding::LambdaInvoke),
            ("arn:aws:states:::lambda:invoke.waitForTaskToken", Binding::LambdaInvoke),
            ("arn:aws:states:::http:invoke", Binding::HttpInvoke),
            ("arn:aws:states:us-east-1:123456789012:activity:review", Binding::Activity),
            ("arn:aws:states:::states:startExecution.sync:2", Binding::NestedExecution),
            ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", Binding::TokenOnly),
            ("arn:aws:states:::dynamodb:putItem", Binding::Unbound),
            ("arn:aws:states:::aws-sdk:s3:getObject", Binding::Unbound),
        ];
        for (resource, binding) in cases {
            assert_eq!(Binding::of(resource), binding, "{resource}");
        }
    }
}
