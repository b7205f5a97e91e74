//! Bad input never panics: every definition asl-codegen's own tests hold as invalid, and a
//! few hand-made broken ones, are decoded without validation (so the model holds dangling
//! `Next`s, missing `StartAt`s, empty branches…) and drawn in all three formats.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)] // failing loudly is a test's job

use std::path::Path;

use asl_codegen::{Diagnostics, Source};
use asl_graph::{Format, Graph, render};

fn draw_unchecked(source: &Source) {
    let mut diags = Diagnostics::new();
    let Some(machine) =
        asl_codegen::read(source, &mut diags).and_then(|root| asl_codegen::ast::decode(&root, &mut diags))
    else {
        return;
    };
    let graph = Graph::from_machine(&machine);
    for format in [Format::Mermaid, Format::Dot, Format::Svg] {
        let text = render(&graph, format, "broken");
        assert!(!text.is_empty(), "{}", source.path().display());
    }
    let svg = render(&graph, Format::Svg, "broken");
    roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", source.path().display()));
    // Every edge joins two nodes of the graph.
    for edge in &graph.edges {
        assert!(graph.node(&edge.from).is_some() && graph.node(&edge.to).is_some(), "{edge:?}");
    }
}

#[test]
fn invalid_fixtures_of_asl_codegen() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../asl-codegen/tests/fixtures/invalid");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("asl-codegen's invalid fixtures") {
        let path = entry.expect("an entry").path();
        draw_unchecked(&Source::read(&path).expect("readable"));
        count += 1;
    }
    assert!(count > 20, "only {count} fixtures");
}

#[test]
fn hand_made_broken_definitions() {
    for text in [
        "{}",
        r#"{"StartAt": "Nowhere", "States": {}}"#,
        r#"{"States": {"A": {"Type": "Pass", "Next": "Missing"}}}"#,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [], "Next": "A"}}}"#,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Map", "End": true}}}"#,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Next": "A"}, {"Not": {}, "Next": "B"}]}}}"#,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Bogus", "Next": "A"}, "B": {"Catch": [{"Next": "A"}, {}]}}}"#,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}"#,
        "{\"StartAt\": \"\u{1}<&>\", \"States\": {\"\u{1}<&>\": {\"Type\": \"Succeed\", \"Comment\": \"]]>\"}}}",
        r#"{"StartAt": "end", "States": {"end": {"Type": "Parallel", "Branches": [{"StartAt": "end", "States": {"end": {"Type": "Succeed"}}}], "End": true}}}"#,
    ] {
        draw_unchecked(&Source::new("broken.asl.json", text));
    }
}

/// A small deterministic generator (a linear congruential one: no dependency, same numbers
/// on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// A random state machine as JSON: `names` states (some Parallel or Map holding machines of
/// their own), transitions to random names of the whole machine, so some cross containers
/// as no valid definition's do.
fn random_machine(rng: &mut Lcg, prefix: &str, depth: usize, names: &[String]) -> serde_json::Value {
    let count = 1 + rng.below(5);
    let mine: Vec<String> = (0..count).map(|i| format!("{prefix}{i}")).collect();
    let pick = |rng: &mut Lcg| {
        if rng.below(4) == 0 && !names.is_empty() {
            names[rng.below(names.len())].clone()
        } else {
            mine[rng.below(mine.len())].clone()
        }
    };
    let mut states = serde_json::Map::new();
    for name in &mine {
        let kinds = if depth < 2 { 7 } else { 5 };
        let state = match rng.below(kinds) {
            0 => serde_json::json!({"Type": "Pass", "Next": pick(rng)}),
            1 => serde_json::json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": pick(rng),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": pick(rng)}]}),
            2 => serde_json::json!({"Type": "Choice", "Choices": [
                {"Variable": "$.x", "NumericEquals": rng.below(9), "Next": pick(rng)},
                {"Not": {"Variable": "$.y", "IsPresent": true}, "Next": pick(rng)}], "Default": pick(rng)}),
            3 => serde_json::json!({"Type": "Succeed"}),
            4 => serde_json::json!({"Type": "Wait", "Seconds": 1, "End": true}),
            5 => {
                let branches: Vec<serde_json::Value> = (0..1 + rng.below(2))
                    .map(|b| random_machine(rng, &format!("{name}.{b}."), depth + 1, &mine))
                    .collect();
                serde_json::json!({"Type": "Parallel", "Branches": branches, "Next": pick(rng)})
            }
            _ => {
                let processor = random_machine(rng, &format!("{name}.m."), depth + 1, &mine);
                serde_json::json!({"Type": "Map", "ItemProcessor": processor, "End": true})
            }
        };
        states.insert(name.clone(), state);
    }
    serde_json::json!({"StartAt": mine[0], "States": states})
}

#[test]
fn random_machines() {
    let mut rng = Lcg(14);
    for _ in 0..100 {
        let machine = random_machine(&mut rng, "S", 0, &[]);
        draw_unchecked(&Source::new("random.asl.json", machine.to_string()));
    }
}
