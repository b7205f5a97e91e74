//! Map states: inline iterations, and Distributed Map runs whose items are child
//! executions with tolerated failures.
//!
//! A Distributed Map's items each run as a *child execution* (its own name,
//! `$$.Execution`, history and event ids); a failed child does not stop its siblings, and
//! the Map fails with `States.ExceedToleratedFailureThreshold` only once the failures
//! exceed its tolerated count or percentage (see [`Tolerance`]).

use std::collections::VecDeque;

use serde_json::Value;
use time::OffsetDateTime;

use crate::context::ExecutionInfo;
use crate::error::{Error, names};
use crate::execution::fields;
use crate::execution::flow::DataFlow;
use crate::execution::history::{Chain, EventDetails, EventType, History};
use crate::execution::inspect::Inspector;
use crate::execution::kinds::{feed, map_run, results};
use crate::execution::state::{
    Child, DistributedWork, FailedAttempt, Frame, MapWork, Run, Step, Tally, Tolerance, Unsuccessful, Vars, Work,
};
use crate::execution::turn::{ChildEnd, Completion, Ended, Mode, RunCtx, Turn};
use crate::intrinsics::{RandomSource, SplitMix64, uuid_v4};
use crate::jsonata;
use crate::machine::{Amount, DistributedDef, Fraction, MapDef, StateDef, StateKind};
use crate::map_results::ChildStatus;
use crate::map_run::MapRunStatus;
use crate::path::{self, Scope};

/// The cause of `States.ExceedToleratedFailureThreshold` (reference §1.3, ✔AWS).
pub(in crate::execution) const THRESHOLD_EXCEEDED: &str = "The specified tolerated failure threshold was exceeded";

/// Starts an attempt: the effective input, then [`start`]; a Map without items (or whose
/// start failed) is settled in the next transition.
#[inline]
pub(super) fn attempt<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    def: &MapDef,
) -> Result<Completion, Error> {
    let Step::Working { retries, work, .. } = &mut frame.step else { return Ok(Completion::Blocked) };
    let context = ctx.context(state, frame.entered, Some(retries.retry_count()));
    let input = ctx.flow(state, &context, &frame.variables).map_input(def.io, &frame.input)?;
    let depth = turn.path.len();
    *work = match start(turn, ctx, &mut frame.chain, state, depth, input, &context, &frame.variables) {
        Ok(Started::Map(map)) => Work::Map(map),
        Ok(Started::Ended(result)) => {
            turn.fx.again = true;
            Work::Done(Ok(result))
        }
        Ok(Started::StoodIn(result)) => {
            turn.fx.again = true;
            Work::Done(result)
        }
        Err(error) => {
            turn.fx.again = true;
            Work::Done(Err(error))
        }
    };
    Ok(Completion::Blocked)
}

/// How a Map attempt started.
enum Started {
    /// Its iterations are under way (or, without items, done).
    Map(Box<MapWork>),
    /// A state test's stand-in took their place: the attempt's result.
    StoodIn(Result<Value, Error>),
    /// It had no items: its result.
    Ended(Value),
}

/// Starts a Map attempt with effective input `input`, for the Map state's frame at
/// `depth`: reads the items, the concurrency and (Distributed Map) the tolerated failures,
/// builds every item's input, and starts the first iterations.
///
/// # Errors
///
/// What the attempt fails with (retriable and catchable like a task's error): `ItemsPath`
/// not pointing to an array, a bad `MaxConcurrencyPath` or tolerance, a failed
/// `ItemSelector`.
#[allow(clippy::too_many_arguments)] // The Map state's whole situation; a struct would only rename it.
fn start<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    chain: &mut Chain,
    state: &'static StateDef,
    depth: usize,
    input: Value,
    context: &Value,
    variables: &Vars,
) -> Result<Started, Error> {
    let StateKind::Map(def) = &state.kind else {
        return Err(Error::runtime(format!("state '{}' is not a Map state", state.name)));
    };
    let info = ctx.info;
    let mut flow = ctx.flow(state, context, variables);
    let scope = Scope::new(&input).with_context(context).with_variables(&*variables.0);
    let js = jsonata::Scope::new(&input, context, &variables.0).with_now(turn.now);
    let mut feed = feed::start(&mut flow, def, &input, &scope, &js, turn)?;
    let reading = feed.as_ref().is_some_and(|f| f.reader.is_some());
    // Items read from an ItemReader come later, a few at a time.
    let items = if reading { Vec::new() } else { flow.items(def, &input)? };
    let max_concurrency = match def.max_concurrency {
        Some(amount) => fields::map_integer(amount, &scope, &js, "MaxConcurrencyPath")?,
        None => 0,
    };
    let limit = match (max_concurrency, def.distributed) {
        (0, None) => items.len().max(1),
        (0, Some(_)) => items.len().clamp(1, feed::MAX_CHILDREN),
        (n, _) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let limit = if reading && max_concurrency == 0 { feed::MAX_CHILDREN } else { limit };
    let tolerance = match def.distributed {
        Some(distributed) => Some(tolerance(distributed, &scope, &js)?),
        None => None,
    };
    let length = items.len() as u64;
    let mut waiting = VecDeque::with_capacity(items.len());
    match &mut feed {
        Some(feed) => feed.take(&mut flow, info, def, items, &mut waiting, !reading)?,
        None => {
            for (index, item) in items.iter().enumerate() {
                let item_input = match def.item_selector {
                    Some(selector) => flow.item_input(info, selector, &input, (index as u64, item))?,
                    None => item.clone(),
                };
                waiting.push_back(item_input);
            }
        }
    }
    let writer = results::writer(&mut flow, def, &input)?;
    // (The flow borrows `ctx` and the variables: done with it.)
    drop(flow);
    // (A state test of a Map that reads its items stands in once it has read them all.)
    if let Some(result) =
        ctx.inspector().filter(|_| !reading).and_then(|i| stand_in(i, def, max_concurrency, tolerance, &waiting))
    {
        return Ok(Started::StoodIn(result));
    }
    // A state test starts no child: its reader reads on until it has no more items.
    let limit = if reading && ctx.inspector().is_some() { usize::MAX } else { limit };
    // (Items read from an ItemReader are not counted yet.)
    let length = (!reading).then_some(length);
    let started_event =
        ctx.event_with(chain, EventType::MapStateStarted, || Some(EventDetails { length, ..EventDetails::default() }));
    let distributed = match (def.distributed, tolerance) {
        (Some(distributed), Some(tolerance)) => {
            // The children's state machine: `<state machine>/<label>`, a generated label
            // for a Map without one.
            let label = match distributed.label {
                Some(label) => label.to_string(),
                None => uuid_v4(&mut *ctx.rng),
            };
            let machine = format!("{}/{label}", ctx.info.state_machine_name);
            let run_id = uuid_v4(&mut *ctx.rng);
            let info = ctx.info;
            let map_run_arn = [
                "arn:",
                &info.partition,
                ":states:",
                &info.region,
                ":",
                &info.account_id,
                ":mapRun:",
                &machine,
                ":",
                &run_id,
            ]
            .concat();
            ctx.event_with(chain, EventType::MapRunStarted, || {
                Some(EventDetails { map_run_arn: Some(map_run_arn.clone()), ..EventDetails::default() })
            });
            Some(DistributedWork {
                machine,
                tolerance,
                failed: 0,
                map_run_arn,
                writer,
                started: Some(turn.now),
                max_concurrency,
                tally: Tally::default(),
                redrive_count: 0,
                redrive_date: None,
            })
        }
        _ => None,
    };
    let mut map = MapWork {
        resumed: false,
        processor: def.processor,
        children: Vec::new(),
        waiting,
        running: 0,
        limit,
        started_event,
        distributed,
        feed,
    };
    if map.waiting.is_empty() && !reading {
        map_run::note(turn, ctx, &map, state.name);
        return Ok(match finished(turn, ctx, chain, &mut map, Some(state), depth) {
            Some(result) => Started::Ended(result),
            None => Started::Map(Box::new(map)),
        });
    }
    map.children.reserve(map.waiting.len());
    while map.running < map.limit {
        let Some(item) = map.waiting.pop_front() else { break };
        begin(turn, ctx, &mut map, depth, variables, item, true);
    }
    feed::read_more(turn, &mut map, state, turn.path[..depth].to_vec());
    map_run::note(turn, ctx, &map, state.name);
    Ok(Started::Map(Box::new(map)))
}

/// A state test of a Map: writes down its concurrency, tolerated failures and iteration
/// inputs (`item_inputs`), then gives the test's stand-in for the iterations' result (or
/// `States.ExceedToleratedFailureThreshold` when the test's failed iterations are more than
/// the Map tolerates). `None` without a stand-in: the iterations run.
#[cold]
#[inline(never)]
fn stand_in(
    inspector: &mut Inspector,
    def: &MapDef,
    max_concurrency: u64,
    tolerance: Option<Tolerance>,
    item_inputs: &VecDeque<Value>,
) -> Option<Result<Value, Error>> {
    inspector.seen.max_concurrency = Some(max_concurrency);
    let batched = def.distributed.is_some_and(|d| d.batcher.is_some());
    if batched {
        // Each child input is a batch: its `Items` are the items as `ItemSelector` made them.
        inspector.seen.after_item_batcher = Some(Value::Array(item_inputs.iter().cloned().collect()));
        if def.item_selector.is_some() {
            let items = item_inputs.iter().filter_map(|batch| batch.get("Items")?.as_array()).flatten().cloned();
            inspector.seen.after_item_selector = Some(Value::Array(items.collect()));
        }
    } else if def.item_selector.is_some() {
        inspector.seen.after_item_selector = Some(Value::Array(item_inputs.iter().cloned().collect()));
    }
    let (count, percentage) = tolerance.map_or((None, None), |t| (t.count, t.percentage));
    let failed = inspector.map_fails(count, percentage, item_inputs.len());
    let stand_in = inspector.stand_in()?;
    Some(failed.map_or(stand_in, Err))
}

/// Records that iteration `index` of `map` (the Map state's frame is at `depth`) ended,
/// and starts the next waiting item. `Some` with the Map's result once the attempt is over:
/// every item done, or a failure that ends it.
#[allow(clippy::too_many_arguments)] // The Map state's whole situation; a struct would only rename it.
pub(in crate::execution) fn child_ended<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    state: Option<&'static StateDef>,
    map: &mut MapWork,
    chain: &mut Chain,
    variables: &Vars,
    depth: usize,
    ending: ChildEnd,
) -> Option<Result<Value, Error>> {
    let ChildEnd { index, ended, chain: child_chain, map_name } = ending;
    // An iteration or child that ended no longer runs.
    map.running = map.running.saturating_sub(1);
    // (`None`: the child's slot was filled already.)
    let ended_child = match ended {
        Ended::Output(output) => {
            if let (None, Some(mut child_chain)) = (&map.distributed, child_chain) {
                ctx.event_with(&mut child_chain, EventType::MapIterationSucceeded, || {
                    Some(iteration_details(map_name, index))
                });
                // The Map's events go on from the iteration that ended last.
                chain.join(child_chain, true);
            }
            Some(Child::Done(output))
        }
        Ended::Run(result) => {
            let items = items_of(map, &result.input);
            let distributed = map.distributed.as_mut()?;
            distributed.tally.items.add(result.status, items as u64);
            distributed.tally.executions.add(result.status, 1);
            if result.status == ChildStatus::Succeeded {
                Some(results::child_result(map, *result))
            } else {
                distributed.failed += items;
                // The run is kept with its record: a redrive of the Map Run takes it up.
                if let Some(slot) = map.children.get_mut(index)
                    && let Child::Run(run) = std::mem::replace(slot, Child::Done(Value::Null))
                {
                    *slot = Child::Unsuccessful(Box::new(Unsuccessful { run: *run, result: *result }));
                }
                if threshold_exceeded(map) {
                    return run_failed(turn, ctx, chain, map, depth, state).map(Err);
                }
                None
            }
        }
        Ended::Failed(error) => {
            if let (None, Some(mut child_chain)) = (&map.distributed, child_chain) {
                ctx.event_with(&mut child_chain, EventType::MapIterationFailed, || {
                    Some(iteration_details(map_name, index))
                });
                chain.join(child_chain, false);
            }
            turn.discard(depth, &map.children);
            stop_reading(turn, map);
            return Some(Err(error));
        }
    };
    if let (Some(child), Some(ended)) = (map.children.get_mut(index), ended_child) {
        *child = ended;
    }
    if let Some(item) = map.waiting.pop_front() {
        begin(turn, ctx, map, depth, variables, item, false);
    }
    if let Some(state) = state {
        feed::read_more(turn, map, state, turn.path[..depth].to_vec());
    }
    if map.running > 0 || map.feed.as_ref().is_some_and(|feed| feed.reading()) {
        map_run::note(turn, ctx, map, map_name);
        return None;
    }
    finished(turn, ctx, chain, map, state, depth).map(Ok)
}

/// The result of a Map whose iterations all ended well (its events recorded), or `None`
/// while its results are exported (the export's answer ends it; see
/// [`exported`]). The Map's frame is at `depth`.
fn finished<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    chain: &mut Chain,
    map: &mut MapWork,
    state: Option<&'static StateDef>,
    depth: usize,
) -> Option<Value> {
    let path = &turn.path[..depth];
    match results::finish(turn, map, state, path) {
        results::Finish::Result(result) => {
            succeeded(turn, ctx, chain, map, state.map_or("", |state| state.name));
            Some(result)
        }
        results::Finish::Exporting => None,
    }
}

/// The answer of a Map's export (`result` is the Map's result, or why the write failed),
/// recorded as the Map Run's end: its attempt is over.
pub(in crate::execution) fn exported(
    history: &mut History,
    chain: &mut Chain,
    now: OffsetDateTime,
    result: Result<Value, Error>,
) -> Work {
    match result {
        Ok(result) => {
            history.record(chain, EventType::MapRunSucceeded, now, || None);
            history.record(chain, EventType::MapStateSucceeded, now, || None);
            Work::Done(Ok(result))
        }
        Err(error) => {
            let error = results::write_failed(error);
            history.record(chain, EventType::MapRunFailed, now, || {
                Some(EventDetails {
                    error: Some(error.reported_name().to_string()),
                    cause: error.cause.clone(),
                    ..EventDetails::default()
                })
            });
            Work::Done(Err(error))
        }
    }
}

/// Whether `map`'s failed items exceed its tolerated failures, as far as is known: its
/// total number of items is known once its reader (if it has one) has handed out the last.
fn threshold_exceeded(map: &MapWork) -> bool {
    let Some(distributed) = &map.distributed else { return false };
    let total = match map.feed.as_deref() {
        Some(feed) if feed.reading() => None,
        Some(feed) => usize::try_from(feed.next_item).ok(),
        None => Some(map.children.len() + map.waiting.len()),
    };
    distributed.tolerance.exceeded(distributed.failed, total)
}

/// Ends `map`'s Map Run (its frame is at `depth`) for exceeding its tolerated failures:
/// the children still running are stopped, no more items are read, `MapRunFailed`. The
/// Map's error; `None` while the failed run's result files are written (a Map that
/// exports its results), whose answer fails the Map (see [`failed_export_ended`]).
fn run_failed<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    chain: &mut Chain,
    map: &mut MapWork,
    depth: usize,
    state: Option<&'static StateDef>,
) -> Option<Error> {
    let name = state.map_or("", |state| state.name);
    turn.discard(depth, &map.children);
    map_run::abort_children(turn, ctx, map, state);
    stop_reading(turn, map);
    let error = Error::new(names::EXCEED_TOLERATED_FAILURE_THRESHOLD, THRESHOLD_EXCEEDED);
    let path = turn.path[..depth].to_vec();
    if results::export_failed(turn, map, state, &path, &error) {
        return None;
    }
    map_run::ended(turn.records.as_deref_mut(), map, ctx.info, name, MapRunStatus::Failed, turn.now);
    ctx.event_with(chain, EventType::MapRunFailed, || Some(map_run::run_failed_details(&error)));
    Some(error)
}

/// Closes `map`'s item source, if it has one: the Map has failed.
fn stop_reading(turn: &mut Turn<'_>, map: &mut MapWork) {
    if let Some(reader) = map.feed.as_deref_mut().and_then(|feed| feed.reader.as_mut()) {
        turn.fx.cancelled.push(reader.source);
        turn.fx.cancelled.extend(reader.pulling.take());
        reader.stopped = !reader.exhausted;
        reader.exhausted = true;
    }
}

/// Takes the items a Distributed Map's reader handed out (the frame was woken for them):
/// they become child inputs, children start while there is room, and more are asked for.
/// The Map's attempt ends when the reader has no more items and every child has ended,
/// or fails when the reader failed (`States.ItemReaderFailed`, a `MapRunFailed` event)
/// or an `ItemSelector` did.
pub(in crate::execution) fn fed<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
) -> Result<Completion, Error> {
    let StateKind::Map(def) = &state.kind else { return Ok(Completion::Blocked) };
    let Frame { step, entered, variables, chain, .. } = frame;
    let Step::Working { retries, work, .. } = step else { return Ok(Completion::Blocked) };
    let Work::Map(map) = work else { return Ok(Completion::Blocked) };
    let depth = turn.path.len();
    // A Map Run taken up by a redrive is woken once, with nothing arrived, to start its
    // waiting items and read on.
    map.resumed = false;
    let arrived = map.feed.as_deref_mut().and_then(|feed| {
        let arrived = feed.reader.as_mut()?.arrived.take()?;
        Some((feed, arrived))
    });
    let taken = match arrived {
        Some((feed, arrived)) => {
            let Some(reader) = feed.reader.as_mut() else { return Ok(Completion::Blocked) };
            match arrived {
                Ok(items) => {
                    reader.taken += items.len() as u64;
                    reader.exhausted = items.is_empty();
                    let last = reader.exhausted;
                    let context = ctx.context(state, *entered, Some(retries.retry_count()));
                    let info = ctx.info;
                    let mut flow = ctx.flow(state, &context, variables);
                    feed.take(&mut flow, info, def, items, &mut map.waiting, last)
                }
                Err(error) => Err(error),
            }
        }
        None => Ok(()),
    };
    // The reader's last items make the total known: failures the count allowed may be too
    // many a share.
    let taken = match taken {
        Ok(()) if threshold_exceeded(map) => match run_failed(turn, ctx, chain, map, depth, Some(state)) {
            Some(error) => Err(error),
            // Its result files are being written.
            None => return Ok(Completion::Blocked),
        },
        taken => taken,
    };
    if let Err(error) = taken {
        if error.name != names::EXCEED_TOLERATED_FAILURE_THRESHOLD {
            map_run::ended(turn.records.as_deref_mut(), map, ctx.info, state.name, MapRunStatus::Failed, turn.now);
            turn.discard(depth, &map.children);
            map_run::abort_children(turn, ctx, map, Some(state));
        }
        stop_reading(turn, map);
        if map.distributed.is_some() && error.name != names::EXCEED_TOLERATED_FAILURE_THRESHOLD {
            ctx.event_with(chain, EventType::MapRunFailed, || {
                Some(EventDetails {
                    error: Some(error.reported_name().to_string()),
                    cause: error.cause.clone(),
                    ..EventDetails::default()
                })
            });
        }
        let attempt = std::mem::replace(work, Work::Start);
        *work = Work::Failed(Box::new(FailedAttempt { error, attempt }));
        turn.fx.again = true;
        return Ok(Completion::Blocked);
    }
    if let Some(inspector) = ctx.inspector() {
        // A state test starts no child: once every item is read, its stand-in is the
        // Map's result.
        if map.feed.as_ref().is_some_and(|feed| feed.reading()) {
            feed::read_more(turn, map, state, turn.path.to_vec());
            return Ok(Completion::Blocked);
        }
        let (max_concurrency, tolerance) =
            map.distributed.as_ref().map_or((0, None), |d| (d.max_concurrency, Some(d.tolerance)));
        let result = stand_in(inspector, def, max_concurrency, tolerance, &map.waiting)
            .unwrap_or_else(|| Err(Error::runtime("a state test of a Map needs a stand-in for its iterations")));
        *work = Work::Done(result);
        turn.fx.again = true;
        return Ok(Completion::Blocked);
    }
    let first = map.children.is_empty();
    map.children.reserve(map.waiting.len());
    while map.running < map.limit {
        let Some(item) = map.waiting.pop_front() else { break };
        begin(turn, ctx, map, depth, variables, item, first);
    }
    feed::read_more(turn, map, state, turn.path.to_vec());
    if map.running == 0
        && !map.feed.as_ref().is_some_and(|feed| feed.reading())
        && map.exporting().is_none()
        && let Some(result) = finished(turn, ctx, chain, map, Some(state), depth)
    {
        *work = Work::Done(Ok(result));
        turn.fx.again = true;
    } else {
        map_run::note(turn, ctx, map, state.name);
    }
    Ok(Completion::Blocked)
}

/// Records the events of a Map (of the state `name`) that succeeded.
fn succeeded<M: Mode>(turn: &mut Turn<'_>, ctx: &mut RunCtx<'_, M>, chain: &mut Chain, map: &MapWork, name: &str) {
    if map.distributed.is_some() {
        ctx.event(chain, EventType::MapRunSucceeded);
        map_run::ended(turn.records.as_deref_mut(), map, ctx.info, name, MapRunStatus::Succeeded, turn.now);
    }
    ctx.event(chain, EventType::MapStateSucceeded);
}

/// How many items a child execution's `input` holds: its batch's, or one.
fn items_of(map: &MapWork, input: &Value) -> usize {
    if map.feed.as_ref().is_some_and(|feed| feed.batcher.is_some()) {
        input.get("Items").and_then(Value::as_array).map_or(1, Vec::len)
    } else {
        1
    }
}

/// The details of a `MapIteration…` event: the Map state's name and the item's index.
pub(in crate::execution) fn iteration_details(map_name: &'static str, index: usize) -> EventDetails {
    EventDetails { name: Some(map_name.into()), index: Some(index as u64), ..EventDetails::default() }
}

/// Starts the next iteration with `input`, queued at the front (the first iterations, in
/// order) or at the back (one that takes a finished iteration's place). An inline
/// iteration sees the Map state's `variables`; a child execution sees none of them.
fn begin<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    map: &mut MapWork,
    depth: usize,
    variables: &Vars,
    input: Value,
    front: bool,
) {
    let index = map.children.len();
    let start = turn.workflow.containers.get(usize::from(map.processor)).map_or(0, |c| c.start);
    let child = match &map.distributed {
        Some(distributed) => {
            Child::Run(Box::new(child_run(ctx, map.processor, start, &distributed.machine, input, turn.now)))
        }
        None => {
            // MapIterationStarted is recorded when the iteration takes its first step.
            let frame = Frame::new(map.processor, start, input, turn.now).with_variables(variables.clone());
            Child::Frame(frame.following(map.started_event))
        }
    };
    if let Some(distributed) = &mut map.distributed {
        // (Only a child of a batching Map holds more than one item.)
        let items = match &child {
            Child::Run(run) if map.feed.as_ref().is_some_and(|feed| feed.batcher.is_some()) => {
                run.info.input.get("Items").and_then(Value::as_array).map_or(1, Vec::len)
            }
            _ => 1,
        };
        distributed.tally.items_started += items as u64;
        distributed.tally.executions_started += 1;
    }
    map.children.push(child);
    map.running += 1;
    let path = turn.child_path(depth, index);
    turn.enqueue(path, front);
}

/// One child execution of a Distributed Map: the processor run as an execution of its
/// own, of state machine `machine`, named with a generated UUID, with `input` as its input
/// (`$$.Execution` shows all three) and its own history and random sequence.
fn child_run<M: Mode>(
    ctx: &mut RunCtx<'_, M>,
    processor: u16,
    start: u16,
    machine: &str,
    input: Value,
    now: OffsetDateTime,
) -> Run {
    let name = uuid_v4(&mut *ctx.rng);
    let seed = ctx.rng.next_u64();
    let parent = ctx.info;
    let mut info = ExecutionInfo::new(machine, name, now, input.clone());
    info.partition.clone_from(&parent.partition);
    info.region.clone_from(&parent.region);
    info.account_id.clone_from(&parent.account_id);
    info.role_arn.clone_from(&parent.role_arn);
    Run::new(info, SplitMix64::new(seed), Frame::new(processor, start, input, now), now, ctx.history.detail)
}

/// A Distributed Map's tolerated failures, read and checked before its Map Run starts.
///
/// # Errors
///
/// `States.Runtime`: a `…Path` that selects nothing ([`path::cause::invalid_path`]) or a
/// value that is not a number ([`path::cause::not_an_integer`],
/// [`path::cause::not_a_float`]), a negative count
/// ([`path::cause::TOLERATED_FAILURE_COUNT_NEGATIVE`]), a percentage outside 0–100
/// ([`path::cause::TOLERATED_FAILURE_PERCENTAGE_RANGE`]).
fn tolerance(distributed: &DistributedDef, scope: &Scope<'_>, js: &jsonata::Scope<'_>) -> Result<Tolerance, Error> {
    let count = match distributed.tolerated_failure_count {
        None => None,
        Some(Amount::Literal(n)) => Some(n),
        Some(Amount::Jsonata(expr)) => Some(fields::expression_integer(expr, js, "ToleratedFailureCount")?),
        Some(Amount::Path(p)) => {
            let value = fields::path_value(p, scope)?;
            let field = "ToleratedFailureCountPath";
            let n =
                fields::integer(&value).ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))?;
            Some(u64::try_from(n).map_err(|_| Error::runtime(path::cause::TOLERATED_FAILURE_COUNT_NEGATIVE))?)
        }
    };
    let percentage = match distributed.tolerated_failure_percentage {
        None => None,
        Some(Fraction::Literal(f)) => Some(f),
        Some(Fraction::Jsonata(expr)) => Some(fields::expression_number(expr, js, "ToleratedFailurePercentage")?),
        Some(Fraction::Path(p)) => {
            let value = fields::path_value(p, scope)?;
            let field = "ToleratedFailurePercentagePath";
            Some(fields::float(&value).ok_or_else(|| Error::runtime(path::cause::not_a_float(field, p, &value)))?)
        }
    };
    if percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        return Err(Error::runtime(path::cause::TOLERATED_FAILURE_PERCENTAGE_RANGE));
    }
    Ok(Tolerance { count, percentage })
}

#[cfg(test)]
mod tests {
    use super::Tolerance;

    #[test]
    fn without_limits_no_failure_is_tolerated() {
        let none = Tolerance { count: None, percentage: None };
        assert!(!none.exceeded(0, Some(10)));
        assert!(none.exceeded(1, Some(10)));
    }

    #[test]
    fn either_limit_fails_the_run() {
        let both = Tolerance { count: Some(5), percentage: Some(10.0) };
        assert!(!both.exceeded(1, Some(10)));
        assert!(both.exceeded(2, Some(10)), "20% is over 10%");
        assert!(!both.exceeded(2, None), "the share waits for the total");
        assert!(both.exceeded(6, None), "the count does not");
        let count = Tolerance { count: Some(1), percentage: None };
        assert!(!count.exceeded(1, Some(2)));
        assert!(count.exceeded(2, Some(2)));
    }
}
