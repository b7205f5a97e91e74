"""Activities: CreateActivity, DescribeActivity, ListActivities, DeleteActivity, and workers
that take tasks with GetActivityTask and answer them with SendTaskSuccess/Failure/Heartbeat.

AWS's answers are as LocalStack recorded them against AWS
(tests/aws/services/stepfunctions/v2/test_sfn_api_activities.snapshot.json).
"""

import json
import threading

import pytest

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
)


def activity_machine(sfn, activity_arn, **task):
    return create_machine(sfn, {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity_arn, **task, "End": True}},
    }, "worked")


class Worker(threading.Thread):
    """An activity worker: takes one task and answers it with `answer(task)`."""

    def __init__(self, client, activity_arn, answer):
        super().__init__(daemon=True)
        self.client, self.activity_arn, self.answer = client, activity_arn, answer
        self.task, self.error = None, None

    def run(self):
        try:
            self.task = self.client.get_activity_task(activityArn=self.activity_arn, workerName="worker-1")
            self.answer(self.task)
        except Exception as error:  # reported by finish()
            self.error = error

    def finish(self):
        self.join(timeout=90)
        assert not self.is_alive(), "the worker is still polling"
        if self.error:
            raise self.error
        return self.task


def test_create_describe_list_delete(sfn):
    name = unique("activity")
    created = sfn.create_activity(name=name)
    assert members(created) == {"activityArn", "creationDate"}
    arn = created["activityArn"]
    assert arn == f"{PREFIX}:activity:{name}"
    assert_date(created["creationDate"])

    # Idempotent by name.
    again = sfn.create_activity(name=name)
    assert again["activityArn"] == arn
    assert again["creationDate"] == created["creationDate"]

    described = sfn.describe_activity(activityArn=arn)
    assert members(described) == {"activityArn", "name", "creationDate"}
    assert described["name"] == name
    assert described["creationDate"] == created["creationDate"]

    listed = sfn.list_activities()
    assert members(listed) == {"activities"}
    ours = [a for a in listed["activities"] if a["activityArn"] == arn]
    assert ours == [{"activityArn": arn, "name": name, "creationDate": created["creationDate"]}]

    assert members(sfn.delete_activity(activityArn=arn)) == set()
    error = error_of(sfn.describe_activity, activityArn=arn)
    assert_error(error, "ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    error = error_of(sfn.get_activity_task, activityArn=arn)
    assert_error(error, "ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    # Deleting it again succeeds (recorded delete_activity_response_2).
    assert members(sfn.delete_activity(activityArn=arn)) == set()


def test_list_activities_in_pages(sfn):
    stem = unique("paged")
    arns = [sfn.create_activity(name=f"{stem}-{i}")["activityArn"] for i in range(5)]
    pages, token = [], None
    while True:
        page = sfn.list_activities(maxResults=2, **({"nextToken": token} if token else {}))
        pages.append([a["activityArn"] for a in page["activities"]])
        token = page.get("nextToken")
        if not token:
            break
    listed = [arn for page in pages for arn in page]
    assert all(len(page) == 2 for page in pages[:-1])
    assert [arn for arn in listed if arn in arns] == sorted(arns)
    assert listed == [a["activityArn"] for a in sfn.list_activities(maxResults=1000)["activities"]]
    for arn in arns:
        sfn.delete_activity(activityArn=arn)


def test_activity_errors(sfn):
    error = error_of(sfn.create_activity, name="TestActivity InvalidName$")
    assert_error(error, "InvalidName", "Invalid Name: 'TestActivity InvalidName$'")
    error = error_of(sfn.describe_activity, activityArn="nonsense")
    assert_error(error, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: nonsense'")
    machine = f"{PREFIX}:stateMachine:{unique('sm')}"
    error = error_of(sfn.describe_activity, activityArn=machine)
    assert_error(error, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'")
    missing = f"{PREFIX}:activity:{unique('nobody')}"
    error = error_of(sfn.get_activity_task, activityArn=missing)
    assert_error(error, "ActivityDoesNotExist", f"Activity Does Not Exist: '{missing}'")


def test_a_worker_answers_an_activity_task(server, sfn):
    activity = sfn.create_activity(name=unique("work"))["activityArn"]
    arn = activity_machine(sfn, activity)
    # A client of its own: GetActivityTask holds its connection while it waits.
    worker = Worker(
        server.client(),
        activity,
        lambda task: worker.client.send_task_success(taskToken=task["taskToken"], output=json.dumps({"done": json.loads(task["input"])["job"] * 2})),
    )
    worker.start()
    execution = sfn.start_execution(stateMachineArn=arn, input='{"job": 21}')["executionArn"]
    task = worker.finish()
    assert members(task) == {"taskToken", "input"}
    assert json.loads(task["input"]) == {"job": 21}

    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"done": 42}
    events = history(sfn, execution)
    types = [e["type"] for e in events]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = events[2]["activityScheduledEventDetails"]
    assert scheduled["resource"] == activity
    assert json.loads(scheduled["input"]) == {"job": 21}
    assert json.loads(events[4]["activitySucceededEventDetails"]["output"]) == {"done": 42}


def test_activity_started_names_the_worker(server, sfn):
    # AWS: ActivityStarted has activityStartedEventDetails.workerName, the name the worker
    # gave GetActivityTask (API reference, ActivityStartedEventDetails).
    activity = sfn.create_activity(name=unique("named"))["activityArn"]
    arn = activity_machine(sfn, activity)
    worker = Worker(server.client(), activity, lambda task: worker.client.send_task_success(taskToken=task["taskToken"], output="{}"))
    worker.start()
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    worker.finish()
    wait_for_end(sfn, execution)
    started = next(e for e in history(sfn, execution) if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"] == {"workerName": "worker-1"}


def test_a_worker_fails_an_activity_task(server, sfn):
    activity = sfn.create_activity(name=unique("work"))["activityArn"]
    arn = activity_machine(sfn, activity)

    def fail(task):
        worker.client.send_task_heartbeat(taskToken=task["taskToken"])
        worker.client.send_task_failure(taskToken=task["taskToken"], error="Worker.Broke", cause="disk full")

    worker = Worker(server.client(), activity, fail)
    worker.start()
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    worker.finish()
    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "FAILED"
    assert ended["error"] == "Worker.Broke"
    assert ended["cause"] == "disk full"
    failed = next(e for e in history(sfn, execution) if e["type"] == "ActivityFailed")
    assert failed["activityFailedEventDetails"] == {"error": "Worker.Broke", "cause": "disk full"}


def test_a_task_nobody_takes_times_out(sfn):
    # TimeoutSeconds 1 lasts 10 ms at --wait-scale 0.01.
    activity = sfn.create_activity(name=unique("idle"))["activityArn"]
    arn = activity_machine(sfn, activity, TimeoutSeconds=1)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "FAILED"
    assert ended["error"] == "States.Timeout"
    assert "ActivityTimedOut" in [e["type"] for e in history(sfn, execution)]


def test_activities_with_the_aws_cli(cli, sfn, server):
    name = unique("cli")
    created = cli("create-activity", "--name", name)
    assert set(created) == {"activityArn", "creationDate"}
    assert created["activityArn"] == f"{PREFIX}:activity:{name}"
    assert cli("describe-activity", "--activity-arn", created["activityArn"])["name"] == name
    assert name in [a["name"] for a in cli("list-activities")["activities"]]

    # A worker through the CLI: the task is waiting before the CLI polls, so the poll
    # answers at once.
    arn = activity_machine(sfn, created["activityArn"])
    execution = sfn.start_execution(stateMachineArn=arn, input='{"via": "cli"}')["executionArn"]
    task = cli("get-activity-task", "--activity-arn", created["activityArn"], "--worker-name", "cli-worker")
    assert json.loads(task["input"]) == {"via": "cli"}
    cli("send-task-success", "--task-token", task["taskToken"], "--task-output", '{"ok": true}')
    assert json.loads(wait_for_end(sfn, execution)["output"]) == {"ok": True}

    cli("delete-activity", "--activity-arn", created["activityArn"])
    message = cli.error("describe-activity", "--activity-arn", created["activityArn"])
    assert message == (
        "An error occurred (ActivityDoesNotExist) when calling the DescribeActivity operation: "
        f"Activity Does Not Exist: '{created['activityArn']}'"
    )
