//! The 18 `States.*` intrinsic functions of JSONPath states, as static call trees built by
//! the compiler (arguments are pre-parsed; paths inside them are [`Path`]s), and their
//! evaluation: [`call`].
//!
//! Results, renderings and rounding follow what AWS recorded in the conformance cases (each
//! function's doc names the cases); where no case decides, AWS's documentation, then the
//! behaviour of the Java library AWS evidently uses. A function that cannot apply to its
//! arguments fails with `States.IntrinsicFailure` and the cause
//! `Invalid arguments in <the call as written>: <what is wrong>`; a path argument that
//! cannot be read fails as the path resolver says.

mod args;
mod array;
mod encoding;
mod json;
mod json_parse;
mod math;
mod random;
mod render;
mod string;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

pub(crate) use encoding::hex_digest;
pub(crate) use random::JavaRandom;
pub use random::{RandomSource, SplitMix64, uuid_v4};

use crate::Error;
use crate::path::{Literal, Path};

/// The call trees (defined with the rest of the description in asl-machine).
pub use asl_machine::intrinsics::{Arg, Call, Function};

/// Evaluates an intrinsic function call.
///
/// Arguments are evaluated left to right: literals as they are, paths through `resolve`
/// (whose error, typically `States.Runtime`, is returned unchanged), nested calls
/// recursively. `rng` supplies the randomness of `States.UUID` and of an unseeded
/// `States.MathRandom`.
///
/// # Errors
///
/// `resolve`'s error for a path that cannot be read; `States.IntrinsicFailure` when the
/// function cannot apply to its arguments (wrong count or type, out-of-range index,
/// invalid JSON or base64, a limit exceeded…).
pub fn call(
    call: &Call,
    resolve: &mut dyn FnMut(&Path) -> Result<Value, Error>,
    rng: &mut dyn RandomSource,
) -> Result<Value, Error> {
    call_borrowing(call, &mut |path| resolve(path).map(Cow::Owned), rng)
}

/// [`call`], with `resolve` borrowing the values of path arguments where it can: most
/// functions only read their arguments (`States.ArrayLength` of a large array, the
/// objects `States.JsonMerge` picks from), so they are copied only into the result.
///
/// # Errors
///
/// As [`call`].
pub fn call_borrowing<'v>(
    call: &Call,
    resolve: &mut dyn FnMut(&Path) -> Result<Cow<'v, Value>, Error>,
    rng: &mut dyn RandomSource,
) -> Result<Value, Error> {
    let mut values = Vec::with_capacity(call.args.len());
    for arg in call.args {
        values.push(match arg {
            Arg::Literal(literal) => Cow::Owned(literal_value(literal)),
            Arg::Path(path) => resolve(path)?,
            Arg::Call(inner) => Cow::Owned(call_borrowing(inner, resolve, rng)?),
        });
    }
    let args = args::Args::new(call, values);
    match call.function {
        Function::Format => string::format(args),
        Function::StringToJson => json::string_to_json(args),
        Function::JsonToString => json::json_to_string(args),
        Function::Array => array::array(args),
        Function::ArrayPartition => array::partition(args),
        Function::ArrayContains => array::contains(args),
        Function::ArrayRange => array::range(args),
        Function::ArrayGetItem => array::get_item(args),
        Function::ArrayLength => array::length(args),
        Function::ArrayUnique => array::unique(args),
        Function::Base64Encode => encoding::base64_encode(args),
        Function::Base64Decode => encoding::base64_decode(args),
        Function::Hash => encoding::hash(args),
        Function::JsonMerge => json::json_merge(args),
        Function::MathRandom => math::random(args, rng),
        Function::MathAdd => math::add(args),
        Function::StringSplit => string::split(args),
        Function::Uuid => random::uuid(args, rng),
    }
}

/// The JSON value of a literal argument.
fn literal_value(literal: &Literal) -> Value {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::from(*i),
        // A JSON definition holds no non-finite number; null rather than a panic.
        Literal::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Literal::Str(s) => Value::String((*s).to_string()),
        Literal::Array(items) => Value::Array(items.iter().map(literal_value).collect()),
        Literal::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| ((*k).to_string(), literal_value(v))).collect::<Map<_, _>>())
        }
    }
}
