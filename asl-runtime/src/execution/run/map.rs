//! Map states: inline iterations, and Distributed Map runs whose items are child
//! executions with tolerated failures.

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use futures_util::stream::{FuturesOrdered, StreamExt};
use serde_json::Value;

use super::{Runner, SharedRng};
use crate::context::{ContextObject, ExecutionInfo, StateInfo, format_timestamp};
use crate::dataflow::{self, Env};
use crate::error::{Error, names};
use crate::intrinsics::{RandomSource, SplitMix64, uuid_v4};
use crate::machine::*;
use crate::path::{self, Scope};

impl Runner<'_> {
    pub(super) async fn map(
        &self,
        state: &'static StateDef,
        map: &'static MapDef,
        input: Value,
        context: Value,
    ) -> Result<Value, Error> {
        let items = match map.items_path {
            Some(items_path) => path::select_value(items_path, &Scope::new(&input).with_context(&context))
                .map_err(|_| Error::runtime(format!("Reference path \"{}\" must point to array.", items_path.text)))?,
            None => input.clone(),
        };
        let Value::Array(items) = items else {
            let text = map.items_path.map_or("$", |p| p.text);
            return Err(Error::runtime(format!("Reference path \"{text}\" must point to array.")));
        };
        let limit = match map.max_concurrency {
            Some(amount) => self.map_integer(amount, &input, &context, "MaxConcurrencyPath")?,
            None => 0,
        };
        let limit = if limit == 0 { items.len().max(1) } else { usize::try_from(limit).unwrap_or(usize::MAX) };
        let tolerance = match map.distributed {
            Some(distributed) => Some(self.tolerance(distributed, &input, &context)?),
            None => None,
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            inputs.push(self.item_input(state, map, &input, index as u64, item)?);
        }
        if let (Some(distributed), Some(tolerance)) = (map.distributed, tolerance) {
            return self.map_run(map.processor, distributed, tolerance, inputs, limit).await;
        }
        self.event(); // MapStateStarted
        let mut results = Vec::with_capacity(inputs.len());
        let mut pending = inputs.into_iter();
        let mut running = FuturesOrdered::new();
        for item in pending.by_ref().take(limit) {
            running.push_back(self.iteration(map.processor, item));
        }
        while let Some(result) = running.next().await {
            match result {
                Ok(output) => results.push(output),
                Err(error) => {
                    self.event(); // MapStateFailed
                    return Err(error);
                }
            }
            if let Some(item) = pending.next() {
                running.push_back(self.iteration(map.processor, item));
            }
        }
        self.event(); // MapStateSucceeded
        Ok(Value::Array(results))
    }

    /// A Distributed Map's Map Run: one child execution per item, at most `limit` at once.
    /// A failed child does not stop the others; once the failures exceed `tolerance` the
    /// Map fails with `States.ExceedToleratedFailureThreshold` (the children still running
    /// are dropped), else its result holds each item's output, in item order, with a failed
    /// child's [execution record](Runner::failed_child) in its place.
    ///
    /// The parent's history gets MapStateStarted, MapRunStarted, then MapRunSucceeded and
    /// MapStateSucceeded (or MapRunFailed and MapStateFailed); the children's events are in
    /// their own histories.
    async fn map_run(
        &self,
        processor: u16,
        distributed: &DistributedDef,
        tolerance: Tolerance,
        inputs: Vec<Value>,
        limit: usize,
    ) -> Result<Value, Error> {
        self.events(2); // MapStateStarted, MapRunStarted
        // The children's state machine: `<state machine>/<label>`, a generated label for a
        // Map without one.
        let label = match distributed.label {
            Some(label) => label.to_string(),
            None => uuid_v4(&mut SharedRng(&self.rng)),
        };
        let machine = format!("{}/{label}", self.execution.state_machine_name);
        let total = inputs.len();
        let mut failed = 0;
        let mut results = Vec::with_capacity(total);
        let mut pending = inputs.into_iter();
        let mut running = FuturesOrdered::new();
        for item in pending.by_ref().take(limit) {
            running.push_back(self.child_execution(processor, &machine, item));
        }
        while let Some(result) = running.next().await {
            match result {
                Ok(output) => results.push(output),
                Err(record) => {
                    failed += 1;
                    if tolerance.exceeded(failed, total) {
                        self.events(2); // MapRunFailed, MapStateFailed
                        return Err(Error::new(names::EXCEED_TOLERATED_FAILURE_THRESHOLD, THRESHOLD_EXCEEDED));
                    }
                    results.push(record);
                }
            }
            if let Some(item) = pending.next() {
                running.push_back(self.child_execution(processor, &machine, item));
            }
        }
        self.events(2); // MapRunSucceeded, MapStateSucceeded
        Ok(Value::Array(results))
    }

    /// One child execution of a Distributed Map: the processor run as an execution of its
    /// own, of state machine `machine`, named with a generated UUID, with `input` as its
    /// input (`$$.Execution` shows all three) and its own history. Its output, or its
    /// [execution record](Runner::failed_child) when it fails.
    async fn child_execution(&self, processor: u16, machine: &str, input: Value) -> Result<Value, Value> {
        let (name, seed) = {
            let mut rng = SharedRng(&self.rng);
            (uuid_v4(&mut rng), rng.next_u64())
        };
        let parent = self.execution;
        let mut execution = ExecutionInfo::new(machine, name, self.clock.now(), input.clone());
        execution.partition.clone_from(&parent.partition);
        execution.region.clone_from(&parent.region);
        execution.account_id.clone_from(&parent.account_id);
        execution.role_arn.clone_from(&parent.role_arn);
        let child = Runner {
            workflow: self.workflow,
            handler: self.handler,
            clock: self.clock,
            execution: &execution,
            rng: Mutex::new(SplitMix64::new(seed)),
            // ExecutionStarted is event #1 of the child's own history.
            events: AtomicU64::new(1),
        };
        match child.container(processor, input, None).await {
            Ok(output) => Ok(output),
            Err(error) => Err(self.failed_child(&execution, &error)),
        }
    }

    /// What a Distributed Map's result holds for a failed child execution. Without a
    /// `ResultWriter` the results are `COMPACT` (each child's output), but "if a child
    /// workflow execution fails, Step Functions returns its execution result unchanged",
    /// as with `Transformation: NONE` (Developer Guide, "ResultWriter (Map)"): the
    /// execution's record rather than an output. Its fields are those of the guide's `NONE`
    /// examples, in their (alphabetical) order, with `Error` and `Cause` (when there are)
    /// for the missing `Output`: `Cause`, `Error`, `ExecutionArn`, `Input` (JSON text),
    /// `InputDetails`, `Name`, `RedriveCount`, `RedriveStatus`, `StartDate`,
    /// `StateMachineArn`, `Status` (`FAILED`), `StopDate`. No AWS recording of a failed
    /// record is at hand to pin it down further.
    fn failed_child(&self, execution: &ExecutionInfo, error: &Error) -> Value {
        let mut record = serde_json::Map::new();
        let mut put = |key: &str, value: Value| {
            record.insert(key.to_owned(), value);
        };
        if let Some(cause) = &error.cause {
            put("Cause", Value::from(cause.as_str()));
        }
        if !error.name.is_empty() {
            put("Error", Value::from(error.reported_name()));
        }
        put("ExecutionArn", Value::from(execution.execution_arn()));
        put("Input", Value::from(path::cause::json_text(&execution.input)));
        put("InputDetails", serde_json::json!({ "Included": true }));
        put("Name", Value::from(execution.name.as_str()));
        put("RedriveCount", Value::from(0));
        put("RedriveStatus", Value::from("REDRIVABLE"));
        put("StartDate", Value::from(format_timestamp(execution.start_time)));
        put("StateMachineArn", Value::from(execution.state_machine_arn()));
        put("Status", Value::from("FAILED"));
        put("StopDate", Value::from(format_timestamp(self.clock.now())));
        Value::Object(record)
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
    fn tolerance(&self, distributed: &DistributedDef, input: &Value, context: &Value) -> Result<Tolerance, Error> {
        let count = match distributed.tolerated_failure_count {
            None => None,
            Some(Amount::Literal(n)) => Some(n),
            Some(Amount::Path(p)) => {
                let value = self.path_value(p, input, context)?;
                let field = "ToleratedFailureCountPath";
                let n = integer(&value).ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))?;
                Some(u64::try_from(n).map_err(|_| Error::runtime(path::cause::TOLERATED_FAILURE_COUNT_NEGATIVE))?)
            }
        };
        let percentage = match distributed.tolerated_failure_percentage {
            None => None,
            Some(Fraction::Literal(f)) => Some(f),
            Some(Fraction::Path(p)) => {
                let value = self.path_value(p, input, context)?;
                let field = "ToleratedFailurePercentagePath";
                Some(float(&value).ok_or_else(|| Error::runtime(path::cause::not_a_float(field, p, &value)))?)
            }
        };
        if percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err(Error::runtime(path::cause::TOLERATED_FAILURE_PERCENTAGE_RANGE));
        }
        Ok(Tolerance { count, percentage })
    }

    /// One Map iteration: its MapIterationStarted and …Succeeded/Failed events around the
    /// processor's run.
    async fn iteration(&self, processor: u16, item: Value) -> Result<Value, Error> {
        self.event(); // MapIterationStarted
        let result = self.container(processor, item, None).await;
        self.event(); // MapIterationSucceeded / MapIterationFailed
        result
    }

    /// An iteration's input: the item, or the ItemSelector built with `$$.Map.Item`.
    fn item_input(
        &self,
        state: &StateDef,
        map: &MapDef,
        input: &Value,
        index: u64,
        item: &Value,
    ) -> Result<Value, Error> {
        let Some(selector) = map.item_selector else { return Ok(item.clone()) };
        if !state.reads_context {
            let mut rng = SharedRng(&self.rng);
            let mut env = Env { state: state.name, context: &Value::Null, variables: &(), rng: &mut rng };
            return dataflow::build_template(selector, input, &mut env);
        }
        let context = ContextObject::new(self.execution)
            .with_state(StateInfo::new(state.name, self.clock.now()))
            .with_map_item(index, item)
            .to_value();
        let mut rng = SharedRng(&self.rng);
        let mut env = Env { state: state.name, context: &context, variables: &(), rng: &mut rng };
        dataflow::build_template(selector, input, &mut env)
    }

    /// A Map's integer field (`MaxConcurrency(Path)`): like [`Runner::amount`], but a
    /// path's value may also be a string holding the number, as AWS accepts (case
    /// `assign-…-map-state-reference-in-max-concurrency-path`: `"1"` runs).
    fn map_integer(&self, amount: Amount, input: &Value, context: &Value, field: &str) -> Result<u64, Error> {
        match amount {
            Amount::Literal(n) => Ok(n),
            Amount::Path(p) => {
                let value = self.path_value(p, input, context)?;
                integer(&value)
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))
            }
        }
    }
}

/// The cause of `States.ExceedToleratedFailureThreshold` (reference §1.3, ✔AWS).
const THRESHOLD_EXCEEDED: &str = "The specified tolerated failure threshold was exceeded";

/// A Distributed Map's tolerated failures. Either limit that is given applies (the Map Run
/// fails when it exceeds either); with neither given, no failure is tolerated (both
/// default to 0). A given count alone does not bring the percentage's default along, or a
/// count would never tolerate anything.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tolerance {
    /// `ToleratedFailureCount`: failed children beyond it fail the Map Run.
    count: Option<u64>,
    /// `ToleratedFailurePercentage`: failed children as a percentage of all items beyond
    /// it fail the Map Run.
    percentage: Option<f64>,
}

impl Tolerance {
    /// Whether `failed` failed children out of `total` items exceed the threshold.
    fn exceeded(self, failed: usize, total: usize) -> bool {
        if self.count.is_none() && self.percentage.is_none() {
            return failed > 0;
        }
        let over_count = self.count.is_some_and(|count| u64::try_from(failed).unwrap_or(u64::MAX) > count);
        // `failed > 0` implies `total > 0`.
        let share = failed as f64 * 100.0 / total.max(1) as f64;
        over_count || self.percentage.is_some_and(|percentage| share > percentage)
    }
}

/// An integer as AWS reads it from a `…Path` field's value: a JSON integer, or a string
/// holding one (`"1"`; cases `assign-…-reference-in-tolerated-failure-path` and
/// `…-in-max-concurrency-path` run with such strings). `1.5`, `"NoNumber"`, `{}` are not.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A number as AWS reads it from `ToleratedFailurePercentagePath`'s value: a JSON number,
/// or a string holding one (as for [`integer`]).
fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}
