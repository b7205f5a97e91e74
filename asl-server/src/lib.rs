//! The AWS Step Functions API over asl-rs's engine.

pub mod auth;
pub mod wire;
