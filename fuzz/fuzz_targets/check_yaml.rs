//! Arbitrary bytes (as lossy UTF-8) → a `.asl.yaml` source → `check`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    asl_codegen_fuzz::check_coherent("fuzz.asl.yaml", &String::from_utf8_lossy(data));
});
