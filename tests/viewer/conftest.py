"""The viewer in a real browser: `asl serve` with the human-approval example, and Debian's
headless Chromium driven by Selenium through its chromedriver.

The server is the binary `ASL_BIN` names (tests/tests/viewer.rs sets it to the one Cargo
built), on a free loopback port, with its SQLite store in a temporary directory. The
browser runs headless at 1280×800. Screenshots go to `ASL_SCREENSHOTS` (target/… when run
by Cargo; not committed). Figures are printed on lines that start with `viewer:`.
"""

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

REGION = "us-east-1"
ACCOUNT = "123456789012"
PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/asl-tests"
WORKSPACE = Path(__file__).resolve().parents[2]

# How long a test waits for something that should happen before it fails rather than hangs.
# Not a measure of speed: nothing is asserted about how long things take.
PATIENCE = 60.0


def binary():
    path = os.environ.get("ASL_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.exit("ASL_BIN must name the `asl` binary to serve the API with", returncode=4)
    return os.path.abspath(path)


def api(endpoint, operation, body):
    """One API call, as the page makes it: the answer's JSON, or an AssertionError."""
    request = urllib.request.Request(endpoint + "/", data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    request.add_header("X-Amz-Target", "AWSStepFunctions." + operation)
    try:
        with urllib.request.urlopen(request, timeout=PATIENCE) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{operation} {body}: {error.code} {error.read()!r}") from None


class Server:
    """`asl serve --db … examples/approval/flows` on a port of its own."""

    def __init__(self, directory):
        self.directory = Path(directory)
        log = open(self.directory / "stderr.log", "wb")
        flows = WORKSPACE / "examples" / "approval" / "flows"
        command = [binary(), "serve", "--listen", "127.0.0.1:0", "--db", str(self.directory / "asl.db"), str(flows)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, cwd=self.directory)
        line = self.process.stdout.readline().decode(errors="replace")
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not match:
            self.stop()
            pytest.fail(f"asl serve did not say where it listens: {line!r}\n{self.stderr()}")
        self.endpoint = match.group(1)
        # The second line names the viewer's address.
        viewer = self.process.stdout.readline().decode(errors="replace")
        assert f"the viewer is at {self.endpoint}/" in viewer, viewer

    def call(self, operation, body):
        return api(self.endpoint, operation, body)

    def stderr(self):
        return (self.directory / "stderr.log").read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("viewer-server"))
    yield server
    server.stop()


def chromium_paths():
    """Debian's Chromium and its driver (`apt-get install chromium chromium-driver`)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail("headless Chromium is missing: apt-get install -y chromium chromium-driver (.ci/run does)")
    return browser, driver


@pytest.fixture(scope="session")
def browser():
    path, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = path
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-extensions", "--no-first-run", "--window-size=1280,800"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    # The page as a 1280×800 screen shows it (the window's own frame does not count).
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    driver.set_page_load_timeout(PATIENCE)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshots():
    directory = Path(os.environ.get("ASL_SCREENSHOTS") or (WORKSPACE / "target" / "viewer-screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(autouse=True)
def no_script_errors(browser):
    """No test may leave an error in the page's console."""
    browser.get_log("browser")  # what earlier tests left
    yield
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"the page logged errors: {errors}"
