//! What a Distributed Map makes of its child executions' results, exactly as AWS Step
//! Functions shapes them: the Map state's result, or the objects its `ResultWriter`
//! exports to S3. Pure: this module writes nothing anywhere; the caller stores the bytes.
//!
//! Each child execution ends as a [`ChildResult`]. Its *entry* depends on the
//! `WriterConfig`'s [`Transformation`] ([`entry`], [`entries`]): the whole execution record
//! (`NONE`, [`record`]), the output (`COMPACT`), or the output's elements when it is an
//! array (`FLATTEN`, for `ItemBatcher` batches). A child that did not succeed always
//! contributes its record.
//!
//! - Without an export (no `ResultWriter`, or a `WriterConfig` alone), the Map's result
//!   is the array of entries: [`inline_output`].
//! - With `Resource` `arn:aws:states:::s3:putObject` and `Bucket`/`Prefix`, the entries
//!   go to `SUCCEEDED_n`, `FAILED_n` and `PENDING_n` files under `<Prefix>/<Map Run
//!   id>/` (`.json` arrays or `.jsonl` lines, per [`OutputType`]), then a `manifest.json`
//!   lists them, and the Map's result points at the manifest. [`ResultFiles`] writes them
//!   one child at a time into a [`Sink`] (or [`Buffers`]); [`export`] does it all in
//!   memory. [`ExportTarget`] knows the keys.
//!
//! ```
//! use asl_runtime::map_results::{ChildResult, ExportTarget, export, inline_output};
//! use serde_json::json;
//!
//! let items = || vec![ChildResult::pending(json!(1)), ChildResult::pending(json!(2))];
//! assert_eq!(inline_output(items(), None).as_array().map(Vec::len), Some(2));
//!
//! let target = ExportTarget::new("arn:aws:states:us-east-1:123456789012:mapRun:m/Map:7c1b", "bucket", "runs");
//! let exported = export(target, items(), None);
//! assert_eq!(exported.files[0].key, "runs/7c1b/PENDING_0.json");
//! assert_eq!(exported.manifest.key, "runs/7c1b/manifest.json");
//! assert_eq!(exported.state_result["ResultWriterDetails"]["Key"], "runs/7c1b/manifest.json");
//! ```
//!
//! The facts, and where they come from, are in each item's docs; the Developer Guide's
//! "ResultWriter (Map)" page is the main source, with manifests and result files AWS wrote
//! as they appear in public projects.

mod cause;
mod child;
mod config;
mod entry;
mod files;
mod inline;
mod sink;
mod target;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

pub use cause::write_failed;
pub use child::{ChildResult, ChildStatus, ResultGroup};
pub use config::{OutputType, Transformation, WriterConfig, WriterConfigError};
pub use entry::{Entries, SUCCEEDED_NOT_REDRIVABLE, entries, entry, record};
pub use files::{Export, Finished, MAX_FILE_SIZE, Manifest, ResultFiles, export};
pub use inline::inline_output;
pub use sink::{Buffers, ResultFile, Sink};
pub use target::ExportTarget;
