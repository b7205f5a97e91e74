//! Input generator shared by `tests/no_panic.rs` and the `check_structured` target of the
//! cargo-fuzz project (`fuzz/`, which includes this file with `#[path]`).
//!
//! It turns valid definitions into nearly-valid ones, which is where validators are most
//! likely to trip over an assumption: structured mutations of the JSON value (delete a key,
//! change a type, retarget a `Next`, duplicate a state, nest deeply, insert `.$` keys with
//! path/intrinsic/JSONata-looking strings, toggle `QueryLanguage`…), then rendering as JSON
//! or block YAML, then byte-level mutations of the text.
//!
//! Every decision is drawn from [`Rng`], which is either a seeded PRNG (the test) or the
//! fuzzer's input bytes (the fuzz target), so a coverage-guided fuzzer can steer the same
//! generator.

#![allow(dead_code)]

#[path = "text.rs"]
mod text;

use serde_json::{Map, Value, json};
#[allow(unused_imports)] // `to_block_yaml` is used by the fuzz crate's `seed_corpus`
pub use text::{BUILTIN_SEEDS, Format, YAML_SEED, mutate_bytes, random_text, render, to_block_yaml};

/// The source of every decision.
pub enum Rng {
    /// SplitMix64: deterministic, seeded.
    SplitMix(u64),
    /// Decisions read from bytes (a fuzzer's input); zeros once they run out.
    Bytes { data: Vec<u8>, pos: usize },
}

impl Rng {
    pub fn seeded(seed: u64) -> Self {
        Rng::SplitMix(seed)
    }

    pub fn from_bytes(data: &[u8]) -> Self {
        Rng::Bytes { data: data.to_vec(), pos: 0 }
    }

    /// A random number that needs `bytes` bytes of entropy (1..=8).
    fn raw(&mut self, bytes: usize) -> u64 {
        match self {
            Rng::SplitMix(state) => {
                *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = *state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            }
            Rng::Bytes { data, pos } => {
                let mut v = 0u64;
                for _ in 0..bytes {
                    v = (v << 8) | u64::from(data.get(*pos).copied().unwrap_or(0));
                    *pos += 1;
                }
                v
            }
        }
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let bytes = match n {
            0..=256 => 1,
            257..=65_536 => 2,
            _ => 4,
        };
        (self.raw(bytes) % n as u64) as usize
    }

    /// True with probability `num/den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of `items`, as a `&str`.
    pub fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// Whether the byte stream is used up (always false for the PRNG).
    pub fn exhausted(&self) -> bool {
        match self {
            Rng::SplitMix(_) => false,
            Rng::Bytes { data, pos } => *pos >= data.len(),
        }
    }
}

// ── vocabulary ────────────────────────────────────────────────────────────────

#[rustfmt::skip]
pub const FIELDS: &[&str] = &[
    "StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage", "Type", "Next", "End",
    "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Arguments", "Output", "Assign",
    "Retry", "Catch", "Resource", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
    "Credentials", "Result", "Choices", "Default", "Seconds", "SecondsPath", "Timestamp", "TimestampPath",
    "Error", "ErrorPath", "Cause", "CausePath", "Branches", "ItemProcessor", "Iterator", "ItemsPath", "Items",
    "ItemSelector", "MaxConcurrency", "MaxConcurrencyPath", "ItemReader", "ItemBatcher", "ResultWriter",
    "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount",
    "ToleratedFailureCountPath", "Label", "ProcessorConfig", "Mode", "ExecutionType", "ErrorEquals",
    "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Variable", "And",
    "Or", "Not", "Condition", "RoleArn", "ReaderConfig", "InputType", "MaxItems", "MaxItemsPath",
    "MaxItemsPerBatch", "BatchInput", "WriterConfig", "OutputType", "Transformation", "CSVHeaderLocation",
    "StringEquals", "StringEqualsPath", "StringMatches", "NumericEquals", "NumericLessThanPath",
    "BooleanEquals", "TimestampEquals", "TimestampGreaterThanPath", "IsNull", "IsPresent", "IsNumeric",
    "IsString", "IsBoolean", "IsTimestamp", "StringLessThan", "NumericGreaterThanEquals",
];

const STATE_TYPES: &[&str] = &["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];

const TEMPLATE_FIELDS: &[&str] =
    &["Parameters", "ResultSelector", "ItemSelector", "Assign", "Arguments", "Credentials", "Output", "BatchInput"];

const TRANSITION_FIELDS: &[&str] = &["Next", "Default", "StartAt"];

#[rustfmt::skip]
const RESOURCES: &[&str] = &[
    "arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::states:startExecution.sync:2", "arn:aws:states:::aws-sdk:s3:getObject",
    "arn:aws:states:::dynamodb:putItem", "arn:aws:states:::http:invoke",
    "arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:states:us-east-1:123456789012:activity:a",
    "arn:aws:states:::", "arn:", "", "arn:aws:states:::sqs:sendMessage.sync.sync",
];

#[rustfmt::skip]
const ERRORS: &[&str] = &[
    "States.ALL", "States.TaskFailed", "States.Timeout", "States.Runtime", "States.HeartbeatTimeout",
    "States.Permissions", "States.NotAThing", "Custom.Error", "", "States.", "Lambda.ServiceException",
];

#[rustfmt::skip]
const TIMESTAMPS: &[&str] = &[
    "2016-03-14T01:59:00Z", "2016-03-14t01:59:00z", "2016-13-40T25:61:61Z",
    "2024-02-29T00:00:00.123456789+14:00", "2023-02-29T00:00:00Z", "2016-03-14T01:59:00",
    "2016-03-14 01:59:00Z", "9999-12-31T23:59:60-23:59", "T",
];

#[rustfmt::skip]
const INTRINSICS: &[&str] = &[
    "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
    "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength",
    "States.ArrayUnique", "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge",
    "States.MathRandom", "States.MathAdd", "States.StringSplit", "States.UUID", "States.Nope", "states.format",
    "States", "Format",
];

const PATH_STARTS: &[&str] = &["$", "$$", "$var", "$states", "", "@", "$.", "$$.", "$_", "$1"];

#[rustfmt::skip]
const PATH_SEGMENTS: &[&str] = &[
    ".a", ".b.c", "[0]", "[*]", "..x", "['k']", "[\"k\"]", "[?(@.a > 1)]", "[-1:]", "[0,1]", ".length()", "[",
    "]", ".", "\\.", "$", " ", "é", ".Execution.Input", ".Map.Item.Value", "[1:2:3]", "['a','b']", "[?(@)]",
    ".*", "[99999999999999999999]", "[-0]", "['\\'']", ".a-b", ".𝄞", "()", "\u{0}",
];

#[rustfmt::skip]
const JSONATA_FRAGMENTS: &[&str] = &[
    "$states.input", "$states.input.a", "$states.result", "$states.errorOutput", "$states.context.Execution.Id",
    "$x", "$$", "$", "foo", "1 + ", "(", ")", "$count([1,2])", "'str", "\"q\"", "{", "}", "[1..3]",
    "function($x){$x}", "/* c */", "a.b[0]", "$uuid()", "$partition([1,2],1)", " ? 1 : 2", "and", "or", "in",
    "~>", "$sum", "[", "]", ",", ":", "'a'", "true", "null", "0.5", "1e999", "%", "%}", "{%",
];

#[rustfmt::skip]
const UNICODE_CHARS: &[char] = &[
    'a', 'Z', '0', ' ', '.', '$', '\'', '"', '\\', '{', '}', '/', '~', '\u{0}', '\u{1}', '\u{1f}', '\u{7f}',
    '\u{85}', '\u{a0}', 'é', 'ß', '中', '文', '🦀', '𝄞', '\u{301}', '\u{200b}', '\u{200d}', '\u{202e}', '\u{2028}',
    '\u{2029}', '\u{feff}', '\u{fffd}', '\u{fffe}', '\u{10ffff}', '\n', '\t', '\r',
];

#[rustfmt::skip]
const NUMBERS: &[&str] = &[
    "0", "-0", "1", "-1", "0.5", "-1.5", "1.0", "2", "99999999", "100000000", "4294967296", "9007199254740993",
    "18446744073709551615", "-9223372036854775808", "1e308", "-1e308", "1e-300", "5e-324",
    "1.7976931348623157e308", "123456789012345678901234567890",
];

// ── random values ─────────────────────────────────────────────────────────────

pub fn random_unicode(rng: &mut Rng, max_len: usize) -> String {
    let len = rng.below(max_len + 1);
    (0..len).map(|_| *rng.pick(UNICODE_CHARS)).collect()
}

pub fn random_path(rng: &mut Rng) -> String {
    let mut s = rng.pick(PATH_STARTS).to_string();
    for _ in 0..rng.below(6) {
        s.push_str(rng.word(PATH_SEGMENTS));
    }
    if rng.chance(1, 8) {
        s.push_str(&random_unicode(rng, 4));
    }
    maybe_truncate(rng, s)
}

pub fn random_intrinsic(rng: &mut Rng, depth: usize) -> String {
    let mut s = rng.pick(INTRINSICS).to_string();
    s.push('(');
    let argc = rng.below(5);
    for i in 0..argc {
        if i > 0 {
            s.push_str(if rng.chance(1, 10) { "," } else { ", " });
        }
        let arg = match rng.below(10) {
            0 => format!("'{}'", rng.pick(&["", "{}", "{} {}", "a\\'b", "\\{", "\\\\", "'", "{", "\\", "x"])),
            1 => rng.pick(NUMBERS).to_string(),
            2 => rng.pick(&["null", "true", "false", "undefined"]).to_string(),
            3 | 4 => random_path(rng),
            5 | 6 if depth < 14 => random_intrinsic(rng, depth + 1),
            7 => random_unicode(rng, 3),
            _ => format!("'{}'", random_unicode(rng, 6)),
        };
        s.push_str(&arg);
    }
    if !rng.chance(1, 10) {
        s.push(')');
    }
    maybe_truncate(rng, s)
}

pub fn random_jsonata(rng: &mut Rng) -> String {
    let mut s = String::from(*rng.pick(&["{%", "{% ", "{%%", "", "{ %"]));
    for _ in 0..rng.below(6) {
        s.push_str(rng.word(JSONATA_FRAGMENTS));
        s.push(' ');
    }
    s.push_str(rng.word(&["%}", " %}", "", "%", "%}%}"]));
    maybe_truncate(rng, s)
}

fn maybe_truncate(rng: &mut Rng, s: String) -> String {
    if !rng.chance(1, 8) || s.is_empty() {
        return s;
    }
    let mut cut = rng.below(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s[..cut].to_string()
}

pub fn random_string(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 | 1 => random_path(rng),
        2 | 3 => random_intrinsic(rng, 0),
        4 => random_jsonata(rng),
        5 => rng.pick(RESOURCES).to_string(),
        6 => rng.pick(ERRORS).to_string(),
        7 => rng.pick(TIMESTAMPS).to_string(),
        8 => rng.pick(STATE_TYPES).to_string(),
        9 => rng.pick(FIELDS).to_string(),
        10 if rng.chance(1, 4) => "x".repeat(rng.pick(&[80, 81, 256, 5000]).to_owned()),
        _ => random_unicode(rng, 12),
    }
}

fn random_number(rng: &mut Rng) -> Value {
    serde_json::from_str(rng.word(NUMBERS)).unwrap_or(Value::Null)
}

pub fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let container = depth < 4;
    match rng.below(if container { 9 } else { 6 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(1, 2)),
        2 => random_number(rng),
        3..=5 => Value::String(random_string(rng)),
        6 | 7 => {
            let mut m = Map::new();
            for _ in 0..rng.below(4) {
                let key = if rng.chance(1, 2) { rng.pick(FIELDS).to_string() } else { random_key(rng) };
                m.insert(key, random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
        _ => Value::Array((0..rng.below(4)).map(|_| random_value(rng, depth + 1)).collect()),
    }
}

fn random_key(rng: &mut Rng) -> String {
    let mut key = match rng.below(4) {
        0 => rng.pick(FIELDS).to_string(),
        1 => random_unicode(rng, 8),
        _ => rng.pick(&["a", "b", "x", "", "states", "1var", "my_var", "a.b", "$", "$.a"]).to_string(),
    };
    if rng.chance(1, 2) {
        key.push_str(".$");
    }
    key
}

/// A string for a `.$` key: a path, an intrinsic, JSONata or junk.
fn random_dollar_value(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0..=2 => Value::String(random_path(rng)),
        3..=5 => Value::String(random_intrinsic(rng, 0)),
        6 => Value::String(random_jsonata(rng)),
        _ => random_value(rng, 3),
    }
}

// ── navigating a definition ───────────────────────────────────────────────────

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// JSON Pointers of every node (at most `LIMIT`), the root first.
fn pointers(v: &Value) -> Vec<String> {
    const LIMIT: usize = 50_000;
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), v)];
    while let Some((ptr, node)) = stack.pop() {
        if out.len() >= LIMIT {
            break;
        }
        match node {
            Value::Object(m) => {
                for (k, child) in m {
                    stack.push((format!("{ptr}/{}", escape(k)), child));
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    stack.push((format!("{ptr}/{i}"), child));
                }
            }
            _ => {}
        }
        out.push(ptr);
    }
    out
}

/// How deep the value nests (a scalar is 0).
fn depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0)];
    while let Some((node, d)) = stack.pop() {
        deepest = deepest.max(d);
        match node {
            Value::Object(m) => stack.extend(m.values().map(|c| (c, d + 1))),
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
            _ => {}
        }
    }
    deepest
}

fn last_token(ptr: &str) -> &str {
    ptr.rsplit('/').next().unwrap_or("")
}

fn pick_pointer(rng: &mut Rng, v: &Value, filter: impl Fn(&str, &Value) -> bool) -> Option<String> {
    let all: Vec<String> = pointers(v).into_iter().filter(|p| v.pointer(p).is_some_and(|n| filter(p, n))).collect();
    if all.is_empty() { None } else { Some(all[rng.below(all.len())].clone()) }
}

/// Pointers of every `States` object.
fn states_objects(v: &Value) -> Vec<String> {
    pointers(v)
        .into_iter()
        .filter(|p| last_token(p) == "States" && v.pointer(p).is_some_and(Value::is_object))
        .collect()
}

/// Pointers of every state (member of a `States` object).
fn states(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for s in states_objects(v) {
        if let Some(Value::Object(m)) = v.pointer(&s) {
            out.extend(m.keys().map(|k| format!("{s}/{}", escape(k))));
        }
    }
    out
}

fn state_names(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for s in states_objects(v) {
        if let Some(Value::Object(m)) = v.pointer(&s) {
            out.extend(m.keys().cloned());
        }
    }
    out
}

// ── structured mutations ──────────────────────────────────────────────────────

/// Names of the structured mutations, for failure reports.
#[rustfmt::skip]
pub const MUTATIONS: &[&str] = &[
    "delete-key", "change-type", "retarget-transition", "duplicate-state", "deep-nest-value",
    "deep-nest-states", "huge-number", "unicode-string", "dollar-key", "intrinsic-string", "path-string",
    "jsonata-string", "toggle-query-language", "insert-field", "change-state-type", "rename-state", "splice",
    "choice-rule", "retry-catch", "empty-container",
];

/// Applies one structured mutation chosen by `rng`; returns its name.
/// `donor` is another definition subtrees may be copied from.
pub fn mutate(rng: &mut Rng, v: &mut Value, donor: &Value) -> &'static str {
    let which = rng.below(MUTATIONS.len());
    let name = MUTATIONS[which];
    match name {
        "delete-key" => {
            let p = pick_pointer(rng, v, |_, n| n.as_object().is_some_and(|m| !m.is_empty()));
            if let Some(Value::Object(m)) = p.and_then(|p| v.pointer_mut(&p)) {
                let key = m.keys().nth(rng.below(m.len())).cloned().unwrap_or_default();
                m.remove(&key);
            }
        }
        "change-type" => {
            if let Some(p) = pick_pointer(rng, v, |_, _| true) {
                let new = random_value(rng, 2);
                set(v, &p, new);
            }
        }
        "retarget-transition" => {
            let names = state_names(v);
            if let Some(p) = pick_pointer(rng, v, |p, n| n.is_string() && TRANSITION_FIELDS.contains(&last_token(p))) {
                let target = match rng.below(4) {
                    0 if !names.is_empty() => names[rng.below(names.len())].clone(),
                    1 => String::new(),
                    _ => random_string(rng),
                };
                set(v, &p, Value::String(target));
            }
        }
        "duplicate-state" => {
            let all = states(v);
            let containers = states_objects(v);
            if !all.is_empty() && !containers.is_empty() {
                let src = all[rng.below(all.len())].clone();
                let copy = v.pointer(&src).cloned().unwrap_or(Value::Null);
                let into = containers[rng.below(containers.len())].clone();
                let name = if rng.chance(1, 2) {
                    // Same name in another container: a machine-wide duplicate.
                    unescape(last_token(&src))
                } else {
                    format!("{}{}", unescape(last_token(&src)), random_unicode(rng, 3))
                };
                if let Some(Value::Object(m)) = v.pointer_mut(&into) {
                    m.insert(name, copy);
                }
            }
        }
        "deep-nest-value" => {
            // Past the readers' limit (128), but not so deep that cloning and serialising the
            // value (recursive in serde_json) overflows a test thread's stack.
            if let Some(p) = pick_pointer(rng, v, |_, _| true).filter(|_| depth(v) < 200) {
                let levels = *rng.pick(&[1, 5, 64, 126, 127, 128, 129, 200]);
                let mut node = v.pointer(&p).cloned().unwrap_or(Value::Null);
                let as_array = rng.chance(1, 2);
                for _ in 0..levels {
                    node = if as_array { Value::Array(vec![node]) } else { json!({ "Parameters": node }) };
                }
                set(v, &p, node);
            }
        }
        "deep-nest-states" => {
            let all = states(v);
            if !all.is_empty() {
                let p = all[rng.below(all.len())].clone();
                let inner = v.pointer(&p).cloned().unwrap_or(Value::Null);
                let levels = *rng.pick(&[2, 10, 30, 40, 70]);
                let map = rng.chance(1, 2);
                let mut node = inner;
                for i in 0..levels {
                    let name = format!("L{i}");
                    let machine = json!({ "StartAt": name, "States": { name.clone(): node } });
                    node = if map {
                        json!({ "Type": "Map", "ItemProcessor": machine, "End": true })
                    } else {
                        json!({ "Type": "Parallel", "Branches": [machine], "End": true })
                    };
                }
                set(v, &p, node);
            }
        }
        "huge-number" => {
            if let Some(p) = pick_pointer(rng, v, |_, n| !n.is_object() && !n.is_array()) {
                let n = random_number(rng);
                set(v, &p, n);
            }
        }
        "unicode-string" => {
            if rng.chance(1, 2) {
                if let Some(p) = pick_pointer(rng, v, |_, n| n.is_string()) {
                    let s = random_unicode(rng, 20);
                    set(v, &p, Value::String(s));
                }
            } else if let Some(p) = pick_pointer(rng, v, |_, n| n.as_object().is_some_and(|m| !m.is_empty())) {
                let key = random_unicode(rng, 10);
                if let Some(Value::Object(m)) = v.pointer_mut(&p) {
                    let old = m.keys().nth(rng.below(m.len())).cloned().unwrap_or_default();
                    if let Some(val) = m.remove(&old) {
                        m.insert(key, val);
                    }
                }
            }
        }
        "dollar-key" => {
            let templates = pick_pointer(rng, v, |p, n| n.is_object() && TEMPLATE_FIELDS.contains(&last_token(p)));
            let target = match templates {
                Some(p) if rng.chance(3, 4) => Some(p),
                _ => pick_pointer(rng, v, |_, n| n.is_object()),
            };
            if let Some(p) = target {
                let mut key = random_key(rng);
                if !key.ends_with(".$") {
                    key.push_str(".$");
                }
                let val = random_dollar_value(rng);
                if let Some(Value::Object(m)) = v.pointer_mut(&p) {
                    m.insert(key, val);
                }
            }
        }
        "intrinsic-string" | "path-string" | "jsonata-string" => {
            let prefer_path = name == "path-string";
            let target = pick_pointer(rng, v, |p, n| {
                n.is_string()
                    && (!prefer_path
                        || last_token(p).ends_with("Path")
                        || last_token(p) == "Variable"
                        || last_token(p).ends_with(".$"))
            })
            .or_else(|| pick_pointer(rng, v, |_, n| n.is_string()));
            if let Some(p) = target {
                let s = match name {
                    "intrinsic-string" => random_intrinsic(rng, 0),
                    "path-string" => random_path(rng),
                    _ => random_jsonata(rng),
                };
                set(v, &p, Value::String(s));
            }
        }
        "toggle-query-language" => {
            let mut targets = states(v);
            targets.push(String::new());
            let p = targets[rng.below(targets.len())].clone();
            let value = match rng.below(6) {
                0 | 1 => Some(json!("JSONata")),
                2 | 3 => Some(json!("JSONPath")),
                4 => Some(random_value(rng, 3)),
                _ => None,
            };
            if let Some(Value::Object(m)) = v.pointer_mut(&p) {
                match value {
                    Some(val) => {
                        m.insert("QueryLanguage".into(), val);
                    }
                    None => {
                        m.remove("QueryLanguage");
                    }
                }
            }
        }
        "insert-field" => {
            if let Some(p) = pick_pointer(rng, v, |_, n| n.is_object()) {
                let key = rng.pick(FIELDS).to_string();
                let val = random_value(rng, 2);
                if let Some(Value::Object(m)) = v.pointer_mut(&p) {
                    m.insert(key, val);
                }
            }
        }
        "change-state-type" => {
            let all = states(v);
            if !all.is_empty() {
                let p = format!("{}/Type", all[rng.below(all.len())]);
                let ty = if rng.chance(7, 8) { rng.pick(STATE_TYPES).to_string() } else { random_string(rng) };
                set(v, &p, Value::String(ty));
            }
        }
        "rename-state" => {
            let containers = states_objects(v);
            if !containers.is_empty() {
                let p = containers[rng.below(containers.len())].clone();
                let new = match rng.below(4) {
                    0 => "x".repeat(*rng.pick(&[80, 81, 200])),
                    1 => random_unicode(rng, 10),
                    2 => rng.pick(&["", " ", "a$b", "a{b}", "a\u{0}b", "🦀", "Next", "States.ALL"]).to_string(),
                    _ => random_string(rng),
                };
                if let Some(Value::Object(m)) = v.pointer_mut(&p) {
                    let old = m.keys().nth(rng.below(m.len())).cloned().unwrap_or_default();
                    if let Some(val) = m.remove(&old) {
                        m.insert(new, val);
                    }
                }
            }
        }
        "splice" => {
            let from = if rng.chance(1, 2) { donor } else { &*v };
            let copy = pick_pointer(rng, from, |_, _| true).and_then(|p| from.pointer(&p).cloned());
            if let (Some(copy), Some(p)) = (copy, pick_pointer(rng, v, |_, _| true)) {
                set(v, &p, copy);
            }
        }
        "choice-rule" => {
            let rule = random_choice_rule(rng, 0, state_names(v));
            if let Some(p) =
                pick_pointer(rng, v, |p, n| n.is_array() && matches!(last_token(p), "Choices" | "And" | "Or"))
            {
                if let Some(Value::Array(a)) = v.pointer_mut(&p) {
                    let at = rng.below(a.len() + 1);
                    a.insert(at, rule);
                }
            } else if let Some(p) = states(v).first().cloned() {
                set(v, &p, json!({ "Type": "Choice", "Choices": [rule], "Default": "Nowhere" }));
            }
        }
        "retry-catch" => {
            let all = states(v);
            if !all.is_empty() {
                let p = all[rng.below(all.len())].clone();
                let names = state_names(v);
                let field = if rng.chance(1, 2) { "Retry" } else { "Catch" };
                let items: Vec<Value> = (0..rng.below(4)).map(|_| random_retrier(rng, field, &names)).collect();
                if let Some(Value::Object(m)) = v.pointer_mut(&p) {
                    m.insert(field.into(), Value::Array(items));
                }
            }
        }
        _ => {
            // empty-container
            if let Some(p) = pick_pointer(rng, v, |_, n| n.is_object() || n.is_array()) {
                let empty = if rng.chance(1, 2) { json!({}) } else { json!([]) };
                set(v, &p, empty);
            }
        }
    }
    name
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn set(v: &mut Value, ptr: &str, new: Value) {
    if ptr.is_empty() {
        *v = new;
        return;
    }
    // Setting `/a/b` where `b` may not exist yet: insert into the parent object.
    let (parent, key) = ptr.rsplit_once('/').unwrap_or(("", ptr));
    match v.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.insert(unescape(key), new);
        }
        Some(Value::Array(a)) => {
            if let Some(slot) = key.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                *slot = new;
            }
        }
        _ => {}
    }
}

fn random_choice_rule(rng: &mut Rng, depth: usize, names: Vec<String>) -> Value {
    let mut m = Map::new();
    match rng.below(5) {
        0 if depth < 40 => {
            let op = *rng.pick(&["And", "Or"]);
            let n = rng.below(3);
            let rules: Vec<Value> = (0..n).map(|_| random_choice_rule(rng, depth + 1, Vec::new())).collect();
            m.insert(op.into(), Value::Array(rules));
        }
        1 if depth < 40 => {
            m.insert("Not".into(), random_choice_rule(rng, depth + 1, Vec::new()));
        }
        2 => {
            m.insert("Condition".into(), Value::String(random_jsonata(rng)));
        }
        _ => {
            m.insert("Variable".into(), Value::String(random_path(rng)));
            for _ in 0..=usize::from(rng.chance(1, 6)) {
                let op = rng.pick(FIELDS).to_string();
                let operand = match rng.below(4) {
                    0 => Value::String(random_path(rng)),
                    1 => Value::String(rng.pick(TIMESTAMPS).to_string()),
                    _ => random_value(rng, 3),
                };
                m.insert(op, operand);
            }
        }
    }
    if depth == 0 || rng.chance(1, 8) {
        let next = if names.is_empty() || rng.chance(1, 4) {
            random_string(rng)
        } else {
            names[rng.below(names.len())].clone()
        };
        m.insert("Next".into(), Value::String(next));
    }
    if rng.chance(1, 6) {
        m.insert("Assign".into(), random_value(rng, 2));
    }
    Value::Object(m)
}

fn random_retrier(rng: &mut Rng, field: &str, names: &[String]) -> Value {
    let mut m = Map::new();
    let errors: Vec<Value> = (0..rng.below(4)).map(|_| Value::String(rng.pick(ERRORS).to_string())).collect();
    m.insert("ErrorEquals".into(), Value::Array(errors));
    if field == "Retry" {
        for key in ["IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds"] {
            if rng.chance(1, 2) {
                m.insert(key.into(), random_number(rng));
            }
        }
        if rng.chance(1, 3) {
            let jitter = rng.pick(&["FULL", "NONE", "full", "PARTIAL"]).to_string();
            m.insert("JitterStrategy".into(), Value::String(jitter));
        }
    } else {
        let next = if names.is_empty() { random_string(rng) } else { names[rng.below(names.len())].clone() };
        m.insert("Next".into(), Value::String(next));
        if rng.chance(1, 3) {
            m.insert("ResultPath".into(), Value::String(random_path(rng)));
        }
    }
    if rng.chance(1, 8) {
        m.insert(rng.pick(FIELDS).to_string(), random_value(rng, 3));
    }
    Value::Object(m)
}

/// The built-in seeds, parsed.
pub fn builtin_seeds() -> Vec<Value> {
    BUILTIN_SEEDS.iter().filter_map(|s| serde_json::from_str(s).ok()).collect()
}

/// One generated input from the seeds: 1–4 structured mutations, rendered as JSON or YAML,
/// then with some probability byte-level edits. Returns (description, is_yaml, text).
pub fn generate(rng: &mut Rng, seeds: &[Value]) -> (String, bool, String) {
    if seeds.is_empty() {
        return ("random-text".into(), rng.chance(1, 2), random_text(rng));
    }
    let seed_index = rng.below(seeds.len());
    let mut value = seeds[seed_index].clone();
    let donor = &seeds[rng.below(seeds.len())];
    let mut applied = Vec::new();
    for _ in 0..=rng.below(4) {
        applied.push(mutate(rng, &mut value, donor));
    }
    let (format, mut text) = render(rng, &value);
    let mut desc = format!("seed #{seed_index}, {}, {format:?}", applied.join("+"));
    if rng.chance(1, 4) {
        text = mutate_bytes(rng, &text);
        desc.push_str(", byte-mutated");
    }
    (desc, matches!(format, Format::BlockYaml), text)
}
