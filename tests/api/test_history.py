"""GetExecutionHistory: events as AWS records them, paging with nextToken, reverseOrder,
includeExecutionData, and its errors; with boto3 and the aws CLI.

The shape of a history is as LocalStack recorded it against AWS
(tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json, exec_hist_resp and
get_execution_history_reversed): ids from 1, the first state's entry pointing back to 0,
every other event to the one before it.
"""

import json

from conftest import (
    PREFIX,
    ROLE,
    assert_date,
    assert_error,
    create_machine,
    error_of,
    history,
    members,
    unique,
    wait_for_end,
)

STEPS = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"step": 1}, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Finish"},
        "Finish": {"Type": "Succeed"},
    },
}

TYPES = [
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "WaitStateEntered",
    "WaitStateExited",
    "SucceedStateEntered",
    "SucceedStateExited",
    "ExecutionSucceeded",
]


def finished(sfn, definition=STEPS, given='{"order": 7}'):
    arn = create_machine(sfn, definition)
    execution = sfn.start_execution(stateMachineArn=arn, input=given)["executionArn"]
    wait_for_end(sfn, execution)
    return execution


def test_events_of_a_succeeded_execution(sfn):
    execution = finished(sfn)
    answer = sfn.get_execution_history(executionArn=execution)
    assert members(answer) == {"events"}
    events = answer["events"]
    assert [e["type"] for e in events] == TYPES
    assert [e["id"] for e in events] == list(range(1, len(TYPES) + 1))
    assert [e["previousEventId"] for e in events] == [0, 0, 2, 3, 4, 5, 6, 7]
    for event in events:
        assert_date(event["timestamp"])
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)

    started, entered, exited = events[0], events[1], events[2]
    assert set(started) == {"timestamp", "type", "id", "previousEventId", "executionStartedEventDetails"}
    assert set(started["executionStartedEventDetails"]) == {"input", "inputDetails", "roleArn"}
    assert started["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert started["executionStartedEventDetails"]["roleArn"] == ROLE
    assert json.loads(started["executionStartedEventDetails"]["input"]) == {"order": 7}
    assert entered["stateEnteredEventDetails"]["name"] == "Prepare"
    assert set(entered["stateEnteredEventDetails"]) == {"name", "input", "inputDetails"}
    assert json.loads(entered["stateEnteredEventDetails"]["input"]) == {"order": 7}
    assert exited["stateExitedEventDetails"]["name"] == "Prepare"
    assert set(exited["stateExitedEventDetails"]) == {"name", "output", "outputDetails"}
    assert json.loads(exited["stateExitedEventDetails"]["output"]) == {"step": 1}
    assert exited["stateExitedEventDetails"]["outputDetails"] == {"truncated": False}
    succeeded = events[-1]["executionSucceededEventDetails"]
    assert json.loads(succeeded["output"]) == {"step": 1}
    assert succeeded["outputDetails"] == {"truncated": False}


def test_events_of_a_failed_execution(sfn):
    definition = {
        "StartAt": "Try",
        "States": {
            "Try": {"Type": "Pass", "Next": "Boom"},
            "Boom": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it broke"},
        },
    }
    events = history(sfn, finished(sfn, definition))
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"]
    assert events[-1]["executionFailedEventDetails"] == {"error": "Custom.Error", "cause": "it broke"}


def test_paging_through_the_history(sfn):
    execution = finished(sfn)
    whole = sfn.get_execution_history(executionArn=execution)["events"]
    pages, token = [], None
    while True:
        page = sfn.get_execution_history(executionArn=execution, maxResults=3, **({"nextToken": token} if token else {}))
        pages.append(page["events"])
        token = page.get("nextToken")
        if token is None:
            break
        assert set(page) - {"ResponseMetadata"} == {"events", "nextToken"}
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [e for page in pages for e in page] == whole

    # maxResults 0 means the default page (100 events).
    assert sfn.get_execution_history(executionArn=execution, maxResults=0)["events"] == whole


def test_reverse_order(sfn):
    execution = finished(sfn)
    forward = sfn.get_execution_history(executionArn=execution)["events"]
    backward = sfn.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
    assert backward == list(reversed(forward))
    assert backward[0]["type"] == "ExecutionSucceeded"

    # Paging backwards too: the pages, joined, are the reversed history.
    paged = history(sfn, execution, reverseOrder=True, PaginationConfig={"PageSize": 3})
    assert paged == backward


def test_include_execution_data_false_leaves_the_data_out(sfn):
    execution = finished(sfn)
    events = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]
    assert [e["type"] for e in events] == TYPES
    for event in events:
        for name, details in event.items():
            if name.endswith("EventDetails"):
                assert not {"input", "output"} & set(details), event
    assert events[0]["executionStartedEventDetails"]["roleArn"] == ROLE
    assert events[1]["stateEnteredEventDetails"]["name"] == "Prepare"


def test_history_while_running_grows(sfn):
    arn = create_machine(sfn, {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 31536000, "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    # ExecutionStarted is durable before StartExecution answers.
    assert history(sfn, execution)[0]["type"] == "ExecutionStarted"
    sfn.stop_execution(executionArn=execution)
    assert history(sfn, execution)[-1]["type"] == "ExecutionAborted"


def test_history_errors(sfn):
    arn = create_machine(sfn, STEPS)
    missing = f"{PREFIX}:execution:{arn.rsplit(':', 1)[1]}:{unique('nobody')}"
    error = error_of(sfn.get_execution_history, executionArn=missing)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'")
    error = error_of(sfn.get_execution_history, executionArn="invalid_state_machine_arn")
    assert_error(error, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")
    execution = finished(sfn)
    error = error_of(sfn.get_execution_history, executionArn=execution, nextToken="not-a-token-we-gave")
    assert_error(error, "InvalidToken")


def test_history_with_the_aws_cli(cli, sfn):
    execution = finished(sfn)
    # The CLI follows nextToken itself (get-execution-history is paginated).
    answer = cli("get-execution-history", "--execution-arn", execution, "--page-size", "2")
    assert [e["type"] for e in answer["events"]] == TYPES
    assert all(isinstance(e["timestamp"], (int, float)) for e in answer["events"])
    # --reverse-order reaches the server (LocalStack ignored it: localstack#10106).
    backward = cli("get-execution-history", "--execution-arn", execution, "--reverse-order")
    assert [e["type"] for e in backward["events"]] == list(reversed(TYPES))
    # One page and the server's token, as it gave it.
    page = cli("get-execution-history", "--execution-arn", execution, "--max-results", "3", "--no-paginate")
    assert len(page["events"]) == 3
    assert page["nextToken"]
    following = cli("get-execution-history", "--execution-arn", execution, "--max-results", "3", "--no-paginate", "--next-token", page["nextToken"])
    assert [e["id"] for e in following["events"]] == [4, 5, 6]
