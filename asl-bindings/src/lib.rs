//! How an `asl build` binary or `asl serve` runs Task states: by their `Resource`, the way
//! Step Functions Local binds them.
//!
//! - [`mock`]: Step Functions Local's mock configuration file (`MockConfigFile.json`):
//!   state machines → test cases → mocked responses. An execution started with a test case
//!   (`arn…:stateMachine:order#HappyPath`, or `run --test-case`) answers the states its test
//!   case names from the file; the others go on to the real bindings, as in Step Functions
//!   Local.
//! - [`lambda`]: `arn:aws:lambda:…:function:NAME` and `arn:aws:states:::lambda:invoke`
//!   through the Lambda Invoke REST API at a configured endpoint.
//! - [`http`]: `arn:aws:states:::http:invoke` as real HTTP requests.
//! - [`s3`]: where a Distributed Map's objects live: folders standing in for buckets, or S3
//!   at an endpoint.
//! - [`resource`]: which binding serves a resource (for dispatch, `BIN list` and `asl build`'s
//!   warnings).
//! - [`items`]: a Distributed Map's `ItemReader`: CSV, JSON, JSON Lines, S3 Inventory and
//!   Athena manifests and `listObjectsV2` listings, streamed item by item.
//!
//! [`Bindings`] puts them together as the runtime's [`TaskHandler`](asl_runtime::execution::TaskHandler).
//! Activities and nested executions are served by the runtime itself, before a Task reaches
//! a handler.

mod aws;
mod client;
mod dispatch;
pub mod http;
pub mod items;
pub mod lambda;
pub mod mock;
pub mod resource;
pub mod s3;

pub use dispatch::{Bindings, BindingsConfig, UNBOUND_ERROR};
