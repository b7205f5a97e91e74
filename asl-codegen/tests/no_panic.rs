//! No input makes the reader or the validator panic.
//!
//! A deterministic generator (`no_panic/mutate.rs`, shared with the cargo-fuzz project in
//! `fuzz/`) feeds `check` three kinds of input, each under a `.json` and a `.yaml` name:
//!
//! - arbitrary byte strings (read as lossy UTF-8), mixed with JSON/YAML syntax tokens;
//! - valid definitions (the shared conformance corpus plus built-in seeds) after structured
//!   mutations, written as JSON or block YAML, sometimes with byte-level edits on top;
//! - the unmutated seeds, and a YAML seed, after byte-level edits.
//!
//! Besides "no panic", every result must be coherent: `Err` holds at least one error, `Ok`
//! holds none, every span lies inside the text on character boundaries, every diagnostic
//! renders, and no single check takes absurdly long.
//!
//! Knobs: `ASL_FUZZ_CASES=<n>` (cases per generator, default 300, a few seconds in CI),
//! `ASL_FUZZ_SEED=<u64>` (default fixed, so CI is reproducible), `ASL_FUZZ_TRACE=1` (save
//! and print every input before it is checked: an input that overflows the stack aborts the
//! process, which no `catch_unwind` can report; run with `-- --nocapture` to see the
//! trace). A failing input is written under `CARGO_TARGET_TMPDIR/no_panic/` and its path
//! printed with the seed that made it.
//!
//! A seeded generator rather than proptest: no new dependency, each case is reproducible
//! from (seed, index) alone, the same generator drives the fuzz target from the fuzzer's
//! bytes, and shrinking is left to `cargo fuzz tmin`, which minimises the text itself.

// Test code: failing loudly is the point.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "no_panic/mutate.rs"]
mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Source, check};
use mutate::Rng;
use serde_json::Value;

const DEFAULT_CASES: usize = 300;
const DEFAULT_SEED: u64 = 0xA51_C0DE;
/// A single `check` slower than this is reported (debug build, loaded CI machine).
const SLOW: Duration = Duration::from_secs(10);
/// Stop collecting after this many failures.
const MAX_FAILURES: usize = 10;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

fn cases() -> usize {
    env_number("ASL_FUZZ_CASES", DEFAULT_CASES as u64) as usize
}

/// The seeds: the built-in definitions, then every conformance definition (when present).
fn seeds() -> Vec<Value> {
    let mut seeds = mutate::builtin_seeds();
    assert_eq!(seeds.len(), mutate::BUILTIN_SEEDS.len(), "a built-in seed is not valid JSON");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: {} not found; using the built-in seeds only", dir.display());
        return seeds;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let case: Option<Value> = std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok());
        if let Some(definition) = case.and_then(|mut c| c.get_mut("definition").map(Value::take)) {
            seeds.push(definition);
        }
    }
    seeds
}

/// Runs `check` over generated inputs and collects every failure.
struct Harness {
    test: &'static str,
    seed: u64,
    failures: Vec<String>,
    checks: usize,
    slowest: (Duration, String),
    /// `ASL_FUZZ_TRACE=1`: print and save every input before checking it.
    trace: bool,
}

impl Harness {
    fn new(test: &'static str) -> Self {
        // Each test gets its own stream, so adding cases to one does not shift the others.
        let salt =
            test.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let seed = env_number("ASL_FUZZ_SEED", DEFAULT_SEED) ^ salt;
        let trace = std::env::var_os("ASL_FUZZ_TRACE").is_some();
        Harness { test, seed, failures: Vec::new(), checks: 0, slowest: (Duration::ZERO, String::new()), trace }
    }

    /// The generator for case `index`: reproducible on its own.
    fn rng(&self, index: usize) -> Rng {
        Rng::seeded(self.seed.wrapping_add((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }

    fn done(&self) -> bool {
        self.failures.len() >= MAX_FAILURES
    }

    /// Checks `text` under a JSON and a YAML name.
    fn run(&mut self, index: usize, what: &str, text: &str) {
        for ext in ["asl.json", "asl.yaml"] {
            let name = format!("{}-{index}.{ext}", self.test);
            if self.trace {
                // An abort (stack overflow) cannot be caught: leave the input behind first.
                eprintln!("{}: case #{index} ({what}) as .{ext}: {}", self.test, save(&name, text).display());
            }
            let source = Source::new(&name, text);
            let started = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| coherent(&source)));
            let took = started.elapsed();
            self.checks += 1;
            if took > self.slowest.0 {
                self.slowest = (took, format!("case #{index} ({what}) as .{ext}, {} bytes", text.len()));
            }
            let problem = match outcome {
                Ok(Ok(())) if took <= SLOW => continue,
                Ok(Ok(())) => format!("check took {took:?}"),
                Ok(Err(problem)) => problem,
                Err(panic) => format!("PANIC: {}", panic_message(&*panic)),
            };
            let file = save(&name, text);
            self.failures.push(format!(
                "case #{index} of {} (ASL_FUZZ_SEED base {:#x}; {what}) as .{ext}: {problem}\n    input: {}",
                self.test,
                self.seed,
                file.display()
            ));
        }
    }

    fn finish(self) {
        eprintln!("{}: {} checks, slowest {:?} ({})", self.test, self.checks, self.slowest.0, self.slowest.1);
        if !self.failures.is_empty() {
            for f in &self.failures {
                eprintln!("{f}");
            }
            panic!("{} failing input(s) in {} (listed above)", self.failures.len(), self.test);
        }
    }
}

/// `check`, plus the invariants every result must satisfy.
fn coherent(source: &Source) -> Result<(), String> {
    let text = source.text();
    let (diags, is_err) = match check(source) {
        Ok(checked) => (checked.warnings, false),
        Err(diags) => (diags, true),
    };
    if is_err && !diags.has_errors() {
        return Err("check returned Err without an error diagnostic".into());
    }
    if !is_err && diags.has_errors() {
        return Err("check returned Ok with an error among its warnings".into());
    }
    for d in &diags {
        let s = d.span;
        if s.start > s.end || s.end > text.len() || !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
            return Err(format!(
                "{} has span {}..{} in a text of {} bytes (or off a char boundary)",
                d.code.id(),
                s.start,
                s.end,
                text.len()
            ));
        }
        let _ = d.render_short(source);
    }
    let _ = render_all(&diags, source, RenderStyle::Plain);
    Ok(())
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

fn save(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no_panic");
    let path = dir.join(name);
    if std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)).is_err() {
        eprintln!("(could not save {}; input follows)\n{text:?}", path.display());
    }
    path
}

#[test]
fn arbitrary_text_never_panics() {
    let mut h = Harness::new("arbitrary_text");
    for i in 0..cases() {
        if h.done() {
            break;
        }
        let text = mutate::random_text(&mut h.rng(i));
        h.run(i, "random text", &text);
    }
    h.finish();
}

#[test]
fn mutated_definitions_never_panic() {
    let seeds = seeds();
    let mut h = Harness::new("mutated_definitions");
    for i in 0..cases() * 2 {
        if h.done() {
            break;
        }
        let (what, _, text) = mutate::generate(&mut h.rng(i), &seeds);
        h.run(i, &what, &text);
    }
    h.finish();
}

#[test]
fn byte_mutated_seeds_never_panic() {
    let seeds = seeds();
    let mut h = Harness::new("byte_mutated_seeds");
    for i in 0..cases() {
        if h.done() {
            break;
        }
        let mut rng = h.rng(i);
        let (what, base) = match rng.below(4) {
            0 => ("YAML seed".to_string(), mutate::YAML_SEED.to_string()),
            _ => {
                let k = rng.below(seeds.len());
                let (format, text) = mutate::render(&mut rng, &seeds[k]);
                (format!("seed #{k} as {format:?}"), text)
            }
        };
        let text = mutate::mutate_bytes(&mut rng, &base);
        h.run(i, &what, &text);
    }
    h.finish();
}

/// Inputs known to break naive readers, checked every run.
#[test]
fn hostile_inputs_never_panic() {
    let deep_array = "[".repeat(100_000);
    let deep_object = "{\"a\":".repeat(50_000);
    let deep_yaml_seq = "- ".repeat(20_000);
    let deep_yaml_map: String = (0..2_000).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
    let laughs = {
        let mut s = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for i in 1..12 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            s.push_str(&format!(
                "{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
        }
        s
    };
    let many_states: String = {
        let states: Vec<String> =
            (0..5_000).map(|i| format!("\"S{i}\": {{\"Type\": \"Pass\", \"Next\": \"S{}\"}}", i + 1)).collect();
        format!("{{\"StartAt\": \"S0\", \"States\": {{{}}}}}", states.join(","))
    };
    let inputs: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("whitespace", " \n\t\r\n".into()),
        ("bom", "\u{feff}".into()),
        ("bom object", "\u{feff}{}".into()),
        ("nul", "\0".into()),
        ("null", "null".into()),
        ("number", "1e99999".into()),
        ("string", "\"StartAt\"".into()),
        ("array", "[]".into()),
        ("object", "{}".into()),
        ("lone surrogate", r#"{"StartAt": "\ud800", "States": {}}"#.into()),
        ("reversed surrogates", r#"{"a": "\udc00\ud800"}"#.into()),
        ("deep array", deep_array),
        ("deep object", deep_object),
        ("deep yaml sequence", deep_yaml_seq),
        ("deep yaml mapping", deep_yaml_map),
        ("deep flow yaml", "{a: ".repeat(10_000)),
        ("billion laughs", laughs),
        ("two documents", "---\nStartAt: A\n---\nStartAt: B\n".into()),
        ("document end only", "...\n".into()),
        ("yaml directive", "%YAML 1.2\n%TAG ! tag:x,2024:\n--- !x\n{}".into()),
        ("alias to nothing", "a: *nope\n".into()),
        ("merge key", "a: &a {Type: Pass}\nb:\n  <<: *a\n  End: true\n".into()),
        ("complex key", "? [a, b]\n: c\n".into()),
        ("tab indentation", "StartAt: A\nStates:\n\tA: {}\n".into()),
        ("crlf", "{\r\n\"StartAt\": \"A\",\r\n\"States\": {\"A\": {\"Type\": \"Succeed\"}}\r\n}".into()),
        ("cr only", "StartAt: A\rStates: {}\r".into()),
        // A YAML document whose first key is not ASCII: the span of a whole-document
        // diagnostic must not end inside the key's first character.
        ("non-ascii first key", "é: 1\n".into()),
        ("non-ascii first key of a branch", "StartAt: P\nStates:\n  P:\n    Type: Parallel\n    End: true\n    Branches:\n      - é: 1\n".into()),
        ("u2028", "{\"StartAt\": \"A\u{2028}\", \"States\": {}}".into()),
        ("many states", many_states),
        ("self loop", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}"#.into()),
        ("state named like pointer", r#"{"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Succeed"}, "": {"Type": "Succeed"}}}"#.into()),
        ("unclosed intrinsic", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "States.Format('{}', $.a"}, "End": true}}}"#.into()),
        ("nested intrinsics", format!(r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Parameters": {{"x.$": "{}$.a{}"}}, "End": true}}}}}}"#, "States.Array(".repeat(500), ")".repeat(500))),
        ("deep choice rule", format!(r#"{{"StartAt": "C", "States": {{"C": {{"Type": "Choice", "Choices": [{{"Next": "E", {}"Variable": "$.a", "IsPresent": true{}}}], "Default": "E"}}, "E": {{"Type": "Succeed"}}}}}}"#, "\"Not\": {".repeat(120), "}".repeat(120))),
        ("unclosed jsonata", r#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.(", "End": true}}}"#.into()),
        ("multibyte everywhere", "{\"StartAt\": \"é🦀\", \"States\": {\"é🦀\": {\"Type\": \"Päss\", \"Nëxt\": \"中\"}}}".into()),
    ];
    let mut h = Harness::new("hostile_inputs");
    for (i, (what, text)) in inputs.iter().enumerate() {
        h.run(i, what, text);
    }
    h.finish();
}

/// Parallel/Map states nested nearly as deep as the JSON reader allows (40 Maps take 121 of
/// its 128 levels; 31 Parallels take 125) are checked on a test thread's 2 MiB stack in a
/// debug build, and more than `MAX_NESTING` levels are rejected with `TooDeeplyNested`.
/// Found by `mutated_definitions_never_panic`: if this test aborts with "has overflowed its
/// stack", something recurses per nesting level with large frames.
#[test]
fn deeply_nested_states_fit_in_a_test_thread_stack() {
    let limit = asl_codegen::ast::MAX_NESTING;
    for (kind, levels) in [("Map", 40), ("Parallel", 31), ("Map", limit), ("Parallel", limit + 1)] {
        let mut node = r#"{"Type": "Succeed"}"#.to_string();
        for i in 0..levels {
            let machine = format!(r#"{{"StartAt": "L{i}", "States": {{"L{i}": {node}}}}}"#);
            node = match kind {
                "Map" => format!(r#"{{"Type": "Map", "ItemProcessor": {machine}, "End": true}}"#),
                _ => format!(r#"{{"Type": "Parallel", "Branches": [{machine}], "End": true}}"#),
            };
        }
        let text = format!(r#"{{"StartAt": "Top", "States": {{"Top": {node}}}}}"#);
        for ext in ["asl.json", "asl.yaml"] {
            let source = Source::new(format!("nested_{kind}.{ext}"), text.as_str());
            if let Err(problem) = coherent(&source) {
                panic!("{levels} nested {kind} states as .{ext}: {problem}");
            }
            let diags = check(&source).err().unwrap_or_default();
            let too_deep = diags.iter().any(|d| d.code == asl_codegen::Code::TooDeeplyNested);
            assert_eq!(too_deep, levels > limit, "{levels} nested {kind} states as .{ext}");
        }
    }
}
