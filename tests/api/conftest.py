"""Real AWS clients against a real `asl serve`.

The server is the `asl` binary named by `ASL_BIN` (tests/tests/api_clients.rs sets it to the
one Cargo built), started on a free loopback port with its SQLite store in a temporary
directory. The clients are boto3 and the aws CLI (v1, from PyPI) of this virtual
environment, with dummy credentials; nothing here mocks either side. The servers' Lambda
Tasks call a Lambda Invoke API on loopback (`LambdaApi`), as they would call
`sam local start-lambda`.

One server serves the whole session (`server`); tests that restart or kill it start their
own (`start_server`). Every test names its state machines and executions uniquely, so the
tests do not see each other's.

Waits are scaled by `--wait-scale 0.01`: a `Wait` of 1 second, or a `TimeoutSeconds` of 1,
lasts 10 ms. The deadlines below only stop a test that would otherwise hang; no test
asserts how long anything took.
"""

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/asl-tests"
PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}"

# How long a test waits for something that should happen (a server to start, an execution
# to end) before it fails rather than hangs. Not a measure of speed: nothing is asserted
# about how long things take.
PATIENCE = 60.0

# Dummy credentials and region for boto3 and the CLI, and no configuration files of the
# user's: what these tests see does not depend on the machine's ~/.aws.
CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
os.environ.update(CLIENT_ENV)

# A definition whose only state passes its input on.
PASS = {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}


def asl_binary():
    path = os.environ.get("ASL_BIN")
    if not path:
        pytest.exit("ASL_BIN is not set: it names the `asl` binary to serve the API with", returncode=4)
    if not os.access(path, os.X_OK):
        pytest.exit(f"ASL_BIN={path} is not an executable", returncode=4)
    # Servers run in directories of their own.
    return os.path.abspath(path)


class LambdaApi:
    """A Lambda Invoke API on loopback (`POST /2015-03-31/functions/NAME/invocations`) that
    every server of the session calls its Lambda Tasks through (`--lambda-endpoint`). Each
    function answers `{}` at once and records what it was sent: the approval tests' functions
    only pass the task token on, which the tests answer as a person would."""

    def __init__(self):
        self.invocations = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                match = re.fullmatch(r"/2015-03-31/functions/([^/]+)/invocations(\?.*)?", self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not match:
                    self.send_response(404)
                    self.end_headers()
                    return
                api.invocations.append((match.group(1), json.loads(body or b"null")))
                answer = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Amz-Executed-Version", "$LATEST")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def payloads_of(self, function):
        return [payload for name, payload in self.invocations if name == function]


LAMBDA = None


def lambda_api():
    """The session's Lambda Invoke API, started the first time it is needed."""
    global LAMBDA
    if LAMBDA is None:
        LAMBDA = LambdaApi()
    return LAMBDA


class Server:
    """An `asl serve` process on a port of its own."""

    def __init__(self, directory, flows=(), express=(), wait_scale="0.01"):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.db = self.directory / "asl.db"
        self.flows = [str(f) for f in flows]
        self.express = list(express)
        self.wait_scale = wait_scale
        self.process = None
        self.endpoint = None
        self.starts = 0

    def start(self):
        """Starts the server and returns once it accepts connections."""
        self.starts += 1
        log = open(self.directory / f"stderr-{self.starts}.log", "wb")
        command = [asl_binary(), "serve", "--listen", "127.0.0.1:0", "--db", str(self.db)]
        command += ["--wait-scale", self.wait_scale, "--lambda-endpoint", lambda_api().endpoint]
        for name in self.express:
            command += ["--express", name]
        command += self.flows
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, cwd=self.directory)
        # The first line names the address, with the port the system chose for port 0; the
        # listener is bound before it is printed.
        line = self._first_line()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not match:
            self.stop()
            pytest.fail(f"asl serve did not say where it listens: {line!r}\n{self.stderr()}")
        self.endpoint = match.group(1)
        self._wait_until_it_answers()
        return self

    def _first_line(self):
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                line = self.process.stdout.readline().decode(errors="replace")
                if line:
                    return line
            if self.process.poll() is not None:
                pytest.fail(f"asl serve exited with {self.process.returncode}:\n{self.stderr()}")
        self.kill()
        pytest.fail(f"asl serve printed nothing in {PATIENCE} s:\n{self.stderr()}")

    def _wait_until_it_answers(self):
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                raw(self.endpoint, "ListActivities", {})
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.kill()
                    pytest.fail(f"asl serve does not answer on {self.endpoint}:\n{self.stderr()}")
                time.sleep(0.05)

    def stderr(self):
        logs = sorted(self.directory.glob("stderr-*.log"))
        return "\n".join(log.read_text(errors="replace") for log in logs)

    def stop(self):
        """SIGTERM, as Ctrl-C or a service manager stops it; SIGKILL if it does not go."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"asl serve did not stop on SIGTERM:\n{self.stderr()}")
        self._close()

    def kill(self):
        """SIGKILL: the process gets no chance to tidy up."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self):
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def client(self, **config):
        """A boto3 Step Functions client for this server."""
        # No retries: an error the server gives is the test's to see, not botocore's to hide.
        # The read timeout is longer than GetActivityTask's 60-second poll.
        settings = {"retries": {"total_max_attempts": 1}, "read_timeout": 90, "connect_timeout": 10}
        settings.update(config)
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(**settings),
        )

    def sync_client(self):
        """A client for StartSyncExecution (and TestState): without the `sync-` host prefix,
        which would send the request to http://sync-127.0.0.1:PORT, a host that does not
        resolve (runtime.md §3.1)."""
        return self.client(inject_host_prefix=False)


@pytest.fixture(scope="session")
def flows_dir(tmp_path_factory):
    """The definition folder the session's server starts with: `hello` (STANDARD) and
    `quick` (EXPRESS, by `--express quick`)."""
    directory = tmp_path_factory.mktemp("flows")
    hello = {
        "Comment": "A definition file: the state machine `hello` from the start",
        "StartAt": "Greet",
        "States": {"Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"}, "End": True}},
    }
    (directory / "hello.asl.json").write_text(json.dumps(hello, indent=2))
    quick = {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"}, "End": True}}}
    (directory / "quick.asl.json").write_text(json.dumps(quick))
    (directory / "notes.txt").write_text("not a definition: the server passes it by")
    return directory


@pytest.fixture(scope="session")
def server(tmp_path_factory, flows_dir):
    """The session's server."""
    server = Server(tmp_path_factory.mktemp("server"), flows=[flows_dir], express=["quick"]).start()
    yield server
    server.stop()


@pytest.fixture
def start_server(tmp_path):
    """Starts servers of the test's own (for restarts); stops them at the end."""
    servers = []

    def start(**options):
        server = Server(tmp_path / f"server-{len(servers)}", **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()


@pytest.fixture(scope="session")
def sfn(server):
    return server.client()


@pytest.fixture(scope="session")
def sfn_sync(server):
    return server.sync_client()


def unique(prefix):
    """A name no other test uses (AWS names: at most 80 characters)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def create_machine(sfn, definition, prefix="sm", machine_type="STANDARD"):
    """Creates a state machine of `definition` (a dict or a string); returns its ARN."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    answer = sfn.create_state_machine(name=unique(prefix), definition=text, roleArn=ROLE, type=machine_type)
    return answer["stateMachineArn"]


def wait_for_end(sfn, execution_arn):
    """DescribeExecution once the execution is no longer RUNNING."""
    deadline = time.monotonic() + PATIENCE
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            pytest.fail(f"{execution_arn} still RUNNING after {PATIENCE} s")
        time.sleep(0.02)


def history(sfn, execution_arn, **options):
    """Every event of an execution's history, page after page."""
    events = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn, **options):
        events.extend(page["events"])
    return events


def wait_for_event(sfn, execution_arn, event_type):
    """The first event of `event_type` in the history, once it is there."""
    deadline = time.monotonic() + PATIENCE
    while True:
        for event in history(sfn, execution_arn):
            if event["type"] == event_type:
                return event
        if time.monotonic() > deadline:
            pytest.fail(f"no {event_type} in the history of {execution_arn} after {PATIENCE} s")
        time.sleep(0.02)


def members(answer):
    """The members of a boto3 answer, without the metadata boto3 adds."""
    return set(answer) - {"ResponseMetadata"}


def error_of(call, *args, **kwargs):
    """Calls and returns the ClientError it must raise."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value


def assert_error(error, code, message=None, status=400):
    """The error's code, HTTP status and (if given) message are AWS's."""
    response = error.response
    assert response["Error"]["Code"] == code, response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status, response
    if message is not None:
        assert response["Error"]["Message"] == message, response


def assert_date(value):
    """A date as boto3 parses AWS's epoch seconds: aware, and not in the 1970s."""
    assert isinstance(value, datetime), value
    assert value.tzinfo is not None, value
    assert value.year >= 2024, value


def raw(endpoint, operation, body, headers=None, target_prefix="AWSStepFunctions."):
    """One request as bytes on the wire, as no SDK would send it: (status, headers, body)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(endpoint + "/", data=data, method="POST")
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    if operation is not None:
        request.add_header("X-Amz-Target", target_prefix + operation)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=PATIENCE) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


class Cli:
    """The aws CLI of this environment, pointed at a server."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.aws = str(Path(sys.executable).parent / "aws")

    def run(self, *args, env=None):
        command = [self.aws, "stepfunctions", *args, "--endpoint-url", self.endpoint, "--output", "json"]
        environment = {**os.environ, **CLIENT_ENV, **(env or {})}
        return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=PATIENCE * 2)

    def __call__(self, *args, env=None):
        """The command's answer, parsed; the test fails if the command does."""
        done = self.run(*args, env=env)
        assert done.returncode == 0, f"aws {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else {}

    def error(self, *args):
        """The CLI's error line for a command that must fail (a service error is exit status
        255 in the CLI v1, 254 in v2)."""
        done = self.run(*args)
        assert done.returncode == 255, f"aws {' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}"
        return done.stderr.strip()


@pytest.fixture(scope="session")
def cli(server):
    return Cli(server.endpoint)
