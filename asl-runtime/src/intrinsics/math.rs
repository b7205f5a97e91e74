//! Math: `States.MathAdd` and `States.MathRandom`.
//!
//! Both take Java ints: a fractional argument is rounded half up as Java's `Math.round`
//! does (recorded for `MathAdd` in cases `math-operations-math-add-*`: `1.49 + 1.5` → 3,
//! `-0.5 + 0.5` → 1, `-2.5 + 0` → -2), and a rounded argument outside the 32-bit range is a
//! failure.

use serde_json::Value;

use super::args::Args;
use super::random::{JavaRandom, RandomSource, below};
use crate::Error;

const INT_MIN: i64 = i32::MIN as i64;
const INT_MAX: i64 = i32::MAX as i64;

/// `States.MathAdd(a, b)`: the sum of the rounded arguments (`-9 + 3` → -6, case
/// `math-operations-math-add-0`). The sum itself may leave the 32-bit range; it is
/// returned exactly rather than wrapped.
pub(super) fn add(args: Args) -> Result<Value, Error> {
    args.count(2, 2)?;
    let a = args.rounded(0, INT_MIN, INT_MAX)?;
    let b = args.rounded(1, INT_MIN, INT_MAX)?;
    Ok(Value::from(a + b))
}

/// `States.MathRandom(start, end[, seed])`: a random integer with `start <= n < end`, as
/// AWS documents it (start inclusive, end exclusive). Bounds are rounded like `MathAdd`'s
/// (AWS accepts `12.5`, `44.51`); `end` must exceed `start`.
///
/// With a seed the draw is Java's `new Random(seed).nextInt(end - start) + start`, so the
/// same seed gives the same number. No recorded execution shows a seeded result (the
/// snapshot masks it), so the formula is inferred from AWS's JSONata `$random(seed)`, which
/// uses `java.util.Random`. Without a seed the draw comes from `rng`.
pub(super) fn random(args: Args, rng: &mut dyn RandomSource) -> Result<Value, Error> {
    args.count(2, 3)?;
    let start = args.rounded(0, INT_MIN, INT_MAX)?;
    let end = args.rounded(1, INT_MIN, INT_MAX)?;
    let seed = if args.len() == 3 { Some(args.rounded(2, i64::MIN, i64::MAX)?) } else { None };
    let width = end - start;
    if width <= 0 {
        return Err(args.fail(format_args!(
            "argument #2 (the end, exclusive) must be greater than argument #1 (the start): {start} >= {end}"
        )));
    }
    // Java computes `end - start` as an int; a wider range would overflow there.
    let Ok(bound) = i32::try_from(width) else {
        return Err(args.fail(format_args!("the range from {start} to {end} is wider than {INT_MAX}")));
    };
    let offset = match seed {
        Some(seed) => i64::from(JavaRandom::new(seed).next_int_below(bound)),
        None => below(rng, bound.unsigned_abs().into()) as i64,
    };
    Ok(Value::from(start + offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intrinsics::SplitMix64;
    use crate::intrinsics::tests::{cause, run, run_with};
    use serde_json::json;

    #[test]
    fn add_recorded() {
        // math-operations-math-add-0…20 (13 and 18 repeat 7 and 10).
        for (a, b, want) in [
            (json!(-9), json!(3), -6),
            (json!(1.49), json!(1.5), 3),
            (json!(1.5), json!(1.51), 4),
            (json!(-1.49), json!(-1.5), -2),
            (json!(-1.5), json!(-1.51), -3),
            (json!(1.49), json!(0), 1),
            (json!(1.49), json!(-1.49), 0),
            (json!(1.5), json!(0), 2),
            (json!(1.51), json!(0), 2),
            (json!(-1.49), json!(0), -1),
            (json!(-1.5), json!(0), -1),
            (json!(-1.51), json!(0), -2),
            (json!(0.5), json!(0), 1),
            (json!(2.5), json!(0), 3),
            (json!(3.5), json!(0), 4),
            (json!(-0.5), json!(0.5), 1),
            (json!(-0.5), json!(0), 0),
            (json!(-2.5), json!(0), -2),
            (json!(-3.5), json!(0), -3),
        ] {
            let input = json!({"FunctionInput": {"fst": a, "snd": b}});
            let got = run("States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd)", input);
            assert_eq!(got, Ok(json!(want)), "{a} + {b}");
        }
        // base-scenarios-map-state-legacy-reentrant: a literal negative argument.
        assert_eq!(run("States.MathAdd($.i, -1)", json!({"i": 1})), Ok(json!(0)));
        assert_eq!(run("States.MathAdd(2147483647, 1)", json!({})), Ok(json!(2_147_483_648_i64)));
    }

    #[test]
    fn add_failures() {
        for (expr, detail) in [
            ("States.MathAdd('1', 2)", "argument #1 must be a number, but was a string"),
            ("States.MathAdd(1, null)", "argument #2 must be a number, but was null"),
            ("States.MathAdd(2147483648, 0)", "argument #1 must be between -2147483648 and 2147483647"),
            ("States.MathAdd(1)", "expected 2 arguments, but got 1"),
        ] {
            assert_eq!(cause(expr, json!({})), format!("Invalid arguments in {expr}: {detail}"));
        }
    }

    #[test]
    fn random_is_in_the_half_open_range() {
        let mut rng = SplitMix64::new(5);
        // The ranges LocalStack recorded against AWS (values masked): test_math_random.
        for (start, end, low, high) in
            [(12.5, 44.51, 13, 45), (9999.0, 99999.0, 9999, 99999), (-99999.0, -9999.0, -99999, -9999)]
        {
            for _ in 0..200 {
                let got = run_with("States.MathRandom($.s, $.e)", json!({"s": start, "e": end}), &mut rng);
                let n = got.ok().and_then(|v| v.as_i64()).unwrap_or(i64::MIN);
                assert!((low..high).contains(&n), "{n} not in {low}..{high}");
            }
        }
        for _ in 0..50 {
            assert_eq!(run_with("States.MathRandom(3, 4)", json!({}), &mut rng), Ok(json!(3)));
        }
    }

    #[test]
    fn seeded_random_is_javas_draw() {
        // new Random(42).nextInt(10) == 0.
        assert_eq!(run("States.MathRandom(100, 110, 42)", json!({})), Ok(json!(100)));
        let seeded = |seed: i64| run(&format!("States.MathRandom(0, 999, {seed})"), json!({}));
        let want = |seed: i64| json!(JavaRandom::new(seed).next_int_below(999));
        for seed in [-1, 0, 3, 1234] {
            assert_eq!(seeded(seed), Ok(want(seed)));
            assert_eq!(seeded(seed), seeded(seed), "the same seed gives the same number");
        }
        assert_eq!(run("States.MathRandom(0, 999, 2.6)", json!({})), Ok(want(3)), "the seed is rounded");
    }

    #[test]
    fn random_failures() {
        for (expr, detail) in [
            (
                "States.MathRandom(7, 7)",
                "argument #2 (the end, exclusive) must be greater than argument #1 (the start): 7 >= 7",
            ),
            (
                "States.MathRandom(10, 1)",
                "argument #2 (the end, exclusive) must be greater than argument #1 (the start): 10 >= 1",
            ),
            (
                "States.MathRandom(-2147483648, 2147483647)",
                "the range from -2147483648 to 2147483647 is wider than 2147483647",
            ),
            ("States.MathRandom('1', 9)", "argument #1 must be a number, but was a string"),
            ("States.MathRandom(1, 9, 'seed')", "argument #3 must be a number, but was a string"),
            ("States.MathRandom(1)", "expected 2 to 3 arguments, but got 1"),
        ] {
            assert_eq!(cause(expr, json!({})), format!("Invalid arguments in {expr}: {detail}"));
        }
    }
}
