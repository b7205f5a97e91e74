//! Criterion benchmark: what one JSONata `Output` expression costs per evaluation, against
//! the JSONPath `Parameters` template that builds the same object.
//!
//! Both templates come from the compiler: `include_asl!` compiles
//! `benches/expressions/output.asl.json` (two Pass states, never run) and the bench takes the
//! JSONPath state's `Io.parameters` and the JSONata state's `Output` from the generated
//! `CONTAINERS`, so it measures exactly the static data a compiled workflow carries. They
//! are evaluated through the runtime's own entry points, as the driver
//! (`asl-runtime/src/execution/step.rs`) calls them:
//!
//! - JSONPath: [`dataflow::build_template`] (what `effective_input_ref` calls for
//!   `Parameters`; the driver then also checks the payload size, not timed here);
//! - JSONata: a fresh [`jsonata::Scope`] per evaluation, then [`jsonata::Scope::build`] with
//!   field `Output` (what `finish_jsonata` does for a Pass state's `Output`).
//!
//! Two more JSONata cases split that cost: the same `Output` with the scope reused (so the
//! input is converted to the engine's values once, not per evaluation), and a constant
//! expression with the scope reused (what an evaluation costs before it does any work).
//!
//! Run with `cargo bench -p asl-bench --bench expressions` (about 20 s).
//!
//! Measured (three runs, criterion's median; 2 shared cores with other builds running, so
//! approximate — the ratio matters more than the digits), input an order of ten items:
//!
//! | case                            | per evaluation |
//! |---------------------------------|----------------|
//! | `jsonpath-parameters`           | 0.87–1.06 µs   |
//! | `jsonata-output`                | 14.3–15.4 µs   |
//! | `jsonata-output-scope-reused`   | 5.6–6.9 µs     |
//! | `jsonata-constant-scope-reused` | 1.18–1.34 µs   |
//!
//! So the JSONata `Output` costs about 15× the equivalent `Parameters` (14–18× across
//! runs). Over half of it is the scope, not the expression: each state's [`jsonata::Scope`]
//! copies `$states.input` and converts it to the engine's values (the 8–9 µs between the
//! first two JSONata rows, growing with the input). Of the rest, about 1.2 µs is paid by
//! every evaluation however simple (a new evaluator, `$states` bound, AWS's functions
//! registered), which alone exceeds the whole JSONPath template.

#![allow(clippy::expect_used, clippy::panic)] // a benchmark that cannot run should stop loudly

use std::hint::black_box;
use std::time::Duration;

use asl_runtime::Value;
use asl_runtime::dataflow::{self, Env};
use asl_runtime::intrinsics::SplitMix64;
use asl_runtime::jsonata::{self, Expression};
use asl_runtime::machine::StateKind;
use asl_runtime::template::Template;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, json};

/// The two states, compiled at build time.
#[allow(missing_docs)]
mod flow {
    asl_runtime::include_asl!("benches/expressions/output.asl.json");
}

/// A constant JSONata expression: an evaluation's fixed cost (a fresh evaluator with the
/// bindings and AWS's functions registered, and the result converted to JSON).
static CONSTANT: Expression = Expression::new("\"web\"");

/// The `Parameters` of state `JSONPath` and the `Output` of state `JSONata`.
fn templates() -> (&'static Template, &'static Template) {
    let states = flow::CONTAINERS[0].states;
    let state = |name: &str| states.iter().find(|s| s.name == name).expect("state in output.asl.json");
    let parameters = match state("JSONPath").kind {
        StateKind::Pass { io, .. } => io.parameters.expect("JSONPath has Parameters"),
        ref other => panic!("JSONPath is a Pass state, not {other:?}"),
    };
    let output = state("JSONata").jsonata.and_then(|j| j.output).expect("JSONata has Output");
    (parameters, output)
}

/// An order with ten items, the input of both templates.
fn input() -> Value {
    let items: Vec<Value> =
        (1..=10).map(|i| json!({"sku": format!("SKU-{i:03}"), "qty": i, "price": 9.5 + f64::from(i)})).collect();
    json!({"order": {"id": "A-1", "customer": {"name": "Ada", "tier": "gold"}, "items": items}})
}

fn expressions(c: &mut Criterion) {
    let (parameters, output) = templates();
    let input = input();
    // Neither state reads the context object, so the driver passes `null` for it (see
    // `StateDef::reads_context`); there are no workflow variables.
    let context = Value::Null;
    let variables = Map::new();
    let mut rng = SplitMix64::new(1);
    let mut env = Env { state: "JSONPath", context: &context, variables: &variables, rng: &mut rng };

    // Checked once, outside timing: both build the object the bench is about.
    let expected = json!({"id": "A-1", "customer": "Ada", "count": 10, "first": "SKU-001", "source": "web"});
    let by_path = dataflow::build_template(parameters, &input, &mut env).expect("Parameters evaluate");
    let by_jsonata =
        jsonata::Scope::new(&input, &context, &variables).build(output, "Output").expect("Output evaluates");
    assert_eq!(by_path, expected, "JSONPath Parameters");
    assert_eq!(by_jsonata, expected, "JSONata Output");

    let mut group = c.benchmark_group("output-expression");
    group.bench_function("jsonpath-parameters", |b| {
        b.iter(|| dataflow::build_template(parameters, black_box(&input), &mut env))
    });
    group.bench_function("jsonata-output", |b| {
        b.iter(|| jsonata::Scope::new(black_box(&input), &context, &variables).build(output, "Output"))
    });
    let scope = jsonata::Scope::new(&input, &context, &variables);
    group.bench_function("jsonata-output-scope-reused", |b| b.iter(|| scope.build(black_box(output), "Output")));
    group.bench_function("jsonata-constant-scope-reused", |b| b.iter(|| scope.value(black_box(&CONSTANT), "Output")));
    group.finish();
}

criterion_group! {
    name = benches;
    // Evaluations take microseconds: criterion's default 100 samples, a shorter window.
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = expressions
}
criterion_main!(benches);
