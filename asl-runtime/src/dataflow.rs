//! The JSONPath-mode data flow of a state, as free functions over its static fields:
//!
//! ```text
//! raw input ─InputPath─▶ ─Parameters─▶ effective input ─(work)─▶ result
//! result ─ResultSelector─▶ effective result ─ResultPath (into the raw input)─▶ ─OutputPath─▶ output
//! ```
//!
//! | step | absent | `null` | a path |
//! |---|---|---|---|
//! | `InputPath` | the raw input | `{}` | its selection; nothing selected → `States.Runtime` `Invalid path '$.x' : No results for path: $['x']` |
//! | `Parameters` | the selection | — | a [`template`](crate::template::build) over the selection; a missing `.$` path → `States.Runtime` `The JSONPath '$.x' specified for the field 'v.$' could not be found in the input '…'` |
//! | `ResultSelector` | the result | — | a template over the raw result (`$` = the result) |
//! | `ResultPath` | the result replaces the input | the result is discarded: output = raw input | the result is placed into the raw input ([`path::put`]: missing objects are created; a step into a non-object → `States.ReferencePathConflict`) |
//! | `OutputPath` | unchanged | `{}` | its selection, failing like `InputPath` |
//!
//! Causes are returned *without* the execution-level prefix `An error occurred while
//! executing the state 'S' (entered at the event id #N). `: the driver knows the event id and
//! adds it ([`path::cause::in_state`]).
//!
//! # Payload size
//!
//! AWS documents three places where `States.DataLimitExceeded` is raised: a connector's
//! (task's) output, a state's output, and a state's input after `Parameters` processing, each
//! limited to 256 KiB of UTF-8 JSON ([`MAX_PAYLOAD_BYTES`]). [`effective_input`] checks the
//! input built by `Parameters`; [`state_output`], [`pass_output`] and [`pass_through`] check
//! the state output (skipping outputs that are a part of the raw input, which was checked as
//! the previous state's output); a task integration checks its own result with
//! [`check_size`], which documents the cause text and the evidence.
//!
//! # A `null` input
//!
//! AWS refuses to apply a `$…` path to a `null` document: `States.Runtime`,
//! [`cause::NULL_INPUT`] (reported from AWS for a Task state whose input was `null` and
//! whose `Parameters` read `"Input.$": "$"`, and for a Choice rule on `"Variable": "$"`).
//! Whether an absent `InputPath` alone fails on `null` is not recorded; here it applies no
//! path, so `null` flows through states without paths. `$$…` and `$name…` paths do not read
//! the input and are unaffected.
//!
//! # Avoiding copies
//!
//! [`effective_input`] returns an owned value, as a task handler needs; a state that only
//! reads its effective input (Choice, Wait, Map's `ItemsPath`) should use
//! [`effective_input_ref`], which borrows from the raw input whenever no `Parameters`
//! apply. [`pass_output`] (Pass) and [`pass_through`] (Succeed, Wait) run a whole flow by
//! moving values rather than copying them; [`take_path`] moves a selection out of the data
//! it was selected from (a Choice state: `take_path` for `InputPath`, its rules on the
//! result, `take_path` again for `OutputPath`). A template over data that is discarded
//! afterwards (`ResultSelector` over the raw result, a Pass state's `Parameters` when its
//! result replaces the input) moves the values of its `.$` paths out of the data rather
//! than copying them, where they do not overlap.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::Error;
use crate::intrinsics::RandomSource;
use crate::path::{self, Literal, Path, Root, Segment, Variables, cause};
use crate::template::{self, Template};

mod moving;
mod resolver;
mod size;

#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

pub use resolver::{DataResolver, intrinsic_path_not_found};
pub use size::{MAX_PAYLOAD_BYTES, check_size, data_limit_exceeded, exceeds_limit, payload_size};

/// The data-flow fields of a state (defined with the rest of the description in
/// asl-machine).
pub use asl_machine::dataflow::{Io, PathField};

/// What the paths and templates of a state can see.
///
/// `Send` (its variables are `Sync`, its generator `Send`), so an async driver may keep one
/// across an `.await`.
pub struct Env<'a> {
    /// The state's name, for the causes that name it (`States.DataLimitExceeded`).
    pub state: &'a str,
    /// The context object, `$$`. A state whose paths never start with `$$` (the compiler
    /// knows) may pass `Value::Null` rather than build it.
    pub context: &'a Value,
    /// The workflow variables `$name` reads, as they were when the state was entered.
    pub variables: &'a (dyn Variables + Sync),
    /// The randomness of `States.UUID` and an unseeded `States.MathRandom`.
    pub rng: &'a mut (dyn RandomSource + Send),
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").field("state", &self.state).field("context", self.context).finish_non_exhaustive()
    }
}

/// `InputPath` then `Parameters`: the state's effective input, owned.
///
/// Copies the selected part of the raw input when there are no `Parameters` (the raw input
/// is still needed for `ResultPath`); use [`effective_input_ref`] to only read it.
///
/// # Errors
///
/// `States.Runtime` for a path that selects nothing; `States.IntrinsicFailure` from an
/// intrinsic call; `States.DataLimitExceeded` when `Parameters` build more than
/// [`MAX_PAYLOAD_BYTES`].
pub fn effective_input(io: &Io, raw_input: &Value, env: &mut Env<'_>) -> Result<Value, Error> {
    effective_input_ref(io, raw_input, env).map(Cow::into_owned)
}

/// [`effective_input`], borrowing from `raw_input` when no `Parameters` apply and
/// `InputPath` selects one value of it.
///
/// # Errors
///
/// As [`effective_input`].
pub fn effective_input_ref<'d, 'a: 'd>(
    io: &Io,
    raw_input: &'d Value,
    env: &mut Env<'a>,
) -> Result<Cow<'d, Value>, Error> {
    let selected = select_path(io.input_path, raw_input, env)?;
    let Some(parameters) = io.parameters else {
        check_unless_bounded(&selected, io.input_path, env)?;
        return Ok(selected);
    };
    let built = build_template(parameters, &selected, env)?;
    check_size(&built, env.state)?;
    Ok(Cow::Owned(built))
}

/// `ResultSelector`: the effective result, a template over the raw `result` (its `$`).
///
/// # Errors
///
/// As a template's: `States.Runtime` for a missing path, `States.IntrinsicFailure`.
pub fn effective_result(io: &Io, result: Value, env: &mut Env<'_>) -> Result<Value, Error> {
    match io.result_selector {
        Some(selector) => moving::build_template_consuming(selector, result, env),
        None => Ok(result),
    }
}

/// `ResultPath` then `OutputPath`: the state's output, from its raw input and its
/// (effective) result. A Pass state's result is its `Result`, or else its effective input.
///
/// A Catcher passes its own `ResultPath` in an otherwise [default](Io::DEFAULT) `Io` and
/// the Error Output as `result`: only the Catcher's `ResultPath` applies to a caught error.
///
/// # Errors
///
/// `States.ReferencePathConflict` when `ResultPath` cannot be applied, `States.Runtime`
/// when `OutputPath` selects nothing, `States.DataLimitExceeded` when the output is larger
/// than [`MAX_PAYLOAD_BYTES`].
pub fn state_output(io: &Io, raw_input: Value, result: Value, env: &mut Env<'_>) -> Result<Value, Error> {
    // With the result discarded, the output is part of the raw input, whose size the
    // previous state already checked.
    let discarded = io.result_path == PathField::Null;
    let placed = result_path(io.result_path, raw_input, result)?;
    let output = take_path(io.output_path, placed, env)?;
    if discarded {
        check_unless_bounded(&output, io.output_path, env)?;
    } else {
        check_size(&output, env.state)?;
    }
    Ok(output)
}

/// A Pass state's whole data flow: its result is `result` (the `Result` field) or else its
/// effective input. Same outcome as [`effective_input`] then [`state_output`], but moves
/// the input through rather than copying it when `ResultPath` is absent.
///
/// # Errors
///
/// As [`effective_input`] and [`state_output`].
pub fn pass_output(io: &Io, result: Option<&Literal>, raw_input: Value, env: &mut Env<'_>) -> Result<Value, Error> {
    let result = match (result, io.result_path) {
        // The result replaces the raw input, so the input can be moved into it.
        (None, PathField::Default) => {
            let selected = take_path(io.input_path, raw_input, env)?;
            let (effective, unchecked) = match io.parameters {
                Some(parameters) => {
                    let built = moving::build_template_consuming(parameters, selected, env)?;
                    check_size(&built, env.state)?;
                    (built, false)
                }
                None => (selected, !bounded(io.input_path)),
            };
            let output = take_path(io.output_path, effective, env)?;
            if unchecked || !bounded(io.output_path) {
                check_size(&output, env.state)?;
            }
            return Ok(output);
        }
        (None, _) => effective_input_ref(io, &raw_input, env)?.into_owned(),
        // Discarded, but InputPath and Parameters still run (and can fail).
        (Some(_), PathField::Null) => {
            effective_input_ref(io, &raw_input, env)?;
            Value::Null
        }
        (Some(literal), _) => {
            effective_input_ref(io, &raw_input, env)?;
            template::literal_value(literal)
        }
    };
    state_output(io, raw_input, result, env)
}

/// `InputPath` then `OutputPath`, by move: the data flow of Choice, Wait and Succeed
/// states, whose output is their effective input.
///
/// # Errors
///
/// `States.Runtime` when a path selects nothing; `States.DataLimitExceeded` when a path
/// that can enlarge the data (`$$…`, `$..*`) yields more than [`MAX_PAYLOAD_BYTES`].
pub fn pass_through(
    input_path: PathField,
    output_path: PathField,
    raw_input: Value,
    env: &Env<'_>,
) -> Result<Value, Error> {
    let effective = take_path(input_path, raw_input, env)?;
    let output = take_path(output_path, effective, env)?;
    if !(bounded(input_path) && bounded(output_path)) {
        check_size(&output, env.state)?;
    }
    Ok(output)
}

/// An `InputPath` or `OutputPath` applied to `data`, borrowing what it can: absent → `data`,
/// `null` → `{}`, a path → what it selects (an array for an indefinite path).
///
/// # Errors
///
/// `States.Runtime` with AWS's cause: `Invalid path '$.x' : No results for path: $['x']`
/// ([`cause::invalid_path`]), or [`cause::NULL_INPUT`] for a `$…` path applied to `null`.
pub fn select_path<'d, 'a: 'd>(field: PathField, data: &'d Value, env: &Env<'a>) -> Result<Cow<'d, Value>, Error> {
    match field {
        PathField::Default => Ok(Cow::Borrowed(data)),
        PathField::Null => Ok(Cow::Owned(Value::Object(Map::new()))),
        PathField::Path(p) => {
            refuse_null_input(p, data)?;
            match path::select(p, &scope(data, env)) {
                Ok(path::Selection::One(value)) => Ok(value),
                Ok(many) => Ok(Cow::Owned(many.into_value())),
                Err(missing) => Err(Error::runtime(cause::invalid_path(p, &missing))),
            }
        }
    }
}

/// [`select_path`], consuming `data`: a value selected by a path of plain members and
/// indexes (`$.a.b[0]`) is moved out of `data`, not copied.
///
/// # Errors
///
/// As [`select_path`].
pub fn take_path(field: PathField, mut data: Value, env: &Env<'_>) -> Result<Value, Error> {
    let PathField::Path(p) = field else {
        return match field {
            PathField::Null => Ok(Value::Object(Map::new())),
            _ => Ok(data),
        };
    };
    let plain = p.root == Root::Input && p.segments.iter().all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)));
    if !plain {
        return select_path(field, &data, env).map(Cow::into_owned);
    }
    // Evaluate by reference first, so that failures are exactly `select_path`'s; a plain
    // path that succeeded can then be walked again without failing.
    select_path(field, &data, env)?;
    Ok(take_at(&mut data, p.segments))
}

/// `ResultPath`: `result` placed into `raw_input`. Absent → `result`; `null` →
/// `raw_input` (the result is discarded); a Reference Path → [`path::put`].
///
/// # Errors
///
/// `States.ReferencePathConflict` (`Unable to apply step "x" to input …`) when a step of
/// the path cannot be taken in `raw_input`.
pub fn result_path(field: PathField, raw_input: Value, result: Value) -> Result<Value, Error> {
    match field {
        PathField::Default => Ok(result),
        PathField::Null => Ok(raw_input),
        PathField::Path(p) => path::put(raw_input, p, result),
    }
}

/// Builds a payload template (`Parameters`, `ResultSelector`, `ItemSelector`…) over
/// `data`, its `$`, with [`DataResolver`].
///
/// # Errors
///
/// As [`DataResolver`]'s.
pub fn build_template(template: &Template, data: &Value, env: &mut Env<'_>) -> Result<Value, Error> {
    template::build(template, &mut DataResolver::new(data, env))
}

/// The documents a path in `env` reads, with `data` as `$`.
fn scope<'d, 'a: 'd>(data: &'d Value, env: &Env<'a>) -> path::Scope<'d> {
    path::Scope::new(data).with_context(env.context).with_variables(env.variables)
}

/// AWS refuses to apply a `$…` path to a `null` document (see [`cause::NULL_INPUT`]); an
/// absent `InputPath`/`OutputPath` applies no path, so it does not get here.
fn refuse_null_input(p: &Path, data: &Value) -> Result<(), Error> {
    if p.root == Root::Input && data.is_null() { Err(Error::runtime(cause::NULL_INPUT)) } else { Ok(()) }
}

/// Whether what `field` selects from some data can never be larger than that data: true
/// for absent and `null`, and for a definite path into `$` (a part of it). Paths into `$$`
/// or variables, and indefinite paths (`$..*` repeats nested values), can grow it.
fn bounded(field: PathField) -> bool {
    match field {
        PathField::Default | PathField::Null => true,
        PathField::Path(p) => p.root == Root::Input && path::is_definite(p.segments),
    }
}

/// Checks the size of a selection unless [`bounded`] proves it no larger than data that
/// was checked when it was produced (the previous state's output).
fn check_unless_bounded(value: &Value, field: PathField, env: &Env<'_>) -> Result<(), Error> {
    if bounded(field) { Ok(()) } else { check_size(value, env.state) }
}

/// Moves the value at a plain path out of `data` (leaving `null`); `null` where an index
/// is past the end (what [`path::select`] reads there).
fn take_at(data: &mut Value, segments: &[Segment]) -> Value {
    let mut current = data;
    for segment in segments {
        let next = match (segment, current) {
            (Segment::Field(name), Value::Object(map)) => path::member_mut(map, name),
            (Segment::Index(index), Value::Array(items)) => {
                let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let at = if *index < 0 { len.saturating_add(*index) } else { *index };
                usize::try_from(at).ok().and_then(|at| items.get_mut(at))
            }
            _ => None,
        };
        match next {
            Some(value) => current = value,
            None => return Value::Null,
        }
    }
    std::mem::take(current)
}
