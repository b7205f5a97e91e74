"""State machines: CreateStateMachine, DescribeStateMachine, UpdateStateMachine,
DeleteStateMachine, ListStateMachines, DescribeStateMachineForExecution, and the definition
files `asl serve FLOWS_DIR` starts with.

AWS's answers are as LocalStack recorded them against AWS
(tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json) and as the API reference
describes them.
"""

import json

from conftest import (
    ACCOUNT,
    PASS,
    PREFIX,
    REGION,
    ROLE,
    assert_date,
    assert_error,
    create_machine,
    error_of,
    members,
    unique,
    wait_for_end,
)

# What DescribeStateMachine answers for a machine created with no options and never updated
# (AWS adds `revisionId` once it has been updated, `description` when one was given).
DESCRIBED = {
    "stateMachineArn",
    "name",
    "status",
    "definition",
    "roleArn",
    "type",
    "creationDate",
    "loggingConfiguration",
    "tracingConfiguration",
}


def test_create_then_describe(sfn):
    name = unique("create")
    definition = json.dumps(PASS, indent=2)
    created = sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)
    assert members(created) == {"stateMachineArn", "creationDate"}
    assert created["stateMachineArn"] == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
    assert_date(created["creationDate"])

    described = sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])
    assert members(described) == DESCRIBED
    assert described["stateMachineArn"] == created["stateMachineArn"]
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert described["type"] == "STANDARD"
    # The definition as given, byte for byte (indentation included).
    assert described["definition"] == definition
    assert described["roleArn"] == ROLE
    assert described["creationDate"] == created["creationDate"]
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}


def test_create_is_idempotent_and_refuses_a_different_machine_under_the_same_name(sfn):
    name = unique("again")
    first = sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)
    again = sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)
    assert again["stateMachineArn"] == first["stateMachineArn"]
    assert again["creationDate"] == first["creationDate"]

    other = {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}
    error = error_of(sfn.create_state_machine, name=name, definition=json.dumps(other), roleArn=ROLE)
    assert_error(error, "StateMachineAlreadyExists", f"State Machine Already Exists: '{first['stateMachineArn']}'")


def test_express_machines_are_described_as_express(sfn):
    arn = create_machine(sfn, PASS, "express", machine_type="EXPRESS")
    assert sfn.describe_state_machine(stateMachineArn=arn)["type"] == "EXPRESS"
    listed = [m for m in sfn.list_state_machines(maxResults=1000)["stateMachines"] if m["stateMachineArn"] == arn]
    assert [m["type"] for m in listed] == ["EXPRESS"]


def test_describe_a_machine_that_does_not_exist(sfn):
    arn = f"{PREFIX}:stateMachine:{unique('nobody')}"
    error = error_of(sfn.describe_state_machine, stateMachineArn=arn)
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def test_describe_with_arns_that_are_not_state_machine_arns(sfn):
    error = error_of(sfn.describe_state_machine, stateMachineArn="not_a_valid_arn")
    assert_error(error, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")
    activity = f"{PREFIX}:activity:{unique('a')}"
    error = error_of(sfn.describe_state_machine, stateMachineArn=activity)
    assert_error(error, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: activity'")


def test_invalid_definitions_are_refused_with_aws_codes(sfn):
    # No States: AWS answers "SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /".
    error = error_of(sfn.create_state_machine, name=unique("bad"), definition='{"StartAt": "A"}', roleArn=ROLE)
    assert_error(error, "InvalidDefinition")
    assert error.response["Error"]["Message"].startswith("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ")

    # A Next to nowhere: AWS's code and the place of the error in the message.
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Succeed"}}}
    error = error_of(sfn.create_state_machine, name=unique("bad"), definition=json.dumps(broken), roleArn=ROLE)
    assert_error(error, "InvalidDefinition")
    message = error.response["Error"]["Message"]
    assert message.startswith("Invalid State Machine Definition: '"), message
    assert "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere" in message, message
    assert "/States/A/Next" in message, message

    error = error_of(sfn.create_state_machine, name=unique("bad"), definition="not json at all", roleArn=ROLE)
    assert_error(error, "InvalidDefinition")


def test_express_machines_refuse_what_express_cannot_run(sfn):
    waits = {
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
    error = error_of(
        sfn.create_state_machine, name=unique("bad"), definition=json.dumps(waits), roleArn=ROLE, type="EXPRESS"
    )
    assert_error(error, "InvalidDefinition")
    assert "/States/Ask/Resource" in error.response["Error"]["Message"]


def test_names_aws_refuses(sfn):
    error = error_of(sfn.create_state_machine, name="has space", definition=json.dumps(PASS), roleArn=ROLE)
    assert_error(error, "InvalidName", "Invalid Name: 'has space'")


def test_list_state_machines_sorted_by_name_and_paged(sfn):
    stem = unique("list")
    names = [f"{stem}-{i}" for i in (3, 0, 4, 1, 2)]
    for name in names:
        sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)

    everything = sfn.list_state_machines(maxResults=1000)
    assert members(everything) == {"stateMachines"}
    ours = [m for m in everything["stateMachines"] if m["name"].startswith(stem)]
    assert [m["name"] for m in ours] == sorted(names)
    for item in ours:
        assert set(item) == {"stateMachineArn", "name", "type", "creationDate"}
        assert item["stateMachineArn"] == f"{PREFIX}:stateMachine:{item['name']}"
        assert item["type"] == "STANDARD"
        assert_date(item["creationDate"])
    listed = [m["name"] for m in everything["stateMachines"]]
    assert listed == sorted(listed)

    # Two at a time, token after token: the same list.
    pages, token = [], None
    while True:
        page = sfn.list_state_machines(maxResults=2, **({"nextToken": token} if token else {}))
        assert len(page["stateMachines"]) <= 2
        pages.append(page["stateMachines"])
        token = page.get("nextToken")
        if token is None:
            break
        assert isinstance(token, str) and token
    assert [m["name"] for page in pages for m in page] == listed
    assert all(len(page) == 2 for page in pages[:-1])

    # boto3's paginator follows the same tokens.
    paginated = [m["name"] for p in sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 3}) for m in p["stateMachines"]]
    assert paginated == listed


def test_update_changes_definition_and_role_and_the_revision(sfn):
    arn = create_machine(sfn, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "before", "End": True}}})
    after = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "after", "End": True}}})
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=after, roleArn=ROLE + "-2")
    assert members(updated) == {"updateDate", "revisionId"}
    assert_date(updated["updateDate"])

    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert members(described) == DESCRIBED | {"revisionId"}
    assert described["definition"] == after
    assert described["roleArn"] == ROLE + "-2"
    assert described["revisionId"] == updated["revisionId"]

    # The same values again: a new update date, the same revision (as AWS records it).
    same = sfn.update_state_machine(stateMachineArn=arn, definition=after, roleArn=ROLE + "-2")
    assert same["revisionId"] == updated["revisionId"]

    # Executions started now run the new definition.
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert json.loads(wait_for_end(sfn, execution)["output"]) == "after"


def test_update_with_nothing_to_change(sfn):
    arn = create_machine(sfn, PASS)
    error = error_of(sfn.update_state_machine, stateMachineArn=arn)
    assert_error(
        error,
        "MissingRequiredParameter",
        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
    )


def test_update_refuses_an_invalid_definition_and_keeps_the_old_one(sfn):
    arn = create_machine(sfn, PASS)
    error = error_of(sfn.update_state_machine, stateMachineArn=arn, definition='{"StartAt": "Nowhere", "States": {}}')
    assert_error(error, "InvalidDefinition")
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == PASS


def test_update_of_a_machine_that_does_not_exist(sfn):
    arn = f"{PREFIX}:stateMachine:{unique('nobody')}"
    error = error_of(sfn.update_state_machine, stateMachineArn=arn, definition=json.dumps(PASS))
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def test_delete(sfn):
    arn = create_machine(sfn, PASS)
    deleted = sfn.delete_state_machine(stateMachineArn=arn)
    assert members(deleted) == set()
    error = error_of(sfn.describe_state_machine, stateMachineArn=arn)
    assert_error(error, "StateMachineDoesNotExist")
    assert arn not in [m["stateMachineArn"] for m in sfn.list_state_machines(maxResults=1000)["stateMachines"]]
    # Deleting what is not there succeeds, as on AWS.
    assert members(sfn.delete_state_machine(stateMachineArn=arn)) == set()
    error = error_of(sfn.start_execution, stateMachineArn=arn)
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def test_describe_state_machine_for_execution(sfn):
    arn = create_machine(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = sfn.describe_state_machine_for_execution(executionArn=execution)
    # AWS's members: no status, type or creationDate here, but an updateDate.
    assert members(described) == {
        "stateMachineArn",
        "name",
        "definition",
        "roleArn",
        "updateDate",
        "loggingConfiguration",
        "tracingConfiguration",
    }
    assert described["stateMachineArn"] == arn
    assert json.loads(described["definition"]) == PASS
    assert_date(described["updateDate"])

    missing = f"{PREFIX}:execution:{arn.rsplit(':', 1)[1]}:{unique('nobody')}"
    error = error_of(sfn.describe_state_machine_for_execution, executionArn=missing)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'")


def test_definition_files_are_machines_from_the_start(sfn, flows_dir):
    arn = f"{PREFIX}:stateMachine:hello"
    listed = {m["name"]: m for m in sfn.list_state_machines(maxResults=1000)["stateMachines"]}
    assert listed["hello"]["stateMachineArn"] == arn
    assert listed["hello"]["type"] == "STANDARD"
    assert listed["quick"]["type"] == "EXPRESS"
    assert "notes" not in listed

    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == (flows_dir / "hello.asl.json").read_text()
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"name": "files"}))["executionArn"]
    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"greeting": "Hello, files!"}


def test_state_machines_with_the_aws_cli(cli):
    name = unique("cli")
    definition = json.dumps(PASS)
    created = cli("create-state-machine", "--name", name, "--definition", definition, "--role-arn", ROLE)
    assert set(created) == {"stateMachineArn", "creationDate"}
    assert created["stateMachineArn"] == f"{PREFIX}:stateMachine:{name}"

    described = cli("describe-state-machine", "--state-machine-arn", created["stateMachineArn"])
    assert described["name"] == name
    assert described["definition"] == definition
    assert described["status"] == "ACTIVE"

    listed = cli("list-state-machines")
    assert name in [m["name"] for m in listed["stateMachines"]]

    cli("delete-state-machine", "--state-machine-arn", created["stateMachineArn"])
    message = cli.error("describe-state-machine", "--state-machine-arn", created["stateMachineArn"])
    assert message == (
        "An error occurred (StateMachineDoesNotExist) when calling the DescribeStateMachine operation: "
        f"State Machine Does Not Exist: '{created['stateMachineArn']}'"
    )
