//! AWS JSON 1.0 as Step Functions speaks it: errors, operation names, dates.

mod error;

pub use error::ApiError;
