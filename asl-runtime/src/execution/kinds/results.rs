//! A Distributed Map's results: what each child execution leaves (its output, or its whole
//! record when the `ResultWriter` needs it), and the Map's result once they have all ended
//! — inline, shaped by the `WriterConfig`, or exported to S3 through the handler with the
//! Map's result pointing at the manifest (see [`map_results`](crate::map_results)).

use serde_json::{Map, Value};

use crate::error::{Error, names};
use crate::execution::effects::{Request, WriteRequest};
use crate::execution::flow::DataFlow;
use crate::execution::state::{Child, MapWork, WaitId, WriterWork};
use crate::execution::turn::Turn;
use crate::machine::{MapDef, StateDef, StateKind};
use crate::map_results::{self, ChildResult, ExportTarget, Transformation, WriterConfig};

/// The `ResultWriter` of a Map whose attempt starts, evaluated over its effective `input`:
/// its `WriterConfig` (checked) and, with a `Resource`, the `Bucket` and `Prefix` of its
/// `Parameters`/`Arguments`.
///
/// # Errors
///
/// `States.Runtime` for a `WriterConfig` AWS would not take, or an export without a
/// `Bucket`; what evaluating the templates fails with.
pub(in crate::execution) fn writer<'f>(
    flow: &mut impl DataFlow<'f>,
    def: &MapDef,
    input: &Value,
) -> Result<Option<Box<WriterWork>>, Error> {
    let Some(writer) = def.distributed.and_then(|d| d.writer) else { return Ok(None) };
    let config = match writer.config {
        Some(template) => {
            let config = flow.payload(template, input, "WriterConfig")?;
            WriterConfig::from_value(&config).map_err(|e| Error::runtime(e.to_string()))?;
            Some(config)
        }
        None => None,
    };
    let export = match writer.resource {
        Some(_) => {
            let parameters = match writer.parameters {
                Some(template) => flow.payload(template, input, "ResultWriter")?,
                None => Value::Object(Map::new()),
            };
            let text = |field: &str| parameters.get(field).and_then(Value::as_str).map(str::to_owned);
            let bucket = text("Bucket").ok_or_else(|| {
                Error::runtime("The ResultWriter's Parameters must give the Bucket to export the results to")
            })?;
            Some((bucket, text("Prefix").unwrap_or_default()))
        }
        None => None,
    };
    Ok(Some(Box::new(WriterWork { config, export, writing: None, failing: None })))
}

/// What `map` keeps of a child execution that ended: its whole record when the writer
/// needs it, else its output (for a child that failed, its record, as AWS's inline result
/// has it).
pub(in crate::execution) fn child_result(map: &MapWork, result: ChildResult) -> Child {
    let writer = map.distributed.as_ref().and_then(|d| d.writer.as_deref());
    if writer.is_some_and(WriterWork::needs_records) {
        return Child::Ended(Box::new(result));
    }
    Child::Done(map_results::entries(result, Transformation::Compact).next().unwrap_or(Value::Null))
}

/// How a Map whose children have all ended goes on.
pub(in crate::execution) enum Finish {
    /// With this result.
    Result(Value),
    /// Once its results are exported (a write was asked for).
    Exporting,
}

/// The result of a Map whose children have all ended: inline (shaped by the
/// `WriterConfig`), or, for an export, the write of its result files is asked for
/// (`path` is the Map's frame) and its result comes with the write's answer.
pub(in crate::execution) fn finish(
    turn: &mut Turn<'_>,
    map: &mut MapWork,
    state: Option<&'static StateDef>,
    path: &[u32],
) -> Finish {
    let children = std::mem::take(&mut map.children);
    let Some(distributed) = map.distributed.as_mut() else {
        return Finish::Result(Value::Array(children.into_iter().map(output).collect()));
    };
    let Some(writer) = distributed.writer.as_deref_mut() else {
        return Finish::Result(Value::Array(children.into_iter().map(output).collect()));
    };
    let config = writer.config.as_ref().and_then(|config| WriterConfig::from_value(config).ok());
    let Some((bucket, prefix)) = &writer.export else {
        if writer.needs_records() {
            return Finish::Result(map_results::inline_output(
                children.into_iter().filter_map(record),
                config.as_ref(),
            ));
        }
        let flatten = WriterConfig::transformation_inline(config.as_ref()) == Transformation::Flatten;
        let mut outputs = Vec::with_capacity(children.len());
        for value in children.into_iter().map(output) {
            match value {
                // A child that failed left its record, an object: only outputs spread.
                Value::Array(items) if flatten => outputs.extend(items),
                value => outputs.push(value),
            }
        }
        return Finish::Result(Value::Array(outputs));
    };
    let target = ExportTarget::new(distributed.map_run_arn.clone(), bucket.clone(), prefix.clone());
    let export = map_results::export(target, children.into_iter().filter_map(record), config.as_ref());
    let (bucket, id) = (bucket.clone(), turn.wait_id());
    writer.writing = Some(id);
    ask_to_write(turn, id, state, path, bucket, export);
    Finish::Exporting
}

/// Asks the handler to write `export`'s files, then its manifest, to `bucket` (wait `id`
/// of the Map `state` whose frame is `path`).
fn ask_to_write(
    turn: &mut Turn<'_>,
    id: WaitId,
    state: Option<&'static StateDef>,
    path: &[u32],
    bucket: String,
    export: map_results::Export,
) {
    let mut objects: Vec<(String, Vec<u8>)> = export.files.into_iter().map(|file| (file.key, file.body)).collect();
    objects.push((export.manifest.key, export.manifest.body));
    let resource = match state.map(|s| &s.kind) {
        Some(StateKind::Map(MapDef { distributed: Some(d), .. })) => d.writer.and_then(|w| w.resource).unwrap_or(""),
        _ => "",
    };
    turn.fx.requests.push(Request::Write(Box::new(WriteRequest {
        id,
        path: path.to_vec(),
        state: state.map_or("", |s| s.name),
        resource,
        bucket,
        objects,
        result: export.state_result,
    })));
}

/// The export of a Map Run that failed with `error` (a `map` whose frame is `path`), as
/// AWS writes it: the result files of the children that ended (`SUCCEEDED`, `FAILED` —
/// those stopped by the failure among them) and of the items that never started
/// (`PENDING`). The children stay in `map` (a redrive goes on with them); the Map fails with
/// `error` once the files are written. `false` when the Map does not export its results.
pub(in crate::execution) fn export_failed(
    turn: &mut Turn<'_>,
    map: &mut MapWork,
    state: Option<&'static StateDef>,
    path: &[u32],
    error: &Error,
) -> bool {
    let Some(distributed) = map.distributed.as_mut() else { return false };
    let Some(writer) = distributed.writer.as_deref_mut() else { return false };
    let Some((bucket, prefix)) = &writer.export else { return false };
    let records = map.children.iter().filter_map(|child| match child {
        Child::Ended(result) => Some((**result).clone()),
        Child::Unsuccessful(child) => Some(child.result.clone()),
        Child::Run(run) => {
            // Stopped by the failure.
            let mut result = ChildResult::ended(&run.info, Ok(Value::Null), turn.now);
            result.status = map_results::ChildStatus::Aborted;
            result.output = None;
            Some(result)
        }
        Child::Done(_) | Child::Frame(_) => None,
    });
    let pending = map.waiting.iter().map(|input| ChildResult::pending(input.clone()));
    let config = writer.config.as_ref().and_then(|config| WriterConfig::from_value(config).ok());
    let target = ExportTarget::new(distributed.map_run_arn.clone(), bucket.clone(), prefix.clone());
    let export = map_results::export(target, records.chain(pending), config.as_ref());
    let (bucket, id) = (bucket.clone(), turn.wait_id());
    writer.writing = Some(id);
    writer.failing = Some(Box::new(error.clone()));
    ask_to_write(turn, id, state, path, bucket, export);
    true
}

/// A finished child's output.
fn output(child: Child) -> Value {
    match child {
        Child::Done(output) => output,
        Child::Ended(result) => result.output.unwrap_or(Value::Null),
        // A child that did not succeed leaves its record, as AWS's inline result has it.
        Child::Unsuccessful(child) => {
            map_results::entries(child.result, Transformation::Compact).next().unwrap_or(Value::Null)
        }
        Child::Frame(_) | Child::Run(_) => Value::Null,
    }
}

/// A finished child's record.
fn record(child: Child) -> Option<ChildResult> {
    match child {
        Child::Ended(result) => Some(*result),
        Child::Unsuccessful(child) => Some(child.result),
        // (A Map that needs records keeps every child's.)
        Child::Done(_) | Child::Frame(_) | Child::Run(_) => None,
    }
}

/// The error of an export that failed, as `States.ResultWriterFailed`.
pub(in crate::execution) fn write_failed(error: Error) -> Error {
    if error.name == names::RESULT_WRITER_FAILED {
        return error;
    }
    let cause = match &error.cause {
        Some(cause) => format!("{}: {cause}", error.reported_name()),
        None => error.reported_name().to_string(),
    };
    Error::new(names::RESULT_WRITER_FAILED, cause)
}
