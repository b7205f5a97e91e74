//! Rendered diagnostics of the invalid fixtures, as insta snapshots.
//!
//! `tests/fixtures/invalid/` holds one mistake per file, named after the slug of the code it
//! must produce (`missing_transition_target.asl.json` → `Code::MissingTransitionTarget`),
//! in JSON or YAML, plus `three_mistakes.asl.json`. Besides the snapshots, two tests keep
//! the folder honest: every fixture still produces its code, and every code has a fixture.
//!
//! Review changed snapshots with `cargo insta review`.

// Test code: failing loudly is the point.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Code, Diagnostics, Source, WorkflowType, check_as};

const FIXTURES: &str = "tests/fixtures/invalid";

/// Codes without a fixture file, and why.
const NO_FIXTURE: &[Code] = &[
    // Needs a definition over 1 MiB; `tests/conformance.rs` builds one in memory instead
    // (`definition_over_one_mebibyte_is_too_large`).
    Code::DefinitionTooLarge,
];

/// Fixtures not named after a code: several mistakes in one.
const SPECIAL: &[&str] = &["three_mistakes"];

/// Reads a fixture as a source whose path is relative to the crate, so snapshots do not
/// depend on where the repository is checked out.
fn fixture_source(path: &Path) -> Source {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Source::new(format!("{FIXTURES}/{name}"), text)
}

/// Fixtures checked as EXPRESS state machines (their code exists only for that type).
const EXPRESS: &[&str] = &["not_for_express"];

/// Everything `check` reports for a source (as an EXPRESS machine for the fixtures in
/// [`EXPRESS`]): errors, or warnings of an accepted definition.
fn diagnostics(source: &Source) -> Diagnostics {
    let kind = if EXPRESS.iter().any(|name| source.path().to_string_lossy().contains(name)) {
        WorkflowType::Express
    } else {
        WorkflowType::Standard
    };
    match check_as(source, kind) {
        Ok(checked) => checked.warnings,
        Err(diags) => diags,
    }
}

/// `missing_transition_target.asl.json` → `missing_transition_target`.
fn stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for ext in [".asl.json", ".asl.yaml", ".asl.yml"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem.to_string();
        }
    }
    name
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            [".asl.json", ".asl.yaml", ".asl.yml"].iter().any(|ext| name.ends_with(ext))
        })
        .collect();
    paths.sort();
    paths
}

fn code_for_slug(slug: &str) -> Option<Code> {
    Code::ALL.iter().copied().find(|c| c.slug() == slug)
}

#[test]
fn rendered_diagnostics() {
    insta::glob!("fixtures/invalid/*.asl.{json,yaml}", |path| {
        let source = fixture_source(path);
        let diags = diagnostics(&source);
        if diags.is_empty() {
            // Nothing to snapshot yet; `every_fixture_produces_its_code` reports the fixture.
            return;
        }
        let rendered = render_all(&diags, &source, RenderStyle::Plain);
        insta::assert_snapshot!(rendered);
    });
}

/// A fixture must keep testing its rule: it produces at least one diagnostic whose code's
/// slug is the file stem, and its stem names a code (so a misspelt file name is caught).
#[test]
fn every_fixture_produces_its_code() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in fixtures() {
        let stem = stem(&path);
        if SPECIAL.contains(&stem.as_str()) {
            continue;
        }
        let Some(code) = code_for_slug(&stem) else {
            problems.push(format!("{}: `{stem}` is not the slug of any Code", path.display()));
            continue;
        };
        checked += 1;
        let source = fixture_source(&path);
        let diags = diagnostics(&source);
        if !diags.iter().any(|d| d.code == code) {
            let got: Vec<String> = diags.iter().map(|d| d.render_short(&source)).collect();
            problems.push(format!(
                "{}: expected {} ({}), got {}",
                source.path().display(),
                code.id(),
                stem,
                if got.is_empty() { "nothing".to_string() } else { got.join("\n        ") }
            ));
        }
    }
    eprintln!("{} of {checked} fixtures produce their code", checked - problems.len());
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        panic!("{} fixture(s) do not produce the code they are named after (listed above)", problems.len());
    }
}

/// Every code in the catalogue has a fixture (JSON or YAML), except the allow-list.
#[test]
fn every_code_has_a_fixture() {
    let stems: BTreeSet<String> = fixtures().iter().map(|p| stem(p)).collect();
    let missing: Vec<String> = Code::ALL
        .iter()
        .filter(|c| !NO_FIXTURE.contains(c) && !stems.contains(&c.slug()))
        .map(|c| format!("{} ({}.asl.json)", c.id(), c.slug()))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture in {FIXTURES}: {missing:?}");
    let stale: Vec<&str> = NO_FIXTURE.iter().filter(|c| stems.contains(&c.slug())).map(|c| c.id()).collect();
    assert!(stale.is_empty(), "these codes have a fixture now; remove them from NO_FIXTURE: {stale:?}");
}

/// Diagnostics are collected, not stopped at the first: three mistakes in three different
/// states (found by three different rule families) give exactly three errors, each at its
/// own line and column.
#[test]
fn three_mistakes_are_three_errors_at_their_own_positions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES).join("three_mistakes.asl.json");
    let source = fixture_source(&path);
    let diags = diagnostics(&source);
    let errors: Vec<_> = diags.errors().collect();
    let listing: Vec<String> = errors.iter().map(|d| d.render_short(&source)).collect();
    let codes: BTreeSet<Code> = errors.iter().map(|d| d.code).collect();
    let expected: BTreeSet<Code> =
        [Code::ChoiceOperandType, Code::MissingTransitionTarget, Code::WrongType].into_iter().collect();
    assert_eq!(codes, expected, "{listing:#?}");
    assert_eq!(errors.len(), 3, "{listing:#?}");

    let states: BTreeSet<&str> = errors.iter().filter_map(|d| d.pointer.split('/').nth(2)).collect();
    assert_eq!(states, ["Charge", "Check", "Receive"].into_iter().collect(), "{listing:#?}");

    // Each is reported where its mistake is: the line of the offending value.
    let text = source.text();
    for (code, needle) in [
        (Code::ChoiceOperandType, "\"10\""),
        (Code::MissingTransitionTarget, "\"Chrage\""),
        (Code::WrongType, "\"30\""),
    ] {
        let at = text.find(needle).unwrap_or_else(|| panic!("fixture lost {needle}"));
        let want_line = source.line_col(at).line;
        let d = errors.iter().find(|d| d.code == code).unwrap_or_else(|| panic!("no {code}"));
        let got = source.line_col(d.span.start);
        assert_eq!(got.line, want_line, "{} is reported on the wrong line: {listing:#?}", code.id());
    }
    let positions: BTreeSet<(usize, usize)> = errors
        .iter()
        .map(|d| {
            let lc = source.line_col(d.span.start);
            (lc.line, lc.column)
        })
        .collect();
    assert_eq!(positions.len(), 3, "two errors share a position: {listing:#?}");
}
