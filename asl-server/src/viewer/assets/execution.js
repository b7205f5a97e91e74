// The execution page: its summary, the graph coloured by each state's fate, the task
// tokens it waits on (Approve / Reject), the selected state's details, and the event
// table, all kept up to date from /viewer/events while the execution runs.
"use strict";

(function () {
  const ASL = window.ASL;
  const h = ASL.h;
  const FATE = ASL.FATE;

  /** What the execution page measured (read by the browser test): milliseconds since the
   *  page was loaded, at which the graph, the first events and all events were drawn. */
  ASL.metrics = {};

  const ENDED = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);
  const REDRIVABLE = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);
  const END_STATUS = { ExecutionSucceeded: "SUCCEEDED", ExecutionFailed: "FAILED", ExecutionTimedOut: "TIMED_OUT", ExecutionAborted: "ABORTED" };
  const FAILURE_TYPE = /Failed$|TimedOut$|Aborted$/;
  const SUCCESS_TYPE = /Succeeded$/;

  ASL.executionPage = async function executionPage(main, arn, token) {
    ASL.metrics = {};
    const page = new ExecutionPage(main, arn, token);
    await page.open();
  };

  class ExecutionPage {
    constructor(main, arn, token) {
      this.main = main;
      this.arn = arn;
      this.token = token;
      this.history = new ASL.History();
      this.description = null;
      this.drawing = null; // {graph, layout, svg}
      this.svg = null;
      this.selected = null; // a state name
      this.scope = null; // a Map iteration (History Scope), or null for all
      this.visitChoice = null; // the entered event id of the visit shown, or null: the latest
      this.stream = null;
      this.frame = 0;
      this.tokenCards = new Map();
    }

    get status() {
      return this.description ? this.description.status : "RUNNING";
    }

    async open() {
      this.description = await ASL.api("DescribeExecution", { executionArn: this.arn });
      if (ASL.current !== this.token) return;
      const d = this.description;
      ASL.crumbs({ text: "State machines", href: ASL.link.machines() },
        { text: ASL.nameOf(d.stateMachineArn), href: ASL.link.machine(d.stateMachineArn) }, { text: d.name });
      document.title = d.name + " · " + ASL.nameOf(d.stateMachineArn) + " · asl-rs";
      this.build();
      ASL.onLeave(() => this.close());
      const graphArn = d.stateMachineVersionArn || d.stateMachineArn;
      ASL.getJson("/viewer/graph?stateMachineArn=" + encodeURIComponent(graphArn))
        .then((drawing) => this.showDrawing(drawing))
        .catch((error) => ASL.fill(this.graphBox, h("p", { class: "field-error", style: "padding:12px" }, "No graph: " + error.message)));
      this.openStream();
      this.renderSummary();
    }

    close() {
      if (this.stream) this.stream.close();
      this.stream = null;
      cancelAnimationFrame(this.frame);
    }

    // -------------------------------------------------------------------------------------
    // The page's frame.

    build() {
      this.summary = h("section", { class: "panel", id: "summary", "aria-label": "Execution" });
      this.banner = h("div", { id: "banner" });
      this.tokensBox = h("section", { id: "tokens", "aria-label": "Task tokens waited on" });
      this.graphBox = h("div", { class: "graph-box", id: "execution-graph" }, h("p", { class: "muted", style: "padding:12px" }, "Drawing…"));
      this.graphTools = h("div", { class: "actions" });
      this.scopeBox = h("div", { class: "iterations" });
      this.stepBox = h("section", { class: "panel", id: "step", "aria-live": "polite", "aria-label": "Selected state" },
        h("h2", {}, "Step details"), h("p", { class: "muted" }, "Select a state in the graph (click it, or Tab to it and press Enter)."));
      this.io = h("section", { class: "panel io", "aria-label": "Execution input and output" });
      this.table = new ASL.VirtualTable({
        label: "Execution events",
        rowHeight: 30,
        empty: "No events yet.",
        columns: [{ label: "ID" }, { label: "Type" }, { label: "Step" }, { label: "Started after" }, { label: "Details" }],
        cells: (i) => this.cells(i),
        detail: (i) => this.eventDetail(i),
      });
      this.eventCount = h("span", { class: "muted small" });
      const legend = h("ul", { class: "legend", "aria-label": "Legend" },
        ["running", "succeeded", "failed", "caught", "cancelled", "notreached"].map((fate) => h("li", {}, ASL.fatePill(fate))));
      ASL.fill(this.main,
        this.summary,
        this.banner,
        this.tokensBox,
        h("div", { class: "cols" },
          h("section", { class: "panel", "aria-labelledby": "graph-title" },
            h("h2", { id: "graph-title" }, "Graph"),
            h("div", { class: "toolbar" }, this.scopeBox, h("span", { class: "spacer" }), this.graphTools),
            this.graphBox, legend),
          this.stepBox),
        this.io,
        h("section", { class: "panel", "aria-labelledby": "events-title" },
          h("h2", { id: "events-title" }, "Events ", this.eventCount),
          this.table.el));
      this.table.setCount(0);
    }

    // -------------------------------------------------------------------------------------
    // The live stream.

    openStream() {
      if (this.stream) this.stream.close();
      const last = this.history.length ? this.history.events[this.history.length - 1].id : 0;
      const url = "/viewer/events?executionArn=" + encodeURIComponent(this.arn) + "&after=" + last;
      const stream = new EventSource(url);
      this.stream = stream;
      ASL.setLive("● Live");
      stream.addEventListener("events", (message) => {
        const events = JSON.parse(message.data);
        this.history.add(events);
        const end = this.history.ended;
        if (end && END_STATUS[end.type] && this.description && this.description.status === "RUNNING") {
          // The end is in the history: say so now (the API says the rest once the stream
          // ends, and says the same).
          const d = ASL.details(end);
          this.description.status = END_STATUS[end.type];
          if (d.error !== undefined) this.description.error = d.error;
          if (d.cause !== undefined) this.description.cause = d.cause;
          if (d.output !== undefined) this.description.output = d.output;
        }
        if (!ASL.metrics.firstEvents) ASL.metrics.firstEventsReceived = performance.now();
        this.schedule();
      });
      stream.addEventListener("end", async () => {
        stream.close();
        if (this.stream === stream) this.stream = null;
        ASL.setLive("Ended");
        ASL.metrics.endReceived = performance.now();
        await this.refresh();
        this.schedule(true);
      });
      stream.addEventListener("problem", (message) => {
        stream.close();
        ASL.setLive("Not live");
        ASL.toast(JSON.parse(message.data).message, true);
      });
      stream.addEventListener("open", () => ASL.setLive("● Live"));
      stream.addEventListener("error", () => {
        if (stream.readyState !== EventSource.CLOSED) ASL.setLive("Reconnecting…");
      });
    }

    async refresh() {
      try {
        this.description = await ASL.api("DescribeExecution", { executionArn: this.arn });
      } catch (error) {
        ASL.toast(error.message, true);
      }
      this.schedule();
    }

    /** Draws what changed, once per animation frame however many messages came. */
    schedule(ended) {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        if (ASL.current !== this.token) return;
        this.render();
        if (!ASL.metrics.firstEvents && this.history.length) ASL.metrics.firstEvents = performance.now();
        if (ended || (this.history.ended && !this.stream)) {
          ASL.metrics.allEvents = ASL.metrics.allEvents || performance.now();
          ASL.metrics.eventCount = this.history.length;
        }
      });
    }

    render() {
      this.renderSummary();
      this.renderIo();
      this.renderTokens();
      this.renderScopes();
      this.paintGraph();
      this.renderStep();
      this.eventCount.textContent = `(${this.history.length})`;
      this.table.setCount(this.history.length);
    }

    // -------------------------------------------------------------------------------------
    // Summary, banner, input and output.

    renderSummary() {
      const d = this.description;
      const start = d.startDate;
      const end = d.stopDate;
      const transitions = this.history.events.reduce((n, e) => n + (e.type.endsWith("StateEntered") ? 1 : 0), 0);
      const parent = this.history.parent();
      const children = this.history.children;
      // Drawn again only when something it shows changed (a redraw would take the focus
      // from its buttons); a running execution's duration is refreshed every few seconds.
      const key = [d.status, d.stopDate, d.error, d.cause, d.redriveCount, transitions, parent, children.length, !!this.stopBox,
        d.status === "RUNNING" ? Math.floor(Date.now() / 5000) : 0].join("|");
      if (key === this.summaryKey) return;
      this.summaryKey = key;
      const actions = h("div", { class: "actions" });
      if (d.status === "RUNNING") actions.append(h("button", { type: "button", class: "danger", id: "stop", onclick: () => this.stopForm() }, "Stop execution"));
      if (REDRIVABLE.has(d.status)) actions.append(h("button", { type: "button", id: "redrive", onclick: () => this.redrive() }, "Redrive"));
      const machineLink = h("a", { href: ASL.link.machine(d.stateMachineArn) }, ASL.nameOf(d.stateMachineArn));
      ASL.fill(this.summary,
        h("div", { class: "row" },
          h("div", { class: "grow" },
            h("h1", {}, d.name, " ", h("span", { id: "exec-status" }, ASL.statusPill(d.status, true))),
            h("div", { class: "mono small muted" }, d.executionArn)),
          actions),
        h("div", { class: "facts-row" },
          ASL.fact("State machine", machineLink),
          d.stateMachineVersionArn ? ASL.fact("Version", ASL.nameOf(d.stateMachineVersionArn)) : null,
          ASL.fact("Started", ASL.date(start)),
          ASL.fact("Ended", end ? ASL.date(end) : "—"),
          ASL.fact("Duration", end ? ASL.duration(end - start) : "running for " + ASL.duration(Date.now() / 1000 - start)),
          ASL.fact("State transitions", String(transitions)),
          d.redriveCount ? ASL.fact("Redriven", `${d.redriveCount} time(s), last ${ASL.date(d.redriveDate)}`) : null,
          parent ? ASL.fact("Started by", h("a", { href: ASL.link.execution(parent), id: "parent-link" }, ASL.nameOf(parent))) : null,
          children.length ? ASL.fact("Started", h("span", {}, children.slice(0, 20).map((c, i) =>
            h("span", {}, i ? ", " : "", h("a", { href: ASL.link.execution(c.arn), class: "child-link" }, ASL.nameOf(c.arn)), h("span", { class: "muted" }, ` (by ${c.state})`))),
            children.length > 20 ? ` and ${children.length - 20} more` : "")) : null));
      ASL.fill(this.banner);
      if (d.status === "FAILED" || d.status === "TIMED_OUT" || d.status === "ABORTED") {
        const failing = this.failingState();
        this.banner.append(h("div", { class: "banner failed", role: "alert" },
          h("h2", {}, ASL.statusPill(d.status), " ", d.error || "(no error name)"),
          d.cause ? h("pre", { class: "json" }, ASL.pretty(d.cause)) : null,
          failing ? h("p", {}, h("button", { type: "button", onclick: () => this.select(failing) }, `Show step “${failing}”`)) : null));
      }
      if (this.stopBox) this.summary.append(this.stopBox);
    }

    failingState() {
      const fates = this.history.fates(this.status, null);
      let found = null;
      for (const [state, entry] of fates) if (entry.fate === "failed") found = state;
      return found;
    }

    renderIo() {
      const d = this.description;
      const output = d.status === "SUCCEEDED" ? d.output : null;
      const key = d.status + (output ? output.length : 0);
      if (this.ioKey === key) return;
      this.ioKey = key;
      ASL.fill(this.io,
        h("div", {}, h("h2", {}, "Input"), ASL.jsonBlock(d.input, "Execution input")),
        h("div", {}, h("h2", {}, "Output"), output !== null && output !== undefined ? ASL.jsonBlock(output, "Execution output") :
          h("p", { class: "muted" }, d.status === "RUNNING" ? "Not yet: the execution is running." : "None: the execution did not succeed.")));
    }

    stopForm() {
      if (this.stopBox) {
        this.stopBox.remove();
        this.stopBox = null;
        return;
      }
      const error = h("input", { type: "text", id: "stop-error", placeholder: "(none)" });
      const cause = h("input", { type: "text", id: "stop-cause", placeholder: "(none)", style: "width:100%" });
      const confirm = h("button", { type: "submit", class: "danger", id: "stop-confirm" }, "Stop it");
      const form = h("form", { class: "banner info", "aria-label": "Stop the execution" },
        h("p", {}, "Stopping ends the execution as ABORTED; its running states are cancelled."),
        h("label", { for: "stop-error" }, "Error"), error, h("label", { for: "stop-cause" }, "Cause"), cause,
        h("div", { class: "actions", style: "margin-top:8px" }, confirm, h("button", { type: "button", onclick: () => this.stopForm() }, "Cancel")));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = { executionArn: this.arn };
        if (error.value) body.error = error.value;
        if (cause.value) body.cause = cause.value;
        confirm.disabled = true;
        try {
          await ASL.api("StopExecution", body);
          ASL.toast("Stopped.");
          this.stopBox = null;
          await this.refresh();
        } catch (e) {
          ASL.toast(e.code + ": " + e.message, true);
          confirm.disabled = false;
        }
      });
      this.stopBox = form;
      this.summary.append(form);
      error.focus();
    }

    async redrive() {
      try {
        await ASL.api("RedriveExecution", { executionArn: this.arn });
        ASL.toast("Redriven: the execution goes on from where it failed.");
        await this.refresh();
        this.openStream();
      } catch (e) {
        ASL.toast(e.code + ": " + e.message, true);
      }
    }

    // -------------------------------------------------------------------------------------
    // Task tokens: one card per token, kept while it is waited on (a redraw does not touch
    // a card, so what a person types in it stays).

    renderTokens() {
      const waiting = this.history.waitingTokens(this.status);
      const keys = new Set();
      for (const wait of waiting) {
        const key = String(wait.attempt.scheduled.id);
        keys.add(key);
        if (!this.tokenCards.has(key)) {
          const card = this.tokenCard(wait);
          this.tokenCards.set(key, card);
          this.tokensBox.append(card);
        }
      }
      for (const [key, card] of this.tokenCards) {
        if (!keys.has(key)) {
          card.remove();
          this.tokenCards.delete(key);
        }
      }
    }

    tokenCard(wait) {
      const { visit, attempt } = wait;
      const where = visit.scope.parent ? ` (${visit.scope.map} iteration ${visit.scope.index})` : "";
      const title = h("h3", {}, "⟳ ", h("span", { class: "state-name" }, visit.state), where, " waits ", wait.activity ? "for an activity worker" : "for its task token");
      if (!wait.token) {
        return h("div", { class: "token-card", "data-state": visit.state },
          title,
          wait.activity
            ? h("p", {}, "Activity ", h("code", {}, wait.activity), ": a worker takes the task with GetActivityTask, which hands it the token.")
            : h("p", {}, "Its token is not in the Task's parameters (pass ", h("code", {}, "\"token.$\": \"$$.Task.Token\""), " to show it here)."));
      }
      const n = attempt.scheduled.id;
      const output = h("textarea", { id: "approve-output-" + n, spellcheck: "false", "aria-label": "Output (JSON)" }, JSON.stringify({ approved: true }, null, 2));
      const error = h("input", { type: "text", id: "reject-error-" + n, value: "Rejected" });
      const cause = h("input", { type: "text", id: "reject-cause-" + n, value: "Rejected from the viewer", style: "width:100%" });
      const problem = h("div", { class: "field-error", role: "alert" });
      const approve = h("button", { type: "button", class: "approve", "data-action": "approve" }, "✓ Approve");
      const reject = h("button", { type: "button", class: "reject", "data-action": "reject" }, "✕ Reject");
      const send = async (operation, body, button) => {
        problem.textContent = "";
        approve.disabled = reject.disabled = true;
        try {
          await ASL.api(operation, body);
          ASL.toast(operation === "SendTaskSuccess" ? `Approved: ${visit.state} goes on.` : `Rejected: ${visit.state} fails with ${body.error || "an error"}.`);
          button.textContent = "Sent";
        } catch (e) {
          problem.textContent = e.code + ": " + e.message;
          approve.disabled = reject.disabled = false;
        }
      };
      approve.addEventListener("click", () => {
        try {
          JSON.parse(output.value);
        } catch (e) {
          problem.textContent = "The output is not JSON: " + e.message;
          output.focus();
          return;
        }
        send("SendTaskSuccess", { taskToken: wait.token, output: output.value }, approve);
      });
      reject.addEventListener("click", () => {
        const body = { taskToken: wait.token };
        if (error.value) body.error = error.value;
        if (cause.value) body.cause = cause.value;
        send("SendTaskFailure", body, reject);
      });
      const aws = `aws stepfunctions send-task-success --endpoint-url ${location.origin} --task-token ${wait.token} --task-output '{"approved": true}'`;
      return h("div", { class: "token-card", "data-state": visit.state, "data-token": wait.token },
        title,
        h("p", { class: "small" }, "Resource ", h("code", {}, wait.resource), " · token ", h("code", { class: "token" }, wait.token)),
        h("div", { class: "forms" },
          h("div", {}, h("label", { for: "approve-output-" + n }, "Output (JSON)"), output, h("div", { class: "actions", style: "margin-top:6px" }, approve)),
          h("div", {}, h("label", { for: "reject-error-" + n }, "Error"), error, h("label", { for: "reject-cause-" + n }, "Cause"), cause,
            h("div", { class: "actions", style: "margin-top:6px" }, reject))),
        problem,
        h("details", { class: "small" }, h("summary", {}, "The same from a terminal"), h("pre", { class: "json" }, aws)));
    }

    // -------------------------------------------------------------------------------------
    // The graph.

    showDrawing(drawing) {
      if (ASL.current !== this.token) return;
      this.drawing = drawing;
      this.nodeIndex = new Map(drawing.graph.nodes.map((node, i) => [node.id, i]));
      this.svg = ASL.showGraph(this.graphBox, this.graphTools, drawing);
      if (!this.svg) return;
      for (const g of this.svg.querySelectorAll("g.node[data-state]")) {
        if (g.classList.contains("join")) continue;
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        const state = g.getAttribute("data-state");
        g.addEventListener("click", () => this.select(state));
        g.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            this.select(state);
          }
        });
      }
      ASL.metrics.graph = performance.now();
      this.schedule();
    }

    paintGraph() {
      if (!this.svg) return;
      const fates = this.history.fates(this.status, this.scope);
      const started = this.history.start !== null;
      for (const g of this.svg.querySelectorAll("g.node")) {
        const id = g.getAttribute("data-id");
        const state = g.getAttribute("data-state");
        let fate = "notreached";
        let counts = null;
        if (g.classList.contains("start")) fate = started ? "succeeded" : "notreached";
        else if (g.classList.contains("end")) fate = this.status === "SUCCEEDED" ? "succeeded" : "notreached";
        else if (g.classList.contains("join")) {
          const entry = fates.get(state);
          fate = entry && entry.fate !== "running" ? entry.fate : "notreached";
        } else if (state) {
          const entry = fates.get(state);
          if (entry) {
            fate = entry.fate;
            counts = entry.counts;
          }
        }
        this.paintNode(g, id, state, fate, counts);
      }
    }

    paintNode(g, id, state, fate, counts) {
      const cls = "fate-" + fate;
      if (g.dataset.fate !== fate) {
        for (const c of Array.from(g.classList)) if (c.startsWith("fate-")) g.classList.remove(c);
        g.classList.add(cls);
        g.dataset.fate = fate;
      }
      g.classList.toggle("selected", !!state && state === this.selected && !g.classList.contains("join"));
      if (g.getAttribute("role") === "button") {
        const many = counts && Object.values(counts).reduce((a, b) => a + b, 0) > 1
          ? " (" + Object.entries(counts).map(([f, n]) => `${n} ${FATE[f].word.toLowerCase()}`).join(", ") + ")" : "";
        g.setAttribute("aria-label", `${state}: ${FATE[fate].word}${many}`);
      }
      // An icon at the node's corner: the fate does not rest on colour alone.
      let badge = g.querySelector("g.badge");
      if (fate === "notreached" || g.classList.contains("join")) {
        if (badge) badge.remove();
        return;
      }
      const box = this.drawing.layout.nodes[this.nodeIndex.get(id)];
      if (!box) return;
      if (!badge) {
        badge = document.createElementNS("http://www.w3.org/2000/svg", "g");
        badge.setAttribute("aria-hidden", "true");
        const circle = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
        const cx = box.x + box.width - 4;
        const cy = box.y + 4;
        circle.setAttribute("cx", cx);
        circle.setAttribute("cy", cy);
        circle.setAttribute("r", "8");
        text.setAttribute("x", cx);
        text.setAttribute("y", cy + 4);
        text.setAttribute("text-anchor", "middle");
        badge.append(circle, text);
        g.append(badge);
      }
      badge.setAttribute("class", "badge " + fate);
      badge.querySelector("text").textContent = FATE[fate].icon;
    }

    // -------------------------------------------------------------------------------------
    // Map iterations: the graph and the step details can show one iteration.

    renderScopes() {
      const iterations = [];
      for (const scope of this.history.scopes.values()) if (scope.parent) iterations.push(scope);
      const key = iterations.length + ":" + iterations.map((s) => s.status[0]).join("");
      if (this.scopesKey === key) return;
      this.scopesKey = key;
      if (!iterations.length) {
        ASL.fill(this.scopeBox);
        return;
      }
      const groups = new Map();
      for (const scope of iterations) {
        const label = (scope.parent.parent ? scope.parent.key.slice(1) + " › " : "") + scope.map;
        if (!groups.has(label)) groups.set(label, []);
        groups.get(label).push(scope);
      }
      const select = h("select", { id: "iteration", "aria-label": "Map iteration shown" },
        h("option", { value: "" }, `All iterations (${iterations.length})`),
        Array.from(groups, ([label, scopes]) => h("optgroup", { label },
          scopes.sort((a, b) => a.index - b.index).map((s) =>
            h("option", { value: s.key, selected: this.scope && this.scope.key === s.key }, `#${s.index} · ${FATE[s.status === "running" ? "running" : s.status].word}`)))));
      const counts = {};
      for (const s of iterations) counts[s.status] = (counts[s.status] || 0) + 1;
      select.addEventListener("change", () => {
        this.scope = select.value ? this.history.scopes.get(select.value) : null;
        this.visitChoice = null;
        this.paintGraph();
        this.renderStep(true);
      });
      ASL.fill(this.scopeBox, h("label", { class: "inline", for: "iteration" }, "Map iteration "), select,
        h("span", { class: "counts" }, Object.entries(counts).map(([s, n]) => ASL.fatePill(s === "running" ? "running" : s, "× " + n))));
    }

    // -------------------------------------------------------------------------------------
    // The selected state.

    select(state) {
      this.selected = state;
      this.visitChoice = null;
      this.paintGraph();
      this.renderStep(true);
      this.stepBox.scrollIntoView({ block: "nearest" });
    }

    nodeOf(state) {
      if (!this.drawing) return null;
      return this.drawing.graph.nodes.find((n) => n.state === state && n.kind !== "Join") || null;
    }

    renderStep(force) {
      if (!this.selected) return;
      const visits = this.history.visitsOf(this.selected, this.scope);
      const key = this.selected + "|" + (this.scope ? this.scope.key : "") + "|" + visits.length + "|" +
        visits.reduce((n, v) => n + v.events.length, 0) + "|" + this.status + "|" + this.visitChoice;
      if (!force && key === this.stepKey) return;
      this.stepKey = key;
      const state = this.selected;
      const node = this.nodeOf(state);
      const fates = this.history.fates(this.status, this.scope).get(state);
      const visit = visits.find((v) => v.entered.id === this.visitChoice) || visits[visits.length - 1];
      const box = this.stepBox;
      ASL.fill(box,
        h("h2", {}, state, " ", node ? h("span", { class: "muted small" }, node.kind === "DistributedMap" ? "Distributed Map" : node.kind) : null),
        h("div", { class: "counts" }, fates ? Object.entries(fates.counts).map(([f, n]) => ASL.fatePill(f, fates.visits > 1 ? "× " + n : "")) : ASL.fatePill("notreached")));
      if (visits.length > 1) {
        const choose = h("select", { id: "visit", "aria-label": "Which time the state ran" },
          visits.map((v, i) => h("option", { value: String(v.entered.id), selected: v === visit },
            `${i + 1} of ${visits.length}` + (v.scope.parent ? ` · ${v.scope.key.slice(1)}` : "") + ` · ${FATE[this.history.fateOfVisit(v, this.status)].word}`)));
        choose.addEventListener("change", () => {
          this.visitChoice = Number(choose.value);
          this.renderStep(true);
        });
        box.append(h("div", { class: "iterations" }, h("label", { class: "inline", for: "visit" }, "Run "), choose));
      }
      if (node && (node.kind === "Map" || node.kind === "DistributedMap")) box.append(this.mapSummary(state));
      if (node && node.kind === "Parallel") box.append(this.branches(state));
      if (!visit) {
        box.append(h("p", { class: "muted" }, "Not reached" + (this.scope ? " in this iteration." : ".")));
        return;
      }
      const entered = ASL.details(visit.entered);
      const exited = visit.exited ? ASL.details(visit.exited) : null;
      const start = this.history.start ? this.history.start.timestamp : visit.entered.timestamp;
      box.append(h("dl", { class: "facts" },
        h("dt", {}, "Entered"), h("dd", {}, "+" + ASL.duration(visit.entered.timestamp - start) + " after the start"),
        h("dt", {}, "Duration"), h("dd", {}, visit.exited ? ASL.duration(visit.exited.timestamp - visit.entered.timestamp) : "—"),
        visit.scope.parent ? [h("dt", {}, "Iteration"), h("dd", {}, visit.scope.key.slice(1))] : null));
      box.append(h("h3", {}, "Input"), ASL.jsonBlock(entered.input, "State input"));
      box.append(h("h3", {}, "Output"), exited && exited.output !== undefined ? ASL.jsonBlock(exited.output, "State output") :
        h("p", { class: "muted" }, visit.exited ? "(no output recorded)" : "Not yet."));
      if (exited && exited.assignedVariables) box.append(h("h3", {}, "Variables assigned"), ASL.jsonBlock(JSON.stringify(exited.assignedVariables), "Variables"));
      if (visit.failures.length) {
        const last = ASL.details(visit.failures[visit.failures.length - 1]);
        box.append(h("h3", {}, "Error"), h("p", {}, h("strong", {}, last.error || "(no name)")), last.cause ? ASL.jsonBlock(last.cause, "Cause") : null);
      }
      if (visit.attempts.length) box.append(this.attempts(visit, start));
      box.append(h("h3", {}, "Events"), h("ul", { class: "step-events" }, visit.events.map((id) => {
        const event = this.history.byId.get(id);
        return h("li", {}, h("button", { type: "button", class: "link", onclick: () => this.table.show(this.history.events.indexOf(event), true) }, `#${id} ${event.type}`));
      })));
    }

    attempts(visit, start) {
      const items = visit.attempts.map((attempt, i) => {
        const outcome = attempt.outcome;
        const d = outcome ? ASL.details(outcome) : null;
        let what;
        if (!outcome) what = attempt.token ? "waiting for its task token" : "running";
        else if (SUCCESS_TYPE.test(outcome.type)) what = "succeeded";
        else what = `${outcome.type}: ${d.error || ""}${d.cause ? " — " + String(d.cause).slice(0, 200) : ""}`;
        return h("li", {}, h("strong", {}, `Attempt ${i + 1}`), ` at +${ASL.duration(attempt.scheduled.timestamp - start)}: `, what);
      });
      const retries = visit.attempts.length - 1;
      return h("div", {}, h("h3", {}, retries > 0 ? `Retries (${retries})` : "Attempt"), h("ul", { class: "attempts" }, items));
    }

    mapSummary(state) {
      const iterations = this.history.iterationsOf(state).filter((s) => !this.scope || ASL.History.inScope(s, this.scope));
      const counts = {};
      for (const s of iterations) counts[s.status] = (counts[s.status] || 0) + 1;
      const started = this.history.events.find((e) => e.type === "MapStateStarted" && this.history.stateOf.get(e.id) === state);
      const length = started ? ASL.details(started).length : undefined;
      return h("div", {},
        h("h3", {}, "Iterations", length !== undefined ? ` (${length} items)` : ""),
        iterations.length ? h("div", { class: "counts" }, Object.entries(counts).map(([s, n]) => ASL.fatePill(s, "× " + n))) : h("p", { class: "muted" }, "None yet."),
        iterations.length ? h("p", { class: "small muted" }, "Choose one above the graph (“Map iteration”) to see its states.") : null);
    }

    branches(state) {
      const graph = this.drawing && this.drawing.graph;
      if (!graph) return h("div");
      const fates = this.history.fates(this.status, this.scope);
      const clusters = graph.clusters.filter((c) => c.state === state && c.kind === "Branch");
      const inside = (node, clusterId) => {
        let c = node.cluster;
        while (c) {
          if (c === clusterId) return true;
          const parent = graph.clusters.find((x) => x.id === c);
          c = parent ? parent.parent : null;
        }
        return false;
      };
      return h("div", {}, h("h3", {}, `Branches (${clusters.length})`),
        h("ul", { class: "branches" }, clusters.map((cluster) => h("li", {}, h("strong", {}, cluster.label),
          h("div", { class: "states" }, graph.nodes.filter((n) => n.state && n.kind !== "Join" && inside(n, cluster.id)).map((n) => {
            const entry = fates.get(n.state);
            const fate = entry ? entry.fate : "notreached";
            return h("button", { type: "button", class: "link", onclick: () => this.select(n.state), "aria-label": `${n.state}: ${FATE[fate].word}` },
              ASL.fatePill(fate, "· " + n.state));
          }))))));
    }

    // -------------------------------------------------------------------------------------
    // The event table.

    cells(i) {
      const event = this.history.events[i];
      const state = this.history.stateOf.get(event.id);
      const scope = this.history.scopeOf.get(event.id);
      const start = this.history.start ? this.history.start.timestamp : event.timestamp;
      const kind = FAILURE_TYPE.test(event.type) ? "kind-fail" : SUCCESS_TYPE.test(event.type) ? "kind-ok" : "";
      const icon = kind === "kind-fail" ? "✕ " : kind === "kind-ok" ? "✓ " : "";
      const step = state ? (scope && scope.parent ? `${state} · ${scope.key.slice(1)}` : state) : "—";
      return [
        String(event.id),
        h("span", { class: kind, title: event.type }, icon, event.type),
        state ? h("button", { type: "button", class: "link", title: step, onclick: () => this.select(state) }, step) : step,
        "+" + ASL.duration(event.timestamp - start),
      ];
    }

    eventDetail(i) {
      const event = this.history.events[i];
      const d = Object.assign({}, ASL.details(event));
      // JSON carried as text (input, output, parameters) is shown as JSON.
      for (const key of ["input", "output", "parameters", "result", "cause"]) {
        if (typeof d[key] === "string") {
          try {
            d[key] = JSON.parse(d[key]);
          } catch (_) {
            /* plain text stays text */
          }
        }
      }
      return h("div", {},
        h("div", { class: "small muted" }, `${ASL.date(event.timestamp)} · previous event ${event.previousEventId}`),
        Object.keys(d).length ? ASL.jsonBlock(JSON.stringify(d), `Details of event ${event.id}`) : h("p", { class: "muted" }, "No details."));
    }
  }
})();
