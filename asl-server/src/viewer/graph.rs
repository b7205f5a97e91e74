//! `GET /viewer/graph`: a state machine's definition drawn by asl-graph (its model, dagre
//! layout and SVG), laid out once per ARN and revision.
//!
//! A layout is the costly part (dagre's layered layout runs for milliseconds to a second on
//! large definitions), and a definition does not change under its revision id: the cache
//! keeps one drawing per ARN, replaced when the machine's revision changes. A compiled
//! machine's revision never changes, so it is laid out once per process.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use asl_codegen::{Source, SourceFormat};
use serde::Serialize;
use tokio::sync::OnceCell;

use super::ViewerError;
use crate::service::arn::{self, Kind};
use crate::service::{MachineRecord, Service};

/// A definition drawn: the JSON the page reads, and the SVG alone.
#[derive(Debug)]
pub struct Drawing {
    /// `{"stateMachineArn", "revisionId", "graph", "layout", "svg"}`.
    pub json: String,
    /// The SVG document.
    pub svg: String,
}

/// The JSON of a drawing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DrawingJson<'a> {
    state_machine_arn: &'a str,
    revision_id: &'a str,
    graph: &'a asl_graph::Graph,
    layout: &'a asl_graph::Layout,
    svg: &'a str,
}

/// A drawing, or why there is none (a definition asl-graph cannot read: the message).
type Drawn = Result<Arc<Drawing>, String>;

/// The revision an entry was drawn for, and its drawing, made once.
type Entry = (String, Arc<OnceCell<Drawn>>);

/// One drawing per ARN, of the revision it was made for.
#[derive(Default)]
pub struct GraphCache {
    /// By ARN (a machine's or a version's): the revision drawn, and the drawing, made once
    /// by whichever request asks first while the others wait for it.
    entries: Mutex<HashMap<String, Entry>>,
    /// How many layouts were made (what the cache saves; tests read it).
    layouts: AtomicUsize,
}

impl GraphCache {
    /// The drawing of the machine or version `arn` names.
    ///
    /// # Errors
    ///
    /// 400 for text that is no state machine or version ARN, 404 for one the server does
    /// not have, 422 for a definition asl-graph cannot draw.
    pub async fn drawing(&self, service: &Service, arn: &str) -> Result<Arc<Drawing>, ViewerError> {
        let record = definition_of(service, arn)?;
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            match entries.get(arn) {
                Some((revision, cell)) if *revision == record.revision_id => Arc::clone(cell),
                _ => {
                    let cell = Arc::new(OnceCell::new());
                    entries.insert(arn.to_owned(), (record.revision_id.clone(), Arc::clone(&cell)));
                    cell
                }
            }
        };
        let drawn = cell
            .get_or_init(|| async {
                self.layouts.fetch_add(1, Ordering::Relaxed);
                let arn = arn.to_owned();
                // Layout is CPU work: off the threads that serve requests.
                tokio::task::spawn_blocking(move || draw(&arn, &record))
                    .await
                    .unwrap_or_else(|error| Err(format!("the layout failed: {error}")))
            })
            .await;
        drawn.clone().map_err(ViewerError::unprocessable)
    }

    /// How many layouts the cache has made.
    pub fn layouts(&self) -> usize {
        self.layouts.load(Ordering::Relaxed)
    }
}

/// The stored definition of the machine or version `text` names.
fn definition_of(service: &Service, text: &str) -> Result<MachineRecord, ViewerError> {
    let parsed = arn::parse(text, &[Kind::StateMachine])
        .map_err(|_| ViewerError::bad_request(format!("`{text}` is not a state machine ARN (nor a version's)")))?;
    let found = match parsed.parts.len() {
        1 => service.machine(text).map(|machine| machine.record.clone()),
        _ => service.version(text).map(|version| version.record.machine.clone()),
    };
    found.ok_or_else(|| ViewerError::not_found(format!("no state machine or version `{text}` on this server")))
}

/// Draws `record`'s definition.
fn draw(arn: &str, record: &MachineRecord) -> Drawn {
    let (file, format) = match record.yaml {
        true => (format!("{}.asl.yaml", record.name), SourceFormat::Yaml),
        false => (format!("{}.asl.json", record.name), SourceFormat::Json),
    };
    let source = Source::with_format(file, record.definition.clone(), format);
    let graph = asl_graph::graph(&source).map_err(|diagnostics| {
        let problems: Vec<String> = diagnostics.errors().map(|d| d.render_short(&source)).collect();
        format!("asl-graph cannot draw the definition of `{arn}`: {}", problems.join("; "))
    })?;
    let layout = asl_graph::layout(&graph);
    let svg = asl_graph::svg::render(&graph, &layout, &record.name);
    let json = serde_json::to_string(&DrawingJson {
        state_machine_arn: arn,
        revision_id: &record.revision_id,
        graph: &graph,
        layout: &layout,
        svg: &svg,
    })
    .map_err(|error| error.to_string())?;
    Ok(Arc::new(Drawing { json, svg }))
}
