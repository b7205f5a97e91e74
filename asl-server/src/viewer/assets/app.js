// The viewer's shell: the API client, small DOM helpers, the router, and the pages of
// state machines. The execution page is in execution.js, the reading of a history in
// history.js. Everything the page shows comes from the server's JSON API (the same
// operations the aws CLI calls), or from /viewer/graph and /viewer/events.
"use strict";

const ASL = (window.ASL = window.ASL || {});

// ---------------------------------------------------------------------------------------
// The API.

/** An error the API answered with: its code (`__type` without the namespace) and message. */
class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}
ASL.ApiError = ApiError;

/** Calls the operation `operation` with `body`; the answer's JSON, or throws an ApiError. */
ASL.api = async function api(operation, body) {
  let response;
  try {
    response = await fetch("/", {
      method: "POST",
      headers: {
        "X-Amz-Target": "AWSStepFunctions." + operation,
        "Content-Type": "application/x-amz-json-1.0",
      },
      body: JSON.stringify(body || {}),
    });
  } catch (error) {
    throw new ApiError("NetworkError", "the server cannot be reached: " + error.message, 0);
  }
  const text = await response.text();
  let answer = {};
  try {
    answer = text ? JSON.parse(text) : {};
  } catch (_) {
    throw new ApiError("BadAnswer", "the server answered something that is not JSON", response.status);
  }
  if (!response.ok) {
    const type = String(answer.__type || "Error");
    const code = type.includes("#") ? type.slice(type.indexOf("#") + 1) : type;
    throw new ApiError(code, answer.message || answer.Message || code, response.status);
  }
  return answer;
};

/** GET of one of the viewer's own routes, as JSON. */
ASL.getJson = async function getJson(url) {
  const response = await fetch(url);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(answer.error || "Error", answer.message || response.statusText, response.status);
  return answer;
};

// ---------------------------------------------------------------------------------------
// DOM helpers. Text always goes in as text: names and data never become markup.

/** An element: `h("a", {href: "#/"}, "text", child…)`. `on*` attributes are listeners. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
ASL.h = h;
ASL.append = append;

/** Replaces the children of `el`. */
ASL.fill = function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
};

/** The statuses of executions and the fates of states: icon, word, class. */
const STATUS = {
  RUNNING: { icon: "⟳", word: "Running", cls: "running" },
  SUCCEEDED: { icon: "✓", word: "Succeeded", cls: "succeeded" },
  FAILED: { icon: "✕", word: "Failed", cls: "failed" },
  TIMED_OUT: { icon: "⏱", word: "Timed out", cls: "timed_out" },
  ABORTED: { icon: "⊘", word: "Aborted", cls: "aborted" },
  PENDING_REDRIVE: { icon: "↻", word: "Pending redrive", cls: "pending_redrive" },
};
const FATE = {
  running: { icon: "⟳", word: "In progress" },
  succeeded: { icon: "✓", word: "Succeeded" },
  failed: { icon: "✕", word: "Failed" },
  caught: { icon: "!", word: "Caught error" },
  cancelled: { icon: "⊘", word: "Cancelled" },
  notreached: { icon: "○", word: "Not reached" },
};
ASL.FATE = FATE;
ASL.FATES = ["running", "failed", "caught", "cancelled", "succeeded", "notreached"];

/** An execution's status as a pill: icon, the API's word, colour. */
ASL.statusPill = function statusPill(status, big) {
  const known = STATUS[status] || { icon: "?", cls: "notreached" };
  return h("span", { class: "status " + known.cls + (big ? " big" : ""), "data-status": status },
    h("span", { class: "icon", "aria-hidden": "true" }, known.icon), status);
};

/** A state's fate as a pill. */
ASL.fatePill = function fatePill(fate, suffix) {
  const known = FATE[fate] || FATE.notreached;
  return h("span", { class: "status " + fate, "data-fate": fate },
    h("span", { class: "icon", "aria-hidden": "true" }, known.icon), known.word + (suffix ? " " + suffix : ""));
};

/** Seconds since the epoch (the API's dates) as local date and time. */
ASL.date = function date(seconds) {
  if (seconds === undefined || seconds === null) return "—";
  const d = new Date(seconds * 1000);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/** A duration in seconds, for people: `85 ms`, `3.2 s`, `4 min 05 s`, `2 h 03 min`. */
ASL.duration = function duration(seconds) {
  if (!isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 1) return Math.round(seconds * 1000) + " ms";
  if (seconds < 60) return (Math.round(seconds * 10) / 10).toFixed(1) + " s";
  const s = Math.floor(seconds);
  if (s < 3600) return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
  if (s < 86400) return Math.floor(s / 3600) + " h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + " min";
  return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
};

/** JSON text, pretty when it parses. */
ASL.pretty = function pretty(text) {
  if (text === undefined || text === null) return "";
  if (typeof text !== "string") return JSON.stringify(text, null, 2);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (_) {
    return text;
  }
};

ASL.jsonBlock = function jsonBlock(text, label) {
  return h("pre", { class: "json", tabindex: "0", "aria-label": label || "JSON" }, ASL.pretty(text));
};

/** A short message in the corner. */
ASL.toast = function toast(message, isError) {
  const box = document.getElementById("toasts");
  const el = h("div", { class: "toast" + (isError ? " error" : "") }, message);
  box.append(el);
  setTimeout(() => el.remove(), isError ? 9000 : 4500);
};

/** The last part of an ARN (a machine's or an execution's name). */
ASL.nameOf = (arn) => String(arn || "").split(":").slice(-1)[0];
/** The state machine ARN of an execution ARN (`…:execution:M:N` → `…:stateMachine:M`). */
ASL.machineOfExecution = function (arn) {
  const parts = String(arn).split(":");
  if (parts.length < 8) return null;
  return parts.slice(0, 5).join(":") + ":stateMachine:" + parts[6];
};

// ---------------------------------------------------------------------------------------
// Routing: `#/` the machines, `#/machine/ARN`, `#/execution/ARN`.

ASL.link = {
  machines: () => "#/",
  machine: (arn) => "#/machine/" + encodeURIComponent(arn),
  execution: (arn) => "#/execution/" + encodeURIComponent(arn),
};

/** What the page being left must stop (an event stream, timers). */
let leaving = [];
ASL.onLeave = (fn) => leaving.push(fn);

ASL.crumbs = function crumbs(...items) {
  const nav = document.getElementById("crumbs");
  ASL.fill(nav);
  items.forEach((item, i) => {
    if (i > 0) nav.append(h("span", { class: "sep", "aria-hidden": "true" }, "›"));
    nav.append(item.href ? h("a", { href: item.href }, item.text) : h("span", { "aria-current": "page" }, item.text));
  });
};

ASL.setLive = (text) => {
  document.getElementById("live").textContent = text || "";
};

async function route() {
  for (const stop of leaving) {
    try {
      stop();
    } catch (_) {
      /* a page's own tidying must not stop the next page */
    }
  }
  leaving = [];
  ASL.setLive("");
  const main = document.getElementById("main");
  const hash = location.hash || "#/";
  const [, kind, rest] = hash.match(/^#\/([a-z]*)\/?(.*)$/) || [];
  const arn = rest ? decodeURIComponent(rest) : "";
  const token = {};
  ASL.current = token;
  try {
    if (kind === "machine" && arn) await machinePage(main, arn, token);
    else if (kind === "execution" && arn) await ASL.executionPage(main, arn, token);
    else await machinesPage(main, token);
  } catch (error) {
    if (ASL.current !== token) return;
    ASL.fill(main, h("div", { class: "banner failed", role: "alert" },
      h("h2", {}, error.code || "Error"), h("p", {}, error.message), h("p", {}, h("a", { href: "#/" }, "All state machines"))));
  }
}
ASL.route = route;

// ---------------------------------------------------------------------------------------
// The state machines.

async function machinesPage(main, token) {
  ASL.crumbs({ text: "State machines" });
  document.title = "State machines · asl-rs";
  const machines = [];
  let next;
  do {
    const page = await ASL.api("ListStateMachines", next ? { nextToken: next } : {});
    machines.push(...page.stateMachines);
    next = page.nextToken;
  } while (next && machines.length < 5000);
  if (ASL.current !== token) return;
  const filter = h("input", { type: "search", id: "machine-filter", placeholder: "Filter by name", "aria-label": "Filter state machines by name" });
  const body = h("tbody");
  const draw = () => {
    const wanted = filter.value.trim().toLowerCase();
    const shown = machines.filter((m) => !wanted || m.name.toLowerCase().includes(wanted));
    ASL.fill(body, shown.length ? shown.map((m) => h("tr", {},
      h("td", {}, h("a", { href: ASL.link.machine(m.stateMachineArn) }, m.name)),
      h("td", {}, m.type),
      h("td", { class: "nowrap" }, ASL.date(m.creationDate)),
      h("td", { class: "mono small muted" }, m.stateMachineArn))) :
      h("tr", {}, h("td", { colspan: "4", class: "muted" }, machines.length ? "No state machine matches." : "No state machines yet: create one with the API, or start the server with a folder of definitions.")));
  };
  filter.addEventListener("input", draw);
  draw();
  ASL.fill(main,
    h("section", { class: "panel" },
      h("h1", {}, "State machines ", h("span", { class: "muted small" }, `(${machines.length})`)),
      h("div", { class: "toolbar" }, filter),
      h("table", { class: "list", "aria-label": "State machines" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Created"), h("th", { scope: "col" }, "ARN"))),
        body)));
}

// ---------------------------------------------------------------------------------------
// One state machine: its graph and definition, its executions, and a form to start one.

/** Inserts the SVG drawing of `drawing` into `box`, with zoom buttons in `tools`. */
ASL.showGraph = function showGraph(box, tools, drawing) {
  box.innerHTML = drawing.svg; // the server's own SVG: names in it are XML-escaped
  const svg = box.querySelector("svg");
  if (!svg) return null;
  svg.removeAttribute("aria-labelledby"); // the ids would repeat on a page with two drawings
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-label", "Graph of the state machine: each state is a button that shows its details");
  const natural = Number(svg.getAttribute("width")) || 600;
  let scale = null; // null: fit the box's width
  const apply = () => {
    if (scale === null) {
      svg.classList.add("fit");
      svg.setAttribute("width", String(natural));
    } else {
      svg.classList.remove("fit");
      svg.setAttribute("width", String(Math.round(natural * scale)));
      svg.setAttribute("height", String(Math.round((Number(svg.viewBox.baseVal.height) || natural) * scale)));
    }
  };
  const zoom = (factor) => {
    const now = scale === null ? Math.min(1, box.clientWidth / natural || 1) : scale;
    scale = Math.max(0.2, Math.min(3, now * factor));
    apply();
  };
  ASL.fill(tools,
    h("button", { type: "button", onclick: () => zoom(1.25), "aria-label": "Zoom in" }, "+"),
    h("button", { type: "button", onclick: () => zoom(0.8), "aria-label": "Zoom out" }, "−"),
    h("button", { type: "button", onclick: () => { scale = null; apply(); } }, "Fit"),
    h("button", { type: "button", onclick: () => { scale = 1; apply(); } }, "100 %"));
  apply();
  return svg;
};

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];

async function machinePage(main, arn, token) {
  const machine = await ASL.api("DescribeStateMachine", { stateMachineArn: arn });
  if (ASL.current !== token) return;
  ASL.crumbs({ text: "State machines", href: ASL.link.machines() }, { text: machine.name });
  document.title = machine.name + " · asl-rs";

  const graphBox = h("div", { class: "graph-box", id: "machine-graph" }, h("p", { class: "muted", style: "padding:12px" }, "Drawing…"));
  const graphTools = h("div", { class: "actions" });
  ASL.getJson("/viewer/graph?stateMachineArn=" + encodeURIComponent(arn))
    .then((drawing) => {
      if (ASL.current === token) ASL.showGraph(graphBox, graphTools, drawing);
    })
    .catch((error) => ASL.fill(graphBox, h("p", { class: "field-error", style: "padding:12px" }, error.message)));

  const graphPanel = h("div", {}, h("div", { class: "toolbar" }, h("span", { class: "spacer" }), graphTools), graphBox);
  const definitionPanel = h("div", { class: "hidden" }, h("pre", { class: "json definition", tabindex: "0", "aria-label": "Definition" }, ASL.pretty(machine.definition)));
  const tabs = ASL.tabs([["Graph", graphPanel], ["Definition", definitionPanel]]);

  ASL.fill(main,
    h("section", { class: "panel" },
      h("h1", {}, machine.name),
      h("div", { class: "facts-row" },
        fact("Type", machine.type), fact("Status", machine.status), fact("Created", ASL.date(machine.creationDate)),
        machine.revisionId ? fact("Revision", machine.revisionId) : null,
        fact("ARN", h("span", { class: "mono small" }, machine.stateMachineArn))),
      machine.description ? h("p", {}, machine.description) : null),
    h("div", { class: "cols" },
      h("section", { class: "panel", "aria-label": "Graph and definition" }, tabs, graphPanel, definitionPanel),
      h("div", {}, startForm(machine), executionsPanel(machine, token))));
}

function fact(key, value) {
  return h("div", {}, h("span", { class: "k" }, key), h("span", {}, value));
}
ASL.fact = fact;

/** Tabs over panels: `[[label, panel], …]`; the first is shown. */
ASL.tabs = function tabs(items) {
  const bar = h("div", { class: "tabs", role: "tablist" });
  const buttons = items.map(([label, panel], i) => {
    const button = h("button", { type: "button", role: "tab", "aria-selected": i === 0 ? "true" : "false" }, label);
    button.addEventListener("click", () => {
      buttons.forEach((b, j) => {
        b.setAttribute("aria-selected", j === i ? "true" : "false");
        items[j][1].classList.toggle("hidden", j !== i);
      });
    });
    return button;
  });
  items.forEach(([, panel], i) => panel.classList.toggle("hidden", i !== 0));
  return append(bar, buttons);
};

function startForm(machine) {
  const name = h("input", { type: "text", id: "start-name", placeholder: "(a new UUID)", style: "width:100%" });
  const input = h("textarea", { id: "start-input", spellcheck: "false" }, "{}");
  const problem = h("div", { class: "field-error", role: "alert" });
  const button = h("button", { type: "submit", class: "primary" }, "Start execution");
  const form = h("form", { class: "panel", "aria-labelledby": "start-title" },
    h("h2", { id: "start-title" }, "Start an execution"),
    h("label", { for: "start-name" }, "Name ", h("span", { class: "muted small" }, "(optional)")), name,
    h("label", { for: "start-input" }, "Input (JSON)"), input, problem,
    h("div", { class: "actions", style: "margin-top:8px" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.textContent = "";
    try {
      JSON.parse(input.value);
    } catch (error) {
      problem.textContent = "The input is not JSON: " + error.message;
      input.focus();
      return;
    }
    const body = { stateMachineArn: machine.stateMachineArn, input: input.value };
    if (name.value.trim()) body.name = name.value.trim();
    button.disabled = true;
    try {
      const started = await ASL.api("StartExecution", body);
      location.hash = ASL.link.execution(started.executionArn);
    } catch (error) {
      problem.textContent = error.code + ": " + error.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The executions of a machine: a status filter, a name search, pages of the API's size. */
function executionsPanel(machine, token) {
  const status = h("select", { id: "status-filter", "aria-label": "Status" },
    h("option", { value: "" }, "Any status"), STATUSES.map((s) => h("option", { value: s }, STATUS[s].word)));
  const search = h("input", { type: "search", id: "execution-search", placeholder: "Name", "aria-label": "Search executions by name" });
  const body = h("tbody");
  const pageInfo = h("span", { class: "muted small" });
  const previous = h("button", { type: "button", disabled: true }, "‹ Previous");
  const next = h("button", { type: "button", disabled: true }, "Next ›");
  const found = h("div", { class: "small" });
  const PAGE = 25;
  // The API pages forward only: keep the token of each page seen, to go back.
  let tokens = [undefined];
  let at = 0;
  let rows = [];
  let nextToken;

  const draw = () => {
    const wanted = search.value.trim().toLowerCase();
    const shown = rows.filter((e) => !wanted || e.name.toLowerCase().includes(wanted));
    ASL.fill(body, shown.length ? shown.map((e) => h("tr", {},
      h("td", {}, h("a", { href: ASL.link.execution(e.executionArn) }, e.name)),
      h("td", {}, ASL.statusPill(e.status)),
      h("td", { class: "nowrap small" }, ASL.date(e.startDate)),
      h("td", { class: "nowrap small" }, e.stopDate ? ASL.duration(e.stopDate - e.startDate) : "…"))) :
      h("tr", {}, h("td", { colspan: "4", class: "muted" }, rows.length ? "No execution on this page matches." : "No executions.")));
    pageInfo.textContent = rows.length ? `Page ${at + 1}` : "";
    previous.disabled = at === 0;
    next.disabled = !nextToken;
  };
  const load = async () => {
    const request = { stateMachineArn: machine.stateMachineArn, maxResults: PAGE };
    if (status.value) request.statusFilter = status.value;
    if (tokens[at]) request.nextToken = tokens[at];
    try {
      const page = await ASL.api("ListExecutions", request);
      if (ASL.current !== token) return;
      rows = page.executions;
      nextToken = page.nextToken;
      tokens[at + 1] = nextToken;
      draw();
    } catch (error) {
      ASL.fill(body, h("tr", {}, h("td", { colspan: "4", class: "field-error" }, error.message)));
    }
  };
  // The API has no search by name: the search filters the page shown, and an exact name
  // is looked up with DescribeExecution (its ARN is the machine's with the name).
  const lookUp = async () => {
    const wanted = search.value.trim();
    ASL.fill(found);
    if (!wanted) return;
    const arn = machine.stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + wanted;
    try {
      const execution = await ASL.api("DescribeExecution", { executionArn: arn });
      ASL.fill(found, "Found: ", h("a", { href: ASL.link.execution(arn) }, execution.name), " ", ASL.statusPill(execution.status));
    } catch (_) {
      ASL.fill(found, h("span", { class: "muted" }, `No execution is named exactly “${wanted}”.`));
    }
  };
  status.addEventListener("change", () => {
    tokens = [undefined];
    at = 0;
    load();
  });
  let searchTimer;
  search.addEventListener("input", () => {
    draw();
    clearTimeout(searchTimer);
    searchTimer = setTimeout(lookUp, 300);
  });
  previous.addEventListener("click", () => {
    at = Math.max(0, at - 1);
    load();
  });
  next.addEventListener("click", () => {
    if (!nextToken) return;
    at += 1;
    load();
  });
  const refresh = h("button", { type: "button", onclick: load }, "Refresh");
  load();
  // A list that shows running executions goes stale: look again now and then.
  const timer = setInterval(() => {
    if (rows.some((e) => e.status === "RUNNING")) load();
  }, 3000);
  ASL.onLeave(() => clearInterval(timer));
  return h("section", { class: "panel", "aria-labelledby": "executions-title" },
    h("h2", { id: "executions-title" }, "Executions"),
    h("div", { class: "toolbar" }, status, search, h("span", { class: "spacer" }), refresh),
    found,
    h("table", { class: "list", id: "executions", "aria-label": "Executions" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Started"), h("th", { scope: "col" }, "Duration"))),
      body),
    h("div", { class: "pager" }, previous, pageInfo, next));
}

window.addEventListener("hashchange", () => {
  route();
  document.getElementById("main").focus({ preventScroll: true });
});
// After every script of the page has run (execution.js defines the execution page).
document.addEventListener("DOMContentLoaded", route);
