//! JSONPath as generated code carries it: static data built by the compiler from paths it
//! parsed at build time, so nothing parses a path at run time.
//!
//! Every type here is const-constructible (`&'static` slices and strings), so a workflow's
//! paths live in read-only memory and cost nothing to set up.
//!
//! [`select`] evaluates a path the way AWS does (borrowing from the documents in a
//! [`Scope`]), [`put`] applies a `ResultPath`, and [`cause`] words the failures as AWS does.

pub mod cause;
mod eval;
mod filter;
mod write;

#[cfg(test)]
mod cause_tests;
#[cfg(test)]
mod tests;

pub(crate) use eval::member_mut;
pub use eval::{Missing, MissingKind, Scope, Selection, Variables, is_definite, select, select_value};
pub use write::put;

/// The path types (defined with the rest of the description in asl-machine).
pub use asl_machine::path::{Filter, Literal, Operand, Path, Root, Segment, UnionItem};
