//! What a durable execution writes to its store besides itself: its Distributed Maps' Map
//! Runs ([`MapRun`], for `DescribeMapRun`) and their `STANDARD` child executions once they
//! end (for `DescribeExecution`, `GetExecutionHistory` and `ListExecutions` by Map Run).
//!
//! The engine leaves them here as the transitions happen, and the runtime's next commit
//! takes them ([`Records::take`]), so they are durable together with the transitions that
//! made them: a crash before the commit takes both back, and the transitions that are taken
//! again make them again. Only a runtime with a store keeps them
//! ([`Driver::keeping_records`](super::Driver::keeping_records)); otherwise the engine makes
//! none (nothing is built for nobody).

use time::OffsetDateTime;

use super::Status;
use super::history::{EventType, History, HistoryEvent};
use super::state::DistributedWork;
use crate::context::ExecutionInfo;
use crate::map_results::{ChildResult, ChildStatus};
use crate::map_run::{MapRun, MapRunCounts, MapRunStatus};
use crate::store::{ChildExecution, ExecutionEnd, HistoryRecord, MapRunRecord, NewExecution};

/// The Map Runs and child executions an execution made since its last commit.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Records {
    /// The execution's name and state machine: its own Map Runs are recorded, not those of
    /// a Distributed Map inside one of its child executions (which is not stored itself).
    name: String,
    machine: String,
    /// The execution's ARN.
    arn: String,
    children: Vec<ChildExecution>,
    map_runs: Vec<MapRunRecord>,
}

impl Records {
    /// The records of the execution `info`.
    pub(super) fn new(info: &ExecutionInfo) -> Records {
        Records {
            name: info.name.clone(),
            machine: info.state_machine_name.clone(),
            arn: info.execution_arn(),
            children: Vec::new(),
            map_runs: Vec::new(),
        }
    }

    /// Whether `run` is the execution itself (not one of its child executions).
    pub(super) fn owns(&self, run: &ExecutionInfo) -> bool {
        run.name == self.name && run.state_machine_name == self.machine
    }

    /// Writes down the Map Run `map_run` of the execution (replacing what was written of it
    /// since the last commit).
    pub(super) fn map_run(&mut self, map_run: &MapRun) {
        // A description is numbers and strings: it always serialises.
        let body = serde_json::to_string(map_run).unwrap_or_default();
        match self.map_runs.iter_mut().find(|record| record.arn == map_run.map_run_arn) {
            Some(record) => record.body = body,
            None => self.map_runs.push(MapRunRecord {
                arn: map_run.map_run_arn.clone(),
                execution_arn: self.arn.clone(),
                body,
            }),
        }
    }

    /// Writes down a child execution of the Map Run `map_run_arn` that ended as `result`,
    /// with its `history`.
    pub(super) fn child(&mut self, map_run_arn: &str, result: &ChildResult, history: &History) {
        let status = match result.status {
            ChildStatus::Succeeded => Status::Succeeded,
            ChildStatus::TimedOut => Status::TimedOut,
            ChildStatus::Aborted => Status::Aborted,
            ChildStatus::Failed | ChildStatus::Pending => Status::Failed,
        };
        self.children.push(ChildExecution {
            execution: NewExecution {
                arn: result.execution_arn.clone(),
                state_machine_arn: result.state_machine_arn.clone(),
                name: result.name.clone(),
                input: result.input.to_string(),
                start_date: result.start_date,
            },
            map_run_arn: map_run_arn.to_owned(),
            end: ExecutionEnd {
                status,
                output: result.output.as_ref().map(ToString::to_string),
                error: result.error.clone(),
                cause: result.cause.clone(),
                stop_date: result.stop_date,
            },
            redrive_count: result.redrive_count,
            redrive_date: (result.redrive_count > 0)
                .then(|| history.events.iter().rev().find(|event| event.kind == EventType::ExecutionRedriven))
                .flatten()
                .map(|event| event.timestamp),
            history: history.events.iter().map(history_record).collect(),
        });
    }

    /// What was written down since the last time, for a commit.
    pub(crate) fn take(&mut self) -> (Vec<ChildExecution>, Vec<MapRunRecord>) {
        (std::mem::take(&mut self.children), std::mem::take(&mut self.map_runs))
    }
}

/// A history event as the store keeps it: AWS's `GetExecutionHistory` JSON.
pub(crate) fn history_record(event: &HistoryEvent) -> HistoryRecord {
    // A history event is strings, numbers and JSON values: it always serialises.
    HistoryRecord { id: event.id, event: serde_json::to_string(event).unwrap_or_default() }
}

/// The Map Run of the Distributed Map `map` (`work` its Map Run's part) of state
/// `state_name`, run by the execution `info`, as it stands: `status`, with `stop_date` once
/// it has ended.
pub(super) fn describe(
    map: &super::state::MapWork,
    work: &DistributedWork,
    info: &ExecutionInfo,
    state_name: &str,
    status: MapRunStatus,
    stop_date: Option<OffsetDateTime>,
) -> MapRun {
    let tally = &work.tally;
    let executions_ended = tally.executions.ended();
    let items_ended = tally.items.ended();
    // (The children's results may have been taken from `map` for the Map's result.)
    let executions_total = tally.executions_started + map.waiting.len() as u64;
    let items_total = map.feed.as_ref().map_or(executions_total, |feed| feed.next_item);
    let written = |ended: u64| {
        let exported = work.writer.as_ref().is_some_and(|writer| writer.export.is_some());
        if exported && status == MapRunStatus::Succeeded { ended } else { 0 }
    };
    let ended = status != MapRunStatus::Running;
    // Once the run has ended, what was still running was stopped.
    let running_executions = if ended { 0 } else { map.running as u64 };
    let running_items = if ended { 0 } else { tally.items_started.saturating_sub(items_ended) };
    let aborted_executions = tally.executions.aborted + if ended { map.running as u64 } else { 0 };
    let aborted_items = tally.items.aborted + if ended { tally.items_started.saturating_sub(items_ended) } else { 0 };
    let info_arn = info.execution_arn();
    let machine_arn =
        ["arn:", &info.partition, ":states:", &info.region, ":", &info.account_id, ":stateMachine:", &work.machine]
            .concat();
    // The children of a Map Run that failed or was stopped wait for a redrive of its
    // execution.
    let redrivable = matches!(status, MapRunStatus::Failed | MapRunStatus::Aborted);
    let pending_redrive = |failed: u64, timed_out: u64, aborted: u64| {
        if redrivable { failed + timed_out + aborted } else { 0 }
    };
    MapRun {
        map_run_arn: work.map_run_arn.clone(),
        execution_arn: info_arn,
        state_machine_arn: machine_arn,
        state_name: state_name.to_owned(),
        status,
        start_date: work.started.unwrap_or(OffsetDateTime::UNIX_EPOCH),
        stop_date,
        max_concurrency: work.max_concurrency,
        tolerated_failure_percentage: work.tolerance.percentage.unwrap_or(0.0),
        tolerated_failure_count: work.tolerance.count.unwrap_or(0),
        item_counts: MapRunCounts {
            pending: items_total.saturating_sub(tally.items_started),
            running: running_items,
            succeeded: tally.items.succeeded,
            failed: tally.items.failed,
            timed_out: tally.items.timed_out,
            aborted: aborted_items,
            total: items_total,
            results_written: written(items_ended),
            pending_redrive: pending_redrive(tally.items.failed, tally.items.timed_out, aborted_items),
            ..Default::default()
        },
        execution_counts: MapRunCounts {
            pending: map.waiting.len() as u64,
            running: running_executions,
            succeeded: tally.executions.succeeded,
            failed: tally.executions.failed,
            timed_out: tally.executions.timed_out,
            aborted: aborted_executions,
            total: executions_total,
            results_written: written(executions_ended),
            pending_redrive: pending_redrive(tally.executions.failed, tally.executions.timed_out, aborted_executions),
            ..Default::default()
        },
        redrive_count: work.redrive_count,
        redrive_date: work.redrive_date,
    }
}
