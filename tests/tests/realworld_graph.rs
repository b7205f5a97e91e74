//! The SVG of every definition of `../shared/realworld/valid` (306 state machines public
//! projects deploy; JSON and YAML) is drawn without error or panic and is well-formed XML,
//! with one node group per state.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)] // failing loudly is a test's job

use std::time::Instant;

use asl_codegen::Source;
use asl_graph::{Format, render};
use asl_tests::realworld_definitions as definitions;

#[test]
fn every_realworld_definition_draws_as_well_formed_svg() {
    let Some(files) = definitions() else { return };
    assert!(files.len() >= 300, "only {} definitions found", files.len());
    let started = Instant::now();
    for path in &files {
        let source = Source::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let graph = asl_graph::graph(&source).unwrap_or_else(|d| panic!("{} is invalid: {d:#?}", path.display()));
        let svg = render(&graph, Format::Svg, &path.display().to_string());
        let document =
            roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: the SVG is not XML: {e}", path.display()));
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg", "{}", path.display());
        let nodes = root.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("node "))).count();
        assert_eq!(nodes, graph.nodes.len(), "{}", path.display());
        // The other formats are drawn from the model alone; they must not fail either.
        assert!(render(&graph, Format::Mermaid, "").starts_with("flowchart TD\n"));
        assert!(render(&graph, Format::Dot, "").ends_with("}\n"));
    }
    eprintln!("{} definitions drawn in {:.1?}", files.len(), started.elapsed());
}
