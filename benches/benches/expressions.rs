//! Criterion benchmark: what one JSONata `Output` expression costs per evaluation, against
//! the JSONPath `Parameters` template that builds the same object.
//!
//! The templates come from the compiler: `include_asl!` compiles
//! `benches/expressions/output.asl.json` (Pass states, never run) and the bench takes the
//! JSONPath state's `Io.parameters` and the JSONata states' `Output` from the generated
//! `CONTAINERS`, so it measures exactly the static data a compiled workflow carries (a
//! JSONata expression with its plan, where the compiler made one). They are evaluated
//! through the runtime's own entry points, as a state's data flow
//! (`asl-runtime/src/execution/flow/`) calls them:
//!
//! - JSONPath: [`dataflow::build_template`] (what `effective_input_ref` calls for
//!   `Parameters`; the driver then also checks the payload size, not timed here);
//! - JSONata: a fresh [`jsonata::Scope`] per evaluation, then [`jsonata::Scope::build`] with
//!   field `Output` (what the JSONata flow's `pass` does for a Pass state's `Output`).
//!
//! The cases (each from a fresh scope, as a state evaluates its fields):
//!
//! | case                      | what                                                               |
//! |---------------------------|--------------------------------------------------------------------|
//! | `jsonpath-parameters`     | the five-field `Parameters`                                        |
//! | `jsonata-output`          | the same object as a JSONata `Output`: its plan decides            |
//! | `jsonata-output-engine`   | that `Output` by the engine alone (`Scope::evaluate_with_engine`)  |
//! | `jsonata-fallback`        | `$states.input.order.items.sku`: a plan that hands over to the engine (an array mid-path) |
//! | `jsonata-engine`          | `$sum($states.input.order.items.(qty * price))`: no plan           |
//! | `jsonata-engine-constant` | `"web"` without a plan: what any engine evaluation costs           |
//!
//! Run with `cargo bench -p asl-bench --bench expressions` (about 35 s).
//!
//! Measured: the median of criterion's point estimates over three runs (2 shared cores
//! with other builds running, so approximate; `jsonpath-parameters`, the same code in both
//! columns, shows the noise), input an order of ten items. "Before" is the commit before
//! plans and projections, running this file (less the case it lacks the API for):
//!
//! | case                      | before   | after    |
//! |---------------------------|----------|----------|
//! | `jsonpath-parameters`     | 0.84 µs  | 0.97 µs  |
//! | `jsonata-output`          | 13.1 µs  | 0.79 µs  |
//! | `jsonata-output-engine`   | —        | 10.6 µs  |
//! | `jsonata-fallback`        | 9.8 µs   | 5.9 µs   |
//! | `jsonata-engine`          | 12.7 µs  | 8.5 µs   |
//! | `jsonata-engine-constant` | 9.3 µs   | 0.26 µs  |
//!
//! Before, a JSONata `Output` cost about 15× the equivalent `Parameters`: each scope
//! converted all of `$states.input` to the engine's values (8–9 µs, the bulk of every
//! row), and each evaluation built an evaluator with all of AWS's functions registered.
//! Now the `Output`'s plan reads the input where it lies and copies only the five values,
//! about what the JSONPath template costs. Where the engine is still needed it converts
//! only what the expression reads (`jsonata-fallback` converts the ten `sku`s, not the
//! items) and registers only the functions the expression names; what remains is the
//! engine's own value model (an index map per object) and its evaluation.

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

/// The states, compiled at build time.
#[allow(missing_docs)]
mod flow {
    asl_runtime::include_asl!("benches/expressions/output.asl.json");
}

/// A constant expression the engine evaluates (no plan): an evaluation's fixed cost (a
/// new evaluator with `$states` bound, the result converted to JSON).
static CONSTANT: Expression = Expression::new("\"web\"");

/// A state's JSONata `Output`.
fn output(name: &str) -> &'static Template {
    let states = flow::CONTAINERS[0].states;
    let state = states.iter().find(|s| s.name == name).expect("state in output.asl.json");
    state.jsonata.and_then(|j| j.output).expect("a JSONata Output")
}

/// The expression of a JSONata `Output` that is one `{% %}` string.
fn expression(template: &'static Template) -> &'static Expression {
    match template {
        Template::Jsonata(expr) => expr,
        other => panic!("the Output is one expression, not {other:?}"),
    }
}

/// The `Parameters` of state `JSONPath`.
fn parameters() -> &'static Template {
    let states = flow::CONTAINERS[0].states;
    let state = states.iter().find(|s| s.name == "JSONPath").expect("state in output.asl.json");
    match state.kind {
        StateKind::Pass { io, .. } => io.parameters.expect("JSONPath has Parameters"),
        ref other => panic!("JSONPath is a Pass state, not {other:?}"),
    }
}

/// An order with ten items, the input of every template.
fn input() -> Value {
    let items: Vec<Value> =
        (1..=10).map(|i| json!({"sku": format!("SKU-{i:03}"), "qty": i, "price": 9.5 + f64::from(i)})).collect();
    json!({"order": {"id": "A-1", "customer": {"name": "Ada", "tier": "gold"}, "items": items}})
}

fn expressions(c: &mut Criterion) {
    let (parameters, output, fallback, engine) =
        (parameters(), output("JSONata"), output("Fallback"), output("Engine"));
    let input = input();
    // No state reads the context object, so the driver passes `null` for it (see
    // `StateDef::reads_context`); there are no workflow variables.
    let context = Value::Null;
    let variables = Map::new();
    let mut rng = SplitMix64::new(1);
    let mut env = Env { state: "JSONPath", context: &context, variables: &variables, rng: &mut rng };
    let scope = || jsonata::Scope::new(black_box(&input), &context, &variables);

    // Checked once, outside timing: each builds what the bench is about, and the plans
    // are (or are not) there.
    let expected = json!({"id": "A-1", "customer": "Ada", "count": 10, "first": "SKU-001", "source": "web"});
    assert_eq!(dataflow::build_template(parameters, &input, &mut env).expect("Parameters"), expected);
    assert_eq!(scope().build(output, "Output").expect("Output"), expected);
    assert_eq!(scope().evaluate_with_engine(expression(output), "Output").expect("Output"), Some(expected));
    let skus: Vec<String> = (1..=10).map(|i| format!("SKU-{i:03}")).collect();
    assert_eq!(scope().build(fallback, "Output").expect("Fallback"), json!(skus));
    assert_eq!(scope().build(engine, "Output").expect("Engine"), json!(907.5));
    assert_eq!(scope().value(&CONSTANT, "Output").expect("constant"), json!("web"));
    assert!(expression(output).plan().is_some() && expression(fallback).plan().is_some());
    assert!(expression(engine).plan().is_none());

    let mut group = c.benchmark_group("output-expression");
    group.bench_function("jsonpath-parameters", |b| {
        b.iter(|| dataflow::build_template(parameters, black_box(&input), &mut env))
    });
    group.bench_function("jsonata-output", |b| b.iter(|| scope().build(output, "Output")));
    group.bench_function("jsonata-output-engine", |b| {
        b.iter(|| scope().evaluate_with_engine(expression(output), "Output"))
    });
    group.bench_function("jsonata-fallback", |b| b.iter(|| scope().build(fallback, "Output")));
    group.bench_function("jsonata-engine", |b| b.iter(|| scope().build(engine, "Output")));
    group.bench_function("jsonata-engine-constant", |b| b.iter(|| scope().value(&CONSTANT, "Output")));
    group.finish();
}

criterion_group! {
    name = benches;
    // Evaluations take microseconds: criterion's default 100 samples, a shorter window.
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = expressions
}
criterion_main!(benches);
