//! asl-runtime: what Rust code compiled from Amazon States Language (ASL) workflows by
//! asl-rs runs on. It is the one dependency a user needs: it re-exports the compiler as
//! [`include_asl!`] (behind the default `macros` feature) and every type generated code
//! names.
//!
//! # Compiling a workflow
//!
//! Two routes produce the same code.
//!
//! **The macro** compiles a definition when your crate is compiled. The path is relative to
//! your crate's `Cargo.toml`:
//!
//! ```ignore
//! asl_runtime::include_asl!("flows/order.asl.json");
//!
//! fn main() {
//!     println!("the order flow starts at {}", State::START.name());
//! }
//! ```
//!
//! A definition with mistakes fails the build with one error listing each of them as
//! `flows/order.asl.json:12:7: error[ASL201]: …`.
//!
//! **A build script** (`asl_codegen::Builder` in `build.rs`) writes the code to `OUT_DIR`,
//! where [`include_generated!`] picks it up. Prefer it for flows you edit often: IDEs
//! such as rust-analyzer cache macro expansions and may not notice an edited definition
//! until the macro call itself is touched.
//!
//! ```ignore
//! mod order {
//!     asl_runtime::include_generated!("order");
//! }
//! ```
//!
//! # Running a workflow
//!
//! The generated module holds `WORKFLOW` (the machine as static data, see [`machine`]) and
//! a `Handlers` trait with one async method per Task state; `Typed(your_handlers)` turns it
//! into the [`execution::TaskHandler`] the driver calls:
//!
//! ```ignore
//! let clock = asl_runtime::clock::RealClock;
//! let info = ExecutionInfo::new("order", "run-1", clock.now(), input.clone());
//! let outcome = asl_runtime::execution::run(&order::WORKFLOW, &order::Typed(Shop), &clock, &info, input).await;
//! ```
//!
//! Nothing requires the compiler: `tests/driver.rs` declares small machines by hand with
//! the same [`machine`] types, and mocks or non-Rust bindings implement
//! [`execution::TaskHandler`] directly. Tests and `asl test` run on
//! [`clock::VirtualClock`] with tokio's paused time, so a year-long Wait takes no time.
//!
//! # Distributed Map results
//!
//! [`map_results`] shapes what a Distributed Map's child executions return, as AWS does:
//! the Map state's result array (`COMPACT`, `FLATTEN` or `NONE` entries), or the
//! `SUCCEEDED_n`/`FAILED_n`/`PENDING_n` files and `manifest.json` its `ResultWriter`
//! exports, written one child at a time. It does no I/O; the caller stores the bytes.
//!
//! # Features
//!
//! - `macros` (default): re-exports [`include_asl!`]; pulls in the compiler, including
//!   its YAML reader for `.asl.yaml`/`.asl.yml` definitions.
//! - `sqlite` (default): [`store::SqliteStore`], durable executions in one SQLite file
//!   (SQLite is compiled in).
#![deny(missing_docs)]

pub mod callbacks;
pub mod choice;
pub mod clock;
pub mod context;
pub mod dataflow;
pub mod error;
pub mod execution;
pub(crate) mod integrations;
pub mod intrinsics;
pub mod jsonata;
pub mod machine;
mod macros;
pub mod map_results;
pub mod map_run;
mod nanos;
pub mod path;
pub mod retry;
pub mod runtime;
pub mod sink;
pub mod store;
pub mod template;
#[cfg(test)]
pub(crate) mod test_support;

pub use error::Error;
pub use runtime::{Runtime, RuntimeBuilder};
/// The JSON value type handlers take and return (re-exported so users need no direct
/// serde_json dependency).
pub use serde_json::Value;

/// What generated code uses. Not public API: anything here may change in any release.
///
/// Generated code names these items only through absolute paths (`::asl_runtime::__private`
/// or `$crate::__private`), so users need no dependency besides asl-runtime.
#[doc(hidden)]
pub mod __private {
    pub use serde_json;

    /// Runs a Task state whose handler method takes and returns the application's own
    /// serde types (the `tasks` setting).
    pub use crate::execution::typed::typed_task;

    /// The proc macro behind [`include_asl!`](crate::include_asl); call that instead.
    #[cfg(feature = "macros")]
    pub use asl_macros::include_asl as include_asl_impl;
}
