//! Snapshots of the three formats over the examples' definitions and the fixtures: a
//! Parallel inside a Map inside a Parallel, a Choice with every shape of rule and Catch
//! edges, JSONata conditions with a distributed Map. Review changes with `cargo insta
//! review`.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)] // failing loudly is a test's job

use std::path::Path;

use asl_codegen::Source;
use asl_graph::{Format, Graph, render};

fn graph_of(path: &Path) -> Graph {
    let source = Source::read(path).expect("definition readable");
    asl_graph::graph(&source).unwrap_or_else(|d| panic!("{} is invalid: {d:#?}", path.display()))
}

fn title(path: &Path) -> String {
    path.file_name().expect("a file name").to_string_lossy().into_owned()
}

fn snapshot_all_formats(path: &Path) {
    let graph = graph_of(path);
    let title = title(path);
    insta::assert_snapshot!("mermaid", render(&graph, Format::Mermaid, &title));
    insta::assert_snapshot!("dot", render(&graph, Format::Dot, &title));
    insta::assert_snapshot!("svg", render(&graph, Format::Svg, &title));
}

#[test]
fn examples() {
    insta::glob!("../../examples", "*/flows/*.asl.*", snapshot_all_formats);
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/*.asl.*", snapshot_all_formats);
}

/// The model and layout as the viewer will get them (JSON), for the nested fixture.
#[test]
fn model_and_layout_as_json() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nested.asl.json");
    let graph = graph_of(&path);
    let layout = asl_graph::layout(&graph);
    let json = serde_json::json!({ "graph": graph, "layout": layout });
    insta::assert_snapshot!(serde_json::to_string_pretty(&json).unwrap());
    // Both read back as they were written.
    let back: Graph = serde_json::from_value(json["graph"].clone()).unwrap();
    assert_eq!(back, graph);
    let back: asl_graph::Layout = serde_json::from_value(json["layout"].clone()).unwrap();
    assert_eq!(back, layout);
}

#[test]
fn same_input_same_bytes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nested.asl.json");
    for format in [Format::Mermaid, Format::Dot, Format::Svg] {
        let first = render(&graph_of(&path), format, "t");
        let second = render(&graph_of(&path), format, "t");
        assert_eq!(first, second, "{format:?}");
    }
}

/// Nothing drawn overlaps: no two nodes, no node and edge label, no two edge labels; every
/// node lies inside each of its clusters.
#[test]
fn nothing_overlaps() {
    insta::glob!("fixtures/*.asl.*", |path| {
        let graph = graph_of(path);
        let layout = asl_graph::layout(&graph);
        let mut boxes: Vec<(String, [f64; 4])> =
            layout.nodes.iter().map(|n| (n.id.clone(), [n.x, n.y, n.x + n.width, n.y + n.height])).collect();
        for (i, edge) in layout.edges.iter().enumerate() {
            if let Some(l) = &edge.label {
                boxes.push((format!("label of edge {i}"), [l.x, l.y, l.x + l.width, l.y + l.height]));
            }
        }
        for (i, (a, ra)) in boxes.iter().enumerate() {
            for (b, rb) in &boxes[i + 1..] {
                let apart = ra[2] <= rb[0] || rb[2] <= ra[0] || ra[3] <= rb[1] || rb[3] <= ra[1];
                assert!(apart, "{}: {a} {ra:?} overlaps {b} {rb:?}", path.display());
            }
        }
        for (node, area) in graph.nodes.iter().zip(&layout.nodes) {
            let mut at = node.cluster.clone();
            while let Some(id) = at {
                let index = graph.clusters.iter().position(|c| c.id == id).unwrap();
                let c = &layout.clusters[index];
                let inside = c.x <= area.x
                    && c.y <= area.y
                    && area.x + area.width <= c.x + c.width
                    && area.y + area.height <= c.y + c.height;
                assert!(inside, "{}: {} is outside its cluster {id}", path.display(), node.id);
                at = graph.clusters[index].parent.clone();
            }
        }
    });
}
