//! The functions Step Functions adds to JSONata, and the one it removes (Developer Guide,
//! "Transforming data with JSONata": `$partition`, `$range`, `$hash`, `$random`, `$uuid`,
//! `$parse`; `$eval` is not available).
//!
//! Errors are `D3…`-style coded messages, so a failing call reads like any JSONata error
//! in the `States.QueryEvaluationError` cause.

use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::value::JValue;

use crate::intrinsics::{JavaRandom, RandomSource, SplitMix64, hex_digest, uuid_v4};

type Result = std::result::Result<JValue, EvaluatorError>;

/// A function the runtime adds to the engine.
type Added = fn(&[JValue]) -> Result;

/// Adds to `evaluator` the AWS functions for which `named` holds (those the expression
/// names; see `engine::FUNCTIONS`).
pub(super) fn register(evaluator: &mut Evaluator, named: impl Fn(&str) -> bool) {
    // Registration fails only for a name that shadows a built-in (`register_fn`) or for a
    // compiled built-in (`register_fn_override`); neither holds for these names, and a
    // missing function would show as JSONata's own "not a function" error, not a panic.
    let added: [(&str, Added); 5] =
        [("partition", partition), ("range", range), ("hash", hash), ("uuid", uuid), ("parse", parse)];
    for (name, function) in added {
        if named(name) {
            let _ = evaluator.register_fn(name, function);
        }
    }
    if named("random") {
        let _ = evaluator.register_fn_override("random", random);
    }
    if named("eval") {
        // AWS: `$eval` fails as a call of something that is not a function.
        let _ = evaluator.register_fn_override("eval", |_: &[JValue]| -> Result {
            Err(error("T1006: Attempted to invoke a non-function"))
        });
    }
}

/// Makes `$now()` and `$millis()` read `now`, the execution's clock at this step (the
/// same instant for every call in one evaluation, as JSONata's own functions).
pub(super) fn register_clock(evaluator: &mut Evaluator, now: time::OffsetDateTime) {
    let millis = (now.unix_timestamp_nanos() / 1_000_000) as f64;
    let text = crate::context::format_timestamp(now);
    // Overriding the impure built-ins is what `register_fn_override` exists for.
    let _ = evaluator.register_fn_override("now", move |args: &[JValue]| -> Result {
        if !args.is_empty() {
            return Err(error("T0410: now() takes no arguments"));
        }
        Ok(JValue::from(text.clone()))
    });
    let _ = evaluator.register_fn_override("millis", move |args: &[JValue]| -> Result {
        if !args.is_empty() {
            return Err(error("T0410: millis() takes no arguments"));
        }
        Ok(JValue::from(millis))
    });
}

fn error(message: &str) -> EvaluatorError {
    EvaluatorError::EvaluationError(message.to_string())
}

/// An integer argument.
fn integer(args: &[JValue], index: usize, function: &str) -> std::result::Result<i64, EvaluatorError> {
    match args.get(index).and_then(JValue::as_f64) {
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(n as i64),
        _ => Err(error(&format!("T0410: Argument {} of function \"{function}\" must be an integer", index + 1))),
    }
}

/// `$partition(array, size)`: the array in chunks of `size` items (the last may be
/// shorter).
fn partition(args: &[JValue]) -> Result {
    let items: Vec<JValue> = match args.first() {
        Some(JValue::Array(items)) => items.iter().cloned().collect(),
        Some(JValue::Undefined) | None => return Ok(JValue::Undefined),
        Some(other) => vec![other.clone()],
    };
    let size = integer(args, 1, "partition")?;
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| error("D3140: Argument 2 of function \"partition\" must be a positive integer"))?;
    Ok(JValue::array(items.chunks(size).map(|chunk| JValue::array(chunk.to_vec())).collect()))
}

/// `$range(start, end, step)`: `start`, `start + step`, … up to and including `end`. A
/// sequence, so a single number comes out unwrapped (`$range(1, 9, 9)` is `1`, as
/// recorded).
fn range(args: &[JValue]) -> Result {
    let (start, end, step) = (integer(args, 0, "range")?, integer(args, 1, "range")?, integer(args, 2, "range")?);
    if step == 0 {
        return Err(error("D3141: Argument 3 of function \"range\" must not be zero"));
    }
    let count = (end - start) / step;
    if count < 0 {
        return Ok(JValue::sequence(Vec::new()));
    }
    // The same bound JSONata puts on its `..` range operator.
    if count >= 10_000_000 {
        return Err(error("D2014: The size of the sequence allocated by the range operator must not exceed 1e7"));
    }
    Ok(JValue::sequence((0..=count).map(|i| JValue::from(start + i * step)).collect()))
}

/// `$hash(value, algorithm)`: the lowercase hex digest of the value's UTF-8 bytes
/// (`MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`).
fn hash(args: &[JValue]) -> Result {
    let Some(text) = args.first().and_then(JValue::as_str) else {
        return Err(error("T0410: Argument 1 of function \"hash\" must be a string"));
    };
    let algorithm = args.get(1).and_then(JValue::as_str).unwrap_or("SHA-256");
    match hex_digest(algorithm, text.as_bytes()) {
        Some(digest) => Ok(JValue::from(digest)),
        None => Err(error(&format!(
            "D3137: Unsupported hash algorithm '{algorithm}'; expected MD5, SHA-1, SHA-256, SHA-384 or SHA-512"
        ))),
    }
}

/// `$random()` / `$random(seed)`: a number in `[0, 1)`; with a seed, the first draw of
/// Java's generator for that seed (AWS's `$random(42)` is `0.7275636800328681`).
fn random(args: &[JValue]) -> Result {
    match args.first() {
        None | Some(JValue::Undefined) => {
            // 53 random bits: every double in [0, 1) of that precision, never 1.
            let bits = SplitMix64::from_entropy().next_u64() >> 11;
            Ok(JValue::from(bits as f64 / (1u64 << 53) as f64))
        }
        Some(_) => Ok(JValue::from(JavaRandom::new(integer(args, 0, "random")?).next_double())),
    }
}

/// `$uuid()`: a random version 4 UUID.
fn uuid(_: &[JValue]) -> Result {
    Ok(JValue::from(uuid_v4(&mut SplitMix64::from_entropy())))
}

/// `$parse(text)`: the JSON value of a JSON text.
fn parse(args: &[JValue]) -> Result {
    let Some(text) = args.first().and_then(JValue::as_str) else {
        return Err(error("T0410: Argument 1 of function \"parse\" must be a string"));
    };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| error(&format!("D3138: The argument of $parse is not valid JSON: {e}")))?;
    Ok(JValue::from(value))
}
