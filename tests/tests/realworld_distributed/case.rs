//! One case of `tests/realworld_distributed/`: a real-world definition, the data its buckets
//! hold, the mocked answers of its Task states, and what the execution must end with.
//!
//! A case file is JSON:
//!
//! ```json
//! {
//!   "definition": "sfwc__…__statemachine.asl.json",   // a file of ../shared/realworld/valid
//!   "why": "what the case exercises, and why it ends as it does",
//!   "test_case": "TwoBatches",                        // the mock file's test case (…:NAME#TwoBatches)
//!   "input": {…},
//!   "wait_scale": 0.01,                               // asl serve --wait-scale (default 0)
//!   "buckets": {"bucket": {"key": CONTENT, …}, …},    // each bucket a folder (--s3-dir)
//!   "mocks": {"State name": {"0-99": {"Return": …}}, …},   // a MockedResponse per Task state
//!   "activities": {"ActivityName": OUTPUT, …},        // created; a worker answers each task with OUTPUT
//!   "expect": {…}                                     // see `Expect`
//! }
//! ```
//!
//! The machine is named after the case file (`dmap-temperatures.json` → `dmap-temperatures`).
//!
//! Values anywhere in `input`, `mocks`, JSON contents and expectations may be written as
//! `{"<range>": [FROM, TO], "<each>": TEMPLATE}`: the array of TEMPLATE for i = FROM..=TO,
//! with `{i}` (or `{i:04}`, zero-padded) in its strings replaced by i, and a string that is
//! exactly `{=i}` replaced by the number i.
//!
//! An object's CONTENT is one of
//!
//! - a string: the object's text;
//! - `{"json": VALUE}`: VALUE as JSON text;
//! - `{"jsonl": [VALUE, …]}`: one compact VALUE per line;
//! - `{"lines": {"header": "a,b", "line": "{i},x{i}", "from": 1, "to": 2500}}`: a text made
//!   here, the header line (if any) then the line for each i;
//!
//! and may add `"gzip": true` (the bytes gzip'ed, as S3 Inventory writes its `.csv.gz`
//! files) and `"range": [FROM, TO]` (the key holds `{i}`: one object per i, the same
//! CONTENT with `{i}` replaced).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// A case, read from its file.
#[derive(Debug)]
pub struct Case {
    /// The case file.
    pub file: PathBuf,
    /// The state machine's name: the case file's name without `.json`.
    pub name: String,
    /// The definition's file name in `../shared/realworld/valid`.
    pub definition: String,
    pub test_case: String,
    pub input: Value,
    pub wait_scale: f64,
    /// Bucket → key → content (as written in the file).
    pub buckets: BTreeMap<String, Map<String, Value>>,
    /// State name → its mocked response (expanded).
    pub mocks: Map<String, Value>,
    /// Activity name → the output its worker answers every task with.
    pub activities: Map<String, Value>,
    pub expect: Expect,
}

/// What the execution must end with. Every field but `status` is optional; JSON values are
/// [`matcher`](super::matcher)s.
#[derive(Debug)]
pub struct Expect {
    /// `SUCCEEDED`, `FAILED`, …
    pub status: String,
    /// The execution's output.
    pub output: Option<Value>,
    /// The error (`null`: none), and the cause.
    pub error: Option<Value>,
    pub cause: Option<Value>,
    /// State name → the output of its last exit in the execution's history.
    pub states: Map<String, Value>,
    /// History event type → how many the execution's history has.
    pub events: Map<String, Value>,
    /// Objects the execution wrote (a ResultWriter's export).
    pub files: Vec<Files>,
}

/// The objects of `bucket` whose keys match `key` (`*` stands for one path segment, such
/// as a Map Run id): one for each of `contents`, in any order. JSON objects are compared
/// as JSON, others as text.
#[derive(Debug)]
pub struct Files {
    pub bucket: String,
    pub key: String,
    pub contents: Vec<Value>,
}

fn field<'a>(object: &'a Map<String, Value>, name: &str, file: &Path) -> Result<&'a Value, String> {
    object.get(name).ok_or_else(|| format!("{}: no `{name}`", file.display()))
}

fn object(value: &Value, what: &str, file: &Path) -> Result<Map<String, Value>, String> {
    value.as_object().cloned().ok_or_else(|| format!("{}: `{what}` is not an object", file.display()))
}

fn string(value: &Value, what: &str, file: &Path) -> Result<String, String> {
    value.as_str().map(str::to_owned).ok_or_else(|| format!("{}: `{what}` is not a string", file.display()))
}

impl Case {
    /// Reads the case file `file`.
    pub fn read(file: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let root: Value = serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", file.display()))?;
        let root = object(&root, "the case", file)?;
        let name = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let expect = object(field(&root, "expect", file)?, "expect", file)?;
        let empty = Value::Object(Map::new());
        let mut buckets = BTreeMap::new();
        for (bucket, objects) in object(root.get("buckets").unwrap_or(&empty), "buckets", file)? {
            buckets.insert(bucket.clone(), object(&objects, &format!("buckets.{bucket}"), file)?);
        }
        let mut files = Vec::new();
        for entry in expect.get("files").and_then(Value::as_array).into_iter().flatten() {
            let entry = object(entry, "expect.files[]", file)?;
            files.push(Files {
                bucket: string(field(&entry, "bucket", file)?, "bucket", file)?,
                key: string(field(&entry, "key", file)?, "key", file)?,
                contents: expand(field(&entry, "contents", file)?).as_array().cloned().unwrap_or_default(),
            });
        }
        Ok(Case {
            file: file.to_owned(),
            name,
            definition: string(field(&root, "definition", file)?, "definition", file)?,
            test_case: string(field(&root, "test_case", file)?, "test_case", file)?,
            input: expand(root.get("input").unwrap_or(&empty)),
            wait_scale: root.get("wait_scale").and_then(Value::as_f64).unwrap_or(0.0),
            buckets,
            mocks: object(&expand(root.get("mocks").unwrap_or(&empty)), "mocks", file)?,
            activities: object(root.get("activities").unwrap_or(&empty), "activities", file)?,
            expect: Expect {
                status: string(field(&expect, "status", file)?, "expect.status", file)?,
                output: expect.get("output").map(expand),
                error: expect.get("error").cloned(),
                cause: expect.get("cause").cloned(),
                states: object(&expand(expect.get("states").unwrap_or(&empty)), "expect.states", file)?,
                events: object(expect.get("events").unwrap_or(&empty), "expect.events", file)?,
                files,
            },
        })
    }

    /// The Step Functions Local mock configuration of this case: one state machine, one
    /// test case, each mocked state answered by the mocked response of its own name.
    pub fn mock_config(&self) -> Value {
        let states: Map<String, Value> =
            self.mocks.keys().map(|state| (state.clone(), Value::String(state.clone()))).collect();
        json!({
            "StateMachines": { &self.name: { "TestCases": { &self.test_case: states } } },
            "MockedResponses": self.mocks,
        })
    }

    /// Writes every bucket's objects into a folder of `root` named after the bucket; the
    /// buckets and their folders.
    pub fn write_buckets(&self, root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
        let mut folders = Vec::new();
        for (bucket, objects) in &self.buckets {
            let folder = root.join(bucket);
            std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
            for (key, content) in objects {
                let range = content.get("range").and_then(Value::as_array);
                let indices: Vec<Option<u64>> = match range.map(|r| (r.first(), r.get(1))) {
                    Some((Some(from), Some(to))) => {
                        (from.as_u64().unwrap_or(0)..=to.as_u64().unwrap_or(0)).map(Some).collect()
                    }
                    _ => vec![None],
                };
                for i in indices {
                    let key = i.map_or_else(|| key.clone(), |i| fill(key, i));
                    let bytes =
                        render(content, i).map_err(|e| format!("{}: {bucket}/{key}: {e}", self.file.display()))?;
                    let path = folder.join(&key);
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
                    }
                    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                }
            }
            folders.push((bucket.clone(), folder));
        }
        Ok(folders)
    }
}

/// The bytes of one object's CONTENT (`i`: the object's index, for `range`).
fn render(content: &Value, i: Option<u64>) -> Result<Vec<u8>, String> {
    let filled = |text: &str| i.map_or_else(|| text.to_owned(), |i| fill(text, i));
    let text = match content {
        Value::String(text) => filled(text),
        Value::Object(spec) => {
            if let Some(value) = spec.get("json") {
                filled(&serde_json::to_string_pretty(&expand(value)).unwrap_or_default())
            } else if let Some(values) = spec.get("jsonl").and_then(Value::as_array) {
                values.iter().map(|v| filled(&expand(v).to_string()) + "\n").collect()
            } else if let Some(lines) = spec.get("lines") {
                generate_lines(lines)?
            } else if let Some(text) = spec.get("text").and_then(Value::as_str) {
                filled(text)
            } else {
                return Err(format!("unknown content {content}"));
            }
        }
        _ => return Err(format!("unknown content {content}")),
    };
    if content.get("gzip").and_then(Value::as_bool) == Some(true) {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        return encoder.finish().map_err(|e| e.to_string());
    }
    Ok(text.into_bytes())
}

/// `{"header", "line", "from", "to"}`: the header line, then `line` for each i.
fn generate_lines(spec: &Value) -> Result<String, String> {
    let line = spec.get("line").and_then(Value::as_str).ok_or("`lines` without a `line`")?;
    let from = spec.get("from").and_then(Value::as_u64).unwrap_or(1);
    let to = spec.get("to").and_then(Value::as_u64).ok_or("`lines` without `to`")?;
    let mut text = String::new();
    if let Some(header) = spec.get("header").and_then(Value::as_str) {
        text.push_str(header);
        text.push('\n');
    }
    for i in from..=to {
        text.push_str(&fill(line, i));
        text.push('\n');
    }
    Ok(text)
}

/// `template` with `{i}` replaced by `i` and `{i:0N}` by `i` zero-padded to N digits.
pub fn fill(template: &str, i: u64) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{i") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(tail) = after.strip_prefix('}') {
            out.push_str(&i.to_string());
            rest = tail;
        } else if let Some((width, tail)) = after.strip_prefix(":0").and_then(|a| a.split_once('}')) {
            let width: usize = width.parse().unwrap_or(0);
            out.push_str(&format!("{i:0width$}"));
            rest = tail;
        } else {
            out.push_str("{i");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `value` with every `{"<range>": [FROM, TO], "<each>": TEMPLATE}` replaced by its array.
pub fn expand(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            if let (Some(range), Some(each)) = (object.get("<range>"), object.get("<each>")) {
                let from = range.get(0).and_then(Value::as_u64).unwrap_or(0);
                let to = range.get(1).and_then(Value::as_u64).unwrap_or(0);
                return Value::Array((from..=to).map(|i| expand(&substitute(each, i))).collect());
            }
            Value::Object(object.iter().map(|(k, v)| (k.clone(), expand(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(expand).collect()),
        other => other.clone(),
    }
}

/// `template` with `{i}` replaced by `i` in every string, keys included (`"{=i}"`: the
/// number).
fn substitute(template: &Value, i: u64) -> Value {
    match template {
        Value::String(text) if text == "{=i}" => Value::from(i),
        Value::String(text) => Value::String(fill(text, i)),
        Value::Object(object) => Value::Object(object.iter().map(|(k, v)| (fill(k, i), substitute(v, i))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, i)).collect()),
        other => other.clone(),
    }
}
