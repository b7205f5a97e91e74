//! Rule 18: what an EXPRESS state machine cannot do. Express executions are not persisted
//! between transitions and last at most five minutes, so AWS refuses, when the machine is
//! created as EXPRESS, every Task that waits for something outside the execution: activity
//! ARNs, `.sync` (and `.sync:2`) integrations and `.waitForTaskToken` callbacks.
//!
//! The messages are AWS's (shared/reference/asl-features.md §2.2, rule 18).

use super::walk;
use crate::ast::{StateMachine, StateType};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use asl_machine::machine::NotForExpress;

/// Reports every Task of `machine` (nested ones included) that an EXPRESS state machine
/// cannot run.
pub(super) fn check(machine: &StateMachine, diags: &mut Diagnostics) {
    walk(machine, &mut |state| {
        if state.state_type.as_ref().map(|t| t.value) != Some(StateType::Task) {
            return;
        }
        let Some(resource) = &state.resource else { return };
        let Some(refused) = NotForExpress::of(&resource.value) else { return };
        diags.push(
            Diagnostic::new(Code::NotForExpress, resource.pointer.clone(), resource.field_span(), refused.message())
                .with_label(format!("state `{}`", state.name.value))
                .with_help(help(refused)),
        );
    });
}

/// How to do without what an EXPRESS machine refuses.
fn help(refused: NotForExpress) -> &'static str {
    match refused {
        NotForExpress::WaitForTaskToken => {
            "create the state machine as STANDARD, or call the service without `.waitForTaskToken`"
        }
        NotForExpress::Sync => "create the state machine as STANDARD, or start the job without `.sync` and poll for it",
        NotForExpress::Activity => "create the state machine as STANDARD to use activities",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use crate::diagnostic::Code;
    use crate::{Source, WorkflowType, check_as};

    fn express_errors(resource: &str) -> Vec<String> {
        let text = format!(
            r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Parallel", "End": true, "Branches": [
                {{"StartAt": "T", "States": {{"T": {{"Type": "Task", "Resource": "{resource}", "End": true}}}}}}]}}}}}}"#
        );
        let source = Source::new("t.asl.json", &text);
        assert!(check_as(&source, WorkflowType::Standard).is_ok(), "STANDARD accepts {resource}");
        match check_as(&source, WorkflowType::Express) {
            Ok(_) => Vec::new(),
            Err(diags) => diags
                .into_iter()
                .filter(|d| d.code == Code::NotForExpress)
                .map(|d| format!("{} at {}", d.message, d.pointer))
                .collect(),
        }
    }

    #[test]
    fn express_machines_refuse_what_waits_outside_the_execution() {
        assert_eq!(
            express_errors("arn:aws:states:::lambda:invoke.waitForTaskToken"),
            [
                "Express state machine does not support '.waitForTaskToken' service integration at /States/P/Branches/0/States/T/Resource"
            ]
        );
        assert_eq!(
            express_errors("arn:aws:states:::states:startExecution.sync:2"),
            [
                "Express state machine does not support '.sync' service integration at /States/P/Branches/0/States/T/Resource"
            ]
        );
        assert_eq!(
            express_errors("arn:aws:states:::ecs:runTask.sync"),
            [
                "Express state machine does not support '.sync' service integration at /States/P/Branches/0/States/T/Resource"
            ]
        );
        assert_eq!(
            express_errors("arn:aws:states:us-east-1:123456789012:activity:approve"),
            ["Express state machine does not support Activity ARN at /States/P/Branches/0/States/T/Resource"]
        );
    }

    #[test]
    fn express_machines_accept_request_response_tasks() {
        assert!(express_errors("arn:aws:states:::lambda:invoke").is_empty());
        assert!(express_errors("arn:aws:lambda:us-east-1:123456789012:function:f").is_empty());
        assert!(express_errors("arn:aws:states:::aws-sdk:s3:getObject").is_empty());
        assert!(express_errors("arn:aws:states:::states:startExecution").is_empty());
    }
}
