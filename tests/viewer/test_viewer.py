"""The viewer as a person uses it: the machines, a machine, an execution waiting on a
person's approval answered from the page, a refusal, a stop, a redrive, and an execution
of 10,000 events."""

import json
import time
import urllib.parse
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import PATIENCE, PREFIX, ROLE

APPROVAL = f"{PREFIX}:stateMachine:approval"
ASK = "Ask for approval"


def wait(browser, condition, what):
    """Waits until `condition(browser)` is true; fails with `what` otherwise."""
    try:
        return WebDriverWait(browser, PATIENCE, poll_frequency=0.05).until(lambda b: condition(b))
    except Exception as error:  # a timeout, or the condition's own failure
        raise AssertionError(f"waited {PATIENCE} s for {what}: {error!r}") from None


def script(browser, code, *args):
    return browser.execute_script(code, *args)


def text_of(browser, selector):
    """The text of the first element matching `selector` (read in the page: parts of it
    are redrawn as events come, so a held element can go stale)."""
    return script(browser, "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector)


def node(browser, state):
    """The graph node of `state`: its fate class and what assistive technology reads."""
    return script(browser, """
        const g = document.querySelector(`#execution-graph g.node[data-state="${arguments[0]}"]:not(.join)`);
        return g ? {fate: g.dataset.fate || null, label: g.getAttribute('aria-label')} : null;""", state)


def fate_is(browser, state, fate):
    found = node(browser, state)
    return found is not None and found["fate"] == fate


def status_is(browser, status):
    return status in (text_of(browser, "#exec-status") or "")


def open_page(browser, fragment):
    """Loads the page afresh (a new fragment alone would not reload it)."""
    browser.get("about:blank")
    browser.get(browser.base_url + "/#/" + fragment)


def execution_url(arn):
    return "execution/" + urllib.parse.quote(arn, safe="")


def start_approval(server, refund=250):
    name = "viewer-" + uuid.uuid4().hex[:10]
    started = server.call("StartExecution", {"stateMachineArn": APPROVAL, "name": name, "input": json.dumps({"refund": refund})})
    return started["executionArn"]


def shot(browser, screenshots, name):
    path = screenshots / f"{name}.png"
    browser.save_screenshot(str(path))
    print(f"viewer: screenshot {path}")


def test_the_machines_page_lists_the_state_machines(server, browser, screenshots):
    browser.base_url = server.endpoint
    open_page(browser, "")
    wait(browser, lambda b: b.find_elements(By.LINK_TEXT, "approval"), "the approval machine in the list")
    assert browser.title.startswith("State machines")
    shot(browser, screenshots, "machines")


def test_a_machine_shows_its_graph_definition_and_executions(server, browser, screenshots):
    browser.base_url = server.endpoint
    arn = start_approval(server)
    open_page(browser, "machine/" + urllib.parse.quote(APPROVAL, safe=""))
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f'#machine-graph g.node[data-state="{ASK}"]'), "the graph")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f'#executions a[href$="{urllib.parse.quote(arn, safe="")}"]'),
         "the execution in the list")
    # Filter by status: the running one stays, and goes with SUCCEEDED.
    status = Select(browser.find_element(By.ID, "status-filter"))
    status.select_by_value("SUCCEEDED")
    wait(browser, lambda b: not b.find_elements(By.CSS_SELECTOR, f'#executions a[href$="{urllib.parse.quote(arn, safe="")}"]'),
         "the status filter to hide the running execution")
    status.select_by_value("RUNNING")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f'#executions a[href$="{urllib.parse.quote(arn, safe="")}"]'),
         "the running execution under RUNNING")
    # Search by an exact name: found through DescribeExecution.
    search = browser.find_element(By.ID, "execution-search")
    search.send_keys(arn.rsplit(":", 1)[1])
    wait(browser, lambda b: "Found:" in (text_of(b, "#executions") or "") or "Found:" in b.page_source, "the search")
    # The definition is one keyboard press away.
    tab = browser.find_element(By.XPATH, "//button[@role='tab'][text()='Definition']")
    tab.send_keys(Keys.ENTER)
    assert '"StartAt": "Ask for approval"' in text_of(browser, "pre.definition")
    tab = browser.find_element(By.XPATH, "//button[@role='tab'][text()='Graph']")
    tab.send_keys(Keys.ENTER)
    shot(browser, screenshots, "machine")
    server.call("StopExecution", {"executionArn": arn})


def test_a_person_approves_from_the_page(server, browser, screenshots):
    """The human-approval example done from the browser: the waiting state shows as in
    progress, Approve answers its token, and the page shows SUCCEEDED without a reload."""
    browser.base_url = server.endpoint
    arn = start_approval(server)
    open_page(browser, execution_url(arn))
    wait(browser, lambda b: fate_is(b, ASK, "running"), f"“{ASK}” in progress")
    assert "In progress" in node(browser, ASK)["label"]
    assert status_is(browser, "RUNNING")
    card = f'.token-card[data-state="{ASK}"]'
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, card + ' button[data-action="approve"]'), "the Approve button")
    # The token the card answers is the one in the history's TaskScheduled parameters.
    history = server.call("GetExecutionHistory", {"executionArn": arn})["events"]
    scheduled = next(e for e in history if e["type"] == "TaskScheduled")
    token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Message"]["token"]
    assert browser.find_element(By.CSS_SELECTOR, card).get_attribute("data-token") == token
    shot(browser, screenshots, "execution-waiting")
    # A page that reloads loses this mark.
    script(browser, "window.__notReloaded = true;")
    browser.find_element(By.CSS_SELECTOR, card + ' button[data-action="approve"]').click()
    wait(browser, lambda b: status_is(b, "SUCCEEDED"), "SUCCEEDED on the page")
    assert script(browser, "return window.__notReloaded === true;"), "the page was reloaded"
    wait(browser, lambda b: fate_is(b, "Pay the refund", "succeeded"), "“Pay the refund” succeeded")
    assert fate_is(browser, ASK, "succeeded")
    assert fate_is(browser, "Escalate to a manager", "notreached")
    assert not browser.find_elements(By.CSS_SELECTOR, card), "the answered token is still offered"
    described = server.call("DescribeExecution", {"executionArn": arn})
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["decision"] == {"approved": True}
    # The output shows on the page, as the API gives it.
    assert '"status": "paid"' in text_of(browser, "section.io")
    shot(browser, screenshots, "execution-succeeded")


def test_a_refusal_is_a_caught_error_then_a_redrive(server, browser, screenshots):
    browser.base_url = server.endpoint
    arn = start_approval(server)
    open_page(browser, execution_url(arn))
    card = f'.token-card[data-state="{ASK}"]'
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, card + ' button[data-action="reject"]'), "the Reject button")
    browser.find_element(By.CSS_SELECTOR, card + ' button[data-action="reject"]').click()
    wait(browser, lambda b: status_is(b, "FAILED"), "FAILED on the page")
    # The task's error went to its Catch: caught; the Fail state failed the execution.
    wait(browser, lambda b: fate_is(b, ASK, "caught"), f"“{ASK}” as a caught error")
    wait(browser, lambda b: fate_is(b, "Refused", "failed"), "“Refused” failed")
    assert "Caught error" in node(browser, ASK)["label"]
    assert "RefundRefused" in text_of(browser, "#banner")
    # Select the state from the keyboard: its details show the error it caught.
    graph_node = browser.find_element(By.CSS_SELECTOR, f'#execution-graph g.node[data-state="{ASK}"]')
    graph_node.send_keys(Keys.ENTER)
    wait(browser, lambda b: "Rejected" in (text_of(b, "#step") or ""), "the error in the step details")
    shot(browser, screenshots, "execution-failed")
    browser.find_element(By.ID, "redrive").click()
    wait(browser, lambda b: "Redriven" in (text_of(b, "#summary") or ""), "the redrive on the page")
    # Redriven, it runs the Fail state again (the approval is not asked again) and fails.
    wait(browser, lambda b: status_is(b, "FAILED"), "FAILED again after the redrive")
    assert server.call("DescribeExecution", {"executionArn": arn})["redriveCount"] == 1


def test_a_start_from_the_page_then_a_stop(server, browser, screenshots):
    browser.base_url = server.endpoint
    open_page(browser, "machine/" + urllib.parse.quote(APPROVAL, safe=""))
    wait(browser, lambda b: b.find_elements(By.ID, "start-input"), "the start form")
    name = "started-" + uuid.uuid4().hex[:8]
    browser.find_element(By.ID, "start-name").send_keys(name)
    field = browser.find_element(By.ID, "start-input")
    field.clear()
    field.send_keys('{"refund": 10}')
    field.submit()
    wait(browser, lambda b: b.current_url.endswith(urllib.parse.quote(f"{PREFIX}:execution:approval:{name}", safe="")),
         "the new execution's page")
    wait(browser, lambda b: fate_is(b, ASK, "running"), f"“{ASK}” in progress")
    browser.find_element(By.ID, "stop").click()
    browser.find_element(By.ID, "stop-cause").send_keys("no longer needed")
    browser.find_element(By.ID, "stop-confirm").click()
    wait(browser, lambda b: status_is(b, "ABORTED"), "ABORTED on the page")
    wait(browser, lambda b: fate_is(b, ASK, "cancelled"), f"“{ASK}” cancelled")
    described = server.call("DescribeExecution", {"executionArn": f"{PREFIX}:execution:approval:{name}"})
    assert described["status"] == "ABORTED" and described["cause"] == "no longer needed"


def test_child_executions_are_linked_both_ways(server, browser, screenshots):
    browser.base_url = server.endpoint
    suffix = uuid.uuid4().hex[:8]
    child = {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "Result": "done", "End": True}}}
    child_arn = server.call("CreateStateMachine", {"name": "child-" + suffix, "definition": json.dumps(child), "roleArn": ROLE})["stateMachineArn"]
    parent = {"StartAt": "Start the child", "States": {"Start the child": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": child_arn, "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}},
        "End": True}}}
    parent_arn = server.call("CreateStateMachine", {"name": "parent-" + suffix, "definition": json.dumps(parent), "roleArn": ROLE})["stateMachineArn"]
    arn = server.call("StartExecution", {"stateMachineArn": parent_arn, "name": "p"})["executionArn"]
    open_page(browser, execution_url(arn))
    wait(browser, lambda b: status_is(b, "SUCCEEDED"), "the parent's success")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "a.child-link"), "the link to the child")
    browser.find_element(By.CSS_SELECTOR, "a.child-link").click()
    wait(browser, lambda b: b.find_elements(By.ID, "parent-link"), "the child's link to its parent")
    assert ":execution:child-" in browser.current_url.replace("%3A", ":")
    browser.find_element(By.ID, "parent-link").click()
    wait(browser, lambda b: b.current_url.endswith(urllib.parse.quote(arn, safe="")), "the parent's page again")


# A history as asl-rs records it (AWS's chains): a Map of two items whose processor is a
# Parallel of two branches, then a Task retried once whose error a Catch takes.
# (id, previousEventId, type, state name, iteration index)
NESTED = [
    (1, 0, "ExecutionStarted", None, None), (2, 0, "MapStateEntered", "M", None), (3, 2, "MapStateStarted", None, None),
    (4, 3, "MapIterationStarted", "M", 0), (5, 4, "ParallelStateEntered", "P", None), (6, 5, "ParallelStateStarted", None, None),
    (7, 6, "PassStateEntered", "A", None), (8, 7, "PassStateExited", "A", None), (9, 6, "WaitStateEntered", "B", None),
    (10, 3, "MapIterationStarted", "M", 1), (11, 10, "ParallelStateEntered", "P", None), (12, 11, "ParallelStateStarted", None, None),
    (13, 12, "PassStateEntered", "A", None), (14, 13, "PassStateExited", "A", None), (15, 12, "WaitStateEntered", "B", None),
    (16, 9, "WaitStateExited", "B", None), (17, 16, "PassStateEntered", "B2", None), (18, 17, "PassStateExited", "B2", None),
    (19, 18, "ParallelStateSucceeded", None, None), (20, 18, "ParallelStateExited", "P", None), (21, 20, "MapIterationSucceeded", "M", 0),
    (22, 15, "WaitStateExited", "B", None), (23, 22, "PassStateEntered", "B2", None), (24, 23, "PassStateExited", "B2", None),
    (25, 24, "ParallelStateSucceeded", None, None), (26, 24, "ParallelStateExited", "P", None), (27, 26, "MapIterationSucceeded", "M", 1),
    (28, 27, "MapStateSucceeded", None, None), (29, 27, "MapStateExited", "M", None), (30, 29, "TaskStateEntered", "Child", None),
    (31, 30, "TaskScheduled", None, None), (32, 31, "TaskStarted", None, None), (33, 32, "TaskFailed", None, None),
    (34, 33, "TaskScheduled", None, None), (35, 34, "TaskStarted", None, None), (36, 35, "TaskFailed", None, None),
    (37, 36, "TaskStateExited", "Child", None), (38, 37, "PassStateEntered", "Caught", None), (39, 38, "PassStateExited", "Caught", None),
    (40, 39, "ExecutionSucceeded", None, None),
]


def test_the_history_is_read_as_aws_chains_it(server, browser):
    """Which state and Map iteration each event belongs to, and each state's fate, as the
    page reads them (history.js), from a history with closing events beside the chain."""
    browser.base_url = server.endpoint
    open_page(browser, "")
    wait(browser, lambda b: script(b, "return !!(window.ASL && ASL.History);"), "the page's scripts")
    events = []
    for id, previous, kind, name, index in NESTED:
        member = "stateEnteredEventDetails" if kind.endswith("StateEntered") else \
            "stateExitedEventDetails" if kind.endswith("StateExited") else kind[0].lower() + kind[1:] + "EventDetails"
        details = {}
        if name is not None:
            details["name"] = name
        if index is not None:
            details["index"] = index
        if kind == "TaskFailed":
            details["error"] = "States.TaskFailed"
        event = {"id": id, "previousEventId": previous, "type": kind, "timestamp": 1.0 + id / 1000}
        if details:
            event[member] = details
        events.append(event)
    read = script(browser, """
        const h = new ASL.History();
        h.add(arguments[0]);
        const fates = h.fates('SUCCEEDED', null);
        const one = h.fates('SUCCEEDED', h.scopes.get('/M[1]'));
        return {
          states: h.events.map(e => h.stateOf.get(e.id)),
          scopes: h.events.map(e => h.scopeOf.get(e.id).key),
          fates: Object.fromEntries([...fates].map(([s, f]) => [s, [f.fate, f.counts[f.fate]]])),
          iteration: Object.fromEntries([...one].map(([s, f]) => [s, f.counts[f.fate]])),
          attempts: h.visitsOf('Child', null)[0].attempts.length,
          iterations: h.iterationsOf('M').map(s => s.status),
        };""", events)
    states = dict(zip(range(1, 41), read["states"]))
    scopes = dict(zip(range(1, 41), read["scopes"]))
    # Closing events beside the chain belong to their Parallel or Map, not to the state
    # their previousEventId names.
    assert states[19] == "P" and states[25] == "P", states
    assert states[28] == "M" and states[29] == "M", states
    assert states[31] == "Child" and states[40] is None, states
    # Iterations: the events inside each, and the Map's own events outside.
    assert scopes[7] == "/M[0]" and scopes[17] == "/M[0]" and scopes[23] == "/M[1]", scopes
    assert scopes[21] == "" and scopes[27] == "" and scopes[29] == "" and scopes[30] == "", scopes
    assert read["fates"] == {"M": ["succeeded", 1], "P": ["succeeded", 2], "A": ["succeeded", 2], "B": ["succeeded", 2],
                             "B2": ["succeeded", 2], "Child": ["caught", 1], "Caught": ["succeeded", 1]}, read["fates"]
    assert read["iteration"]["A"] == 1 and read["iteration"]["M"] == 1, read["iteration"]
    assert read["attempts"] == 2
    assert read["iterations"] == ["succeeded", "succeeded"]


def large_definition():
    # A Map of 1,000 iterations of four Pass states: 10 events each, 10,006 in all.
    processor = {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Pass", "Next": "D"}, "D": {"Type": "Pass", "End": True}}}
    return {"Comment": "A Map of 1,000 iterations", "StartAt": "Each",
            "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "End": True}}}


def test_an_execution_of_ten_thousand_events_stays_usable(server, browser, screenshots):
    browser.base_url = server.endpoint
    name = "large-" + uuid.uuid4().hex[:8]
    machine = server.call("CreateStateMachine", {"name": name, "definition": json.dumps(large_definition()), "roleArn": ROLE})
    started = server.call("StartExecution", {"stateMachineArn": machine["stateMachineArn"], "name": "big",
                                             "input": json.dumps({"items": list(range(1000))})})
    arn = started["executionArn"]
    deadline = time.monotonic() + PATIENCE
    while server.call("DescribeExecution", {"executionArn": arn})["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the large execution did not end"
        time.sleep(0.05)
    count = 0
    token = None
    while True:
        page = server.call("GetExecutionHistory", {"executionArn": arn, "maxResults": 1000, **({"nextToken": token} if token else {})})
        count += len(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    assert count >= 10_000, count

    open_page(browser, execution_url(arn))
    wait(browser, lambda b: script(b, "return window.ASL && ASL.metrics.allEvents && ASL.metrics.graph && ASL.metrics.eventCount;"),
         "every event and the graph on the page")
    metrics = script(browser, "return ASL.metrics;")
    navigation = script(browser, "const n = performance.getEntriesByType('navigation')[0]; return n ? n.domContentLoadedEventEnd : null;")
    assert metrics["eventCount"] == count
    print(f"viewer: time to first render of an execution of {count} events: {metrics['allEvents']:.0f} ms after navigation "
          f"(page ready {navigation:.0f} ms, graph {metrics['graph']:.0f} ms, first events drawn {metrics['firstEvents']:.0f} ms, "
          f"all {count} drawn {metrics['allEvents']:.0f} ms)")
    # Virtual: a page of rows exists, not ten thousand.
    rows = script(browser, "return document.querySelectorAll('.vt-item').length;")
    assert 0 < rows < 100, rows
    assert f"({count})" in text_of(browser, "#events-title")
    # Every state of the processor ran 1,000 times and succeeded.
    for state in "ABCD":
        found = node(browser, state)
        assert found["fate"] == "succeeded" and "1000 succeeded" in found["label"], found
    # The last row is reachable: scroll to the end of the table.
    script(browser, "const t = document.querySelector('.vt'); t.scrollTop = t.scrollHeight;")
    wait(browser, lambda b: script(b, f"return [...document.querySelectorAll('.vt-row > div:first-child')].some(c => c.textContent === '{count}');"),
         "the last event's row")
    # One iteration of the 1,000, chosen from the list.
    choice = browser.find_element(By.ID, "iteration")
    script(browser, "arguments[0].value = arguments[0].querySelector('option[value$=\"[999]\"]').value; arguments[0].dispatchEvent(new Event('change'));", choice)
    browser.find_element(By.CSS_SELECTOR, '#execution-graph g.node[data-state="C"]').click()
    wait(browser, lambda b: "Each[999]" in (text_of(b, "#step") or ""), "iteration 999's details")
    assert "999" in text_of(browser, "#step")
    script(browser, "window.scrollTo(0, 0);")
    shot(browser, screenshots, "large-execution")
