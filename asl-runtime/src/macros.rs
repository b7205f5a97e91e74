//! Public macros: `include_asl!` (forwards to the proc macro with `$crate`, the way sqlx
//! does) and `include_generated!` (hides `OUT_DIR`, the way tonic's `include_proto!` does).

/// Compiles an Amazon States Language definition into Rust items at build time.
///
/// ```ignore
/// asl_runtime::include_asl!("flows/order.asl.json");
/// ```
///
/// - **Path**: a string literal, relative to the directory of your crate's `Cargo.toml`
///   (`CARGO_MANIFEST_DIR`). Absolute paths are rejected: they only work on one machine.
///   `.asl.json` is read as JSON; `.yaml`/`.yml` as YAML.
/// - **Output**: the items the generator produces, placed where the macro is called (wrap
///   the call in a `mod` to give the workflow its own namespace). Generated code reaches
///   the runtime through this crate's path as passed by the macro, so it works even if
///   you rename the `asl-runtime` dependency.
/// - **Errors**: an invalid definition fails the build with one error on the path literal,
///   one line per problem: `flows/order.asl.json:12:7: error[ASL201]: …`. Spans cannot
///   point into a non-Rust file, so the position is in the message. Warnings are not
///   shown; run the `asl` command or use the build.rs route to see them.
/// - **Rebuilds**: the expansion `include_str!`s the definition, so Cargo recompiles your
///   crate when the file changes.
/// - **IDEs**: rust-analyzer caches macro expansions; after editing the definition you may
///   need to touch the macro call (or restart rust-analyzer) to see the new items. For
///   flows you edit often, prefer generating code from `build.rs` with
///   `asl_codegen::Builder` and [`include_generated!`](crate::include_generated).
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! include_asl {
    ($path:literal $(, $($settings:tt)*)?) => {
        $crate::__private::include_asl_impl! { $path, runtime = $crate $(, $($settings)*)? }
    };
    // Anything else: let the proc macro explain what it expected.
    ($($args:tt)*) => {
        $crate::__private::include_asl_impl! { $($args)* }
    };
}

/// Includes code that `asl_codegen::Builder` wrote to `OUT_DIR` from `build.rs`.
///
/// `name` is the generated file's name without `.rs`: the definition's file name without
/// its `.asl.json`/`.asl.yaml` suffix, made a Rust identifier (`flows/order.asl.json` →
/// `"order"`, `flows/order-flow.asl.json` → `"order_flow"`).
///
/// ```ignore
/// mod order {
///     asl_runtime::include_generated!("order");
/// }
/// ```
#[macro_export]
macro_rules! include_generated {
    ($name:literal) => {
        ::core::include!(::core::concat!(::core::env!("OUT_DIR"), "/", $name, ".rs"));
    };
}
