"""A shipped binary's `serve`, driven by boto3: Step Functions Local's `#TestCase` ARNs
select the mock configuration's test cases (the AWS documentation's example file)."""

import json
import os
import time

import boto3
import botocore.exceptions
import pytest

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:LambdaSQSIntegration"
SQS_RESULT = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}


@pytest.fixture(scope="module")
def sfn():
    return boto3.client(
        "stepfunctions",
        endpoint_url=os.environ["ASL_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def finished(sfn, arn):
    for _ in range(600):
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{arn} still running")


def test_happy_path(sfn):
    started = sfn.start_execution(stateMachineArn=MACHINE + "#HappyPath", input="{}")
    described = finished(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == SQS_RESULT
    assert described["stateMachineArn"] == MACHINE


def test_retry_path_retries_three_times(sfn):
    started = sfn.start_execution(stateMachineArn=MACHINE + "#RetryPath", input="{}")
    described = finished(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=started["executionArn"], maxResults=1000)["events"]
    failed = [e["taskFailedEventDetails"]["error"] for e in events if e["type"] == "TaskFailed"]
    assert failed == [
        "Lambda.ResourceNotReadyException",
        "Lambda.TimeoutException",
        "Lambda.TimeoutException",
    ]


def test_an_unknown_test_case_is_refused(sfn):
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        sfn.start_execution(stateMachineArn=MACHINE + "#NoSuchCase", input="{}")
    assert "NoSuchCase" in str(refused.value)


def test_without_a_test_case_the_real_bindings_are_called(sfn):
    # No Lambda endpoint is configured and no credentials are set: LambdaState's call fails
    # (and is retried, then fails the execution) with an error that says so.
    started = sfn.start_execution(stateMachineArn=MACHINE, input="{}")
    described = finished(sfn, started["executionArn"])
    assert described["status"] == "FAILED"
    assert described.get("error") and described.get("cause")
