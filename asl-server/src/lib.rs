//! The AWS Step Functions API over asl-rs's engine.

mod ops;
pub mod wire;
