//! Writing an exported Map Run's result files one child at a time ([`ResultFiles`]), and
//! its manifest at the end ([`Finished`]).

use serde_json::{Value, json};

use crate::map_results::child::{ChildResult, ResultGroup};
use crate::map_results::config::{OutputType, Transformation, WriterConfig};
use crate::map_results::entry::entries;
use crate::map_results::sink::{Buffers, ResultFile, Sink};
use crate::map_results::target::ExportTarget;

/// The largest result file AWS writes: 5 GB (S3's limit on one object written in one
/// `PutObject`, 5 GiB).
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// An exported Map Run's result files, being written.
///
/// Children are taken in the order given, each entry serialised straight into its file,
/// so a million results never exist as `Value`s at once. The files:
///
/// - `SUCCEEDED_n`: the entries of the children that succeeded, under the transformation
///   (`NONE` by default when exporting).
/// - `FAILED_n`: the records of the children that failed, timed out or were aborted.
/// - `PENDING_n`: the records of the items whose child never started.
///
/// A group without entries has no file (its manifest list is `[]`, as in manifests AWS
/// wrote). `OutputType: JSON` files are one compact JSON array; `JSONL` files have one
/// compact entry per line, each ended by `\n`. A file that would grow past
/// [`MAX_FILE_SIZE`] (5 GB, "Step Functions supports individual result files of up to 5
/// GB") is closed and the group goes on in the next one (`SUCCEEDED_1.json`, …); an entry
/// is never split, so a single entry larger than the limit gets a file of its own.
///
/// The manifest, written last, is compact JSON (like the manifests AWS writes):
///
/// ```json
/// {"DestinationBucket":"elsa-data-tmp","MapRunArn":"arn:aws:states:…:mapRun:CopyOut…/4474d22f-…:0c17ffd6-…",
///  "ResultFiles":{"FAILED":[],"PENDING":[],"SUCCEEDED":[{"Key":"…/0c17ffd6-…/SUCCEEDED_0.json","Size":2887}]}}
/// ```
#[derive(Debug)]
pub struct ResultFiles<S = Buffers> {
    target: ExportTarget,
    transformation: Transformation,
    output_type: OutputType,
    max_file_size: u64,
    groups: [Group; 3],
    sink: S,
    /// One entry's bytes, reused.
    scratch: Vec<u8>,
}

/// The files of one group.
#[derive(Debug, Default)]
struct Group {
    /// The open file's size so far, and how many entries it has; `None` between files.
    open: Option<(u64, u64)>,
    /// Every file opened, as the manifest lists them: key and size (the open one's size
    /// is set when it closes).
    files: Vec<(String, u64)>,
}

impl ResultFiles<Buffers> {
    /// The files of Map Run `target`, shaped by `config` (the `ResultWriter`'s
    /// `WriterConfig`, if any), kept in memory: take each completed file with
    /// [`Buffers::take_completed`] through [`sink_mut`](Self::sink_mut).
    pub fn new(target: ExportTarget, config: Option<&WriterConfig>) -> Self {
        ResultFiles::with_sink(target, config, Buffers::default())
    }
}

impl<S: Sink> ResultFiles<S> {
    /// Like [`new`](ResultFiles::new), with the bytes going to `sink`.
    pub fn with_sink(target: ExportTarget, config: Option<&WriterConfig>, sink: S) -> Self {
        ResultFiles {
            target,
            transformation: WriterConfig::transformation_exported(config),
            output_type: WriterConfig::output_type(config),
            max_file_size: MAX_FILE_SIZE,
            groups: Default::default(),
            sink,
            scratch: Vec::new(),
        }
    }

    /// Starts a new file once one would grow past `bytes` instead of [`MAX_FILE_SIZE`].
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// The sink.
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    /// Adds a child's entries to the files of its group.
    pub fn push(&mut self, result: ChildResult) {
        let group = result.status.group();
        for entry in entries(result, self.transformation) {
            self.scratch.clear();
            // Writing a `Value` into a `Vec` cannot fail (its keys are strings).
            let _ = serde_json::to_writer(&mut self.scratch, &entry);
            self.append(group);
        }
    }

    /// Appends the entry in `scratch` to the open file of `group`, first closing a file it
    /// would make too large.
    fn append(&mut self, group: ResultGroup) {
        let json = self.output_type == OutputType::Json;
        let len = self.scratch.len() as u64;
        if let Some((size, count)) = self.groups[group.index()].open {
            // JSON: a comma before, the closing bracket after; JSONL: the newline.
            let grown = if json { size + 1 + len + 1 } else { size + len + 1 };
            if count > 0 && grown > self.max_file_size {
                self.close(group);
            }
        }
        let (size, count) = match self.groups[group.index()].open {
            Some(open) => open,
            None => {
                let key = self.target.file_key(
                    group,
                    u32::try_from(self.groups[group.index()].files.len()).unwrap_or(u32::MAX),
                    self.output_type,
                );
                self.sink.open(group, &key);
                self.groups[group.index()].files.push((key, 0));
                (0, 0)
            }
        };
        let mut written = len;
        if json {
            self.sink.write(group, if count == 0 { b"[" } else { b"," });
            written += 1;
        }
        self.sink.write(group, &self.scratch);
        if !json {
            self.sink.write(group, b"\n");
            written += 1;
        }
        self.groups[group.index()].open = Some((size + written, count + 1));
    }

    /// Closes the open file of `group`: its closing bracket, its size in the manifest.
    fn close(&mut self, group: ResultGroup) {
        let Some((mut size, _)) = self.groups[group.index()].open.take() else { return };
        if self.output_type == OutputType::Json {
            self.sink.write(group, b"]");
            size += 1;
        }
        if let Some(last) = self.groups[group.index()].files.last_mut() {
            last.1 = size;
        }
        self.sink.close(group);
    }

    /// Closes the open files and gives the manifest and the Map state's result.
    pub fn finish(mut self) -> Finished<S> {
        for group in ResultGroup::ALL {
            self.close(group);
        }
        let mut files = serde_json::Map::new();
        for group in ResultGroup::ALL {
            let listed = self.groups[group.index()].files.iter().map(|(key, size)| json!({"Key": key, "Size": size}));
            files.insert(group.as_str().to_owned(), Value::Array(listed.collect()));
        }
        let manifest = json!({
            "DestinationBucket": self.target.bucket,
            "MapRunArn": self.target.map_run_arn,
            "ResultFiles": files,
        });
        Finished {
            manifest: Manifest { key: self.target.manifest_key(), body: manifest.to_string().into_bytes() },
            state_result: self.target.state_result(),
            sink: self.sink,
        }
    }
}

/// An exported Map Run's `manifest.json`: where its result files are and how large.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// Its key (`<prefix>/<id>/manifest.json`).
    pub key: String,
    /// Its bytes: compact JSON.
    pub body: Vec<u8>,
}

/// An exported Map Run once its result files are written.
#[derive(Debug)]
pub struct Finished<S = Buffers> {
    /// The manifest, to write after the result files.
    pub manifest: Manifest,
    /// The Map state's result: `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`.
    pub state_result: Value,
    /// The sink, every file closed.
    pub sink: S,
}

/// Everything an export writes, held in memory: the result files in the order they were
/// completed, the manifest, and the Map state's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// The result files.
    pub files: Vec<ResultFile>,
    /// The manifest (to write last).
    pub manifest: Manifest,
    /// The Map state's result.
    pub state_result: Value,
}

/// Exports `results` of Map Run `target` in one go (see [`ResultFiles`] to write them one
/// at a time).
pub fn export(
    target: ExportTarget,
    results: impl IntoIterator<Item = ChildResult>,
    config: Option<&WriterConfig>,
) -> Export {
    let mut writer = ResultFiles::new(target, config);
    for result in results {
        writer.push(result);
    }
    let Finished { manifest, state_result, mut sink } = writer.finish();
    Export { files: sink.take_completed(), manifest, state_result }
}
