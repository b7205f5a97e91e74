//! The data flow of a state test's state under test (see
//! [`inspect`](crate::execution::inspect)): the state's own flow, JSONPath or JSONata, with
//! each step's value written down as the flow computes it.
//!
//! It is the recording instance ([`Recording`]) of [`JsonPath`] or [`Jsonata`], which write
//! each step down themselves: the flow of a watched step (`turn::Watched`), which only the
//! state under test's steps are. A normal run never builds one.

use std::borrow::Cow;

use serde_json::Value;
use time::OffsetDateTime;

use super::{Assigned, DataFlow, JsonPath, Jsonata, Language, Recording};
use crate::context::ExecutionInfo;
use crate::dataflow::{Env, Io, PathField};
use crate::error::Error;
use crate::execution::inspect::Inspection;
use crate::execution::state::Vars;
use crate::intrinsics::SplitMix64;
use crate::machine::{CatcherDef, ChoiceRule, MapDef, StateDef};
use crate::path::Literal;
use crate::template::Template;

/// The flow of the state under test, in its language, writing its steps down.
pub(in crate::execution) enum Inspected<'a> {
    /// A JSONPath state's.
    JsonPath(JsonPath<'a, Recording<'a>>),
    /// A JSONata state's.
    Jsonata(Jsonata<'a, Recording<'a>>),
}

/// Calls a [`DataFlow`] operation of whichever flow `inspected` holds.
macro_rules! dispatch {
    ($inspected:expr, $flow:ident => $call:expr) => {
        match $inspected {
            Inspected::JsonPath($flow) => $call,
            Inspected::Jsonata($flow) => $call,
        }
    };
}

impl<'a> Inspected<'a> {
    /// The flow of `state` (as [`Flow::new`](super::Flow::new) makes it), writing its steps
    /// into `seen`.
    pub(in crate::execution) fn new(
        state: &'static StateDef,
        context: &'a Value,
        variables: &'a Vars,
        rng: &'a mut SplitMix64,
        now: OffsetDateTime,
        seen: &'a mut Inspection,
    ) -> Inspected<'a> {
        match state.jsonata {
            Some(def) => Inspected::Jsonata(Jsonata::recording(state, def, context, &variables.0, now, seen)),
            None => {
                let env = Env { state: state.name, context, variables: &*variables.0, rng };
                Inspected::JsonPath(JsonPath::recording(state, env, now, seen))
            }
        }
    }
}

impl<'a> DataFlow<'a> for Inspected<'a> {
    fn language(&self) -> Language {
        match self {
            Inspected::JsonPath(_) => Language::JsonPath,
            Inspected::Jsonata(_) => Language::Jsonata,
        }
    }

    #[inline(never)]
    fn pass(
        &mut self,
        io: &Io,
        result: Option<&Literal>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        dispatch!(self, flow => flow.pass(io, result, input, assigned))
    }

    #[inline(never)]
    fn through(
        &mut self,
        paths: (PathField, PathField),
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        dispatch!(self, flow => flow.through(paths, input, assigned))
    }

    #[inline(never)]
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

    #[inline(never)]
    fn waited_on<'d>(&self, input_path: PathField, input: &'d Value) -> Result<Cow<'d, Value>, Error>
    where
        'a: 'd,
    {
        dispatch!(self, flow => flow.waited_on(input_path, input))
    }

    #[inline(never)]
    fn arguments(&mut self, io: &Io, input: &Value) -> Result<Value, Error> {
        dispatch!(self, flow => flow.arguments(io, input))
    }

    #[inline(never)]
    fn map_input(&mut self, io: &Io, input: &Value) -> Result<Value, Error> {
        dispatch!(self, flow => flow.map_input(io, input))
    }

    #[inline(never)]
    fn items(&mut self, def: &MapDef, input: &Value) -> Result<Vec<Value>, Error> {
        dispatch!(self, flow => flow.items(def, input))
    }

    #[inline(never)]
    fn item_input(
        &mut self,
        info: &ExecutionInfo,
        selector: &Template,
        input: &Value,
        item: (u64, &Value),
    ) -> Result<Value, Error> {
        dispatch!(self, flow => flow.item_input(info, selector, input, item))
    }

    #[inline(never)]
    fn payload(&mut self, template: &Template, input: &Value, field: &str) -> Result<Value, Error> {
        dispatch!(self, flow => flow.payload(template, input, field))
    }

    #[inline(never)]
    fn result(&mut self, io: &Io, input: &mut Value, result: Value, assigned: &mut Assigned) -> Result<Value, Error> {
        dispatch!(self, flow => flow.result(io, input, result, assigned))
    }

    #[inline(never)]
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
