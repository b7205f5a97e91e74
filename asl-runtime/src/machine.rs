//! The description of a workflow that generated code declares (as `static` data) and the
//! driver walks: containers of states, each with its static data.
//!
//! The types live in the asl-machine crate, which the compiler (asl-codegen) also builds
//! on; they are re-exported here at the path generated code names them by.

pub use asl_machine::machine::*;
