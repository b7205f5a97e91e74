//! Arrays: `States.Array`, `ArrayPartition`, `ArrayContains`, `ArrayRange`, `ArrayGetItem`,
//! `ArrayLength`, `ArrayUnique`.
//!
//! Two values are equal when they are equal as Java objects read from JSON: same type,
//! same value, objects regardless of key order; integers and fractional numbers differ
//! (`1` ≠ `1.0`), as an `Integer` never equals a `Double`. serde_json's `==` is exactly that.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;

use super::args::Args;
use crate::Error;

/// The most elements `States.ArrayRange` may produce (AWS quota).
pub(super) const MAX_RANGE: i128 = 1000;

/// `States.Array(v…)`: the arguments as an array (cases `array-array-*`).
pub(super) fn array(args: Args) -> Result<Value, Error> {
    Ok(Value::Array(args.into_values()))
}

/// `States.ArrayPartition(array, size)`: consecutive chunks of `size` elements, the last
/// one shorter if need be; `[]` for an empty array (cases `array-array-partition-*`).
pub(super) fn partition(args: Args) -> Result<Value, Error> {
    args.count(2, 2)?;
    let items = args.array(0)?;
    let size = args.integer(1)?;
    let Ok(size) = usize::try_from(size) else { return Err(args.fail("argument #2 must be a positive integer")) };
    if size == 0 {
        return Err(args.fail("argument #2 must be a positive integer"));
    }
    Ok(Value::Array(items.chunks(size).map(|chunk| Value::Array(chunk.to_vec())).collect()))
}

/// `States.ArrayContains(array, value)`: whether an element equals the value, deeply
/// (cases `array-array-contains-*`: `[[1, 2, 3], 2]` contains `[1, 2, 3]`).
pub(super) fn contains(args: Args) -> Result<Value, Error> {
    args.count(2, 2)?;
    let items = args.array(0)?;
    Ok(Value::Bool(items.contains(args.value(1))))
}

/// `States.ArrayRange(start, end, step)`: `start`, `start + step`, … up to and including
/// `end` (`(1, 9, 2)` → `[1, 3, 5, 7, 9]`, `(0, 10, 3)` → `[0, 3, 6, 9]`, cases
/// `array-array-range-*`). A step pointing away from `end` gives `[]`; a zero step or more
/// than 1,000 elements is a failure.
pub(super) fn range(args: Args) -> Result<Value, Error> {
    args.count(3, 3)?;
    let (start, end, step) = (args.integer(0)?, args.integer(1)?, args.integer(2)?);
    if step == 0 {
        return Err(args.fail("argument #3 (the step) must not be 0"));
    }
    // i128 holds every difference and count of i64s without overflow.
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let count = if (end - start).signum() * step.signum() < 0 { 0 } else { (end - start) / step + 1 };
    if count > MAX_RANGE {
        return Err(
            args.fail(format_args!("the range would have {count} elements, more than the maximum of {MAX_RANGE}"))
        );
    }
    let items = (0..count).filter_map(|i| i64::try_from(start + i * step).ok()).map(Value::from).collect();
    Ok(Value::Array(items))
}

/// `States.ArrayGetItem(array, index)`: the element at a 0-based index (case
/// `array-array-get-item`); an index outside the array is a failure.
pub(super) fn get_item(args: Args) -> Result<Value, Error> {
    args.count(2, 2)?;
    let items = args.array(0)?;
    let index = args.integer(1)?;
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| args.fail(format_args!("index {index} is out of bounds for an array of length {}", items.len())))
}

/// `States.ArrayLength(array)`: the number of elements (case `array-array-length`).
pub(super) fn length(args: Args) -> Result<Value, Error> {
    args.count(1, 1)?;
    Ok(Value::from(args.array(0)?.len()))
}

/// `States.ArrayUnique(array)`: the array without repeated elements, each kept where it
/// first occurs (the docs' `[1,2,3,3,3,3,3,3,4]` → `[1,2,3,4]`).
pub(super) fn unique(args: Args) -> Result<Value, Error> {
    args.count(1, 1)?;
    let items = args.array(0)?;
    // Bucket by a hash consistent with `==`, so large arrays stay linear.
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(items.len());
    let mut kept: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        let bucket = seen.entry(value_hash(item)).or_default();
        if bucket.iter().any(|&k| kept.get(k) == Some(item)) {
            continue;
        }
        bucket.push(kept.len());
        kept.push(item.clone());
    }
    Ok(Value::Array(kept))
}

/// A hash that agrees with serde_json's `==`: object members are combined regardless of
/// order, and `-0.0` hashes as `0.0` (the two are `==`).
fn value_hash(value: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    hash_into(value, &mut h);
    h.finish()
}

fn hash_into(value: &Value, h: &mut DefaultHasher) {
    match value {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                (2u8, u).hash(h);
            } else if let Some(i) = n.as_i64() {
                (3u8, i).hash(h);
            } else {
                let f = n.as_f64().unwrap_or(0.0);
                (4u8, if f == 0.0 { 0 } else { f.to_bits() }).hash(h);
            }
        }
        Value::String(s) => (5u8, s).hash(h),
        Value::Array(items) => {
            (6u8, items.len()).hash(h);
            for item in items {
                hash_into(item, h);
            }
        }
        Value::Object(members) => {
            // Sum of per-member hashes: the same for any key order.
            let sum = members.iter().fold(0u64, |acc, (key, item)| {
                let mut m = DefaultHasher::new();
                key.hash(&mut m);
                hash_into(item, &mut m);
                acc.wrapping_add(m.finish())
            });
            (7u8, members.len(), sum).hash(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::intrinsics::tests::{cause, run};
    use serde_json::json;

    #[test]
    fn array_recorded() {
        // array-array-0 and array-array-2-0…7.
        assert_eq!(run("States.Array()", json!({})), Ok(json!([])));
        for v in [json!(""), json!(" "), json!(null), json!(1), json!(1.1), json!({"Arg1": 1, "Arg2": []})] {
            let input = json!({"FunctionInput": {"fst": v, "snd": v}});
            let got = run("States.Array($.FunctionInput.fst, $.FunctionInput.snd)", input);
            assert_eq!(got, Ok(json!([v, v])));
        }
        assert_eq!(run("States.Array('a', 1, 2.5, true, null)", json!({})), Ok(json!(["a", 1, 2.5, true, null])));
    }

    #[test]
    fn partition_recorded() {
        // array-array-partition-0…24: every array [0..n) for n ≤ 4 and size 1…5.
        for n in 0..=4i64 {
            for size in 1..=5i64 {
                let items: Vec<i64> = (0..n).collect();
                let want: Vec<Vec<i64>> = items.chunks(size as usize).map(<[i64]>::to_vec).collect();
                let got = run("States.ArrayPartition($.a, $.n)", json!({"a": items, "n": size}));
                assert_eq!(got, Ok(json!(want)), "n={n} size={size}");
            }
        }
        // The docs' example.
        let doc = run("States.ArrayPartition($.a, 4)", json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}));
        assert_eq!(doc, Ok(json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])));
    }

    #[test]
    fn partition_failures() {
        let input = json!({"a": [1], "s": "x"});
        for (expr, detail) in [
            ("States.ArrayPartition($.a, 0)", "argument #2 must be a positive integer"),
            ("States.ArrayPartition($.a, -1)", "argument #2 must be a positive integer"),
            ("States.ArrayPartition($.a, 1.5)", "argument #2 must be an integer, but was a number"),
            ("States.ArrayPartition($.s, 1)", "argument #1 must be an array, but was a string"),
        ] {
            assert_eq!(cause(expr, input.clone()), format!("Invalid arguments in {expr}: {detail}"));
        }
    }

    #[test]
    fn contains_recorded() {
        // array-array-contains-0…8.
        for (items, value, want) in [
            (json!([]), json!(null), false),
            (json!([]), json!([]), false),
            (json!([]), json!(1), false),
            (json!([[1, 2, 3], 2]), json!(null), false),
            (json!([[1, 2, 3], 2]), json!([1, 2, 3]), true),
            (json!([{"1": 2, "2": []}]), json!([]), false),
            (json!([{"1": 2, "2": []}]), json!({"1": 2, "2": []}), true),
            (json!([true, false]), json!(true), true),
            (json!([true, false]), json!(false), true),
        ] {
            let got = run("States.ArrayContains($.a, $.v)", json!({"a": items, "v": value}));
            assert_eq!(got, Ok(json!(want)), "{items} {value}");
        }
        let got = run("States.ArrayContains($.a, $.v)", json!({"a": [{"x": 1, "y": 2}], "v": {"y": 2, "x": 1}}));
        assert_eq!(got, Ok(json!(true)), "key order does not matter");
        assert_eq!(run("States.ArrayContains($.a, 1)", json!({"a": [1.0]})), Ok(json!(false)), "Integer ≠ Double");
        assert_eq!(
            cause("States.ArrayContains($.a, 1)", json!({"a": {}})),
            "Invalid arguments in States.ArrayContains($.a, 1): argument #1 must be an array, but was an object"
        );
    }

    #[test]
    fn range_recorded() {
        // array-array-range-0…3 and the docs' example.
        for ((s, e, st), want) in [
            ((0, 9, 3), json!([0, 3, 6, 9])),
            ((0, 10, 3), json!([0, 3, 6, 9])),
            ((1, 9, 9), json!([1])),
            ((1, 9, 2), json!([1, 3, 5, 7, 9])),
        ] {
            let got = run("States.ArrayRange($.s, $.e, $.st)", json!({"s": s, "e": e, "st": st}));
            assert_eq!(got, Ok(want));
        }
        // base-scenarios-map-state-legacy-reentrant: literal arguments.
        assert_eq!(run("States.ArrayRange(0, 3, 1)", json!({})), Ok(json!([0, 1, 2, 3])));
    }

    #[test]
    fn range_edges() {
        assert_eq!(run("States.ArrayRange(9, 1, -2)", json!({})), Ok(json!([9, 7, 5, 3, 1])));
        assert_eq!(run("States.ArrayRange(9, 1, 2)", json!({})), Ok(json!([])));
        assert_eq!(run("States.ArrayRange(1, 9, -2)", json!({})), Ok(json!([])));
        assert_eq!(run("States.ArrayRange(5, 5, -3)", json!({})), Ok(json!([5])));
        let thousand = run("States.ArrayRange(1, 1000, 1)", json!({}));
        assert_eq!(thousand.map(|v| v.as_array().map_or(0, Vec::len)), Ok(1000));
        let extreme = run("States.ArrayRange($.min, $.max, $.max)", json!({"min": i64::MIN, "max": i64::MAX}));
        assert_eq!(extreme, Ok(json!([i64::MIN, -1, i64::MAX - 1])));
    }

    #[test]
    fn range_failures() {
        for (expr, detail) in [
            ("States.ArrayRange(1, 9, 0)", "argument #3 (the step) must not be 0".to_string()),
            (
                "States.ArrayRange(1, 1001, 1)",
                "the range would have 1001 elements, more than the maximum of 1000".to_string(),
            ),
            ("States.ArrayRange('1', 9, 1)", "argument #1 must be an integer, but was a string".to_string()),
            ("States.ArrayRange(1, 9.5, 1)", "argument #2 must be an integer, but was a number".to_string()),
            ("States.ArrayRange(1, 9)", "expected 3 arguments, but got 2".to_string()),
        ] {
            assert_eq!(cause(expr, json!({})), format!("Invalid arguments in {expr}: {detail}"));
        }
        let expr = "States.ArrayRange($.min, $.max, 1)";
        assert_eq!(
            cause(expr, json!({"min": i64::MIN, "max": i64::MAX})),
            format!(
                "Invalid arguments in {expr}: the range would have 18446744073709551616 elements, more than the maximum of 1000"
            )
        );
    }

    #[test]
    fn get_item_recorded() {
        // array-array-get-item.
        let input = json!({"FunctionInput": {"fst": [1, 2, 3, 4, 5, 6, 7, 8, 9], "snd": 5}});
        let got = run("States.ArrayGetItem($.FunctionInput.fst, $.FunctionInput.snd)", input);
        assert_eq!(got, Ok(json!(6)));
        for (expr, detail) in [
            ("States.ArrayGetItem($.a, 3)", "index 3 is out of bounds for an array of length 3"),
            ("States.ArrayGetItem($.a, -1)", "index -1 is out of bounds for an array of length 3"),
            ("States.ArrayGetItem($.a, 'x')", "argument #2 must be an integer, but was a string"),
        ] {
            assert_eq!(cause(expr, json!({"a": [1, 2, 3]})), format!("Invalid arguments in {expr}: {detail}"));
        }
    }

    #[test]
    fn length_recorded() {
        // array-array-length, and array-array-unique (which AWS recorded with ArrayLength).
        assert_eq!(run("States.ArrayLength($.a)", json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})), Ok(json!(9)));
        let twenty = json!([null, null, true, true, false, false, 1, 1, 1.1, 0, 0, "HelloWorld", "HelloWorld", [], [],
            [null], [null], {"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1, "b": 1}]);
        assert_eq!(run("States.ArrayLength($.a)", json!({ "a": twenty })), Ok(json!(20)));
        assert_eq!(
            cause("States.ArrayLength($.a)", json!({"a": "abc"})),
            "Invalid arguments in States.ArrayLength($.a): argument #1 must be an array, but was a string"
        );
    }

    #[test]
    fn unique_keeps_first_occurrences() {
        let doc = run("States.ArrayUnique($.a)", json!({"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}));
        assert_eq!(doc, Ok(json!([1, 2, 3, 4])));
        let mixed = json!([null, null, true, true, false, false, 1, 1, 1.1, 0, 0, 1.0, -0.0, 0.0, "HelloWorld",
            "HelloWorld", [], [], [null], [null], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}]);
        let want = json!([null, true, false, 1, 1.1, 0, 1.0, -0.0, "HelloWorld", [], [null], {"a": 1, "b": 2},
            {"a": 1, "b": 1}]);
        assert_eq!(run("States.ArrayUnique($.a)", json!({ "a": mixed })), Ok(want));
        let many: Vec<i64> = (0..20_000).map(|i| i % 100).collect();
        let got = run("States.ArrayUnique($.a)", json!({ "a": many }));
        assert_eq!(got, Ok(json!((0..100).collect::<Vec<i64>>())));
    }
}
