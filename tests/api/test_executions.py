"""Executions: StartExecution, DescribeExecution, StopExecution, ListExecutions and
StartSyncExecution, with boto3 and the aws CLI.

AWS's answers are as LocalStack recorded them against AWS
(tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json,
test_sfn_api_express.snapshot.json) and as the API reference describes them.
"""

import json
import re

import pytest

from conftest import (
    PASS,
    PREFIX,
    assert_date,
    assert_error,
    create_machine,
    error_of,
    members,
    unique,
    wait_for_end,
    wait_for_event,
)

# A STANDARD machine that waits for a year (a long time even at --wait-scale 0.01) unless
# stopped: an execution that stays RUNNING while a test looks at it.
WAITS = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 31536000, "End": True}}}
FAILS = {"StartAt": "Fail", "States": {"Fail": {"Type": "Fail", "Error": "Order.Rejected", "Cause": "out of stock"}}}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def machine_name(arn):
    return arn.rsplit(":", 1)[1]


def test_start_and_describe_a_succeeded_execution(sfn):
    definition = {
        "StartAt": "Shape",
        "States": {"Shape": {"Type": "Pass", "Parameters": {"z.$": "$.a", "a.$": "$.z", "m": "mid"}, "End": True}},
    }
    arn = create_machine(sfn, definition)
    name = unique("run")
    started = sfn.start_execution(stateMachineArn=arn, name=name, input='{"a": 1, "z": 2}')
    assert members(started) == {"executionArn", "startDate"}
    assert started["executionArn"] == f"{PREFIX}:execution:{machine_name(arn)}:{name}"
    assert_date(started["startDate"])

    described = wait_for_end(sfn, started["executionArn"])
    assert members(described) == {
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "stopDate",
        "input",
        "inputDetails",
        "output",
        "outputDetails",
        "redriveCount",
        "redriveStatus",
        "redriveStatusReason",
    }
    assert described["executionArn"] == started["executionArn"]
    assert described["stateMachineArn"] == arn
    assert described["name"] == name
    assert described["status"] == "SUCCEEDED"
    assert described["startDate"] == started["startDate"]
    assert described["stopDate"] >= described["startDate"]
    assert json.loads(described["input"]) == {"a": 1, "z": 2}
    assert described["inputDetails"] == {"included": True}
    # The output's members in the order the state made them (AWS keeps insertion order).
    assert list(json.loads(described["output"])) == ["z", "a", "m"]
    assert json.loads(described["output"]) == {"z": 1, "a": 2, "m": "mid"}
    assert described["outputDetails"] == {"included": True}
    assert described["redriveCount"] == 0
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"


def test_an_execution_without_a_name_gets_a_uuid_and_input_defaults_to_an_empty_object(sfn):
    arn = create_machine(sfn, PASS)
    started = sfn.start_execution(stateMachineArn=arn)
    name = machine_name(started["executionArn"])
    assert UUID.match(name), name
    described = wait_for_end(sfn, started["executionArn"])
    assert described["name"] == name
    assert json.loads(described["input"]) == {}
    assert json.loads(described["output"]) == {}


@pytest.mark.parametrize("given", ["42", '"text"', "null", "[1, 2]"])
def test_any_json_value_is_an_input(sfn, given):
    # AWS accepts numbers, strings and null as execution input (recorded start_res_num,
    # start_res_str, start_res_null).
    arn = create_machine(sfn, PASS)
    started = sfn.start_execution(stateMachineArn=arn, input=given)
    described = wait_for_end(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == json.loads(given)


def test_a_failed_execution(sfn):
    arn = create_machine(sfn, FAILS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = wait_for_end(sfn, execution)
    assert described["status"] == "FAILED"
    assert described["error"] == "Order.Rejected"
    assert described["cause"] == "out of stock"
    assert "output" not in described
    assert described["redriveStatus"] == "REDRIVABLE"


def test_input_that_is_not_json(sfn):
    arn = create_machine(sfn, PASS)
    error = error_of(sfn.start_execution, stateMachineArn=arn, input="not json")
    assert_error(error, "InvalidExecutionInput")
    assert error.response["Error"]["Message"].startswith("Invalid State Machine Execution Input: '")
    error = error_of(sfn.start_execution, stateMachineArn=arn, input="{'single': 'quotes'}")
    assert_error(error, "InvalidExecutionInput")
    # An empty string: AWS's own words (recorded start_res_empty).
    error = error_of(sfn.start_execution, stateMachineArn=arn, input="")
    assert_error(error, "InvalidExecutionInput", "Invalid State Machine Execution Input: 'Invalid execution input.'")


def test_start_errors(sfn):
    missing = f"{PREFIX}:stateMachine:{unique('nobody')}"
    error = error_of(sfn.start_execution, stateMachineArn=missing)
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'")
    error = error_of(sfn.start_execution, stateMachineArn="nonsense")
    assert_error(error, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: nonsense'")
    arn = create_machine(sfn, PASS)
    error = error_of(sfn.start_execution, stateMachineArn=arn, name="no spaces please")
    assert_error(error, "InvalidName", "Invalid Name: 'no spaces please'")


def test_the_same_name_and_input_while_running_is_the_same_execution(sfn):
    arn = create_machine(sfn, WAITS)
    name = unique("once")
    first = sfn.start_execution(stateMachineArn=arn, name=name, input='{"n": 1}')
    # Idempotent: the same name and input while the first runs answer as the first did.
    again = sfn.start_execution(stateMachineArn=arn, name=name, input='{"n": 1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]

    # Other input under a running execution's name: refused.
    error = error_of(sfn.start_execution, stateMachineArn=arn, name=name, input='{"n": 2}')
    assert_error(error, "ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'")

    # Once it has ended, even the same input is refused (names are kept 90 days).
    sfn.stop_execution(executionArn=first["executionArn"])
    error = error_of(sfn.start_execution, stateMachineArn=arn, name=name, input='{"n": 1}')
    assert_error(error, "ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'")
    executions = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert [e["name"] for e in executions] == [name]


def test_stop_an_execution(sfn):
    arn = create_machine(sfn, WAITS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for_event(sfn, execution, "WaitStateEntered")
    stopped = sfn.stop_execution(executionArn=execution, error="Operator.Stop", cause="changed my mind")
    assert members(stopped) == {"stopDate"}
    assert_date(stopped["stopDate"])

    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "ABORTED"
    assert described["stopDate"] == stopped["stopDate"]
    assert described["error"] == "Operator.Stop"
    assert described["cause"] == "changed my mind"
    assert described["redriveStatus"] == "REDRIVABLE"
    last = sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=1)["events"][0]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Operator.Stop", "cause": "changed my mind"}

    # Stopping what has ended changes nothing.
    sfn.stop_execution(executionArn=execution, error="Again", cause="again")
    again = sfn.describe_execution(executionArn=execution)
    assert (again["status"], again["error"], again["stopDate"]) == ("ABORTED", "Operator.Stop", stopped["stopDate"])


def test_describe_and_stop_errors(sfn):
    arn = create_machine(sfn, PASS)
    missing = f"{PREFIX}:execution:{machine_name(arn)}:{unique('nobody')}"
    error = error_of(sfn.describe_execution, executionArn=missing)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'")
    error = error_of(sfn.stop_execution, executionArn=missing)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'")
    error = error_of(sfn.describe_execution, executionArn="invalid_state_machine_arn")
    assert_error(error, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")
    error = error_of(sfn.describe_execution, executionArn=arn)
    assert_error(error, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'")


def test_list_executions_newest_first_with_status_filter_and_paging(sfn):
    arn = create_machine(sfn, {
        "StartAt": "Choose",
        "States": {
            "Choose": {"Type": "Choice", "Choices": [{"Variable": "$.wait", "BooleanEquals": True, "Next": "Wait"}], "Default": "Done"},
            "Wait": {"Type": "Wait", "Seconds": 31536000, "End": True},
            "Done": {"Type": "Succeed"},
        },
    })
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []
    done = []
    for i in range(5):
        execution = sfn.start_execution(stateMachineArn=arn, name=f"done-{i}", input='{"wait": false}')["executionArn"]
        wait_for_end(sfn, execution)
        done.append(execution)
    running = [sfn.start_execution(stateMachineArn=arn, name=f"running-{i}", input='{"wait": true}')["executionArn"] for i in range(2)]

    listed = sfn.list_executions(stateMachineArn=arn)
    assert members(listed) == {"executions"}
    items = listed["executions"]
    assert {e["executionArn"] for e in items} == set(done + running)
    for item in items:
        expected = {"executionArn", "stateMachineArn", "name", "status", "startDate", "redriveCount"}
        if item["status"] != "RUNNING":
            expected.add("stopDate")
        assert set(item) == expected, item
        assert item["stateMachineArn"] == arn
        assert item["redriveCount"] == 0
    # Most recent first.
    closed = [e["executionArn"] for e in items if e["status"] == "SUCCEEDED"]
    assert closed == list(reversed(done))

    succeeded = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert [e["executionArn"] for e in succeeded] == list(reversed(done))
    still = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert {e["executionArn"] for e in still} == set(running)
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="FAILED")["executions"] == []

    # Two by two, following nextToken: the same executions in the same order.
    pages, token = [], None
    while True:
        page = sfn.list_executions(stateMachineArn=arn, maxResults=2, **({"nextToken": token} if token else {}))
        pages.append([e["executionArn"] for e in page["executions"]])
        token = page.get("nextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [arn for page in pages for arn in page] == [e["executionArn"] for e in items]
    paged = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="SUCCEEDED", PaginationConfig={"PageSize": 3})
    assert [e["executionArn"] for page in paged for e in page["executions"]] == list(reversed(done))

    for execution in running:
        sfn.stop_execution(executionArn=execution)


def test_list_executions_errors(sfn):
    missing = f"{PREFIX}:stateMachine:{unique('nobody')}"
    error = error_of(sfn.list_executions, stateMachineArn=missing)
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'")
    error = error_of(sfn.list_executions, stateMachineArn="invalid_state_machine_arn")
    assert_error(error, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")
    arn = create_machine(sfn, PASS)
    error = error_of(sfn.list_executions, stateMachineArn=arn, nextToken="not-a-token-we-gave")
    assert_error(error, "InvalidToken")


def test_start_sync_execution_on_an_express_machine(sfn_sync):
    arn = create_machine(sfn_sync, {
        "StartAt": "One",
        "States": {
            "One": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Two"},
            "Two": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Three"},
            "Three": {"Type": "Succeed"},
        },
    }, "sync", machine_type="EXPRESS")
    name = unique("sync")
    answer = sfn_sync.start_sync_execution(stateMachineArn=arn, name=name, input='{"n": 41}')
    assert members(answer) == {
        "executionArn",
        "stateMachineArn",
        "name",
        "startDate",
        "stopDate",
        "status",
        "input",
        "inputDetails",
        "output",
        "outputDetails",
        "billingDetails",
    }
    # Express executions' ARNs: …:express:MACHINE:NAME:RUN-ID.
    assert re.fullmatch(rf"{re.escape(PREFIX)}:express:{machine_name(arn)}:{name}:[0-9a-f-]{{36}}", answer["executionArn"]), answer["executionArn"]
    assert answer["stateMachineArn"] == arn
    assert answer["name"] == name
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["input"]) == {"n": 41}
    assert answer["inputDetails"] == {"included": True}
    assert json.loads(answer["output"]) == {"n": 42}
    assert answer["outputDetails"] == {"included": True}
    assert answer["stopDate"] >= answer["startDate"]
    assert set(answer["billingDetails"]) == {"billedMemoryUsedInMB", "billedDurationInMilliseconds"}
    assert answer["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0

    # Express executions are not listed, described or stopped through the API
    # (recorded list_executions_error, describe_execution_error, stop_execution_error).
    error = error_of(sfn_sync.list_executions, stateMachineArn=arn)
    assert_error(error, "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
    error = error_of(sfn_sync.describe_execution, executionArn=answer["executionArn"])
    assert_error(error, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
    error = error_of(sfn_sync.stop_execution, executionArn=answer["executionArn"])
    assert_error(error, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")


def test_start_sync_execution_that_fails(sfn_sync):
    arn = create_machine(sfn_sync, FAILS, "sync", machine_type="EXPRESS")
    answer = sfn_sync.start_sync_execution(stateMachineArn=arn)
    assert answer["status"] == "FAILED"
    assert answer["error"] == "Order.Rejected"
    assert answer["cause"] == "out of stock"
    assert "output" not in answer


def test_start_sync_execution_of_a_definition_file(sfn_sync):
    answer = sfn_sync.start_sync_execution(stateMachineArn=f"{PREFIX}:stateMachine:quick", input='{"n": 21}')
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"n": 42}


def test_start_sync_execution_refuses_standard_machines(sfn_sync):
    arn = create_machine(sfn_sync, PASS)
    error = error_of(sfn_sync.start_sync_execution, stateMachineArn=arn)
    assert_error(error, "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")


def test_start_execution_of_an_express_machine_runs_it(sfn):
    arn = create_machine(sfn, PASS, "async", machine_type="EXPRESS")
    started = sfn.start_execution(stateMachineArn=arn, input='{"x": 1}')
    assert members(started) == {"executionArn", "startDate"}
    assert started["executionArn"].startswith(f"{PREFIX}:express:{machine_name(arn)}:")


def test_executions_with_the_aws_cli(cli, sfn):
    arn = create_machine(sfn, {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}})
    name = unique("cli")
    started = cli("start-execution", "--state-machine-arn", arn, "--name", name, "--input", '{"from": "cli"}')
    assert set(started) == {"executionArn", "startDate"}
    # The CLI prints dates as AWS sends them: epoch seconds.
    assert isinstance(started["startDate"], (int, float))
    wait_for_end(sfn, started["executionArn"])

    described = cli("describe-execution", "--execution-arn", started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"from": "cli"}

    listed = cli("list-executions", "--state-machine-arn", arn, "--status-filter", "SUCCEEDED")
    assert [e["name"] for e in listed["executions"]] == [name]

    message = cli.error("start-execution", "--state-machine-arn", arn, "--name", name, "--input", '{"other": 1}')
    assert message == (
        "An error occurred (ExecutionAlreadyExists) when calling the StartExecution operation: "
        f"Execution Already Exists: '{started['executionArn']}'"
    )


def test_start_sync_execution_with_the_aws_cli(cli):
    # The CLI has no flag against the `sync-` host prefix, but botocore reads
    # AWS_DISABLE_HOST_PREFIX_INJECTION (botocore ≥ 1.36), so the CLI reaches a local
    # endpoint without an /etc/hosts entry for sync-127.0.0.1.
    answer = cli(
        "start-sync-execution",
        "--state-machine-arn",
        f"{PREFIX}:stateMachine:quick",
        "--input",
        '{"n": 5}',
        env={"AWS_DISABLE_HOST_PREFIX_INJECTION": "true"},
    )
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"n": 10}
