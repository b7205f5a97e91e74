//! Differential tests: plans and projected bindings against the engine.
//!
//! Many expressions, each evaluated in many scopes three ways, must agree exactly (the
//! JSON text of the value, so `1` and `1.0` differ, and key order counts; or the same
//! error):
//!
//! 1. the engine with everything bound, as every expression was evaluated before plans
//!    and projections existed;
//! 2. the engine with only what the expression reads bound ([`Scope::evaluate_with_engine`]);
//! 3. [`Scope::evaluate`]: the expression's plan where the compiler made one, falling back
//!    to 2. The plan's own answers (without fallback) are counted, so the test fails if
//!    it stops exercising them.
//!
//! Expressions and scopes come from a seeded generator over the plan subset and around it
//! (values of every JSON type at the points where JSONata's rules differ: arrays mid-path,
//! singleton arrays, big integers, `1.0`, non-BMP strings, missing fields, shadowed
//! names). `ASL_DIFF_SEED` and `ASL_DIFF_EXPRESSIONS` change the seed and the count for a
//! longer run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Map, Value, json};

use super::fast::{self, Fallback};
use super::{Expression, Scope};
use crate::Error;
use crate::intrinsics::{RandomSource, SplitMix64};
use crate::test_support;

/// Field names of generated inputs and paths.
const FIELDS: [&str; 6] = ["a", "b", "id", "items", "n", "s"];

/// Numbers as JSON text, so each keeps the representation a parsed input has.
const JSON_NUMBERS: [&str; 16] = [
    "0",
    "1",
    "-1",
    "2",
    "3",
    "10",
    "1.0",
    "2.50",
    "-2.25",
    "0.1",
    "1e21",
    "1e-7",
    "-0",
    "0.30000000000000004",
    "9007199254740993",
    "12345678901234567890",
];

const STRINGS: [&str; 12] = ["", "a", "B", "10", "é", "😀", "\u{e000}", "a b", "true", " x\t", "ß", "ǅ"];

/// Roots of generated paths (`$missing` is never bound; `$count` and `$states` sometimes
/// are, hiding the function and the state's data).
const ROOTS: [&str; 12] = [
    "$states.input",
    "$states.input",
    "$states.input",
    "$states.context",
    "$states.result",
    "$states.errorOutput",
    "$v",
    "$n",
    "$s",
    "$arr",
    "$nul",
    "$missing",
];

const INDEXES: [&str; 7] = ["0", "1", "-1", "2", "1.5", "-0.5", "-2"];

const LITERALS: [&str; 16] = [
    "0",
    "1",
    "-1",
    "2.5",
    "10",
    "0.1",
    "1e21",
    "'a'",
    "''",
    "\"b\"",
    "'10'",
    "true",
    "false",
    "null",
    "'😀'",
    "'\\uE000'",
];

const OPERATORS: [&str; 13] = ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or"];

const FUNCTIONS: [&str; 9] =
    ["$count", "$exists", "$not", "$boolean", "$string", "$length", "$uppercase", "$lowercase", "$trim"];

/// Expressions outside the plan subset, to test projections (`%s` is a generated
/// subexpression).
const OTHERS: [&str; 16] = [
    "$sum(%s)",
    "$keys(%s)",
    "$string(%s, true)",
    "$states.input.items[n > 1]",
    "$states.input.items[n > 1].s",
    "$states.input.*",
    "$states.input.**.n",
    "$states.input.items.(n * 2)",
    "$states.input.a.%.b",
    "$states.input.items#$i.{'i': $i, 'n': n}",
    "$states.input.items@$x.$x.n",
    "$states.input ~> $keys",
    "$map($arr, function($e){ $e.n })",
    "($n := 5; $n + 1)",
    "$states.input.items[0].%.id",
    "$v.a ~> $exists",
];

struct Gen {
    rng: SplitMix64,
}

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn number(&mut self) -> Value {
        let text: &&str = self.pick(&JSON_NUMBERS);
        serde_json::from_str(text).unwrap()
    }

    fn value(&mut self, depth: usize) -> Value {
        match self.below(if depth == 0 { 6 } else { 10 }) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 | 3 => self.number(),
            4 | 5 => Value::String((*self.pick(&STRINGS)).to_owned()),
            6 | 7 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => self.object(depth - 1),
        }
    }

    fn object(&mut self, depth: usize) -> Value {
        let mut members = Map::new();
        for _ in 0..self.below(5) {
            members.insert((*self.pick(&FIELDS)).to_owned(), self.value(depth));
        }
        Value::Object(members)
    }

    fn path(&mut self) -> String {
        let mut path = (*self.pick(&ROOTS)).to_owned();
        if self.chance(10) {
            path.push_str(&format!("[{}]", self.pick(&INDEXES)));
        }
        for _ in 0..self.below(4) {
            path.push('.');
            let field: &&str = self.pick(&FIELDS);
            path.push_str(field);
            if self.chance(25) {
                path.push_str(&format!("[{}]", self.pick(&INDEXES)));
            }
        }
        path
    }

    fn leaf(&mut self) -> String {
        if self.chance(35) { (*self.pick(&LITERALS)).to_owned() } else { self.path() }
    }

    /// A subexpression, in parentheses unless it is a leaf, so the text means what the
    /// generator meant whatever the operators' precedence.
    fn operand(&mut self, depth: usize) -> String {
        let e = self.expression(depth);
        if e.chars().all(|c| c.is_alphanumeric() || "$._[]-'\"".contains(c)) { e } else { format!("({e})") }
    }

    fn expression(&mut self, depth: usize) -> String {
        if depth == 0 {
            return self.leaf();
        }
        let d = depth - 1;
        match self.below(20) {
            0..=4 => self.leaf(),
            5 => {
                let keys = ["k", "j", "a", "k"];
                let n = self.below(4);
                let members: Vec<String> =
                    (0..n).map(|i| format!("\"{}\": {}", keys[(i + self.below(2)) % 4], self.expression(d))).collect();
                format!("{{{}}}", members.join(", "))
            }
            6 => {
                let items: Vec<String> = (0..self.below(4))
                    .map(|_| match self.below(5) {
                        0 => format!("[{}]", self.expression(d)),
                        1 => self.operand(d),
                        _ => self.expression(d),
                    })
                    .collect();
                format!("[{}]", items.join(", "))
            }
            7..=10 => {
                let op = self.pick(&OPERATORS);
                format!("{} {op} {}", self.operand(d), self.operand(d))
            }
            11 | 12 => format!("{} & {} & {}", self.operand(d), self.operand(d), self.operand(d)),
            13 => format!("-{}", self.operand(d)),
            14 => {
                if self.chance(70) {
                    format!("{} ? {} : {}", self.operand(d), self.operand(d), self.operand(d))
                } else {
                    format!("{} ? {}", self.operand(d), self.operand(d))
                }
            }
            15..=17 => format!("{}({})", self.pick(&FUNCTIONS), self.expression(d)),
            _ => self.pick(&OTHERS).replace("%s", &self.expression(d)),
        }
    }

    /// A scope's data: input, context (or `null`), result, error output, variables.
    fn scope(&mut self) -> (Value, Value, Option<Value>, Option<Value>, Map<String, Value>) {
        let input = if self.chance(90) { self.object(3) } else { self.value(3) };
        let context = if self.chance(50) {
            json!({"Execution": {"Id": "arn:aws:states:us-east-1:1:execution:m:run", "Input": input}, "State": {"Name": "S"}})
        } else {
            Value::Null
        };
        let result = self.chance(50).then(|| self.value(3));
        let error_output = self.chance(30).then(|| json!({"Error": "E", "Cause": "c"}));
        let mut variables = Map::new();
        variables.insert("v".into(), self.object(3));
        variables.insert("n".into(), self.number());
        variables.insert("s".into(), Value::String((*self.pick(&STRINGS)).to_owned()));
        variables.insert("arr".into(), Value::Array((0..self.below(5)).map(|_| self.object(2)).collect()));
        variables.insert("nul".into(), Value::Null);
        if self.chance(5) {
            variables.insert("count".into(), json!(1));
        }
        if self.chance(3) {
            variables.insert("states".into(), json!({"input": {"a": "hidden"}}));
        }
        (input, context, result, error_output, variables)
    }
}

/// What a field's evaluation gives, as comparable text: the JSON (numbers and key order as
/// written) or the error.
fn outcome(result: &Result<Option<Value>, Error>) -> String {
    match result {
        Ok(Some(value)) => serde_json::to_string(value).unwrap(),
        Ok(None) => "undefined".to_owned(),
        Err(error) => format!("{}: {}", error.name, error.cause.as_deref().unwrap_or("")),
    }
}

/// How often plans decided, and how often they handed over.
#[derive(Default, Debug)]
struct Tally {
    evaluations: usize,
    planned: usize,
    decided: usize,
}

/// Checks `expr` in one scope; panics with the case when the ways disagree.
fn check(expr: &'static Expression, scope: &Scope<'_>, tally: &mut Tally) {
    let whole = outcome(&scope.evaluate_unprojected(expr, "Output"));
    let engine = outcome(&scope.evaluate_with_engine(expr, "Output"));
    let case = || {
        format!(
            "expression `{}`\n input {}\n context {}\n result {:?}\n variables {}",
            expr.text,
            scope.input,
            scope.context,
            scope.result,
            Value::Object(scope.variables.clone())
        )
    };
    assert_eq!(engine, whole, "the engine with projected bindings differs from it with all bound: {}", case());
    tally.evaluations += 1;
    if let Some(plan) = expr.plan() {
        tally.planned += 1;
        let data = fast::Data {
            input: scope.input,
            context: scope.context,
            result: scope.result,
            error_output: scope.error_output,
            variables: scope.variables,
        };
        if let Ok(value) = fast::evaluate(plan, &data) {
            tally.decided += 1;
            assert_eq!(outcome(&Ok(value)), engine, "the plan differs from the engine: {}", case());
        }
    }
    assert_eq!(outcome(&scope.evaluate(expr, "Output")), engine, "evaluate differs from the engine: {}", case());
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn plans_and_projections_agree_with_the_engine() {
    let seed = env_or("ASL_DIFF_SEED", 0x5eed_1a7a);
    let count = env_or("ASL_DIFF_EXPRESSIONS", 1_500) as usize;
    let mut generate = Gen { rng: SplitMix64::new(seed) };
    let scopes: Vec<_> = (0..24).map(|_| generate.scope()).collect();
    let mut tally = Tally::default();
    let mut with_plan = 0;
    for _ in 0..count {
        let depth = generate.below(4);
        let text = generate.expression(depth);
        let expr = test_support::expression(&text);
        with_plan += usize::from(expr.plan().is_some());
        // Each expression in a few of the scopes.
        for _ in 0..6 {
            let (input, context, result, error_output, variables) = generate.pick(&scopes);
            let mut scope = Scope::new(input, context, variables);
            if let Some(result) = result {
                scope = scope.with_result(result);
            }
            if let Some(error_output) = error_output {
                scope = scope.with_error_output(error_output);
            }
            check(expr, &scope, &mut tally);
        }
    }
    eprintln!("seed {seed:#x}: {with_plan} of {count} expressions have plans; {tally:?}");
    // The generator aims at the plan subset; if these drop, the test has stopped
    // testing plans.
    assert!(with_plan * 2 > count, "{with_plan} of {count} expressions have plans");
    assert!(tally.decided * 2 > tally.planned, "{tally:?}");
}

/// Hand-picked cases where JSONata's rules are easy to get wrong, each over inputs that
/// take it down both ways.
#[test]
fn chosen_cases_agree_with_the_engine() {
    let inputs = [
        json!({"order": {"id": "A-1", "customer": {"name": "Ada"}, "items": [{"sku": "S1", "qty": 1}, {"sku": "S2", "qty": 2.0}]}}),
        json!({"order": {"id": 7, "customer": [{"name": "A"}, {"name": "B"}], "items": []}}),
        json!({"order": {"id": 1.0, "customer": null, "items": [[1, 2], [3]]}}),
        json!({"order": {"id": 12345678901234567890u64, "customer": {"name": ["x"]}, "items": {"sku": "only"}}}),
        json!({"order": [{"id": 1}, {"id": 2}]}),
        json!([1, 2, 3]),
        json!("text"),
    ];
    let expressions = [
        "{\"id\": $states.input.order.id, \"customer\": $states.input.order.customer.name, \"count\": $count($states.input.order.items), \"first\": $states.input.order.items[0].sku, \"source\": \"web\"}",
        "$states.input.order.items[-1]",
        "$states.input.order.items[0][0]",
        "$states.input.order.customer.name",
        "[$states.input.order.items, [$states.input.order.id]]",
        "[$states.input.order.customer]",
        "$states.input.order.id & '-' & $states.input.order.items[1].qty",
        "$states.input.order.id = 1 ? 'one' : 'other'",
        "$states.input.order.items[0].qty + 0.5",
        "$states.input.order.id > 5",
        "$states.input.order.id < 'B'",
        "$string($states.input.order)",
        "$not($states.input.order.missing)",
        "$boolean($states.input.order.items)",
        "$exists($states.input.order.customer.name) and $states.input.order.id != null",
        "$states.input[0]",
        "$states.input[1].id",
        "-$states.input.order.id",
        "{\"a\": $states.input.nothing, \"b\": [$states.input.nothing]}",
        "$states.context.Execution.Id",
        "$states.input.order.id / 0",
        "$states.input.order.id ? 1",
        "[true ? [1, 2] : 3]",
        "[([1, 2]), [[3]]]",
        "[$states.input.order.items, [$states.input.order.items]]",
        "[{\"x\": [1]}, $string(1)]",
        "$boolean($states.input.order.nothing)",
        "$states.input.nothing & $states.input.nothing",
        "'\\uE000' < '😀'",
        "$length('😀é') & $uppercase('straße') & $lowercase('ǅ') & '|' & $trim('  a  b ')",
        "$length($states.input.order.id)",
    ];
    let context = json!({"Execution": {"Id": "arn:aws:states:us-east-1:1:execution:m:run"}});
    let variables = Map::new();
    let mut tally = Tally::default();
    for text in expressions {
        let expr = test_support::expression(text);
        assert!(expr.plan().is_some(), "`{text}` should have a plan");
        for input in &inputs {
            check(expr, &Scope::new(input, &context, &variables), &mut tally);
            check(expr, &Scope::new(input, &Value::Null, &variables), &mut tally);
        }
    }
    assert!(tally.decided * 2 > tally.planned, "{tally:?}");
}

/// The plan of the benchmarked `Output` decides it without the engine, and a path through
/// an array goes to the engine.
#[test]
fn plans_hand_over_where_they_must() {
    let input = json!({"order": {"items": [{"sku": "S1"}, {"sku": "S2"}]}});
    let variables = Map::new();
    let data =
        |input| fast::Data { input, context: &Value::Null, result: None, error_output: None, variables: &variables };
    let first = test_support::expression("$states.input.order.items[0].sku");
    assert_eq!(fast::evaluate(first.plan().unwrap(), &data(&input)), Ok(Some(json!("S1"))));
    let all = test_support::expression("$states.input.order.items.sku");
    assert_eq!(fast::evaluate(all.plan().unwrap(), &data(&input)), Err(Fallback));
    let scope = Scope::new(&input, &Value::Null, &variables);
    assert_eq!(scope.evaluate(all, "Output").unwrap(), Some(json!(["S1", "S2"])));
}

/// Expressions the engine evaluates, over data where reading too little would show:
/// projected bindings must give what binding everything gives.
#[test]
fn projections_agree_with_the_engine() {
    let data = json!({
        "a": {"b": 1, "c": 2},
        "items": [
            {"n": 1, "s": "x", "id": 1},
            {"n": 2, "s": "y", "id": 2},
            {"n": 3, "s": "z", "id": 3, "items": [{"n": 4, "s": "w"}]}
        ],
        "n": 5,
        "s": "top",
        "id": "I"
    });
    let mut variables = Map::new();
    variables.insert("v".into(), data.clone());
    variables.insert("arr".into(), data["items"].clone());
    let expressions = [
        "$states.input.items[n > 1].s",
        "$states.input.items[s = 'y'].id",
        "$states.input.items[0].%.id",
        "$states.input.a.%.n",
        "$states.input.items.items.%.%.s",
        "$states[0].input.n",
        "$states.input[n > 1].s",
        "$states.input.items#$i.{'i': $i, 's': s}",
        "$states.input.items@$x.$x.n",
        "$keys($states.input)",
        "$keys($states.input.a)",
        "$states.input.items.(n * 2)",
        "$states.input.items.{'s': s, 'n': n}",
        "$states.input.**.n",
        "$states.input.*.n",
        "$sum($states.input.items.n)",
        "$states.input.items^(>n).s",
        "$states.input.items{s: n}",
        "$states.input.items[[0, 1]].s",
        "$states.input.items[true].s",
        "$states.input.items[].s",
        "$states.input.items[-1].items[0].s",
        "$v.items[-1].items[0].n",
        "$v.items[s = 'y'].n",
        "$arr[n > 1].s",
        "$arr.s",
        "$arr[0]",
        "$states.input.a ~> $keys",
        "$states.input ~> |items|{'t': n + 1}|",
        "$string($states.input.a)",
        "$lookup($states.input.a, 'c')",
        "$each($states.input.a, function($v, $k){$k & $v})",
        "$map($states.input.items, function($i){$i.s & $states.input.s})",
        "($x := $states.input.items; $x[1].s)",
        "($states := {'input': {'n': 0}}; $states.input.n)",
        "$v.a.b & $v.a",
        "$states.input.items.n[1]",
        "$states.input.items[n = $v.a.b + 1].s",
        "$arr[s = $states.input.items[0].s].id",
    ];
    let context = json!({"Execution": {"Id": "x"}});
    for text in expressions {
        let expr = test_support::expression(text);
        let scope = Scope::new(&data, &context, &variables);
        let (whole, engine) = (
            outcome(&scope.evaluate_unprojected(expr, "Output")),
            outcome(&scope.evaluate_with_engine(expr, "Output")),
        );
        assert_eq!(engine, whole, "`{text}`");
        assert_eq!(outcome(&scope.evaluate(expr, "Output")), engine, "`{text}`");
    }
}
