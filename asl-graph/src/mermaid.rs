//! A [`Graph`] as a Mermaid flowchart (`flowchart TD`), with clusters as subgraphs.
//!
//! Shapes: Task `("…")` rounded, Pass `["…"]`, Choice `{"…"}`, Wait `{{"…"}}`, Succeed
//! `(["…"])`, Fail `>"…"]`, Parallel `[["…"]]`, Map `[/"…"/]`, distributed Map `[\"…"\]`,
//! start `(("Start"))`, end `((("End")))`; every state also says its type under its name.
//! Catch edges are dotted (`-.->`) and labelled with their error names.

use std::collections::HashSet;
use std::fmt::Write;

use crate::model::{EdgeKind, Graph, NodeKind};

/// The Mermaid text of `graph`.
pub fn render(graph: &Graph) -> String {
    let mut taken = HashSet::new();
    let node_ids: Vec<String> = graph.nodes.iter().map(|n| unique(&sanitize(&n.id), &mut taken)).collect();
    let cluster_ids: Vec<String> = graph
        .clusters
        .iter()
        .map(|c| unique(&format!("{}_{}", sanitize(&c.state), cluster_suffix(&c.id)), &mut taken))
        .collect();
    let mut out = String::from("flowchart TD\n");
    if let Some(comment) = &graph.comment {
        for line in comment.lines() {
            let _ = writeln!(out, "    %% {line}");
        }
    }
    scope(graph, None, 1, &node_ids, &cluster_ids, &mut out);

    let index = |id: &str| graph.nodes.iter().position(|n| n.id == id);
    // linkStyle counts the edges written, in order.
    let mut catches = Vec::new();
    let mut written = 0;
    for edge in &graph.edges {
        let (Some(from), Some(to)) = (index(&edge.from), index(&edge.to)) else { continue };
        let arrow = if edge.kind == EdgeKind::Catch { "-.->" } else { "-->" };
        if edge.kind == EdgeKind::Catch {
            catches.push(written);
        }
        written += 1;
        match &edge.label {
            Some(label) => {
                let _ = writeln!(out, "    {} {arrow}|\"{}\"| {}", node_ids[from], escape(label), node_ids[to]);
            }
            None => {
                let _ = writeln!(out, "    {} {arrow} {}", node_ids[from], node_ids[to]);
            }
        }
    }

    // Colours repeat what the shapes and captions say.
    for (kind, style) in [
        (NodeKind::Start, "fill:#232f3e,stroke:#232f3e,color:#ffffff"),
        (NodeKind::End, "fill:#232f3e,stroke:#232f3e,color:#ffffff"),
        (NodeKind::Task, "fill:#e6f0fb,stroke:#0972d3,color:#0f141a"),
        (NodeKind::Pass, "fill:#f4f4f4,stroke:#687078,color:#0f141a"),
        (NodeKind::Choice, "fill:#fff6db,stroke:#b7791f,color:#0f141a"),
        (NodeKind::Wait, "fill:#f1ecfb,stroke:#7d4cdb,color:#0f141a"),
        (NodeKind::Succeed, "fill:#e8f6ea,stroke:#1d8102,color:#0f141a"),
        (NodeKind::Fail, "fill:#fdeceb,stroke:#d13212,color:#0f141a"),
        (NodeKind::Parallel, "fill:#e9f4f4,stroke:#067f88,color:#0f141a"),
        (NodeKind::Map, "fill:#e9f4f4,stroke:#067f88,color:#0f141a"),
        (NodeKind::DistributedMap, "fill:#e9f4f4,stroke:#067f88,color:#0f141a,stroke-width:3px"),
        (NodeKind::Join, "fill:#545b64,stroke:#545b64"),
    ] {
        let members: Vec<&str> =
            graph.nodes.iter().zip(&node_ids).filter(|(n, _)| n.kind == kind).map(|(_, id)| id.as_str()).collect();
        if !members.is_empty() {
            let class = format!("asl_{}", kind.class().replace('-', "_"));
            let _ = writeln!(out, "    classDef {class} {style}");
            let _ = writeln!(out, "    class {} {class}", members.join(","));
        }
    }
    if !catches.is_empty() {
        let list: Vec<String> = catches.iter().map(|i| i.to_string()).collect();
        let _ = writeln!(out, "    linkStyle {} stroke:#d45b07,color:#d45b07", list.join(","));
    }
    out
}

/// Writes the nodes and subgraphs of the cluster `cluster` (`None`: the top level).
fn scope(
    graph: &Graph,
    cluster: Option<&str>,
    depth: usize,
    node_ids: &[String],
    cluster_ids: &[String],
    out: &mut String,
) {
    let indent = "    ".repeat(depth);
    for (node, id) in graph.nodes.iter().zip(node_ids) {
        if node.cluster.as_deref() != cluster {
            continue;
        }
        let caption = node.caption();
        let text = if caption.is_empty() {
            escape(&node.label)
        } else {
            format!("{}<br/><small>{}</small>", escape(&node.label), escape(&caption))
        };
        let shape = match node.kind {
            NodeKind::Start => format!("((\"{text}\"))"),
            NodeKind::End => format!("(((\"{text}\")))"),
            NodeKind::Task => format!("(\"{text}\")"),
            NodeKind::Pass => format!("[\"{text}\"]"),
            NodeKind::Choice => format!("{{\"{text}\"}}"),
            NodeKind::Wait => format!("{{{{\"{text}\"}}}}"),
            NodeKind::Succeed => format!("([\"{text}\"])"),
            NodeKind::Fail => format!(">\"{text}\"]"),
            NodeKind::Parallel => format!("[[\"{text}\"]]"),
            NodeKind::Map => format!("[/\"{text}\"/]"),
            NodeKind::DistributedMap => format!("[\\\"{text}\"\\]"),
            NodeKind::Join => "((\" \"))".to_owned(),
        };
        let _ = writeln!(out, "{indent}{id}{shape}");
    }
    for (inner, id) in graph.clusters.iter().zip(cluster_ids) {
        if inner.parent.as_deref() != cluster {
            continue;
        }
        let _ = writeln!(out, "{indent}subgraph {id} [\"{}\"]", escape(&inner.label));
        scope(graph, Some(&inner.id), depth + 1, node_ids, cluster_ids, out);
        let _ = writeln!(out, "{indent}end");
    }
}

/// The last part of a cluster's pointer, as an id suffix: `Branches/0` → `b1`.
fn cluster_suffix(pointer: &str) -> String {
    let mut parts = pointer.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some(index), Some("Branches")) => format!("b{}", index.parse::<usize>().map_or(0, |i| i + 1)),
        (Some("ItemProcessor"), _) => "items".to_owned(),
        _ => "box".to_owned(),
    }
}

/// An id Mermaid accepts: ASCII letters, digits and `_`, not starting with a digit, not a
/// keyword.
fn sanitize(name: &str) -> String {
    let mut id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let id_lower = id.to_ascii_lowercase();
    let keyword = matches!(
        id_lower.as_str(),
        "end" | "graph" | "flowchart" | "subgraph" | "style" | "class" | "classdef" | "click" | "linkstyle" | "default"
    );
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit() || c == '_') || keyword {
        id.insert_str(0, "s_");
    }
    id
}

/// `base`, or `base_2`, `base_3`… whichever is not taken yet.
fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut id = base.to_owned();
    let mut n = 1;
    while taken.contains(&id) {
        n += 1;
        id = format!("{base}_{n}");
    }
    taken.insert(id.clone());
    id
}

/// Text for a quoted Mermaid label: quotes and the characters Mermaid or its HTML labels
/// would read as markup become entity codes (`#quot;`).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(unique(&sanitize("Pay order"), &mut taken), "Pay_order");
        assert_eq!(unique(&sanitize("Pay-order"), &mut taken), "Pay_order_2");
        assert_eq!(unique(&sanitize("end"), &mut taken), "s_end");
        assert_eq!(unique(&sanitize("#start"), &mut taken), "s__start");
        assert_eq!(unique(&sanitize("1st"), &mut taken), "s_1st");
        assert_eq!(unique(&sanitize("注文"), &mut taken), "s___");
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape(r#"a "b" <c> #1 | `d` & e"#), "a #quot;b#quot; #lt;c#gt; #35;1 #124; #96;d#96; #amp; e");
    }

    #[test]
    fn cluster_suffixes() {
        assert_eq!(cluster_suffix("/States/P/Branches/2"), "b3");
        assert_eq!(cluster_suffix("/States/M/ItemProcessor"), "items");
        assert_eq!(cluster_suffix("/States/M"), "box");
    }
}
