//! Integrations: how a Task state's `Resource` is served.
//!
//! - Rust handlers: the workflow's [`TaskHandler`](crate::execution::TaskHandler) (generated
//!   code's typed `Handlers` trait behind [`typed`](crate::execution::typed)), which every
//!   Task goes to unless an integration below takes it.
//! - [`nested`]: Step Functions' own `StartExecution`, run as child executions in the same
//!   [`Runtime`](crate::Runtime).
//! - Activities: served by workers through [`Callbacks`](crate::callbacks::Callbacks).
//!
//! Lambda, `http:invoke` and Step Functions Local mock files are the crate `asl-bindings`
//! (a [`TaskHandler`](crate::execution::TaskHandler) that `asl serve` and `asl build`
//! binaries use): they need an HTTP client with TLS, which users of this crate alone should
//! not have to build.

pub(crate) mod nested;
