//! The fuzzer's bytes steer the structured generator of `tests/no_panic.rs`: they pick a
//! seed definition (built-in or conformance) and the mutations applied to it, so inputs stay
//! close to valid definitions and reach the validators rather than the JSON reader's
//! error paths. Each generated text is checked as JSON and as YAML.
#![no_main]

use asl_codegen_fuzz::{check_coherent, mutate, seeds};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rng = mutate::Rng::from_bytes(data);
    let (_, _, text) = mutate::generate(&mut rng, seeds());
    check_coherent("fuzz.asl.json", &text);
    check_coherent("fuzz.asl.yaml", &text);
});
