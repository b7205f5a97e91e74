//! Test support and the conformance walk.
//!
//! [`parse`] turns an intrinsic as written in a definition into the static [`Call`] tree
//! the compiler would generate (leaked: tests only), so tests state calls as AWS users
//! write them. Unlike the compiler's parser it does not check argument counts or literal
//! argument types, so tests can reach the runtime's own checks; paths inside calls are read
//! with the compiler's parser (through [`crate::test_support`]). [`conformance_cases`] then
//! evaluates every recorded case whose only state is a Pass with intrinsic `Parameters` (or
//! a Fail with intrinsic `ErrorPath`/`CausePath`) and compares with what AWS returned.
#![allow(clippy::panic)] // failing loudly is a test's job

use std::path::Path as FsPath;

use serde_json::{Value, json};

use super::{Arg, Call, Function, RandomSource, SplitMix64, call};
use crate::Error;
use crate::error::names;
use crate::path::{Literal, Path, Root, Segment};
use crate::test_support::{boxed, function, leak, text, try_path as parse_path};

/// The error name the test resolver gives for what it cannot read (workflow variables).
const UNSUPPORTED: &str = "Test.Unsupported";

/// Evaluates `expr` against `input` (`$`), with `rng` for randomness.
pub(super) fn run_with(expr: &str, input: Value, rng: &mut dyn RandomSource) -> Result<Value, Error> {
    let parsed = parse(expr).map_err(|e| Error::new(UNSUPPORTED, e))?;
    call(parsed, &mut |path| resolve(path, &input, &Value::Null), rng)
}

/// Evaluates `expr` against `input` with a fixed seed.
pub(super) fn run(expr: &str, input: Value) -> Result<Value, Error> {
    run_with(expr, input, &mut SplitMix64::new(0))
}

/// The cause of the `States.IntrinsicFailure` that `expr` raises (or a description of
/// what happened instead, which no expected cause equals).
pub(super) fn cause(expr: &str, input: Value) -> String {
    match run(expr, input) {
        Err(Error { name, cause: Some(cause) }) if name == names::INTRINSIC_FAILURE => cause,
        other => format!("no intrinsic failure: {other:?}"),
    }
}

/// Reads a path with `.name`, `['name']` and `[index]` steps.
fn resolve(path: &Path, input: &Value, context: &Value) -> Result<Value, Error> {
    let mut value = match path.root {
        Root::Input => input,
        Root::Context => context,
        Root::Variable(_) => return Err(Error::new(UNSUPPORTED, "variables")),
    };
    for segment in path.segments {
        let next = match segment {
            Segment::Field(name) => value.get(*name),
            Segment::Index(i) => usize::try_from(*i).ok().and_then(|i| value.get(i)),
            _ => return Err(Error::new(UNSUPPORTED, "path step")),
        };
        value = next.ok_or_else(|| Error::runtime(format!("Invalid path '{}'", path.text)))?;
    }
    Ok(value.clone())
}

/// Parses `States.Fn(arg, …)` as written in a definition (after JSON decoding).
pub(super) fn parse(text: &str) -> Result<&'static Call, String> {
    let mut p = Parser { chars: text.chars().collect(), pos: 0 };
    p.skip_spaces();
    let parsed = p.call()?;
    p.skip_spaces();
    if p.pos != p.chars.len() {
        return Err(format!("unexpected text after the call in {text}"));
    }
    Ok(parsed)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn text(&self, from: usize) -> String {
        self.chars[from..self.pos].iter().collect()
    }

    fn call(&mut self) -> Result<&'static Call, String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '.') {
            self.pos += 1;
        }
        let name = self.text(start);
        let function = function(&name).ok_or(format!("unknown function {name}"))?;
        if self.peek() != Some('(') {
            return Err(format!("expected ( after {name}"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        let mut format_pieces = None;
        self.skip_spaces();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_spaces();
                let (arg, pieces) = self.arg()?;
                if function == Function::Format && args.is_empty() {
                    format_pieces = pieces.map(|p: Vec<String>| leak(p.iter().map(|s| text(s)).collect()));
                }
                args.push(arg);
                self.skip_spaces();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(format!("expected , or ) in {name}")),
                }
            }
        }
        Ok(boxed(Call { function, args: leak(args), format_pieces, text: text(&self.text(start)) }))
    }

    /// One argument, and for a string literal its pieces around unescaped `{}`.
    fn arg(&mut self) -> Result<(Arg, Option<Vec<String>>), String> {
        match self.peek() {
            Some('\'') => {
                self.pos += 1;
                let (mut value, mut piece, mut pieces) = (String::new(), String::new(), Vec::new());
                loop {
                    match self.peek() {
                        None => return Err("unclosed string".into()),
                        Some('\'') => break,
                        Some('\\') => {
                            let c = self.chars.get(self.pos + 1).copied().ok_or("dangling escape")?;
                            value.push(c);
                            piece.push(c);
                            self.pos += 2;
                        }
                        Some('{') if self.chars.get(self.pos + 1) == Some(&'}') => {
                            value.push_str("{}");
                            pieces.push(std::mem::take(&mut piece));
                            self.pos += 2;
                        }
                        Some(c) => {
                            value.push(c);
                            piece.push(c);
                            self.pos += 1;
                        }
                    }
                }
                self.pos += 1;
                pieces.push(piece);
                Ok((Arg::Literal(Literal::Str(text(&value))), Some(pieces)))
            }
            Some('$') => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c != ',' && c != ')') {
                    self.pos += 1;
                }
                Ok((Arg::Path(parse_path(self.text(start).trim())?), None))
            }
            Some(c) if c.is_ascii_uppercase() => Ok((Arg::Call(self.call()?), None)),
            Some(_) => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c != ',' && c != ')') {
                    self.pos += 1;
                }
                let word = self.text(start);
                let literal = match word.trim() {
                    "null" => Literal::Null,
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    w => match (w.parse::<i64>(), w.parse::<f64>()) {
                        (Ok(i), _) => Literal::Int(i),
                        (_, Ok(f)) => Literal::Float(f),
                        _ => return Err(format!("bad literal {w}")),
                    },
                };
                Ok((Arg::Literal(literal), None))
            }
            None => Err("missing argument".into()),
        }
    }
}

#[test]
fn the_test_parser_builds_what_the_compiler_would() {
    let parsed = parse("States.Format('a\\{}b {} \\'x\\'', $.a[0], States.MathAdd(1, -2.5), $$.Execution.Name)");
    let Ok(c) = parsed else { panic!("{parsed:?}") };
    assert_eq!(c.function, Function::Format);
    assert_eq!(c.format_pieces, Some(&["a{}b ", " 'x'"][..]));
    assert_eq!(c.args.len(), 4);
    assert_eq!(c.args[0], Arg::Literal(Literal::Str("a{}b {} 'x'")));
    assert!(matches!(
        c.args[1],
        Arg::Path(Path { root: Root::Input, segments: [Segment::Field("a"), Segment::Index(0)], .. })
    ));
    assert!(matches!(c.args[2], Arg::Call(Call { function: Function::MathAdd, .. })));
    assert!(matches!(c.args[3], Arg::Path(Path { root: Root::Context, .. })));
    assert!(matches!(parse_path("$var.x").map(|p| p.root), Ok(Root::Variable("var"))));
}

#[test]
fn nested_calls_and_path_errors() {
    // generic-nested-calls-1 and -2, with the context object as `$`.
    let input = json!({"name": "statemachine_1a2b0139-tail"});
    let first = "States.ArrayGetItem(States.StringSplit($.name, '-'), 0)";
    assert_eq!(run(first, input.clone()), Ok(json!("statemachine_1a2b0139")));
    let last = "States.ArrayGetItem(States.StringSplit($.name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($.name, '-')), -1))";
    assert_eq!(run(last, input.clone()), Ok(json!("tail")));
    // The resolver's error comes back unchanged, and stops the evaluation.
    assert_eq!(
        run("States.Array($.missing, States.UUID(1))", input.clone()),
        Err(Error::runtime("Invalid path '$.missing'"))
    );
    // An inner call's failure names the inner call.
    assert_eq!(
        cause("States.Array(States.ArrayGetItem($.a, 5))", json!({"a": []})),
        "Invalid arguments in States.ArrayGetItem($.a, 5): index 5 is out of bounds for an array of length 0"
    );
    assert_eq!(cause("States.UUID(1)", input), "Invalid arguments in States.UUID(1): expected 0 arguments, but got 1");
}

/// Builds a payload template whose `.$` values are intrinsics or paths.
fn build(template: &Value, input: &Value, context: &Value, rng: &mut SplitMix64) -> Result<Value, Error> {
    Ok(match template {
        Value::Object(members) => {
            let mut out = serde_json::Map::new();
            for (key, value) in members {
                match (key.strip_suffix(".$"), value) {
                    (Some(key), Value::String(expr)) => {
                        out.insert(key.to_string(), evaluate(expr, input, context, rng)?);
                    }
                    _ => {
                        out.insert(key.clone(), build(value, input, context, rng)?);
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| build(i, input, context, rng)).collect::<Result<_, _>>()?)
        }
        other => other.clone(),
    })
}

fn evaluate(expr: &str, input: &Value, context: &Value, rng: &mut SplitMix64) -> Result<Value, Error> {
    if expr.starts_with("States.") {
        let parsed = parse(expr).map_err(|e| Error::new(UNSUPPORTED, e))?;
        call(parsed, &mut |path| resolve(path, input, context), rng)
    } else {
        resolve(&parse_path(expr).map_err(|e| Error::new(UNSUPPORTED, e))?, input, context)
    }
}

/// Every recorded case that one Pass state (intrinsic `Parameters`) or one Fail state
/// (intrinsic `ErrorPath`/`CausePath`) makes up, evaluated here and compared with AWS.
#[test]
fn conformance_cases() {
    let dir = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: {} not found", dir.display());
        return;
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let (mut checked, mut failures) = (Vec::new(), Vec::new());
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let Ok(case) = serde_json::from_str::<Value>(&text) else { continue };
        let definition = &case["definition"];
        if !definition.to_string().contains("States.") {
            continue;
        }
        let Some(states) = definition["States"].as_object().filter(|s| s.len() == 1) else { continue };
        let Some((state_name, state)) = states.iter().next() else { continue };
        let input = case.get("input").cloned().unwrap_or(json!({}));
        let execution = &case["execution"];
        let context = json!({
            "Execution": {"Input": input, "Name": execution["name"], "StartTime": execution["startTime"]},
            "StateMachine": {"Name": execution["stateMachineName"]},
            "State": {"Name": state_name},
        });
        let expected = &case["expected"];
        let keys: Vec<&str> = state.as_object().map_or(vec![], |s| s.keys().map(String::as_str).collect());
        let mut rng = SplitMix64::new(0);
        let outcome = match state["Type"].as_str() {
            Some("Pass") if keys.iter().all(|k| ["Type", "Parameters", "End", "Comment"].contains(k)) => {
                build(&state["Parameters"], &input, &context, &mut rng)
                    .map(|out| (json!("SUCCEEDED"), out, json!(null)))
            }
            Some("Fail") => {
                let field = |name: &str| match state[name].as_str() {
                    Some(expr) => evaluate(expr, &input, &context, &mut SplitMix64::new(0)),
                    None => Ok(state[name.trim_end_matches("Path")].clone()),
                };
                field("ErrorPath").and_then(|e| field("CausePath").map(|c| (json!("FAILED"), e, c)))
            }
            _ => continue,
        };
        let name = case["name"].as_str().unwrap_or("?").to_string();
        match outcome {
            Err(e) if e.name == UNSUPPORTED => continue,
            Ok((status, output, _)) if status == "SUCCEEDED" && expected["output"] == output => checked.push(name),
            Ok((status, error, cause))
                if status == "FAILED" && expected["error"] == error && expected["cause"] == cause =>
            {
                checked.push(name)
            }
            other => failures.push(format!("{name}: got {other:?}, expected {expected}")),
        }
    }
    assert!(failures.is_empty(), "{} cases differ:\n{}", failures.len(), failures.join("\n"));
    println!("{} conformance cases checked", checked.len());
    // 124 cases have that shape: a lower count means the walk broke.
    assert!(checked.len() >= 124, "only {} cases checked: {checked:?}", checked.len());
}
