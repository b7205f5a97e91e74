//! A state's data flow behind one interface, whichever its query language.
//!
//! [`DataFlow`] names each shape of flow a state kind has (a Pass state's, a Choice's, what a
//! Task, Parallel or Map hands to its work and makes of its result, a catcher's…); a
//! JSONPath implementation ([`jsonpath`]: `InputPath`, `Parameters`, `ResultSelector`,
//! `ResultPath`, `OutputPath`, over [`crate::dataflow`]) and a JSONata one ([`jsonata`]:
//! `Arguments`, `Output`, over [`crate::jsonata::Scope`]) provide them, and [`Flow`], an enum
//! of the two, is what the state kinds call. So a state kind's file says what the state does
//! once, and the query language is decided once per transition, in [`Flow::new`].
//!
//! Each operation is a whole shape in one call, not a sequence of smaller steps: a JSONata
//! state's `Assign` and `Output` then share one scope (what an expression reads whole is
//! converted once per scope), and a JSONPath state's values move through its paths rather
//! than being copied. Dispatch is a `match` on the enum, no boxing: one branch per call,
//! as the `state.jsonata` tests it replaces. The operations a transition runs are
//! `#[inline]`, so that the match and the moves of what they return fold into the state's
//! code, as when it was all written in one place.
//!
//! A state test's state under test (see [`inspect`](super::inspect)) has a flow of its own,
//! [`Inspected`]: the same implementations, instantiated to write down each step's value
//! ([`Record`]).

use std::borrow::Cow;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::inspect::Inspection;
use super::state::Vars;
use crate::context::ExecutionInfo;
use crate::dataflow::{self, Env, Io, PathField};
use crate::error::{Error, names};
use crate::intrinsics::SplitMix64;
use crate::machine::{CatcherDef, ChoiceRule, MapDef, StateDef};
use crate::path::Literal;
use crate::template::Template;

mod inspected;
mod jsonata;
mod jsonpath;

pub(in crate::execution) use inspected::Inspected;
pub(in crate::execution) use jsonata::Jsonata;
pub(in crate::execution) use jsonpath::JsonPath;

/// The variables an `Assign` sets (`None` without one).
pub(in crate::execution) type Assigned = Option<Map<String, Value>>;

/// The shapes of data flow the state kinds have, each with a JSONPath and a JSONata
/// implementation.
///
/// Where an operation takes the state's raw input as `&mut Value`, it moves the input out
/// (leaving `null`) at the point the output needs it, no earlier: an error before that
/// leaves the frame's input as it was. An operation that ends the state's flow returns its
/// output and leaves what `Assign` computed in `assigned` (untouched without an `Assign`);
/// the caller stores it only when the whole flow succeeded (on an error it is dropped).
/// Returned together with the output, it made a value of a hundred bytes that every `?` on
/// the way copied, in the transitions of states that assign nothing too.
///
/// The JSONPath fields an operation takes (`io`, `paths`…) are the state's own; a JSONata
/// state has them at their defaults and its implementation ignores them.
pub(in crate::execution) trait DataFlow<'a> {
    /// The query language, for the rare decision that is not data flow (see
    /// `recovery::settle`).
    fn language(&self) -> Language;

    /// A Pass state: JSONPath `InputPath`, `Parameters` or `Result`, `ResultPath`,
    /// `OutputPath` (`$` in `Assign` is its result); JSONata `Assign` and `Output` over
    /// `$states.input` (absent `Output`: the input).
    fn pass(
        &mut self,
        io: &Io,
        result: Option<&Literal>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error>;

    /// A Wait or Succeed state's end, with its `InputPath` and `OutputPath` (`paths`):
    /// JSONPath `InputPath` then `OutputPath` (`$` in `Assign` is the effective input);
    /// JSONata `Assign` and `Output` over `$states.input`.
    fn through(
        &mut self,
        paths: (PathField, PathField),
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error>;

    /// A Choice state, with its `InputPath` and `OutputPath` (`paths`): the target of the
    /// first rule that holds (else `default`), its `Assign` (or the state's, for
    /// `default`) and the output. JSONPath rules compare values of the effective input;
    /// JSONata rules are `Condition`s, each with its own `Output`.
    ///
    /// # Errors
    ///
    /// `States.NoChoiceMatched` when no rule holds and there is no `default`.
    fn choose(
        &mut self,
        paths: (PathField, PathField),
        rules: &[ChoiceRule],
        default: Option<u16>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<(u16, Value), Error>;

    /// What a Wait's `SecondsPath` and `TimestampPath` read: the effective input (after
    /// `InputPath`); for JSONata, whose Wait has no `InputPath`, the input itself.
    fn waited_on<'d>(&self, input_path: PathField, input: &'d Value) -> Result<Cow<'d, Value>, Error>
    where
        'a: 'd;

    /// A Task's or Parallel's effective input: JSONPath `InputPath` then `Parameters`;
    /// JSONata `Arguments`, or the input.
    fn arguments(&mut self, io: &Io, input: &Value) -> Result<Value, Error>;

    /// A Map's effective input, which its items and `ItemSelector` read: JSONPath
    /// `InputPath` then `Parameters`; a JSONata Map has no `Arguments`: its input.
    fn map_input(&mut self, io: &Io, input: &Value) -> Result<Value, Error>;

    /// A Map's items, from its effective input: JSONPath `ItemsPath` (or `$`), JSONata
    /// `Items` (or `$states.input`); either must be an array.
    fn items(&mut self, def: &MapDef, input: &Value) -> Result<Vec<Value>, Error>;

    /// An iteration's input: `selector` (the Map's `ItemSelector`) built over the Map's
    /// effective `input`, with `$$.Map.Item` (`$states.context.Map.Item`) for the item
    /// `index` of `info`'s execution.
    fn item_input(
        &mut self,
        info: &ExecutionInfo,
        selector: &Template,
        input: &Value,
        item: (u64, &Value),
    ) -> Result<Value, Error>;

    /// A payload template other than the state's own (a Distributed Map's `ItemReader`
    /// and `ResultWriter` parameters, its `ItemBatcher`'s `BatchInput`, its reader and
    /// writer configurations), built over the state's effective `input`: JSONPath
    /// `Parameters`-style, or JSONata (`field` names it in an evaluation error).
    fn payload(&mut self, template: &Template, input: &Value, field: &str) -> Result<Value, Error>;

    /// A Task's, Parallel's or Map's result: JSONPath `Assign` over the raw result, then
    /// `ResultSelector`, `ResultPath`, `OutputPath`; JSONata `Assign` and `Output` with
    /// `$states.result` (absent `Output`: the result).
    fn result(&mut self, io: &Io, input: &mut Value, result: Value, assigned: &mut Assigned) -> Result<Value, Error>;

    /// `catcher`, at its position in `Catch`, took `error_output`: its `Assign` (instead
    /// of the state's) and JSONPath `ResultPath`, or JSONata `Output` with
    /// `$states.errorOutput` (absent: the Error Output).
    fn caught(
        &mut self,
        catcher: (usize, &CatcherDef),
        input: &mut Value,
        error_output: Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error>;
}

/// Where a flow writes down the value of each of its steps: nowhere ([`NoRecord`], every
/// normal run), or a state test's [`Inspection`] ([`Recording`]; see
/// [`inspect`](super::inspect)). [`JsonPath`] and [`Jsonata`] are generic over it, so a
/// recording flow is a separate instance of the same code: a normal flow's `NoRecord` has
/// no size and its tests are constants, and it compiles as if recording did not exist.
pub(in crate::execution) trait Record {
    /// Whether anything is written down.
    const ON: bool;

    /// Where to write, if anywhere.
    fn seen(&mut self) -> Option<&mut Inspection>;
}

/// Writes nothing down.
pub(in crate::execution) struct NoRecord;

impl Record for NoRecord {
    const ON: bool = false;

    #[inline(always)]
    fn seen(&mut self) -> Option<&mut Inspection> {
        None
    }
}

/// Writes each step down in a state test's inspection.
pub(in crate::execution) struct Recording<'a>(&'a mut Inspection);

impl Record for Recording<'_> {
    const ON: bool = true;

    fn seen(&mut self) -> Option<&mut Inspection> {
        Some(self.0)
    }
}

/// Which query language a state's data flow speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::execution) enum Language {
    /// JSONPath.
    JsonPath,
    /// JSONata.
    Jsonata,
}

/// A state's data flow in its query language: what the state kinds call.
pub(in crate::execution) enum Flow<'a> {
    /// A JSONPath state.
    JsonPath(JsonPath<'a>),
    /// A JSONata state.
    Jsonata(Jsonata<'a>),
}

impl<'a> Flow<'a> {
    /// The data flow of `state`, reading `$$` as `context` (`null` when the state's fields
    /// never read it), the variables as the state saw them when it was entered, the run's
    /// generator (`States.UUID`, an unseeded `States.MathRandom`) and the step's time
    /// (`$now()`).
    #[inline]
    pub(in crate::execution) fn new(
        state: &'static StateDef,
        context: &'a Value,
        variables: &'a Vars,
        rng: &'a mut SplitMix64,
        now: OffsetDateTime,
    ) -> Flow<'a> {
        match state.jsonata {
            Some(def) => Flow::Jsonata(Jsonata::new(state, def, context, &variables.0, now)),
            None => {
                let env = Env { state: state.name, context, variables: &*variables.0, rng };
                Flow::JsonPath(JsonPath::new(state, env, now))
            }
        }
    }
}

/// Delegates each [`DataFlow`] operation of [`Flow`] to the language's implementation.
macro_rules! dispatch {
    ($self:ident, $flow:ident => $call:expr) => {
        match $self {
            Flow::JsonPath($flow) => $call,
            Flow::Jsonata($flow) => $call,
        }
    };
}

impl<'a> DataFlow<'a> for Flow<'a> {
    #[inline]
    fn language(&self) -> Language {
        match self {
            Flow::JsonPath(_) => Language::JsonPath,
            Flow::Jsonata(_) => Language::Jsonata,
        }
    }

    #[inline]
    fn pass(
        &mut self,
        io: &Io,
        result: Option<&Literal>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        dispatch!(self, flow => flow.pass(io, result, input, assigned))
    }

    #[inline]
    fn through(
        &mut self,
        paths: (PathField, PathField),
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        dispatch!(self, flow => flow.through(paths, input, assigned))
    }

    #[inline]
    fn choose(
        &mut self,
        paths: (PathField, PathField),
        rules: &[ChoiceRule],
        default: Option<u16>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<(u16, Value), Error> {
        dispatch!(self, flow => flow.choose(paths, rules, default, input, assigned))
    }

    #[inline]
    fn waited_on<'d>(&self, input_path: PathField, input: &'d Value) -> Result<Cow<'d, Value>, Error>
    where
        'a: 'd,
    {
        dispatch!(self, flow => flow.waited_on(input_path, input))
    }

    #[inline]
    fn arguments(&mut self, io: &Io, input: &Value) -> Result<Value, Error> {
        dispatch!(self, flow => flow.arguments(io, input))
    }

    #[inline]
    fn map_input(&mut self, io: &Io, input: &Value) -> Result<Value, Error> {
        dispatch!(self, flow => flow.map_input(io, input))
    }

    #[inline]
    fn items(&mut self, def: &MapDef, input: &Value) -> Result<Vec<Value>, Error> {
        dispatch!(self, flow => flow.items(def, input))
    }

    #[inline]
    fn item_input(
        &mut self,
        info: &ExecutionInfo,
        selector: &Template,
        input: &Value,
        item: (u64, &Value),
    ) -> Result<Value, Error> {
        dispatch!(self, flow => flow.item_input(info, selector, input, item))
    }

    fn payload(&mut self, template: &Template, input: &Value, field: &str) -> Result<Value, Error> {
        dispatch!(self, flow => flow.payload(template, input, field))
    }

    #[inline]
    fn result(&mut self, io: &Io, input: &mut Value, result: Value, assigned: &mut Assigned) -> Result<Value, Error> {
        dispatch!(self, flow => flow.result(io, input, result, assigned))
    }

    #[inline]
    fn caught(
        &mut self,
        catcher: (usize, &CatcherDef),
        input: &mut Value,
        error_output: Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        dispatch!(self, flow => flow.caught(catcher, input, error_output, assigned))
    }
}

/// The values one `Assign` sets, if together they fit AWS's limit on what one state may
/// assign (256 KiB, the payload limit; Developer Guide, *Passing data between states with
/// variables*).
///
/// # Errors
///
/// `States.DataLimitExceeded` beyond it. The cause is asl-rs's wording: no recorded case
/// shows AWS's.
fn within_limit(values: Map<String, Value>, state: &str) -> Result<Map<String, Value>, Error> {
    let values = Value::Object(values);
    if dataflow::exceeds_limit(&values, dataflow::MAX_PAYLOAD_BYTES) {
        return Err(Error::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The variables assigned by state '{state}' exceed the maximum size of {} bytes.",
                dataflow::MAX_PAYLOAD_BYTES
            ),
        ));
    }
    match values {
        Value::Object(values) => Ok(values),
        _ => Ok(Map::new()),
    }
}
