"""Versions and aliases, tags, Map runs, RedriveExecution, ValidateStateMachineDefinition and TestState,
through boto3 (every operation of the service model is called by a real client in this
suite or by the Rust SDK's tests)."""

import json
import time

from conftest import (
    PREFIX,
    assert_date,
    assert_error,
    create_machine,
    error_of,
    history,
    members,
    unique,
    wait_for_end,
    wait_for_event,
)

ASK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
}


def token_of(sfn, execution, skip=()):
    """The token of the execution's latest TaskScheduled event that is not in `skip`."""
    while True:
        scheduled = [e for e in history(sfn, execution) if e["type"] == "TaskScheduled"]
        if scheduled:
            token = json.loads(scheduled[-1]["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
            if token not in skip:
                return token


def test_versions_and_aliases(sfn):
    name = unique("versioned")
    created = sfn.create_state_machine(
        name=name, definition=json.dumps(ASK), roleArn=f"{PREFIX}:role", publish=True, versionDescription="first"
    )
    machine = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == f"{machine}:1"
    # Publishing the same revision again gives the same version; a new revision a new one.
    assert sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"] == f"{machine}:1"
    updated = sfn.update_state_machine(
        stateMachineArn=machine, definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    )
    assert "revisionId" in updated
    revision_conflict = error_of(sfn.publish_state_machine_version, stateMachineArn=machine, revisionId="other")
    assert_error(revision_conflict, "ConflictException")
    second = sfn.publish_state_machine_version(stateMachineArn=machine, revisionId=updated["revisionId"])
    assert second["stateMachineVersionArn"] == f"{machine}:2"
    assert_date(second["creationDate"])
    listed = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{machine}:2", f"{machine}:1"]
    # A version describes itself, with the definition it was published with.
    first = sfn.describe_state_machine(stateMachineArn=f"{machine}:1")
    assert json.loads(first["definition"]) == ASK
    assert first["description"] == "first"

    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": f"{machine}:1", "weight": 100}]
    )["stateMachineAliasArn"]
    assert alias == f"{machine}:live"
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["routingConfiguration"] == [{"stateMachineVersionArn": f"{machine}:1", "weight": 100}]
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]] == [alias]
    bad_weights = error_of(
        sfn.update_state_machine_alias,
        stateMachineAliasArn=alias,
        routingConfiguration=[{"stateMachineVersionArn": f"{machine}:1", "weight": 60}],
    )
    assert_error(bad_weights, "ValidationException")

    # An execution through the alias runs version 1 (it waits on a token; the machine's
    # current definition would not) and says so.
    execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    assert execution.startswith(f"{PREFIX}:execution:{name}:")
    wait_for_event(sfn, execution, "TaskScheduled")
    described = sfn.describe_execution(executionArn=execution)
    assert described["stateMachineAliasArn"] == alias
    assert described["stateMachineVersionArn"] == f"{machine}:1"
    sfn.stop_execution(executionArn=execution)

    # A version an alias routes to cannot go; once the alias has gone, it can.
    assert_error(error_of(sfn.delete_state_machine_version, stateMachineVersionArn=f"{machine}:1"), "ConflictException")
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": f"{machine}:2", "weight": 100}]
    )
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{machine}:1")
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    assert_error(error_of(sfn.describe_state_machine_alias, stateMachineAliasArn=alias), "ResourceNotFound")


def test_tags(sfn):
    machine = create_machine(sfn, ASK)
    sfn.tag_resource(resourceArn=machine, tags=[{"key": "team", "value": "a"}, {"key": "env", "value": "dev"}])
    sfn.tag_resource(resourceArn=machine, tags=[{"key": "env", "value": "prod"}])
    tags = sfn.list_tags_for_resource(resourceArn=machine)["tags"]
    assert sorted((t["key"], t["value"]) for t in tags) == [("env", "prod"), ("team", "a")]
    sfn.untag_resource(resourceArn=machine, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [{"key": "env", "value": "prod"}]
    activity = sfn.create_activity(name=unique("tagged"), tags=[{"key": "k", "value": "v"}])["activityArn"]
    assert sfn.list_tags_for_resource(resourceArn=activity)["tags"] == [{"key": "k", "value": "v"}]
    missing = error_of(sfn.list_tags_for_resource, resourceArn=f"{PREFIX}:stateMachine:{unique('gone')}")
    assert_error(missing, "ResourceNotFound")
    too_many = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    assert_error(error_of(sfn.tag_resource, resourceArn=machine, tags=too_many), "TooManyTags")


def test_map_runs(sfn):
    fanout = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 3,
                "ToleratedFailurePercentage": 10,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    machine = create_machine(sfn, fanout, "fanout")
    execution = sfn.start_execution(stateMachineArn=machine, input='{"items": [1, 2, 3, 4]}')["executionArn"]
    assert wait_for_end(sfn, execution)["status"] == "SUCCEEDED"
    runs = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert len(runs) == 1 and runs[0]["executionArn"] == execution
    run = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])
    assert (run["status"], run["maxConcurrency"], run["toleratedFailurePercentage"]) == ("SUCCEEDED", 3, 10.0)
    assert run["itemCounts"]["total"] == 4 and run["itemCounts"]["succeeded"] == 4
    finished = error_of(sfn.update_map_run, mapRunArn=runs[0]["mapRunArn"], maxConcurrency=5)
    assert_error(finished, "ValidationException")
    assert finished.response["reason"] == "CANNOT_UPDATE_COMPLETED_MAP_RUN"
    assert_error(error_of(sfn.list_map_runs, executionArn=f"{PREFIX}:execution:x:y"), "ExecutionDoesNotExist")


def test_map_run_children(sfn):
    """A Map Run's child executions are executions of their own: listed by the Map Run,
    described, with their own histories; the Map Run counts them exactly."""
    fanout = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Label": "Checks",
                "ItemsPath": "$.items",
                "ToleratedFailureCount": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Odd?",
                    "States": {
                        "Odd?": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Reject"}],
                            "Default": "Accept",
                        },
                        "Reject": {"Type": "Fail", "Error": "Rejected", "Cause": "three"},
                        "Accept": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    machine = create_machine(sfn, fanout, "children")
    execution = sfn.start_execution(stateMachineArn=machine, input='{"items": [1, 2, 3, 4, 5]}')["executionArn"]
    assert wait_for_end(sfn, execution)["status"] == "SUCCEEDED"
    (listed,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    map_run = listed["mapRunArn"]
    assert listed["stateMachineArn"] == f"{machine}/Checks"
    run = sfn.describe_map_run(mapRunArn=map_run)
    expected = {"pending": 0, "running": 0, "succeeded": 4, "failed": 1, "timedOut": 0, "aborted": 0, "total": 5}
    for counts in (run["itemCounts"], run["executionCounts"]):
        assert {name: counts[name] for name in expected} == expected
    assert (run["status"], run["toleratedFailureCount"]) == ("SUCCEEDED", 1)
    assert_date(run["stopDate"])

    children = sfn.list_executions(mapRunArn=map_run)["executions"]
    assert len(children) == 5
    assert all(child["mapRunArn"] == map_run and child["stateMachineArn"] == f"{machine}/Checks" for child in children)
    assert sorted(child["status"] for child in children) == ["FAILED"] + ["SUCCEEDED"] * 4
    assert sfn.list_executions(mapRunArn=map_run, statusFilter="FAILED")["executions"][0]["status"] == "FAILED"
    failed = next(child for child in children if child["status"] == "FAILED")
    described = sfn.describe_execution(executionArn=failed["executionArn"])
    assert (described["input"], described["error"], described["cause"]) == ("3", "Rejected", "three")
    assert described["mapRunArn"] == map_run
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    events = [event["type"] for event in history(sfn, failed["executionArn"])]
    assert events[0] == "ExecutionStarted" and events[-1] == "ExecutionFailed"
    assert "FailStateEntered" in events
    # The parent's own listing has the parent only.
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]] == [execution]
    both = error_of(sfn.list_executions, stateMachineArn=machine, mapRunArn=map_run)
    assert_error(both, "ValidationException")
    unknown = map_run.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"
    assert_error(error_of(sfn.list_executions, mapRunArn=unknown), "ResourceNotFound")


def test_map_run_redrive(sfn):
    """A redrive takes a failed Map Run up: the same Map Run, only its unsuccessful child
    executions redriven (under their ARNs), the others keeping their results."""
    picky = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Label": "Picky",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Three?",
                    "States": {
                        "Three?": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Second try"}],
                            "Default": "Take",
                        },
                        # Index -1 until the child is redriven: States.Runtime the first time.
                        "Second try": {
                            "Type": "Pass",
                            "Parameters": {
                                "got.$": "States.ArrayGetItem(States.Array($), States.MathAdd($$.Execution.RedriveCount, -1))"
                            },
                            "OutputPath": "$.got",
                            "End": True,
                        },
                        "Take": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    machine = create_machine(sfn, picky, "picky")
    execution = sfn.start_execution(stateMachineArn=machine, input='{"items": [1, 2, 3, 4]}')["executionArn"]
    failed = wait_for_end(sfn, execution)
    assert (failed["status"], failed["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    (listed,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    map_run = listed["mapRunArn"]
    run = sfn.describe_map_run(mapRunArn=map_run)
    assert run["status"] == "FAILED"
    assert (run["itemCounts"]["succeeded"], run["itemCounts"]["failed"], run["itemCounts"]["pending"]) == (2, 1, 1)
    assert run["executionCounts"]["pendingRedrive"] == 1
    before = {child["executionArn"]: child for child in sfn.list_executions(mapRunArn=map_run)["executions"]}

    sfn.redrive_execution(executionArn=execution)
    done = wait_for_end(sfn, execution)
    assert (done["status"], done["output"], done["redriveCount"]) == ("SUCCEEDED", "[1,2,3,4]", 1)
    assert [run["mapRunArn"] for run in sfn.list_map_runs(executionArn=execution)["mapRuns"]] == [map_run]
    run = sfn.describe_map_run(mapRunArn=map_run)
    assert (run["status"], run["redriveCount"]) == ("SUCCEEDED", 1)
    assert_date(run["redriveDate"])
    assert (run["itemCounts"]["succeeded"], run["itemCounts"]["total"], run["itemCounts"]["pendingRedrive"]) == (4, 4, 0)
    redriven = [e for e in history(sfn, execution) if e["type"] == "MapRunRedriven"]
    assert [e["mapRunRedrivenEventDetails"] for e in redriven] == [{"mapRunArn": map_run, "redriveCount": 1}]

    after = sfn.list_executions(mapRunArn=map_run)["executions"]
    assert len(after) == 4 and all(child["status"] == "SUCCEEDED" for child in after)
    again = [child for child in after if child["redriveCount"] == 1]
    assert len(again) == 1 and before[again[0]["executionArn"]]["status"] == "FAILED", "the same child, redriven"
    events = [e["type"] for e in history(sfn, again[0]["executionArn"])]
    assert events.index("ExecutionRedriven") == events.index("ExecutionFailed") + 1
    assert events[-1] == "ExecutionSucceeded"


def poll(describe, done, what, seconds=15):
    """`describe()` again until `done` holds of its answer."""
    deadline = time.monotonic() + seconds
    while True:
        answer = describe()
        if done(answer):
            return answer
        assert time.monotonic() < deadline, f"{what}: {answer}"
        time.sleep(0.05)


def test_update_map_run(sfn):
    """UpdateMapRun changes a running Map Run: more children run at once; a stop aborts
    it with its children."""
    naps = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Nap",
                    "States": {"Nap": {"Type": "Wait", "Seconds": 600, "End": True}},
                },
                "End": True,
            }
        },
    }
    machine = create_machine(sfn, naps, "naps")
    execution = sfn.start_execution(stateMachineArn=machine, input='{"items": [1, 2, 3]}')["executionArn"]
    runs = poll(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"], bool, "a Map Run")
    map_run = runs[0]["mapRunArn"]
    run = poll(
        lambda: sfn.describe_map_run(mapRunArn=map_run),
        lambda run: run["executionCounts"]["running"] == 1,
        "one child running",
    )
    assert (run["maxConcurrency"], run["executionCounts"]["pending"]) == (1, 2)

    sfn.update_map_run(mapRunArn=map_run, maxConcurrency=3, toleratedFailureCount=2)
    run = poll(
        lambda: sfn.describe_map_run(mapRunArn=map_run),
        lambda run: run["executionCounts"]["running"] == 3,
        "three children running",
    )
    assert (run["status"], run["maxConcurrency"], run["toleratedFailureCount"]) == ("RUNNING", 3, 2)

    sfn.stop_execution(executionArn=execution)
    assert wait_for_end(sfn, execution)["status"] == "ABORTED"
    run = sfn.describe_map_run(mapRunArn=map_run)
    assert (run["status"], run["executionCounts"]["aborted"], run["executionCounts"]["running"]) == ("ABORTED", 3, 0)
    children = sfn.list_executions(mapRunArn=map_run)["executions"]
    assert sorted(child["status"] for child in children) == ["ABORTED"] * 3
    stopped = error_of(sfn.update_map_run, mapRunArn=map_run, maxConcurrency=5)
    assert stopped.response["reason"] == "CANNOT_UPDATE_COMPLETED_MAP_RUN"


def test_redrive(sfn):
    machine = create_machine(sfn, ASK, "redriven")
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    first = token_of(sfn, execution)
    sfn.send_task_failure(taskToken=first, error="Refused", cause="not yet")
    failed = wait_for_end(sfn, execution)
    assert (failed["status"], failed["redriveStatus"]) == ("FAILED", "REDRIVABLE")

    redriven = sfn.redrive_execution(executionArn=execution)
    assert_date(redriven["redriveDate"])
    sfn.send_task_success(taskToken=token_of(sfn, execution, skip={first}), output='{"ok": true}')
    described = wait_for_end(sfn, execution)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert json.loads(described["output"]) == {"ok": True}
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert [e["type"] for e in history(sfn, execution)].count("ExecutionRedriven") == 1
    assert_error(error_of(sfn.redrive_execution, executionArn=execution), "ExecutionNotRedrivable")
    assert_error(error_of(sfn.redrive_execution, executionArn=f"{PREFIX}:execution:x:y"), "ExecutionDoesNotExist")


def test_validate_state_machine_definition(sfn):
    ok = sfn.validate_state_machine_definition(definition=json.dumps(ASK))
    assert (ok["result"], ok["diagnostics"]) == ("OK", [])
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    failed = sfn.validate_state_machine_definition(definition=json.dumps(broken))
    assert failed["result"] == "FAIL"
    codes = {d["code"] for d in failed["diagnostics"]}
    assert "MISSING_TRANSITION_TARGET" in codes
    assert all(d["severity"] == "ERROR" for d in failed["diagnostics"])
    # An EXPRESS machine cannot wait for a task token.
    express = sfn.validate_state_machine_definition(definition=json.dumps(ASK), type="EXPRESS")
    assert express["result"] == "FAIL"
    assert members(express) >= {"result", "diagnostics"}


def test_test_state(sfn_sync):
    # TestState carries the `sync-` endpoint prefix, like StartSyncExecution.
    state = {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "ResultPath": "$.out", "End": True}
    tested = sfn_sync.test_state(definition=json.dumps(state), input='{"n": 21}', inspectionLevel="DEBUG")
    assert tested["status"] == "SUCCEEDED"
    assert json.loads(tested["output"]) == {"n": 21, "out": {"doubled": 42}}
    assert json.loads(tested["inspectionData"]["afterParameters"]) == {"doubled": 42}
    # A Task with a mocked error that a retrier matches is RETRIABLE, and says which retrier.
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"},
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2}],
        "End": True,
    }
    retried = sfn_sync.test_state(
        definition=json.dumps(task), input="{}", inspectionLevel="DEBUG",
        mock={"errorOutput": {"error": "Boom", "cause": "mocked"}},
    )
    assert retried["status"] == "RETRIABLE"
    assert retried["inspectionData"]["errorDetails"]["retryIndex"] == 0
    bad = error_of(sfn_sync.test_state, definition='{"Type": "Pass", "Next": 5}')
    assert_error(bad, "InvalidDefinition")
