// Reading an execution's history: which state each event belongs to, in which Map
// iteration, what became of each state (its fate), its input, output, errors and retries,
// and the task tokens it waits on. Plain data, no DOM; events are added as they arrive
// (in id order), each in constant time, so 10,000 events cost one pass.
//
// How events are tied together (AWS's rules, which asl-rs records):
// - `previousEventId` links each event to the one before it in its own chain: inside a
//   Map iteration or a Parallel branch, to that iteration's or branch's previous event;
// - a Map iteration begins with `MapIterationStarted` (its Map state's name and index) and
//   ends with `MapIteration{Succeeded,Failed,Aborted}`: events that chain from the end are
//   the Map's again;
// - closing events recorded beside the chain (`ParallelStateSucceeded`, `MapStateFailed`…)
//   link to the last event of a branch or iteration, so their state is found through the
//   container that state is in (learned as states are entered).
"use strict";

(function () {
  const ASL = window.ASL;

  /** Events that belong to their Map or Parallel state itself (not to a state inside it). */
  const OWN = new Set(["ParallelStateStarted", "MapStateStarted", "MapIterationStarted", "MapIterationSucceeded",
    "MapIterationFailed", "MapIterationAborted", "MapRunStarted", "MapRunSucceeded", "MapRunFailed", "MapRunAborted"]);
  /** Closing events of a Parallel or Map state, recorded beside the chain. */
  const CLOSERS = new Set(["ParallelStateSucceeded", "ParallelStateFailed", "MapStateSucceeded", "MapStateFailed"]);
  /** Events after which the following events are in the iteration's parent again. */
  const ITERATION_END = new Set(["MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"]);
  /** Failures of a state's work: followed by a retry, a catch, or the execution's failure. */
  const FAILURES = new Set(["TaskFailed", "TaskTimedOut", "ActivityFailed", "ActivityTimedOut", "LambdaFunctionFailed",
    "LambdaFunctionTimedOut", "ParallelStateFailed", "MapStateFailed", "EvaluationFailed", "MapRunFailed"]);
  /** Attempts of a state's work begin with one of these. */
  const SCHEDULED = new Set(["TaskScheduled", "ActivityScheduled", "LambdaFunctionScheduled"]);
  /** …and end with one of these (or a failure). */
  const SUCCESSES = new Set(["TaskSucceeded", "ActivitySucceeded", "LambdaFunctionSucceeded"]);
  const EXECUTION_END = new Set(["ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"]);

  /** The details member of an event (`stateEnteredEventDetails`…), or {}. */
  function details(event) {
    for (const key in event) {
      if (key.endsWith("EventDetails")) return event[key] || {};
    }
    return {};
  }

  /** A Map iteration, or the execution itself (the root, key ""). */
  class Scope {
    constructor(parent, map, index) {
      this.parent = parent;
      this.map = map; // the Map state's name (null at the root)
      this.index = index;
      this.key = parent ? parent.key + "/" + map + "[" + index + "]" : "";
      this.status = "running"; // of an iteration: running, succeeded, failed, cancelled
      this.depth = parent ? parent.depth + 1 : 0;
    }
  }

  /** One entry into a state, with what happened until it left. */
  class Visit {
    constructor(state, scope, entered) {
      this.state = state;
      this.scope = scope;
      this.entered = entered; // the event
      this.exited = null;
      this.events = [entered.id];
      this.attempts = []; // {scheduled, started, outcome (event), token}
      this.failures = []; // failure events
      this.aborted = false;
      this.failedState = false; // a Fail state: it never exits
    }
    /** The last attempt did not succeed, and a failure was recorded. */
    lastFailed() {
      if (!this.failures.length) return false;
      const last = this.attempts[this.attempts.length - 1];
      if (!last) return true;
      return !last.outcome || FAILURES.has(last.outcome.type) || this.failures[this.failures.length - 1].id > last.outcome.id;
    }
  }

  class History {
    constructor() {
      this.events = []; // in id order
      this.byId = new Map();
      this.stateOf = new Map(); // event id → state name (null: the execution's)
      this.scopeAfter = new Map(); // event id → the scope the next event of its chain is in
      this.scopeOf = new Map(); // event id → the scope it is shown in
      this.containerOf = new Map(); // state name → the Parallel or Map state it is in (null: top level)
      this.root = new Scope(null, null, null);
      this.scopes = new Map([["", this.root]]);
      this.visits = new Map(); // scope key + "\u0000" + state → [Visit]
      this.visitOf = new Map(); // event id → its Visit
      this.stateNames = new Set();
      this.iterations = new Map(); // scope key + "\u0000" + Map name → [Scope] by index
      this.children = []; // {arn, state, eventId}: executions this one started
      this.ended = null; // the execution's ending event
      this.start = null; // ExecutionStarted
      this.version = 0; // counts additions (for redraws)
    }

    get length() {
      return this.events.length;
    }

    /** Adds events (in id order; ids already seen are skipped). */
    add(events) {
      for (const event of events) {
        if (this.byId.has(event.id)) continue;
        this.addOne(event);
      }
      this.version++;
    }

    addOne(event) {
      const d = details(event);
      const type = event.type;
      const prev = this.byId.get(event.previousEventId);
      this.events.push(event);
      this.byId.set(event.id, event);

      // The scope (Map iteration) the event is in.
      const before = prev ? this.scopeAfter.get(prev.id) || this.root : this.root;
      let shown = before;
      let after = before;
      if (type === "MapIterationStarted") {
        const scope = new Scope(before, d.name, d.index);
        this.scopes.set(scope.key, scope);
        const list = this.listOf(this.iterations, before.key + "\u0000" + d.name);
        list[d.index] = scope;
        after = scope;
      } else if (ITERATION_END.has(type)) {
        let scope = before;
        while (scope.parent && !(scope.map === d.name && scope.index === d.index)) scope = scope.parent;
        if (scope.parent) {
          scope.status = type === "MapIterationSucceeded" ? "succeeded" : type === "MapIterationFailed" ? "failed" : "cancelled";
          shown = after = scope.parent;
        }
      } else if (type === "ExecutionStarted" || type === "ExecutionRedriven" || EXECUTION_END.has(type)) {
        shown = after = this.root;
      }
      this.scopeOf.set(event.id, shown);
      this.scopeAfter.set(event.id, after);

      // The state it belongs to.
      let state;
      if (type.endsWith("StateEntered") || type.endsWith("StateExited") || type.startsWith("MapIteration")) {
        state = d.name || null;
      } else if (type.startsWith("Execution")) {
        state = null;
      } else if (CLOSERS.has(type)) {
        const inner = prev ? this.stateOf.get(prev.id) : null;
        state = prev && OWN.has(prev.type) ? inner : inner ? this.containerOf.get(inner) || null : null;
      } else {
        state = prev ? this.stateOf.get(prev.id) || null : null;
      }
      this.stateOf.set(event.id, state);

      if (type === "ExecutionStarted") this.start = event;
      if (EXECUTION_END.has(type)) this.ended = event;
      if (type === "ExecutionRedriven") this.ended = null;

      if (type.endsWith("StateEntered") && state) {
        if (!this.containerOf.has(state)) {
          const holder = prev && (prev.type === "ParallelStateStarted" || prev.type === "MapIterationStarted")
            ? this.stateOf.get(prev.id)
            : prev ? this.containerOf.get(this.stateOf.get(prev.id)) || null : null;
          this.containerOf.set(state, holder || null);
        }
        this.stateNames.add(state);
        const visit = new Visit(state, shown, event);
        if (type === "FailStateEntered") visit.failedState = true;
        this.listOf(this.visits, shown.key + "\u0000" + state).push(visit);
        this.visitOf.set(event.id, visit);
        return;
      }
      // Every other event of a state joins the state's latest visit in its scope.
      if (!state) return;
      const visits = this.visits.get(shown.key + "\u0000" + state);
      const visit = visits && visits[visits.length - 1];
      if (!visit) return;
      this.visitOf.set(event.id, visit);
      visit.events.push(event.id);
      if (type.endsWith("StateExited")) visit.exited = event;
      else if (type.endsWith("StateAborted")) visit.aborted = true;
      else if (SCHEDULED.has(type)) {
        visit.attempts.push({ scheduled: event, started: null, submitted: null, outcome: null, token: tokenIn(d) });
      } else if (type === "TaskStarted" || type === "ActivityStarted" || type === "LambdaFunctionStarted") {
        const attempt = visit.attempts[visit.attempts.length - 1];
        if (attempt) attempt.started = event;
      } else if (type === "TaskSubmitted") {
        const attempt = visit.attempts[visit.attempts.length - 1];
        if (attempt) attempt.submitted = event;
        this.noteChild(d.output, state, event.id);
      } else if (SUCCESSES.has(type)) {
        const attempt = visit.attempts[visit.attempts.length - 1];
        if (attempt) attempt.outcome = event;
        this.noteChild(d.output, state, event.id);
      }
      if (FAILURES.has(type)) {
        visit.failures.push(event);
        // A child execution that failed is named in the cause (its DescribeExecution).
        if (d.resourceType === "states") this.noteChild(d.cause, state, event.id);
        const attempt = visit.attempts[visit.attempts.length - 1];
        if (attempt && !attempt.outcome && (type.startsWith("Task") || type.startsWith("Activity") || type.startsWith("Lambda"))) attempt.outcome = event;
      }
    }

    listOf(map, key) {
      let list = map.get(key);
      if (!list) map.set(key, (list = []));
      return list;
    }

    /** A child execution named in a Task's output (`states:startExecution`). */
    noteChild(output, state, eventId) {
      if (!output || output.indexOf("xecutionArn") < 0) return;
      try {
        const value = JSON.parse(output);
        const arn = value.ExecutionArn || value.executionArn;
        if (typeof arn === "string" && !this.children.some((c) => c.arn === arn)) this.children.push({ arn, state, eventId });
      } catch (_) {
        /* not JSON: no child */
      }
    }

    /** The execution this one was started by: AWS's convention is the parent's ARN under
     *  `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` in the child's input. */
    parent() {
      const input = this.start && details(this.start).input;
      if (!input || input.indexOf("AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID") < 0) return null;
      try {
        const arn = JSON.parse(input).AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID;
        return typeof arn === "string" ? arn : null;
      } catch (_) {
        return null;
      }
    }

    /** The fate of one visit, given the execution's status (RUNNING, FAILED…). */
    fateOfVisit(visit, status) {
      if (visit.failedState) return "failed";
      if (visit.aborted) return "cancelled";
      if (visit.exited) return visit.lastFailed() ? "caught" : "succeeded";
      if (status === "RUNNING" || !status) {
        // Still in it, unless its iteration or the execution already ended around it.
        if (visit.scope.parent && visit.scope.status !== "running") return visit.scope.status === "failed" ? "failed" : "cancelled";
        return "running";
      }
      if (status === "ABORTED") return "cancelled";
      return "failed";
    }

    /** Whether a visit's scope is `scope` or inside it, or holds it. */
    static inScope(visitScope, scope) {
      if (!scope) return true;
      const a = visitScope.key;
      const b = scope.key;
      return a === b || a.startsWith(b + "/") || b.startsWith(a + "/") || a === "";
    }

    /** Each state's fate within `scope` (null: every iteration), with counts by fate:
     *  Map → state → {fate, counts: {fate: n}, visits}. The fate shown is the most
     *  pressing: failed, in progress, caught error, cancelled, succeeded. */
    fates(status, scope) {
      const order = ["failed", "running", "caught", "cancelled", "succeeded"];
      const result = new Map();
      for (const [key, visits] of this.visits) {
        const last = visits[visits.length - 1];
        if (!History.inScope(last.scope, scope)) continue;
        const state = key.slice(key.indexOf("\u0000") + 1);
        let entry = result.get(state);
        if (!entry) result.set(state, (entry = { fate: null, counts: {}, visits: 0 }));
        const fate = this.fateOfVisit(last, status);
        entry.counts[fate] = (entry.counts[fate] || 0) + 1;
        entry.visits += visits.length;
        if (entry.fate === null || order.indexOf(fate) < order.indexOf(entry.fate)) entry.fate = fate;
      }
      return result;
    }

    /** Every visit of `state` (in `scope`, or all), oldest first. */
    visitsOf(state, scope) {
      const out = [];
      for (const [key, visits] of this.visits) {
        if (key.slice(key.indexOf("\u0000") + 1) !== state) continue;
        for (const visit of visits) if (History.inScope(visit.scope, scope)) out.push(visit);
      }
      out.sort((a, b) => a.entered.id - b.entered.id);
      return out;
    }

    /** The iterations of Map state `map` (in every scope it ran in), by scope key. */
    iterationsOf(map) {
      const out = [];
      for (const [key, list] of this.iterations) {
        if (key.slice(key.indexOf("\u0000") + 1) === map) out.push(...list.filter(Boolean));
      }
      return out;
    }

    /** The task tokens the execution waits on: the last attempt of each open visit whose
     *  Task is `.waitForTaskToken` and whose token is in its parameters. */
    waitingTokens(status) {
      if (status && status !== "RUNNING") return [];
      const out = [];
      for (const visits of this.visits.values()) {
        const visit = visits[visits.length - 1];
        if (visit.exited || visit.aborted || visit.failedState) continue;
        if (visit.scope.parent && visit.scope.status !== "running") continue;
        const attempt = visit.attempts[visit.attempts.length - 1];
        if (!attempt || attempt.outcome) continue;
        const d = details(attempt.scheduled);
        const resource = String(d.resource || "");
        if (attempt.scheduled.type === "ActivityScheduled") {
          out.push({ visit, attempt, activity: resource, token: null });
        } else if (resource.endsWith(".waitForTaskToken")) {
          out.push({ visit, attempt, resource: (d.resourceType ? d.resourceType + ":" : "") + resource, token: attempt.token });
        }
      }
      return out;
    }
  }

  /** A task token in a Task's parameters: a 64-digit hexadecimal string, preferably under a
   *  key that says "token" (where `$$.Task.Token` was put). */
  function tokenIn(d) {
    if (!d.parameters || typeof d.parameters !== "string") return null;
    let value;
    try {
      value = JSON.parse(d.parameters);
    } catch (_) {
      return null;
    }
    let named = null;
    let any = null;
    const looks = (s) => typeof s === "string" && /^[0-9a-f]{64}$/i.test(s);
    const walk = (v, key, depth) => {
      if (depth > 12 || named) return;
      if (looks(v)) {
        if (/token/i.test(key || "")) named = v;
        else if (!any) any = v;
      } else if (Array.isArray(v)) v.forEach((x) => walk(x, key, depth + 1));
      else if (v && typeof v === "object") for (const k of Object.keys(v)) walk(v[k], k, depth + 1);
    };
    walk(value, "", 0);
    return named || any;
  }

  ASL.History = History;
  ASL.details = details;
  ASL.tokenIn = tokenIn;
})();
