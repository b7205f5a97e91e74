//! Snapshots of the code generated for each valid fixture, pretty-printed as users see it
//! in `OUT_DIR` or through `asl expand`. The same fixtures are compiled by the trybuild
//! pass tests in asl-macros, so these snapshots are never code nobody compiles.
#![allow(clippy::panic, clippy::expect_used)]

use asl_codegen::{Generator, Settings, Source};

#[test]
fn generated_code_snapshots() {
    insta::glob!("fixtures/valid/*.asl.*", |path| {
        let source = Source::read(path).expect("fixture readable");
        let generated = Generator::new(&Settings::new())
            .generate(&source)
            .unwrap_or_else(|diags| panic!("{} is invalid: {diags:#?}", path.display()));
        let code = generated.to_pretty_string().expect("generated code parses as a Rust file");
        insta::assert_snapshot!(code);
    });
}

#[test]
fn valid_fixtures_have_no_warnings() {
    insta::glob!("fixtures/valid/*.asl.*", |path| {
        let source = Source::read(path).expect("fixture readable");
        let checked = asl_codegen::check(&source).unwrap_or_else(|d| panic!("{d:#?}"));
        let warnings: Vec<_> = checked.warnings.iter().map(|w| w.render_short(&source)).collect();
        assert!(warnings.is_empty(), "{warnings:#?}");
    });
}

/// The order flow with its two Task states given the application's types
/// (`Settings::with_task_types`): their methods take and return those, and `Typed`
/// converts through the runtime's `typed_task`. The macro's pass test
/// `typed_tasks.rs` compiles and runs the same shape.
#[test]
fn typed_tasks_snapshot() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/order_flow.asl.json");
    let source = Source::read(&path).expect("fixture readable");
    let settings = Settings::new()
        .with_task_types("ValidateOrder", "crate::Order", "crate::Validation")
        .with_task_types("Ship", "crate::Shipment", "::asl_runtime::Value");
    let generated = Generator::new(&settings).generate(&source).expect("the order flow is valid");
    assert_eq!(generated.task_type_errors, []);
    insta::assert_snapshot!("typed_tasks", generated.to_pretty_string().expect("generated code parses as a Rust file"));
}
