//! The shared conformance corpus (`../../shared/conformance`) against `check`:
//!
//! - every `definition` of `cases/*.json` ran on real AWS, so `check` must accept it;
//! - every `definition` of `invalid/*.json` was refused by AWS, so `check` must reject it.
//!
//! CI clones the shared repository beside this one; when it is absent the corpus tests print
//! a note and pass.

// Test code: failing loudly is the point.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use asl_codegen::{Code, Diagnostics, MAX_DEFINITION_BYTES, Source, check};

/// One corpus file: its stem and its parsed JSON.
struct Case {
    name: String,
    json: serde_json::Value,
}

fn shared_dir(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance").join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        // CI always has `shared/` beside the repository: there, a missing corpus is a
        // broken checkout, not a reason to pass.
        assert!(std::env::var_os("CI").is_none(), "{} not found, and CI is set", dir.display());
        eprintln!("note: {} not found; skipping (CI clones `shared` beside `main`)", dir.display());
        None
    }
}

fn load(dir: &Path) -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Case { name, json }
        })
        .collect()
}

/// The case's definition as pretty JSON, in a source named after the case.
fn definition_source(case: &Case) -> Source {
    let definition = case.json.get("definition").unwrap_or_else(|| panic!("{} has no `definition`", case.name));
    let text = serde_json::to_string_pretty(definition).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    Source::new(format!("{}.asl.json", case.name), text)
}

/// Every diagnostic, one per line, in the short `path:line:col: error[ASLnnn]: …` form.
fn render(diags: &Diagnostics, source: &Source) -> String {
    diags.iter().map(|d| format!("    {}\n", d.render_short(source))).collect()
}

#[test]
fn aws_accepted_definitions_pass_check() {
    let Some(dir) = shared_dir("cases") else {
        return;
    };
    let cases = load(&dir);
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    let mut rejected = Vec::new();
    let mut warned = 0;
    // Warnings do not fail the test, but a rule that warns on many AWS-accepted definitions
    // deserves a look: the counts are printed per code.
    let mut warnings: BTreeMap<Code, usize> = BTreeMap::new();
    for case in &cases {
        let source = definition_source(case);
        match check(&source) {
            Ok(checked) => {
                warned += usize::from(!checked.warnings.is_empty());
                for d in &checked.warnings {
                    *warnings.entry(d.code).or_default() += 1;
                }
            }
            Err(diags) => rejected.push(format!("{}:\n{}", case.name, render(&diags, &source))),
        }
    }
    let by_code: Vec<String> = warnings.iter().map(|(c, n)| format!("{} ({:?}) x{n}", c.id(), c)).collect();
    eprintln!("warnings on accepted cases: {}", by_code.join(", "));
    eprintln!(
        "conformance cases: {} accepted ({warned} with warnings), {} rejected, of {}",
        cases.len() - rejected.len(),
        rejected.len(),
        cases.len()
    );
    if !rejected.is_empty() {
        for r in &rejected {
            eprint!("{r}");
        }
        panic!("{} of {} AWS-accepted definitions were rejected (listed above)", rejected.len(), cases.len());
    }
}

#[test]
fn aws_rejected_definitions_fail_check() {
    let Some(dir) = shared_dir("invalid") else {
        return;
    };
    let cases = load(&dir);
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    let mut accepted = Vec::new();
    for case in &cases {
        let source = definition_source(case);
        let expected = case.json.pointer("/expected/message").and_then(|m| m.as_str()).unwrap_or("?");
        match check(&source) {
            Ok(_) => {
                eprintln!("{}\n    AWS: {expected}\n    us:  (accepted)", case.name);
                accepted.push(case.name.as_str());
            }
            Err(diags) => {
                let ours = diags.errors().next().map_or_else(|| "(no error)".to_string(), |d| d.render_short(&source));
                eprintln!("{}\n    AWS: {expected}\n    us:  {ours}", case.name);
            }
        }
    }
    eprintln!(
        "invalid definitions: {} rejected, {} accepted, of {}",
        cases.len() - accepted.len(),
        accepted.len(),
        cases.len()
    );
    assert!(accepted.is_empty(), "AWS rejected these definitions, but check accepted them: {accepted:?}");
}

/// `Code::DefinitionTooLarge` has no fixture file (it would be 1 MiB); it is tested here.
#[test]
fn definition_over_one_mebibyte_is_too_large() {
    let filler = "x".repeat(MAX_DEFINITION_BYTES);
    let text = format!(r#"{{"Comment": "{filler}", "StartAt": "A", "States": {{"A": {{"Type": "Succeed"}}}}}}"#);
    let source = Source::new("too_large.asl.json", text);
    let diags = check(&source).expect_err("a definition over 1 MiB must be rejected");
    let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::DefinitionTooLarge], "{}", render(&diags, &source));
    let short = diags.iter().next().map(|d| d.render_short(&source)).unwrap_or_default();
    assert!(short.starts_with("too_large.asl.json:1:1: error[ASL005]"), "{short}");
}

/// A definition exactly at the limit is not rejected for its size.
#[test]
fn definition_at_the_limit_is_not_too_large() {
    let skeleton = r#"{"Comment": "", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#;
    let filler = "x".repeat(MAX_DEFINITION_BYTES - skeleton.len());
    let text = skeleton.replacen(r#""Comment": """#, &format!(r#""Comment": "{filler}""#), 1);
    assert_eq!(text.len(), MAX_DEFINITION_BYTES);
    let source = Source::new("at_limit.asl.json", text);
    if let Err(diags) = check(&source) {
        assert!(diags.iter().all(|d| d.code != Code::DefinitionTooLarge), "{}", render(&diags, &source));
    }
}
