//! JSON manipulation: `States.StringToJson`, `States.JsonToString`, `States.JsonMerge`.

use serde_json::{Map, Value};

use super::args::Args;
use super::{json_parse, render};
use crate::Error;

/// `States.StringToJson(string)`: the JSON value the string holds. An empty or
/// all-whitespace string gives `null` (cases `json-manipulation-string-to-json-0` and `-1`);
/// `-0` gives the integer `0` (`-3`).
pub(super) fn string_to_json(args: Args) -> Result<Value, Error> {
    args.count(1, 1)?;
    let text = args.string(0)?;
    if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Ok(Value::Null);
    }
    json_parse::parse(text).map_err(|e| args.fail(format_args!("argument #1 is not valid JSON: {e}")))
}

/// `States.JsonToString(path)`: the value as compact JSON text, `{"Arg1":1,"Arg2":[]}`
/// (cases `json-manipulation-json-to-string-*`). That the argument is a path is checked
/// when the definition is compiled.
pub(super) fn json_to_string(args: Args) -> Result<Value, Error> {
    args.count(1, 1)?;
    Ok(Value::String(render::compact_json(args.value(0))))
}

/// `States.JsonMerge(left, right, false)`: the keys of both objects, the right one's value
/// winning a clash (shallow: `{"a": {"a1": 1}}` and `{"a": {"a3": 1}}` give
/// `{"a": {"a3": 1}}`, case `json-manipulation-json-merge`). AWS supports only `false`
/// for the third argument ("deep merge"), so `true` is a failure.
///
/// The merged keys come out in the order a Java `HashMap` iterates them: both recorded
/// merges list their keys that way (`a, b, c, d`; and `constant_input_field` before
/// `constant_in_literal` in `json-manipulation-json-merge-escaped-argument`, an order
/// neither insertion nor sorting gives).
pub(super) fn json_merge(args: Args) -> Result<Value, Error> {
    args.count(3, 3)?;
    let left = args.object(0)?;
    let right = args.object(1)?;
    if args.boolean(2)? {
        return Err(args.fail("deep merge is not supported: argument #3 must be false"));
    }
    let mut merged: Vec<(&String, &Value)> = Vec::with_capacity(left.len() + right.len());
    for (key, value) in left {
        merged.push((key, right.get(key).unwrap_or(value)));
    }
    merged.extend(right.iter().filter(|(key, _)| !left.contains_key(*key)));
    let keys: Vec<&str> = merged.iter().map(|(key, _)| key.as_str()).collect();
    let mut out = Map::with_capacity(merged.len());
    for i in java_hash_map_order(&keys) {
        if let Some((key, value)) = merged.get(i) {
            out.insert((*key).clone(), (*value).clone());
        }
    }
    Ok(Value::Object(out))
}

/// The order in which a `java.util.HashMap` filled by putting `keys` one by one (all
/// distinct) iterates them, as indexes into `keys`.
///
/// A HashMap iterates its table by bucket (`spread(hashCode) & (capacity - 1)`), each
/// bucket in insertion order; the table starts at 16 buckets and doubles when the size
/// exceeds three quarters of it, or when a bucket of a table under 64 buckets would exceed
/// 8 entries. Past 64 buckets such a crowded bucket becomes a tree whose order this does not
/// model; that takes 9 keys agreeing in their low 6+ hash bits.
fn java_hash_map_order(keys: &[&str]) -> Vec<usize> {
    let hashes: Vec<u32> = keys.iter().map(|k| spread(java_string_hash(k))).collect();
    let mut capacity: u32 = 16;
    for (inserted, hash) in hashes.iter().enumerate() {
        if capacity < 64 {
            let bucket = hash & (capacity - 1);
            let crowd = hashes[..inserted].iter().filter(|h| *h & (capacity - 1) == bucket).count();
            if crowd >= 8 {
                capacity *= 2;
            }
        }
        // `++size > threshold` with threshold = 0.75 × capacity.
        if (inserted as u64 + 1) * 4 > u64::from(capacity) * 3 {
            capacity = capacity.saturating_mul(2);
        }
    }
    let mask = capacity.wrapping_sub(1);
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // A stable sort keeps insertion order within a bucket.
    order.sort_by_key(|&i| hashes.get(i).map_or(0, |h| h & mask));
    order
}

/// Java's `String.hashCode`: `s[0]·31^(n-1) + … + s[n-1]` over UTF-16 units, wrapping.
fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16().fold(0u32, |h, unit| h.wrapping_mul(31).wrapping_add(u32::from(unit)))
}

/// `HashMap.hash`: folds the high half of the hash into the low half.
fn spread(h: u32) -> u32 {
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intrinsics::tests::{cause, run};
    use serde_json::json;

    #[test]
    fn string_to_json_recorded() {
        // json-manipulation-string-to-json-0…9.
        for (text, want) in [
            ("", json!(null)),
            (" ", json!(null)),
            ("null", json!(null)),
            ("-0", json!(0)),
            ("1", json!(1)),
            ("1.1", json!(1.1)),
            ("true", json!(true)),
            ("\"HelloWorld\"", json!("HelloWorld")),
            ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
            ("{\"Arg1\": 1, \"Arg2\": []}", json!({"Arg1": 1, "Arg2": []})),
        ] {
            assert_eq!(run("States.StringToJson($.a)", json!({ "a": text })), Ok(want), "{text:?}");
        }
        // The docs' example.
        let doc = run("States.StringToJson($.a)", json!({"a": "{\"foo\": \"bar\"}"}));
        assert_eq!(doc, Ok(json!({"foo": "bar"})));
    }

    #[test]
    fn string_to_json_failures() {
        assert_eq!(
            cause("States.StringToJson($.a)", json!({"a": "{"})),
            "Invalid arguments in States.StringToJson($.a): argument #1 is not valid JSON: expected a field name at \
             character 2"
        );
        assert_eq!(
            cause("States.StringToJson($.a)", json!({"a": 5})),
            "Invalid arguments in States.StringToJson($.a): argument #1 must be a string, but was a number"
        );
    }

    #[test]
    fn json_to_string_recorded() {
        // json-manipulation-json-to-string-0…7.
        for (value, want) in [
            (json!(null), "null"),
            (json!(0), "0"),
            (json!(1), "1"),
            (json!(1.1), "1.1"),
            (json!(true), "true"),
            (json!("HelloWorld"), "\"HelloWorld\""),
            (json!([1, 2, "HelloWorld"]), "[1,2,\"HelloWorld\"]"),
            (json!({"Arg1": 1, "Arg2": []}), "{\"Arg1\":1,\"Arg2\":[]}"),
        ] {
            assert_eq!(run("States.JsonToString($.a)", json!({ "a": value })), Ok(json!(want)));
        }
    }

    #[test]
    fn json_merge_recorded() {
        // json-manipulation-json-merge.
        let input =
            json!({"a": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}, "b": {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}});
        let merged = run("States.JsonMerge($.a, $.b, false)", input);
        assert_eq!(merged, Ok(json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4})));
        let keys = |v: &Result<Value, Error>| -> Vec<String> {
            v.as_ref().ok().and_then(Value::as_object).map(|o| o.keys().cloned().collect()).unwrap_or_default()
        };
        assert_eq!(keys(&merged), ["a", "b", "c", "d"]);
        // json-manipulation-json-merge-escaped-argument: the recorded key order.
        let input = json!({"l": {"constant_in_literal": "false"}, "r": {"constant_input_field": "constant_value"}});
        let merged = run("States.JsonMerge($.l, $.r, false)", input);
        assert_eq!(keys(&merged), ["constant_input_field", "constant_in_literal"]);
    }

    #[test]
    fn json_merge_failures() {
        let input = json!({"o": {"a": 1}, "s": "x"});
        assert_eq!(
            cause("States.JsonMerge($.o, $.o, true)", input.clone()),
            "Invalid arguments in States.JsonMerge($.o, $.o, true): deep merge is not supported: argument #3 must be \
             false"
        );
        assert_eq!(
            cause("States.JsonMerge($.o, $.s, false)", input.clone()),
            "Invalid arguments in States.JsonMerge($.o, $.s, false): argument #2 must be an object, but was a string"
        );
        assert_eq!(
            cause("States.JsonMerge($.o, $.o, 'false')", input.clone()),
            "Invalid arguments in States.JsonMerge($.o, $.o, 'false'): argument #3 must be a boolean, but was a string"
        );
        assert_eq!(
            cause("States.JsonMerge($.o, $.o)", input),
            "Invalid arguments in States.JsonMerge($.o, $.o): expected 3 arguments, but got 2"
        );
    }

    #[test]
    fn java_hash_codes() {
        // Values Java's String.hashCode gives.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello") as i32, 99_162_322);
        // The textbook collision.
        assert_eq!(java_string_hash("Aa"), 2112);
        assert_eq!(java_string_hash("BB"), 2112);
    }

    #[test]
    fn hash_map_order_grows_the_table() {
        // 13 keys exceed the threshold of 12: 32 buckets, so "q" (113 & 31 = 17) and "r"
        // come after "a" (97 & 31 = 1) but not in insertion order relative to each other.
        let keys: Vec<String> = (b'a'..=b'm').map(|c| char::from(c).to_string()).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let order: Vec<&str> = java_hash_map_order(&refs).into_iter().filter_map(|i| refs.get(i).copied()).collect();
        assert_eq!(order, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]);
        // With 16 buckets "q" (113 & 15 = 1) shares a bucket with "a" and follows it.
        let order = java_hash_map_order(&["q", "b", "a"]);
        assert_eq!(order, [0, 2, 1]);
        // Nine keys in one bucket of a small table force a resize.
        let crowded: Vec<String> = (0..9).map(|i| char::from_u32(16 * i + 1).unwrap_or('?').to_string()).collect();
        let refs: Vec<&str> = crowded.iter().map(String::as_str).collect();
        assert_eq!(java_hash_map_order(&refs), [0, 2, 4, 6, 8, 1, 3, 5, 7]);
    }
}
