//! A [`Graph`] as Graphviz DOT, with clusters as `subgraph cluster_N`.
//!
//! Shapes: Task rounded box, Pass box, Choice diamond, Wait hexagon, Succeed oval, Fail
//! octagon, Parallel box with double border, Map parallelogram (double border when
//! distributed), start circle, end double circle, join point. Labels are HTML-like: the
//! state's name in bold and its type under it. Catch edges are dashed.

use std::collections::HashSet;
use std::fmt::Write;

use crate::model::{ClusterKind, EdgeKind, Graph, NodeKind};

const FONT: &str = "Helvetica,Arial,sans-serif";

/// The DOT text of `graph`.
pub fn render(graph: &Graph) -> String {
    let mut taken = HashSet::new();
    let ids: Vec<String> = graph.nodes.iter().enumerate().map(|(i, n)| node_id(&n.id, i, &mut taken)).collect();
    let mut out = String::from("digraph asl {\n");
    if let Some(comment) = &graph.comment {
        for line in comment.lines() {
            let _ = writeln!(out, "    // {line}");
        }
    }
    let _ = writeln!(
        out,
        "    graph [rankdir=TB, compound=true, fontname=\"{FONT}\", fontsize=11, nodesep=0.35, ranksep=0.45];"
    );
    let _ = writeln!(
        out,
        "    node [fontname=\"{FONT}\", fontsize=12, style=filled, fillcolor=\"#ffffff\", color=\"#232f3e\", penwidth=1.2];"
    );
    let _ = writeln!(out, "    edge [fontname=\"{FONT}\", fontsize=10, color=\"#545b64\", arrowsize=0.8];");
    scope(graph, None, 1, &ids, &mut out);
    let index = |id: &str| graph.nodes.iter().position(|n| n.id == id);
    for edge in &graph.edges {
        let (Some(from), Some(to)) = (index(&edge.from), index(&edge.to)) else { continue };
        let mut attrs: Vec<String> = Vec::new();
        if let Some(label) = &edge.label {
            attrs.push(format!("label={}", quote(label)));
        }
        match edge.kind {
            EdgeKind::Catch => attrs.push("style=dashed, color=\"#d45b07\", fontcolor=\"#d45b07\"".to_owned()),
            EdgeKind::Default => attrs.push("style=bold".to_owned()),
            EdgeKind::Start | EdgeKind::End => attrs.push("color=\"#879596\"".to_owned()),
            EdgeKind::Next | EdgeKind::Choice => {}
        }
        let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
        let _ = writeln!(out, "    {} -> {}{attrs};", ids[from], ids[to]);
    }
    out.push_str("}\n");
    out
}

fn scope(graph: &Graph, cluster: Option<&str>, depth: usize, ids: &[String], out: &mut String) {
    let indent = "    ".repeat(depth);
    for (node, id) in graph.nodes.iter().zip(ids) {
        if node.cluster.as_deref() != cluster {
            continue;
        }
        let caption = node.caption();
        let label = if caption.is_empty() {
            quote(&node.label)
        } else {
            format!("<<b>{}</b><br/><font point-size=\"10\">{}</font>>", html(&node.label), html(&caption))
        };
        let shape = match node.kind {
            NodeKind::Start => "shape=circle, fillcolor=\"#232f3e\", fontcolor=\"#ffffff\", fontsize=10",
            NodeKind::End => "shape=doublecircle, fillcolor=\"#232f3e\", fontcolor=\"#ffffff\", fontsize=10",
            NodeKind::Task => "shape=box, style=\"rounded,filled\", fillcolor=\"#e6f0fb\", color=\"#0972d3\"",
            NodeKind::Pass => "shape=box, fillcolor=\"#f4f4f4\", color=\"#687078\"",
            NodeKind::Choice => "shape=diamond, fillcolor=\"#fff6db\", color=\"#b7791f\"",
            NodeKind::Wait => "shape=hexagon, fillcolor=\"#f1ecfb\", color=\"#7d4cdb\"",
            NodeKind::Succeed => "shape=oval, fillcolor=\"#e8f6ea\", color=\"#1d8102\"",
            NodeKind::Fail => "shape=octagon, fillcolor=\"#fdeceb\", color=\"#d13212\"",
            NodeKind::Parallel => "shape=box, peripheries=2, fillcolor=\"#e9f4f4\", color=\"#067f88\"",
            NodeKind::Map => "shape=parallelogram, fillcolor=\"#e9f4f4\", color=\"#067f88\"",
            NodeKind::DistributedMap => "shape=parallelogram, peripheries=2, fillcolor=\"#e9f4f4\", color=\"#067f88\"",
            NodeKind::Join => "shape=point, width=0.12, fillcolor=\"#545b64\", color=\"#545b64\"",
        };
        if node.kind == NodeKind::Join {
            let _ = writeln!(out, "{indent}{id} [{shape}];");
        } else {
            let _ = writeln!(out, "{indent}{id} [label={label}, {shape}];");
        }
    }
    for (i, inner) in graph.clusters.iter().enumerate() {
        if inner.parent.as_deref() != cluster {
            continue;
        }
        let _ = writeln!(out, "{indent}subgraph cluster_{i} {{");
        let style = match inner.kind {
            ClusterKind::Parallel | ClusterKind::Map => "style=\"dashed,rounded\", color=\"#067f88\"",
            ClusterKind::Branch | ClusterKind::Processor => {
                "style=\"rounded,filled\", color=\"#aab7b8\", fillcolor=\"#f8f9fa\""
            }
        };
        let _ = writeln!(out, "{indent}    graph [label={}, labeljust=l, {style}];", quote(&inner.label));
        scope(graph, Some(&inner.id), depth + 1, ids, out);
        let _ = writeln!(out, "{indent}}}");
    }
}

/// The node's DOT id: its own id quoted when DOT can say it, otherwise `"#nI"` (unique).
fn node_id(id: &str, index: usize, taken: &mut HashSet<String>) -> String {
    // A quoted DOT string escapes only `"`; a backslash before the closing quote or a line
    // break would change what it means.
    let sayable = !id.contains('\\') && !id.chars().any(char::is_control);
    let mut candidate = if sayable { quote(id) } else { quote(&format!("#n{index}")) };
    while taken.contains(&candidate) {
        candidate.insert(candidate.len() - 1, '#');
    }
    taken.insert(candidate.clone());
    candidate
}

/// A DOT quoted string: `"` escaped, backslashes doubled (in labels `\\` is a backslash),
/// line breaks as spaces.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for an HTML-like label.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let mut taken = HashSet::new();
        assert_eq!(node_id("Pay \"now\"", 0, &mut taken), r#""Pay \"now\"""#);
        assert_eq!(node_id("a\\b", 1, &mut taken), r##""#n1""##);
        assert_eq!(node_id("#n1", 2, &mut taken), r##""#n1#""##);
    }

    #[test]
    fn escaping() {
        assert_eq!(quote("a\\b\nc"), r#""a\\b c""#);
        assert_eq!(html("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
    }
}
