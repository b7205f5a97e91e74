//! The graph of a definition: nodes, edges and clusters, with stable ids, and nothing about
//! where they are drawn (that is [`crate::layout`]) or how (the renderers).
//!
//! Ids:
//! - a state's node has the state's name as id (names are unique machine-wide in ASL);
//! - the nodes that are no state are `#start` and `#end` (the machine's start and end) and
//!   `NAME#join` (where the branches or iterations of Parallel or Map state `NAME` meet); a
//!   `#` is appended while one of them equals a state's name;
//! - a cluster's id is the JSON Pointer of what it draws: `/States/P` for Parallel or Map
//!   state `P`, `/States/P/Branches/0` for its first branch, `/States/M/ItemProcessor` for
//!   a Map's processor (also when the definition names it `Iterator`).

use std::collections::HashSet;

use asl_codegen::ast::{ContainerKind, NumberOrExpr, Spanned, State, StateMachine, StateType};
use asl_codegen::node::{Node as JsonNode, NodeValue};
use serde::{Deserialize, Serialize};

use crate::condition;
use crate::text::shorten;

/// The graph of a state machine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// The machine's `Comment`.
    pub comment: Option<String>,
    /// Every node, in source order: `#start`, the states (a Parallel or Map state's header,
    /// then what it contains, then its join), `#end`.
    pub nodes: Vec<Node>,
    /// Every edge, grouped by the node it leaves, in source order.
    pub edges: Vec<Edge>,
    /// Every cluster, outer before inner.
    pub clusters: Vec<Cluster>,
}

/// A node: a state, or one of the markers that are not states.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Stable id (see the module's documentation).
    pub id: String,
    /// What it is; renderers give each kind its own shape.
    pub kind: NodeKind,
    /// The text: the state's name, `Start` or `End` (empty for a join).
    pub label: String,
    /// A short description under the label: a Task's resource, a Wait's duration, a Fail's
    /// error.
    pub detail: Option<String>,
    /// Whether the state has a `Retry`.
    pub retry: bool,
    /// The innermost cluster it is in.
    pub cluster: Option<String>,
    /// The state it stands for (a join stands for its Parallel or Map state).
    pub state: Option<String>,
    /// JSON Pointer of the state in the definition.
    pub pointer: Option<String>,
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    /// Where an execution starts.
    Start,
    /// Where an execution ends.
    End,
    /// A Task state.
    Task,
    /// A Pass state.
    Pass,
    /// A Choice state.
    Choice,
    /// A Wait state.
    Wait,
    /// A Succeed state.
    Succeed,
    /// A Fail state.
    Fail,
    /// A Parallel state (the head of its cluster).
    Parallel,
    /// An inline Map state (the head of its cluster).
    Map,
    /// A distributed Map state (`ProcessorConfig.Mode` `DISTRIBUTED`).
    DistributedMap,
    /// Where a Parallel state's branches or a Map state's iterations meet; the state's
    /// transitions leave from here.
    Join,
}

impl NodeKind {
    /// The name shown under a state's name (`Task`, `Distributed Map`…); empty for the
    /// markers.
    pub fn caption(self) -> &'static str {
        match self {
            NodeKind::Start | NodeKind::End | NodeKind::Join => "",
            NodeKind::Task => "Task",
            NodeKind::Pass => "Pass",
            NodeKind::Choice => "Choice",
            NodeKind::Wait => "Wait",
            NodeKind::Succeed => "Succeed",
            NodeKind::Fail => "Fail",
            NodeKind::Parallel => "Parallel",
            NodeKind::Map => "Map",
            NodeKind::DistributedMap => "Distributed Map",
        }
    }

    /// A lower-case name, for CSS classes and Mermaid's `classDef`s.
    pub fn class(self) -> &'static str {
        match self {
            NodeKind::Start => "start",
            NodeKind::End => "end",
            NodeKind::Task => "task",
            NodeKind::Pass => "pass",
            NodeKind::Choice => "choice",
            NodeKind::Wait => "wait",
            NodeKind::Succeed => "succeed",
            NodeKind::Fail => "fail",
            NodeKind::Parallel => "parallel",
            NodeKind::Map => "map",
            NodeKind::DistributedMap => "distributed-map",
            NodeKind::Join => "join",
        }
    }
}

impl Node {
    /// The caption line of a state's node: its type, detail and retry mark
    /// (`Task · lambda:invoke · retry`); empty for the markers.
    pub fn caption(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if !self.kind.caption().is_empty() {
            parts.push(self.kind.caption());
        }
        if let Some(detail) = &self.detail {
            parts.push(detail);
        }
        if self.retry {
            parts.push("retry");
        }
        parts.join(" · ")
    }
}

/// A transition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// The id of the node it leaves.
    pub from: String,
    /// The id of the node it enters.
    pub to: String,
    /// What kind of transition it is.
    pub kind: EdgeKind,
    /// A Choice rule's condition in short form, `Default`, or a Catch's error names.
    pub label: Option<String>,
}

/// What kind of transition an edge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EdgeKind {
    /// From the start to `StartAt`, or from a Parallel or Map state to a branch's or the
    /// processor's `StartAt`.
    Start,
    /// `Next`.
    Next,
    /// A Choice rule's `Next`.
    Choice,
    /// A Choice state's `Default`.
    Default,
    /// A catcher's `Next`.
    Catch,
    /// From a state that ends its container (`End`, Succeed, Fail) to the end or the join.
    End,
}

/// A box drawn around states: a Parallel or Map state, a branch or a processor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable id: the JSON Pointer of what it draws.
    pub id: String,
    /// What it draws.
    pub kind: ClusterKind,
    /// Its title: the state's name, `Branch 1`, `Item processor` (`Child executions` for a
    /// distributed Map).
    pub label: String,
    /// The cluster it is in.
    pub parent: Option<String>,
    /// The Parallel or Map state it belongs to.
    pub state: String,
}

/// What a cluster draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClusterKind {
    /// A Parallel state: its head, its branches and its join.
    Parallel,
    /// A Map state (inline or distributed): its head, its processor and its join.
    Map,
    /// One of a Parallel state's branches.
    Branch,
    /// A Map state's item processor.
    Processor,
}

/// Longest detail shown under a state's name, in characters.
const DETAIL_CHARS: usize = 36;

impl Graph {
    /// The graph of a decoded state machine (normally one that passed validation; for any
    /// other the graph is drawn as far as it makes sense: transitions to states that do not
    /// exist are left out).
    pub fn from_machine(machine: &StateMachine) -> Graph {
        let mut taken: HashSet<String> = HashSet::new();
        collect_names(machine, &mut taken);
        let mut builder = Builder { graph: Graph::default(), taken };
        builder.graph.comment = machine.comment.as_ref().map(|c| c.value.clone());
        let start = builder.fresh("#start");
        let end = builder.fresh("#end");
        builder.graph.nodes.push(marker(&start, NodeKind::Start, "Start"));
        builder.container(machine, None, &start, &end);
        builder.graph.nodes.push(marker(&end, NodeKind::End, "End"));
        // The edges were added as they were found: depth first. Group them by the node they
        // leave, in node order, so each node's transitions read together.
        let order: std::collections::HashMap<&str, usize> =
            builder.graph.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
        let mut edges = std::mem::take(&mut builder.graph.edges);
        edges.sort_by_key(|e| order.get(e.from.as_str()).copied().unwrap_or(usize::MAX));
        builder.graph.edges = edges;
        builder.graph
    }

    /// The node with id `id`.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The cluster with id `id`.
    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id)
    }
}

fn marker(id: &str, kind: NodeKind, label: &str) -> Node {
    Node {
        id: id.to_owned(),
        kind,
        label: label.to_owned(),
        detail: None,
        retry: false,
        cluster: None,
        state: None,
        pointer: None,
    }
}

/// Every state name of the machine, at every depth.
fn collect_names(machine: &StateMachine, names: &mut HashSet<String>) {
    for state in machine.states() {
        names.insert(state.name.value.clone());
        for inner in inner_machines(state) {
            collect_names(inner.1, names);
        }
    }
}

/// The state machines a Parallel or Map state holds, with their JSON Pointers.
fn inner_machines(state: &State) -> Vec<(String, &StateMachine)> {
    match state.ty() {
        Some(StateType::Parallel) => {
            state.branches.iter().flat_map(|b| b.value.iter()).map(|m| (m.pointer.clone(), m)).collect()
        }
        Some(StateType::Map) => state.item_processor.iter().map(|p| (p.value.pointer.clone(), &p.value)).collect(),
        _ => Vec::new(),
    }
}

struct Builder {
    graph: Graph,
    /// Every id given so far, and every state name.
    taken: HashSet<String>,
}

impl Builder {
    /// `base`, with `#` appended until it is no state's name and no id given before.
    fn fresh(&mut self, base: &str) -> String {
        let mut id = base.to_owned();
        while self.taken.contains(&id) {
            id.push('#');
        }
        self.taken.insert(id.clone());
        id
    }

    /// Adds the states of `machine` (in cluster `cluster`), an edge from `entry` to its
    /// `StartAt` and from each state that ends it to `exit`.
    fn container(&mut self, machine: &StateMachine, cluster: Option<&str>, entry: &str, exit: &str) {
        let names: HashSet<&str> = machine.states().iter().map(|s| s.name.value.as_str()).collect();
        if let Some(start_at) = &machine.start_at
            && names.contains(start_at.value.as_str())
        {
            self.edge(entry, &start_at.value, EdgeKind::Start, None);
        }
        fn target<'a>(name: &'a Option<Spanned<String>>, names: &HashSet<&str>) -> Option<&'a str> {
            name.as_ref().map(|n| n.value.as_str()).filter(|n| names.contains(n))
        }
        for state in machine.states() {
            let name = state.name.value.as_str();
            let kind = node_kind(state);
            self.graph.nodes.push(Node {
                id: name.to_owned(),
                kind,
                label: name.to_owned(),
                detail: detail(state),
                retry: state.retry.as_ref().is_some_and(|r| !r.value.is_empty()),
                cluster: None,
                state: Some(name.to_owned()),
                pointer: Some(state.pointer.clone()),
            });
            // Where the state's own transitions leave from: itself, or its join.
            let mut from = name.to_owned();
            if matches!(kind, NodeKind::Parallel | NodeKind::Map | NodeKind::DistributedMap) {
                from = self.nested(state, kind, cluster);
            } else if let Some(node) = self.graph.nodes.last_mut() {
                node.cluster = cluster.map(str::to_owned);
            }
            match kind {
                NodeKind::Choice => {
                    for rule in state.choices.iter().flat_map(|c| c.value.iter()) {
                        if let Some(next) = target(&rule.next, &names) {
                            self.edge(&from, next, EdgeKind::Choice, Some(condition::label(rule)));
                        }
                    }
                    if let Some(default) = target(&state.default, &names) {
                        self.edge(&from, default, EdgeKind::Default, Some("Default".to_owned()));
                    }
                }
                NodeKind::Succeed | NodeKind::Fail => self.edge(&from, exit, EdgeKind::End, None),
                _ => {
                    if let Some(next) = target(&state.next, &names) {
                        self.edge(&from, next, EdgeKind::Next, None);
                    } else if state.end.as_ref().is_some_and(|e| e.value) {
                        self.edge(&from, exit, EdgeKind::End, None);
                    }
                }
            }
            for catcher in state.catch.iter().flat_map(|c| c.value.iter()) {
                if let Some(next) = target(&catcher.next, &names) {
                    let errors: Vec<&str> =
                        catcher.error_equals.iter().flat_map(|e| e.value.iter()).map(|e| e.value.as_str()).collect();
                    self.edge(&from, next, EdgeKind::Catch, Some(shorten(&errors.join(", "), condition::LABEL_CHARS)));
                }
            }
        }
    }

    /// Adds the cluster of Parallel or Map state `state` (whose node was just pushed), what
    /// it contains and its join; returns the join's id.
    fn nested(&mut self, state: &State, kind: NodeKind, parent: Option<&str>) -> String {
        let name = state.name.value.as_str();
        let cluster_id = state.pointer.clone();
        self.graph.clusters.push(Cluster {
            id: cluster_id.clone(),
            kind: if kind == NodeKind::Parallel { ClusterKind::Parallel } else { ClusterKind::Map },
            label: name.to_owned(),
            parent: parent.map(str::to_owned),
            state: name.to_owned(),
        });
        if let Some(node) = self.graph.nodes.last_mut() {
            node.cluster = Some(cluster_id.clone());
        }
        let join = self.fresh(&format!("{name}#join"));
        for (index, (pointer, machine)) in inner_machines(state).into_iter().enumerate() {
            let (cluster_kind, label) = match machine.kind {
                ContainerKind::Branch => (ClusterKind::Branch, format!("Branch {}", index + 1)),
                _ => (ClusterKind::Processor, processor_label(state)),
            };
            self.graph.clusters.push(Cluster {
                id: pointer.clone(),
                kind: cluster_kind,
                label,
                parent: Some(cluster_id.clone()),
                state: name.to_owned(),
            });
            self.container(machine, Some(&pointer), name, &join);
        }
        self.graph.nodes.push(Node {
            id: join.clone(),
            kind: NodeKind::Join,
            label: String::new(),
            detail: None,
            retry: false,
            cluster: Some(cluster_id),
            state: Some(name.to_owned()),
            pointer: Some(state.pointer.clone()),
        });
        join
    }

    fn edge(&mut self, from: &str, to: &str, kind: EdgeKind, label: Option<String>) {
        self.graph.edges.push(Edge { from: from.to_owned(), to: to.to_owned(), kind, label });
    }
}

fn node_kind(state: &State) -> NodeKind {
    match state.ty() {
        Some(StateType::Task) | None => NodeKind::Task,
        Some(StateType::Pass) => NodeKind::Pass,
        Some(StateType::Choice) => NodeKind::Choice,
        Some(StateType::Wait) => NodeKind::Wait,
        Some(StateType::Succeed) => NodeKind::Succeed,
        Some(StateType::Fail) => NodeKind::Fail,
        Some(StateType::Parallel) => NodeKind::Parallel,
        Some(StateType::Map) if is_distributed(state) => NodeKind::DistributedMap,
        Some(StateType::Map) => NodeKind::Map,
    }
}

fn is_distributed(state: &State) -> bool {
    let mode =
        |m: &StateMachine| m.processor_config.as_ref().and_then(|c| c.value.mode.as_ref()).map(|m| m.value.clone());
    state.item_processor.as_ref().and_then(|p| mode(&p.value)).is_some_and(|m| m == "DISTRIBUTED")
}

fn processor_label(state: &State) -> String {
    if is_distributed(state) {
        let execution = state
            .item_processor
            .as_ref()
            .and_then(|p| p.value.processor_config.as_ref())
            .and_then(|c| c.value.execution_type.as_ref())
            .map(|t| t.value.as_str());
        match execution {
            Some(t) => format!("Child executions ({t})"),
            None => "Child executions".to_owned(),
        }
    } else {
        "Item processor".to_owned()
    }
}

/// The short description of a state shown under its name.
fn detail(state: &State) -> Option<String> {
    let text = match state.ty()? {
        StateType::Task => resource(state.resource.as_ref()?.value.as_str()),
        StateType::Wait => wait(state)?,
        StateType::Fail => match (&state.error, &state.error_path) {
            (Some(error), _) => error.value.clone(),
            (None, Some(path)) => path.value.clone(),
            (None, None) => return None,
        },
        _ => return None,
    };
    Some(shorten(&expression(&text), DETAIL_CHARS))
}

fn wait(state: &State) -> Option<String> {
    if let Some(seconds) = &state.seconds {
        return Some(match &seconds.value {
            NumberOrExpr::Number(n) => format!("{n} s"),
            NumberOrExpr::Expr(e) => format!("{} s", expression(e)),
        });
    }
    if let Some(path) = &state.seconds_path {
        return Some(format!("{} s", path.value));
    }
    if let Some(timestamp) = &state.timestamp {
        return Some(format!("until {}", expression(&timestamp.value)));
    }
    state.timestamp_path.as_ref().map(|path| format!("until {}", path.value))
}

/// A Task's resource in short form: `lambda:invoke` for `arn:aws:states:::lambda:invoke`,
/// `lambda:NAME` for a function's ARN, `activity:NAME` for an activity's.
fn resource(arn: &str) -> String {
    if let Some(service) = arn.strip_prefix("arn:aws:states:::") {
        return service.to_owned();
    }
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] => format!("lambda:{name}"),
        ["arn", _, "states", _, _, "activity", name, ..] => format!("activity:{name}"),
        _ => arn.to_owned(),
    }
}

/// A JSONata `{% … %}` string without its delimiters and with its white space collapsed;
/// anything else as it is.
pub(crate) fn expression(text: &str) -> String {
    match text.trim().strip_prefix("{%").and_then(|t| t.strip_suffix("%}")) {
        Some(inner) => inner.split_whitespace().collect::<Vec<_>>().join(" "),
        None => text.to_owned(),
    }
}

/// A JSON value in short form: strings as JSON strings, JSONata strings as expressions,
/// everything else compact JSON.
pub(crate) fn value(node: &JsonNode) -> String {
    match &node.value {
        NodeValue::String(s) if s.trim_start().starts_with("{%") => expression(s),
        _ => node.to_json().to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    fn graph(text: &str) -> Graph {
        let source = asl_codegen::Source::new("t.asl.json", text);
        Graph::from_machine(&asl_codegen::check(&source).expect("valid").machine)
    }

    #[test]
    fn resources_are_shortened() {
        assert_eq!(resource("arn:aws:states:::lambda:invoke"), "lambda:invoke");
        assert_eq!(resource("arn:aws:lambda:us-east-1:123456789012:function:pay:$LATEST"), "lambda:pay");
        assert_eq!(resource("arn:aws:states:us-east-1:123456789012:activity:review"), "activity:review");
        assert_eq!(resource("something"), "something");
    }

    #[test]
    fn markers_do_not_take_state_names() {
        let g = graph(
            r##"{"StartAt": "#start", "States": {
                "#start": {"Type": "Pass", "Next": "#end"},
                "#end": {"Type": "Parallel", "Branches": [{"StartAt": "#end#join", "States": {"#end#join": {"Type": "Succeed"}}}], "End": true}
            }}"##,
        );
        let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["#start#", "#start", "#end", "#end#join", "#end#join#", "#end#"]);
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len());
        assert_eq!(
            g.edges[0],
            Edge { from: "#start#".into(), to: "#start".into(), kind: EdgeKind::Start, label: None }
        );
    }

    #[test]
    fn parallel_leaves_from_its_join() {
        let g = graph(
            r#"{"StartAt": "P", "States": {
                "P": {"Type": "Parallel", "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Fail", "Error": "Oops"}}}
                ], "Catch": [{"ErrorEquals": ["Oops", "States.Timeout"], "Next": "C"}], "Next": "C"},
                "C": {"Type": "Succeed"}
            }}"#,
        );
        let edges: Vec<(&str, &str, EdgeKind)> =
            g.edges.iter().map(|e| (e.from.as_str(), e.to.as_str(), e.kind)).collect();
        assert_eq!(
            edges,
            [
                ("#start", "P", EdgeKind::Start),
                ("P", "A", EdgeKind::Start),
                ("P", "B", EdgeKind::Start),
                ("A", "P#join", EdgeKind::End),
                ("B", "P#join", EdgeKind::End),
                ("P#join", "C", EdgeKind::Next),
                ("P#join", "C", EdgeKind::Catch),
                ("C", "#end", EdgeKind::End),
            ]
        );
        assert_eq!(g.edges[6].label.as_deref(), Some("Oops, States.Timeout"));
        assert_eq!(g.node("B").unwrap().detail.as_deref(), Some("Oops"));
        assert_eq!(g.node("B").unwrap().cluster.as_deref(), Some("/States/P/Branches/1"));
        assert_eq!(g.node("P").unwrap().cluster.as_deref(), Some("/States/P"));
        assert_eq!(g.node("C").unwrap().cluster, None);
        let clusters: Vec<(&str, Option<&str>)> =
            g.clusters.iter().map(|c| (c.id.as_str(), c.parent.as_deref())).collect();
        assert_eq!(
            clusters,
            [
                ("/States/P", None),
                ("/States/P/Branches/0", Some("/States/P")),
                ("/States/P/Branches/1", Some("/States/P"))
            ]
        );
    }

    #[test]
    fn distributed_map_and_waits() {
        let g = graph(
            r#"{"StartAt": "W", "States": {
                "W": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "M"},
                "M": {"Type": "Map", "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": true}}}, "End": true}
            }}"#,
        );
        assert_eq!(g.node("W").unwrap().caption(), "Wait · $.delay s");
        assert_eq!(g.node("M").unwrap().kind, NodeKind::DistributedMap);
        assert_eq!(g.node("T").unwrap().caption(), "Task · lambda:invoke · retry");
        assert_eq!(g.clusters[1].label, "Child executions (EXPRESS)");
        assert_eq!(g.clusters[1].kind, ClusterKind::Processor);
    }

    #[test]
    fn jsonata_text_loses_its_delimiters() {
        assert_eq!(expression("{%  $states.input.n\n  * 2 %}"), "$states.input.n * 2");
        assert_eq!(expression("plain"), "plain");
    }
}
