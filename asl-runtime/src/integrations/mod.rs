//! Integrations: how a Task state's `Resource` is served.
//!
//! - Rust handlers: the workflow's [`TaskHandler`](crate::execution::TaskHandler) (generated
//!   code's typed `Handlers` trait behind [`typed`](crate::execution::typed)), which every
//!   Task goes to unless an integration below takes it.
//! - [`nested`]: Step Functions' own `StartExecution`, run as child executions in the same
//!   [`Runtime`](crate::Runtime).
//! - Activities: served by workers through [`Callbacks`](crate::callbacks::Callbacks).
//!
//! Lambda, HTTP and mocked integrations will live here too.

pub(crate) mod nested;
