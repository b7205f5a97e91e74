//! The text side of the generator: writing a value as JSON or block YAML, byte-level
//! mutations, arbitrary text, and the built-in seed definitions.

use serde_json::Value;

use super::Rng;

// ── rendering and byte-level mutations ───────────────────────────────────────

/// How a mutated value is written out.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    PrettyJson,
    CompactJson,
    BlockYaml,
}

pub fn render(rng: &mut Rng, v: &Value) -> (Format, String) {
    let format = *rng.pick(&[Format::PrettyJson, Format::CompactJson, Format::BlockYaml, Format::BlockYaml]);
    let text = match format {
        Format::PrettyJson => serde_json::to_string_pretty(v).unwrap_or_default(),
        Format::CompactJson => serde_json::to_string(v).unwrap_or_default(),
        Format::BlockYaml => to_block_yaml(v),
    };
    (format, text)
}

/// Block-style YAML: keys and strings double-quoted (JSON escapes are valid YAML escapes).
pub fn to_block_yaml(v: &Value) -> String {
    let mut out = String::new();
    yaml_node(v, 0, &mut out);
    out.push('\n');
    out
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn yaml_node(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (i, (k, child)) in m.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&pad);
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                if is_block(child) {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent + 2));
                    yaml_node(child, indent + 2, out);
                } else {
                    out.push(' ');
                    out.push_str(&yaml_scalar(child));
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, child) in a.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&pad);
                }
                out.push_str("- ");
                if is_block(child) {
                    yaml_node(child, indent + 2, out);
                } else {
                    out.push_str(&yaml_scalar(child));
                }
            }
        }
        scalar => out.push_str(&yaml_scalar(scalar)),
    }
}

/// Fragments spliced into text: JSON and YAML syntax, escapes, odd numbers and characters.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud800", "\\udc00\\ud800", "\\u0000", "1e99999", "-",
    "0", "00", "null", "true", " ", "\n", "\t", "\r", "\r\n", "\u{feff}", "\u{0}", "---\n", "...\n", "&a ",
    "*a", "!!str ", "!!binary ", "!Ref ", "!Sub ", "? ", "- ", "|", ">-", "#", "%YAML 1.2\n", "'", "<<: *a",
    ".$", "$.", "States.Format(", "{%", "%}", "\"Next\": ", "\"Type\": \"Parallel\"", "&x [*x, *x]", "\u{2028}",
    "🦀", "é", "\u{85}", ": ", "\"\": ", "[[[[[[[[", "{\"a\":{\"a\":",
];

/// One to four byte-level edits of `text`; the result is read back as lossy UTF-8.
pub fn mutate_bytes(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        let len = bytes.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                bytes[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                bytes[i] = rng.below(256) as u8;
            }
            2 => bytes.insert(at, rng.below(256) as u8),
            3 if len > 0 => {
                let end = (at + 1 + rng.below(32)).min(len);
                bytes.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                let end = (at + 1 + rng.below(64)).min(len);
                let chunk: Vec<u8> = bytes[at.min(end)..end].to_vec();
                let to = rng.below(len + 1);
                bytes.splice(to..to, chunk);
            }
            5 => bytes.truncate(at),
            6 if len > 0 => {
                // Repeat a whole line (duplicate keys, duplicate states).
                let start = bytes[..at.min(len)].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let end = bytes[start..].iter().position(|&b| b == b'\n').map_or(len, |i| start + i + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(end..end, line);
            }
            _ => {
                let token = rng.pick(TOKENS).as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An arbitrary string: random bytes mixed with syntax tokens, read as lossy UTF-8.
pub fn random_text(rng: &mut Rng) -> String {
    let len = if rng.chance(1, 16) { 4096 } else { rng.below(256) };
    let mut bytes = Vec::with_capacity(len);
    while bytes.len() < len && !rng.exhausted() {
        if rng.chance(1, 2) {
            bytes.push(rng.below(256) as u8);
        } else {
            bytes.extend_from_slice(rng.pick(TOKENS).as_bytes());
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

// ── seeds ─────────────────────────────────────────────────────────────────────

/// Built-in valid definitions, so the generator works without the shared corpus.
/// Between them they use every state type, both query languages, templates, intrinsics,
/// Retry/Catch, Choice rules and both Map modes.
#[rustfmt::skip]
pub const BUILTIN_SEEDS: &[&str] = &[
    r#"{ "Comment": "task, retry, catch, templates, intrinsics", "StartAt": "Charge", "TimeoutSeconds": 300,
    "States": { "Charge": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    "InputPath": "$.order", "Parameters": { "FunctionName": "charge",
    "Payload": { "id.$": "$.id", "msg.$": "States.Format('order {} of {}', $.id, $$.Execution.Name)", "n": 1 },
    "parts.$": "States.StringSplit($.csv, ',')", "blob.$": "States.JsonToString($.items[0])" },
    "ResultSelector": { "status.$": "$.Payload.status", "all.$": "States.Array($.a, $.b)" },
    "ResultPath": "$.charge", "OutputPath": "$", "TimeoutSeconds": 60, "HeartbeatSeconds": 10, "Retry": [
    { "ErrorEquals": ["Lambda.ServiceException", "States.Timeout"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0, "MaxDelaySeconds": 30, "JitterStrategy": "FULL" },
    { "ErrorEquals": ["States.ALL"], "MaxAttempts": 0 } ], "Catch": [
    { "ErrorEquals": ["Card.Declined"], "ResultPath": "$.error", "Next": "Declined" },
    { "ErrorEquals": ["States.ALL"], "Next": "Failed" } ], "Next": "Done" },
    "Declined": { "Type": "Fail", "Error": "Declined", "Cause": "card declined" },
    "Failed": { "Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "States.Format('{}', $.error.Cause)" },
    "Done": { "Type": "Succeed" } } }"#, r#"{ "StartAt": "Route", "States": { "Route": { "Type": "Choice",
    "Choices": [ { "Variable": "$.kind", "StringEquals": "fast", "Next": "Short" },
    { "And": [ { "Variable": "$.n", "NumericGreaterThanEquals": 10 }, { "Not": { "Variable": "$.flag", "BooleanEquals": true } } ], "Next": "Long" },
    { "Or": [ { "Variable": "$.t", "TimestampLessThanPath": "$.limit" }, { "Variable": "$.s", "StringMatches": "log-*.txt" }, { "Variable": "$.x", "IsPresent": false } ], "Next": "Until" },
    { "Variable": "$.p", "IsNull": true, "Next": "ByPath" } ], "Default": "Stamp" },
    "Short": { "Type": "Wait", "Seconds": 1, "Next": "End" },
    "Long": { "Type": "Wait", "SecondsPath": "$.n", "Next": "End" },
    "Until": { "Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "End" },
    "ByPath": { "Type": "Wait", "TimestampPath": "$.when", "Next": "End" },
    "Stamp": { "Type": "Pass", "Result": { "a": [1, 2, { "b": null }] }, "ResultPath": "$.stamp", "Next": "End" },
    "End": { "Type": "Succeed", "OutputPath": "$.stamp" } } }"#, r#"{ "StartAt": "Fan", "States": { "Fan": {
    "Type": "Parallel", "Branches": [ { "StartAt": "A", "States": { "A": { "Type": "Pass", "End": true } } },
    { "StartAt": "B", "States": { "B": { "Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:b", "End": true } } }
    ], "ResultSelector": { "first.$": "$[0]" }, "Next": "Each" }, "Each": { "Type": "Map",
    "ItemsPath": "$.items", "ItemSelector": { "index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value" },
    "MaxConcurrency": 2, "ItemProcessor": { "ProcessorConfig": { "Mode": "INLINE" }, "StartAt": "Work",
    "States": { "Work": { "Type": "Pass", "End": true } } }, "Next": "Old" }, "Old": { "Type": "Map",
    "Parameters": { "v.$": "$$.Map.Item.Value" },
    "Iterator": { "StartAt": "OldWork", "States": { "OldWork": { "Type": "Succeed" } } }, "Next": "Big" },
    "Big": { "Type": "Map", "Label": "BigRun",
    "ItemReader": { "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": { "InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 10 }, "Parameters": { "Bucket": "b", "Key": "k.csv" } },
    "ItemBatcher": { "MaxItemsPerBatch": 10, "BatchInput": { "x.$": "$.x" } },
    "ResultWriter": { "Resource": "arn:aws:states:::s3:putObject", "Parameters": { "Bucket": "b", "Prefix": "out" } },
    "ToleratedFailurePercentage": 5, "MaxConcurrencyPath": "$.c", "ItemProcessor": {
    "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS" }, "StartAt": "Child",
    "States": { "Child": { "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true } }
    }, "End": true } } }"#, r#"{ "QueryLanguage": "JSONata", "StartAt": "Compute", "States": { "Compute": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": { "FunctionName": "f", "Payload": "{% $states.input %}" },
    "Assign": { "total": "{% $states.result.Payload.total %}", "count": 3 },
    "Output": "{% $states.result.Payload %}", "TimeoutSeconds": "{% $timeout %}",
    "Catch": [ { "ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "Oops" } ],
    "Next": "Decide" }, "Decide": { "Type": "Choice",
    "Choices": [ { "Condition": "{% $total > 10 %}", "Assign": { "big": true }, "Next": "Loop" } ],
    "Default": "Later" }, "Later": { "Type": "Wait", "Seconds": "{% $count %}", "Next": "Loop" }, "Loop": {
    "Type": "Map", "Items": "{% [1, 2, 3] %}", "ItemSelector": { "v": "{% $states.context.Map.Item.Value %}" },
    "ItemProcessor": { "StartAt": "Inc", "States": { "Inc": { "Type": "Pass", "Output": "{% $states.input.v + 1 %}", "End": true } } },
    "Next": "Ok" }, "Oops": { "Type": "Fail", "Error": "{% 'Custom' %}", "Cause": "failed" },
    "Ok": { "Type": "Succeed", "Output": { "total": "{% $total %}" } } } }"#, r#"{ "StartAt": "Vars",
    "States": { "Vars": { "Type": "Pass",
    "Assign": { "x": 1, "y.$": "$.input", "z.$": "States.MathAdd($x, 1)" }, "Next": "Use" }, "Use": {
    "Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $x + $z %}", "End": true } } }"#,
];

/// A YAML seed with the constructs the YAML reader handles specially.
pub const YAML_SEED: &str = r#"# SAM-style definition
Comment: !Sub "${AWS::StackName} flow"
StartAt: First
States:
  First:
    Type: Pass
    Result: &common
      a: 1
      b: [true, null, ~, 0x1F, 1e3, .inf, "x"]
    ResultPath: $.r
    Next: Second
  Second:
    Type: Task
    Resource: !GetAtt Fn.Arn
    Parameters:
      copy: *common
      text: |
        line one
        line two
      folded: >-
        folded
        text
      'quoted.$': '$.r'
    End: true
"#;
