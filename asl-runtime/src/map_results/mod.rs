//! What a Distributed Map makes of its child executions' results, exactly as AWS Step
//! Functions shapes them. Pure: this module writes nothing anywhere.
//!
//! Each child execution ends as a [`ChildResult`]. Its *entry* depends on the
//! `WriterConfig`'s [`Transformation`] ([`entry`], [`entries`]): the whole execution record
//! (`NONE`, [`record`]), the output (`COMPACT`), or the output's elements when it is an
//! array (`FLATTEN`, for `ItemBatcher` batches). A child that did not succeed always
//! contributes its record.
//!
//! Without an export (no `ResultWriter`, or a `WriterConfig` alone), the Map's result is
//! the array of entries: [`inline_output`].

mod child;
mod config;
mod entry;
mod inline;

#[cfg(test)]
mod fixtures;

pub use child::{ChildResult, ChildStatus, ResultGroup};
pub use config::{OutputType, Transformation, WriterConfig, WriterConfigError};
pub use entry::{Entries, SUCCEEDED_NOT_REDRIVABLE, entries, entry, record};
pub use inline::inline_output;
