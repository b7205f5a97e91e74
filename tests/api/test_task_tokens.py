"""Task tokens: the human-approval flow end to end over the API (SendTaskSuccess,
SendTaskFailure, SendTaskHeartbeat), their errors, and a token that outlives a killed
server.

A `.waitForTaskToken` Task passes `$$.Task.Token` in its Parameters; the server has no
Lambda or SQS to send them to, so it records them in the TaskScheduled event
(`taskScheduledEventDetails.parameters`, a JSON string) and waits, as AWS waits after the
message went out. The client plays the person who approves: it finds the token in the
history and answers it.
"""

import json
import time

import pytest

from conftest import (
    assert_error,
    create_machine,
    error_of,
    history,
    lambda_api,
    members,
    wait_for_end,
    wait_for_event,
)

# What AWS answers for a token it never gave out (Fujitsu's aws_api_step_functions tests
# against AWS: `"Invalid Token: 'Invalid token'"`).
INVALID_TOKEN = "Invalid Token: 'Invalid token'"
# What AWS answers for an answer that came after TimeoutSeconds (aws-samples blog
# "blog-task-tokens-part-2", recorded from AWS): TaskTimedOut with this message.
TIMED_OUT = "Task Timed Out: 'Provided task does not exist anymore'"

RESOURCES = {
    "lambda": ("arn:aws:states:::lambda:invoke.waitForTaskToken", "Payload", {"FunctionName": "approver"}),
    "sqs": ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", "MessageBody", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals"}),
}


def approval(resource="lambda", timeout=None):
    """An order that waits for a person: approved → Ship, rejected (caught) → Denied."""
    arn, member, fixed = RESOURCES[resource]
    ask = {
        "Type": "Task",
        "Resource": arn,
        "Parameters": {**fixed, member: {"token.$": "$$.Task.Token", "order.$": "$.order"}},
        "ResultPath": "$.approval",
        "Catch": [{"ErrorEquals": ["Approval.Rejected"], "ResultPath": "$.rejection", "Next": "Denied"}],
        "Next": "Ship",
    }
    if timeout is not None:
        ask["TimeoutSeconds"] = timeout
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": ask,
            "Ship": {"Type": "Pass", "Parameters": {"shipped.$": "$.order", "by.$": "$.approval.approver"}, "End": True},
            "Denied": {"Type": "Pass", "Parameters": {"denied.$": "$.order", "why.$": "$.rejection.Cause"}, "End": True},
        },
    }


def token_of(sfn, execution, member="Payload"):
    """The token the waiting task sent out, as a person's client finds it in the history."""
    scheduled = wait_for_event(sfn, execution, "TaskScheduled")
    parameters = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])
    return parameters[member]["token"]


@pytest.mark.parametrize("resource", ["lambda", "sqs"])
def test_approved(sfn, resource):
    arn = create_machine(sfn, approval(resource), "approval")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "A-1"}')["executionArn"]
    member = RESOURCES[resource][1]
    scheduled = wait_for_event(sfn, execution, "TaskScheduled")
    details = scheduled["taskScheduledEventDetails"]
    service, action = RESOURCES[resource][0].split(":::")[1].split(":", 1)
    assert details["resourceType"] == service
    assert details["resource"] == action
    assert details["region"] == "us-east-1"
    parameters = json.loads(details["parameters"])
    assert parameters[member]["order"] == "A-1"
    token = parameters[member]["token"]
    assert isinstance(token, str) and 1 <= len(token) <= 1024
    if resource == "lambda":
        # The function is invoked with the token (and answers nothing itself); the call may
        # still be on its way when TaskScheduled is in the history.
        deadline = time.monotonic() + 10
        while {"token": token, "order": "A-1"} not in lambda_api().payloads_of("approver"):
            assert time.monotonic() < deadline, "the Lambda function was not invoked with the token"
            time.sleep(0.01)

    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    # A heartbeat on a live token is accepted.
    assert members(sfn.send_task_heartbeat(taskToken=token)) == set()
    answered = sfn.send_task_success(taskToken=token, output=json.dumps({"approver": "ada"}))
    assert members(answered) == set()

    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"shipped": "A-1", "by": "ada"}
    types = [e["type"] for e in history(sfn, execution)]
    assert types[:4] == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted"]
    assert "TaskSucceeded" in types
    succeeded = next(e for e in history(sfn, execution) if e["type"] == "TaskSucceeded")
    assert json.loads(succeeded["taskSucceededEventDetails"]["output"]) == {"approver": "ada"}
    assert succeeded["taskSucceededEventDetails"]["resource"] == action


def test_rejected_and_caught(sfn):
    arn = create_machine(sfn, approval(), "approval")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "A-2"}')["executionArn"]
    token = token_of(sfn, execution)
    answered = sfn.send_task_failure(taskToken=token, error="Approval.Rejected", cause="over budget")
    assert members(answered) == set()

    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"denied": "A-2", "why": "over budget"}
    failed = next(e for e in history(sfn, execution) if e["type"] == "TaskFailed")
    assert failed["taskFailedEventDetails"]["error"] == "Approval.Rejected"
    assert failed["taskFailedEventDetails"]["cause"] == "over budget"


def test_a_failure_nothing_catches_fails_the_execution(sfn):
    arn = create_machine(sfn, approval(), "approval")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "A-3"}')["executionArn"]
    sfn.send_task_failure(taskToken=token_of(sfn, execution), error="Clerk.Away", cause="gone fishing")
    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "FAILED"
    assert ended["error"] == "Clerk.Away"
    assert ended["cause"] == "gone fishing"


def test_tokens_never_given_out(sfn):
    for call, extra in [
        (sfn.send_task_success, {"output": "{}"}),
        (sfn.send_task_failure, {}),
        (sfn.send_task_heartbeat, {}),
    ]:
        error = error_of(call, taskToken="FakeTaskToken", **extra)
        assert_error(error, "InvalidToken", INVALID_TOKEN)


def test_a_token_answered_twice(sfn):
    arn = create_machine(sfn, approval(), "approval")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "A-4"}')["executionArn"]
    token = token_of(sfn, execution)
    sfn.send_task_success(taskToken=token, output='{"approver": "bob"}')
    wait_for_end(sfn, execution)
    # The task is over: the token is refused, and the execution's output stays the first
    # answer's. TaskTimedOut is documented as "the task token has either expired or the
    # task associated with the token has already been closed" (the service model).
    for call, extra in [(sfn.send_task_success, {"output": '{"approver": "eve"}'}), (sfn.send_task_heartbeat, {})]:
        error = error_of(call, taskToken=token, **extra)
        assert_error(error, "TaskTimedOut", TIMED_OUT)
    assert json.loads(sfn.describe_execution(executionArn=execution)["output"])["by"] == "bob"


def test_output_that_is_not_json(sfn):
    arn = create_machine(sfn, approval(), "approval")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "A-5"}')["executionArn"]
    token = token_of(sfn, execution)
    error = error_of(sfn.send_task_success, taskToken=token, output="{not json")
    assert_error(error, "InvalidOutput")
    # The task still waits, and takes a good answer.
    sfn.send_task_success(taskToken=token, output='{"approver": "cy"}')
    assert wait_for_end(sfn, execution)["status"] == "SUCCEEDED"


def test_an_answer_after_the_timeout_is_task_timed_out(sfn):
    # TimeoutSeconds 1 lasts 10 ms at --wait-scale 0.01: the task has timed out long before
    # the client answers.
    arn = create_machine(sfn, approval(timeout=1), "approval")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "A-6"}')["executionArn"]
    token = token_of(sfn, execution)
    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "FAILED"
    assert ended["error"] == "States.Timeout"
    timed_out = next(e for e in history(sfn, execution) if e["type"] == "TaskTimedOut")
    assert timed_out["taskTimedOutEventDetails"]["error"] == "States.Timeout"

    error = error_of(sfn.send_task_success, taskToken=token, output='{"approver": "late"}')
    assert_error(error, "TaskTimedOut", TIMED_OUT)
    error = error_of(sfn.send_task_failure, taskToken=token, error="Approval.Rejected")
    assert_error(error, "TaskTimedOut", TIMED_OUT)
    assert wait_for_end(sfn, execution)["error"] == "States.Timeout"


def test_stopping_an_execution_ends_its_task(sfn):
    arn = create_machine(sfn, approval(), "approval")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": "A-7"}')["executionArn"]
    token = token_of(sfn, execution)
    sfn.stop_execution(executionArn=execution)
    error = error_of(sfn.send_task_success, taskToken=token, output="{}")
    assert_error(error, "TaskTimedOut", TIMED_OUT)
    assert sfn.describe_execution(executionArn=execution)["status"] == "ABORTED"


def test_approval_with_the_aws_cli(cli, sfn):
    arn = create_machine(sfn, approval(), "approval")
    execution = cli("start-execution", "--state-machine-arn", arn, "--input", '{"order": "A-8"}')["executionArn"]
    wait_for_event(sfn, execution, "TaskScheduled")
    events = cli("get-execution-history", "--execution-arn", execution)["events"]
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
    assert cli("send-task-heartbeat", "--task-token", token) == {}
    assert cli("send-task-success", "--task-token", token, "--task-output", '{"approver": "cli"}') == {}
    ended = wait_for_end(sfn, execution)
    assert json.loads(ended["output"]) == {"shipped": "A-8", "by": "cli"}
    message = cli.error("send-task-success", "--task-token", "FakeTaskToken", "--task-output", "{}")
    assert message == f"An error occurred (InvalidToken) when calling the SendTaskSuccess operation: {INVALID_TOKEN}"


def test_a_waiting_token_survives_a_killed_server(start_server):
    """SIGKILL while an execution waits on a token; the restarted server on the same --db
    takes the answer, and the execution ends as if nothing happened."""
    server = start_server()
    sfn = server.client()
    arn = create_machine(sfn, approval(), "durable")
    execution = sfn.start_execution(stateMachineArn=arn, name="survivor", input='{"order": "A-9"}')["executionArn"]
    token = token_of(sfn, execution)
    before = history(sfn, execution)
    server.kill()

    server.start()
    sfn = server.client()
    assert sfn.describe_state_machine(stateMachineArn=arn)["name"] == arn.rsplit(":", 1)[1]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    # The history up to the wait is the one before the kill.
    assert history(sfn, execution)[: len(before)] == before
    # The token the client read before the crash is the one to answer.
    assert token_of(sfn, execution) == token
    sfn.send_task_success(taskToken=token, output='{"approver": "after the crash"}')
    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"shipped": "A-9", "by": "after the crash"}
    events = history(sfn, execution)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    types = [e["type"] for e in events]
    assert types.count("ExecutionStarted") == 1, types
    assert types.count("TaskScheduled") == 1, types
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]] == [execution]
