//! Shared by the fuzz targets: run `check` and assert that its result is coherent.
//!
//! A panic anywhere (in the reader, the decoder, a validator, or one of the assertions
//! below) is what libFuzzer records as a crash.

use std::path::Path;
use std::sync::OnceLock;

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Source, check};
use serde_json::Value;

/// The structured generator of `asl-codegen/tests/no_panic.rs`, driven here by the fuzzer's
/// bytes instead of a seeded PRNG.
#[path = "../../asl-codegen/tests/no_panic/mutate.rs"]
pub mod mutate;

/// Runs `check` on `text` under the file name `name` (its extension picks JSON or YAML)
/// and panics if the result is incoherent: `Err` without an error, `Ok` with one, a span
/// outside the text or off a character boundary.
pub fn check_coherent(name: &str, text: &str) {
    let source = Source::new(name, text);
    let (diags, is_err) = match check(&source) {
        Ok(checked) => (checked.warnings, false),
        Err(diags) => (diags, true),
    };
    assert_eq!(is_err, diags.has_errors(), "Err iff there is an error diagnostic: {diags:?}");
    for d in &diags {
        let s = d.span;
        assert!(
            s.start <= s.end && s.end <= text.len(),
            "{} has span {}..{} in a text of {} bytes",
            d.code.id(),
            s.start,
            s.end,
            text.len()
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "{} has span {}..{}, off a char boundary",
            d.code.id(),
            s.start,
            s.end
        );
        let _ = d.render_short(&source);
    }
    let _ = render_all(&diags, &source, RenderStyle::Plain);
}

/// Built-in seeds plus every definition of the shared conformance corpus, loaded once.
pub fn seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = mutate::builtin_seeds();
        seeds.extend(conformance_definitions());
        seeds
    })
}

/// The `definition` of every conformance case, sorted by file name (empty when the shared
/// directory is not checked out beside this repository).
pub fn conformance_definitions() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| serde_json::from_str::<Value>(&t).ok())
        .filter_map(|mut case| case.get_mut("definition").map(Value::take))
        .collect()
}
