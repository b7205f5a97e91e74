//! The SVG of every definition of `../shared/realworld/valid` (306 state machines public
//! projects deploy; JSON and YAML) is drawn without error or panic and is well-formed XML,
//! with one node group per state.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)] // failing loudly is a test's job

use std::path::{Path, PathBuf};
use std::time::Instant;

use asl_codegen::Source;
use asl_graph::{Format, render};

/// The definitions, sorted; `None` (and a note) when `shared/` is not beside the workspace,
/// which CI does not allow.
fn definitions() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld/valid");
    if !dir.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "{} not found, and CI is set", dir.display());
        eprintln!("note: {} not found; skipping", dir.display());
        return None;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            [".json", ".yaml", ".yml"].iter().any(|ext| name.ends_with(ext))
        })
        .collect();
    files.sort();
    Some(files)
}

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
