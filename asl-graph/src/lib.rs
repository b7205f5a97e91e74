//! asl-graph: draws an Amazon States Language workflow as a graph, in Mermaid, Graphviz DOT
//! or SVG (what `asl graph` prints).
//!
//! Three layers, kept apart so a browser viewer can reuse the first two as JSON (both are
//! `serde` types):
//! - [`model`]: the [`Graph`] of a definition: a node per state whose kind says its type,
//!   `Next`/`Default`/Choice-rule/Catch edges, Parallel and Map states as clusters holding
//!   their branches and processor, a start and an end; ids are state names and JSON
//!   Pointers, stable across runs;
//! - [`layout`]: where each node, edge, label and cluster is drawn (dagre's layered layout);
//! - renderers: [`mermaid`] and [`dot`] from the model alone, [`svg`] from model and layout.
//!
//! Every output is deterministic: the same definition gives the same bytes.
//!
//! ```
//! use asl_codegen::Source;
//! use asl_graph::{Format, graph, render};
//!
//! let source = Source::new("hello.asl.json", r#"{"StartAt": "Hi", "States": {
//!     "Hi": {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}}}"#);
//! let graph = graph(&source).unwrap();
//! let mermaid = render(&graph, Format::Mermaid, "hello");
//! assert!(mermaid.starts_with("flowchart TD\n"));
//! assert!(mermaid.contains("Hi --> Done"));
//! let svg = render(&graph, Format::Svg, "hello");
//! assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
//! ```
#![deny(missing_docs)]

pub mod condition;
pub mod dot;
pub mod layout;
pub mod mermaid;
pub mod model;
pub mod svg;
pub mod text;

use std::path::Path;

use asl_codegen::{Diagnostics, Source};

pub use layout::{Layout, layout};
pub use model::{Cluster, ClusterKind, Edge, EdgeKind, Graph, Node, NodeKind};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// A Mermaid flowchart (`flowchart TD`), clusters as subgraphs.
    Mermaid,
    /// Graphviz DOT, clusters as `subgraph cluster_N`.
    Dot,
    /// A standalone SVG document, laid out by [`layout()`].
    Svg,
}

impl Format {
    /// The format a file name's extension asks for: `.mmd`/`.mermaid`, `.dot`/`.gv`, `.svg`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "mmd" | "mermaid" => Some(Format::Mermaid),
            "dot" | "gv" => Some(Format::Dot),
            "svg" => Some(Format::Svg),
            _ => None,
        }
    }
}

/// Reads and validates a definition (as `asl validate` does, for a STANDARD machine) and
/// builds its graph.
///
/// # Errors
///
/// The definition's diagnostics when it is invalid.
pub fn graph(source: &Source) -> Result<Graph, Diagnostics> {
    let checked = asl_codegen::check(source)?;
    Ok(Graph::from_machine(&checked.machine))
}

/// `graph` in `format`; `title` names an SVG drawing (the definition's file name, say).
pub fn render(graph: &Graph, format: Format, title: &str) -> String {
    match format {
        Format::Mermaid => mermaid::render(graph),
        Format::Dot => dot::render(graph),
        Format::Svg => svg::render(graph, &layout(graph), title),
    }
}
