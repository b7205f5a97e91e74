//! A Distributed Map's Map Run as a runtime with a store records it (see
//! [`records`](crate::execution::records)) — written down as it starts, as children start
//! and end, and as it ends — and what its failure does to the children that still run.

use serde_json::Value;
use time::OffsetDateTime;

use crate::context::ExecutionInfo;
use crate::error::Error;
use crate::execution::history::{Chain, EventDetails, EventType, History};
use crate::execution::records::{self, Records};
use crate::execution::state::{self, Child, FailedAttempt, MapWork, Work};
use crate::execution::turn::{Mode, RunCtx, Turn};
use crate::machine::{StateDef, StateKind};
use crate::map_results::{ChildResult, ChildStatus};
use crate::map_run::MapRunStatus;

/// The details of `MapRunFailed` for a Map Run that failed with `error`.
pub(super) fn run_failed_details(error: &Error) -> EventDetails {
    EventDetails {
        error: Some(error.reported_name().to_string()),
        cause: error.cause.clone(),
        ..EventDetails::default()
    }
}

/// The answer of the export of a Map Run that failed with `error` (see [`run_failed`]):
/// the Map Run's end is recorded, and the Map fails with `error`, its attempt kept for a
/// redrive. (The Map fails so whether or not the files could be written.)
pub(in crate::execution) fn failed_export_ended(
    history: &mut History,
    chain: &mut Chain,
    work: &mut Work,
    error: Error,
    end: (Option<&mut Records>, &ExecutionInfo, &str),
    now: OffsetDateTime,
) {
    let (records, info, name) = end;
    if let Work::Map(map) = &*work {
        ended(records, map, info, name, MapRunStatus::Failed, now);
    }
    history.record(chain, EventType::MapRunFailed, now, || Some(run_failed_details(&error)));
    let attempt = std::mem::replace(work, Work::Start);
    *work = Work::Failed(Box::new(FailedAttempt { error, attempt }));
}

/// Stops `map`'s child executions that still run (their waits were discarded): each
/// records `ExecutionAborted` and, for a runtime that stores them, is stored aborted.
pub(super) fn abort_children<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &RunCtx<'_, M>,
    map: &mut MapWork,
    state: Option<&'static StateDef>,
) {
    let Some(work) = &mut map.distributed else { return };
    let stored = matches!(state.map(|s| &s.kind), Some(StateKind::Map(def)) if def.distributed.is_some_and(|d| !d.express))
        && turn.records.as_deref().is_some_and(|records| records.owns(ctx.info));
    let batched = map.feed.as_ref().is_some_and(|feed| feed.batcher.is_some());
    for child in &mut map.children {
        let Child::Run(run) = child else { continue };
        state::run_aborted(turn.workflow, run, None, None, turn.now, None);
        let mut result = ChildResult::ended(&run.info, Ok(Value::Null), turn.now);
        result.status = ChildStatus::Aborted;
        result.output = None;
        let items = if batched { result.input.get("Items").and_then(Value::as_array).map_or(1, Vec::len) } else { 1 };
        work.tally.items.add(ChildStatus::Aborted, items as u64);
        work.tally.executions.add(ChildStatus::Aborted, 1);
        if let (true, Some(records)) = (stored, turn.records.as_deref_mut()) {
            records.child(&work.map_run_arn, &result, &run.history);
        }
    }
    map.running = 0;
}

/// Writes down `map`'s Map Run as it stands, running, for a runtime that stores it.
pub(super) fn note<M: Mode>(turn: &mut Turn<'_>, ctx: &RunCtx<'_, M>, map: &MapWork, name: &str) {
    if let (Some(records), Some(work)) = (turn.records.as_deref_mut(), &map.distributed)
        && records.owns(ctx.info)
    {
        records.map_run(&records::describe(map, work, ctx.info, name, MapRunStatus::Running, None));
    }
}

/// Writes down `map`'s Map Run (of the Map state `name`, run by the execution `info`) as
/// it ended at `now`, with `status`, for a runtime that stores it.
pub(in crate::execution) fn ended(
    records: Option<&mut Records>,
    map: &MapWork,
    info: &ExecutionInfo,
    name: &str,
    status: MapRunStatus,
    now: OffsetDateTime,
) {
    if let (Some(records), Some(work)) = (records, &map.distributed)
        && records.owns(info)
    {
        records.map_run(&records::describe(map, work, info, name, status, Some(now)));
    }
}

/// Writes down the end of `map`'s Map Run when its export ended (`written` whether the
/// result files were written).
pub(in crate::execution) fn export_ended(
    map: &MapWork,
    records: Option<&mut Records>,
    info: &ExecutionInfo,
    name: &str,
    written: bool,
    now: OffsetDateTime,
) {
    let status = if written { MapRunStatus::Succeeded } else { MapRunStatus::Failed };
    ended(records, map, info, name, status, now);
}
