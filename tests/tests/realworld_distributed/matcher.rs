//! Expected JSON with holes: what a case says an output, a history event's output or a
//! written object must be, where ids, times and ETags cannot be known in advance.
//!
//! A matcher is a JSON value compared with the actual one, except:
//!
//! - `"<any>"` matches anything; `"<string>"` and `"<number>"` any value of that type;
//! - `"<starts-with:TEXT>"` a string that starts with TEXT;
//! - `{"<json>": M}` a string whose text is JSON matching M (a result file's `Input` and
//!   `Output`, a state's output in the history);
//! - `{"<len>": N}` an array of N elements;
//! - `{"<unordered>": [M, …]}` an array whose elements match the Ms in some order (a result
//!   file lists child executions in the order they ended);
//! - an object with `"<more>": true` an object with at least the other keys (each
//!   matching), where a plain object must have exactly its keys.
//!
//! Numbers are equal when their values are (`1` and `1.0`).

use serde_json::Value;

/// Compares `actual` with `expected` and appends each difference to `problems`, as
/// `at <pointer>: …`.
pub fn compare(expected: &Value, actual: &Value, at: &str, problems: &mut Vec<String>) {
    let mut differ = |what: String| problems.push(format!("at {}: {what}", if at.is_empty() { "/" } else { at }));
    match expected {
        Value::String(text) if text.starts_with('<') && text.ends_with('>') => {
            let ok = match text.as_str() {
                "<any>" => true,
                "<string>" => actual.is_string(),
                "<number>" => actual.is_number(),
                _ => match text.strip_prefix("<starts-with:").and_then(|t| t.strip_suffix('>')) {
                    Some(start) => actual.as_str().is_some_and(|a| a.starts_with(start)),
                    None => {
                        differ(format!("unknown matcher {text}"));
                        return;
                    }
                },
            };
            if !ok {
                differ(format!("expected {text}, got {}", short(actual)));
            }
        }
        Value::Object(object) if object.contains_key("<json>") => {
            let Some(parsed) = actual.as_str().and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
                differ(format!("expected a string of JSON, got {}", short(actual)));
                return;
            };
            compare(&object["<json>"], &parsed, &format!("{at}(json)"), problems);
        }
        Value::Object(object) if object.contains_key("<unordered>") => {
            let wants = object["<unordered>"].as_array().cloned().unwrap_or_default();
            let Some(got) = actual.as_array() else {
                differ(format!("expected an array, got {}", short(actual)));
                return;
            };
            if got.len() != wants.len() {
                differ(format!("expected {} elements, got {}: {}", wants.len(), got.len(), short(actual)));
                return;
            }
            let mut taken = vec![false; got.len()];
            for (index, want) in wants.iter().enumerate() {
                match got.iter().enumerate().find(|(i, value)| !taken[*i] && matches(want, value)) {
                    Some((i, _)) => taken[i] = true,
                    None => {
                        let mut why = Vec::new();
                        if let Some((i, value)) = got.iter().enumerate().find(|(i, _)| !taken[*i]) {
                            taken[i] = true;
                            compare(want, value, &format!("{at}/{i}"), &mut why);
                        }
                        differ(format!("no element matches expected element {index}: {}", why.join("; ")));
                    }
                }
            }
        }
        Value::Object(object) if object.contains_key("<len>") => {
            let want = object["<len>"].as_u64().unwrap_or(0);
            match actual.as_array() {
                Some(items) if items.len() as u64 == want => {}
                Some(items) => differ(format!("expected {want} elements, got {}", items.len())),
                None => differ(format!("expected an array of {want}, got {}", short(actual))),
            }
        }
        Value::Object(object) => {
            let Some(got) = actual.as_object() else {
                differ(format!("expected an object, got {}", short(actual)));
                return;
            };
            let more = object.get("<more>") == Some(&Value::Bool(true));
            for (key, want) in object.iter().filter(|(k, _)| *k != "<more>") {
                match got.get(key) {
                    Some(value) => compare(want, value, &format!("{at}/{key}"), problems),
                    None => problems.push(format!("at {at}/{key}: missing (expected {})", short(want))),
                }
            }
            if !more {
                let extra: Vec<&String> = got.keys().filter(|k| !object.contains_key(*k)).collect();
                if !extra.is_empty() {
                    problems.push(format!("at {}: unexpected keys {extra:?}", if at.is_empty() { "/" } else { at }));
                }
            }
        }
        Value::Array(items) => {
            let Some(got) = actual.as_array() else {
                differ(format!("expected an array, got {}", short(actual)));
                return;
            };
            if got.len() != items.len() {
                differ(format!("expected {} elements, got {}: {}", items.len(), got.len(), short(actual)));
                return;
            }
            for (index, (want, value)) in items.iter().zip(got).enumerate() {
                compare(want, value, &format!("{at}/{index}"), problems);
            }
        }
        Value::Number(want) => {
            if actual.as_f64() != want.as_f64() {
                differ(format!("expected {want}, got {}", short(actual)));
            }
        }
        _ => {
            if expected != actual {
                differ(format!("expected {expected}, got {}", short(actual)));
            }
        }
    }
}

/// Whether `actual` matches `expected`.
pub fn matches(expected: &Value, actual: &Value) -> bool {
    let mut problems = Vec::new();
    compare(expected, actual, "", &mut problems);
    problems.is_empty()
}

/// `value` as JSON text, cut to a readable length.
pub fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 300 {
        return text;
    }
    let cut = (0..=300).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    format!("{}… ({} bytes)", &text[..cut], text.len())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn holes_and_exact_values() {
        let expected =
            json!({"a": "<any>", "b": {"<json>": {"c": [1, "<number>"]}}, "d": {"<len>": 2}, "e": "<starts-with:ab>"});
        assert!(matches(&expected, &json!({"a": null, "b": "{\"c\":[1.0,2]}", "d": [0, 0], "e": "abc"})));
        assert!(!matches(&expected, &json!({"a": null, "b": "{\"c\":[1,2]}", "d": [0, 0], "e": "abc", "f": 1})));
        assert!(matches(&json!({"<more>": true, "x": 1}), &json!({"x": 1, "y": 2})));
        assert!(!matches(&json!({"x": 1}), &json!({"x": 2})));
        assert!(matches(&json!({"<unordered>": [1, 2, 2]}), &json!([2, 1, 2])));
        assert!(!matches(&json!({"<unordered>": [1, 1, 2]}), &json!([2, 1, 2])));
    }
}
