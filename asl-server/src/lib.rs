//! The AWS Step Functions API over asl-rs's engine.

pub mod model;
pub mod wire;
