//! Where an exported Map Run's objects go ([`ExportTarget`]): their keys, and the Map
//! state's result that points at them.

use serde_json::{Value, json};

use crate::map_results::child::ResultGroup;
use crate::map_results::config::OutputType;

/// An exported Map Run: its ARN and the bucket and prefix of its `ResultWriter`
/// (`Parameters`/`Arguments` `Bucket` and `Prefix`).
///
/// AWS writes everything under `<Prefix>/<Map Run id>/`, the Map Run id being the last
/// `:`-separated part of the Map Run ARN (`…:mapRun:<machine>/<label>:<id>`):
///
/// ```text
/// csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/manifest.json
/// csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/SUCCEEDED_0.json
/// csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/FAILED_0.json
/// ```
///
/// (Developer Guide, "ResultWriter (Map)"; the same layout is in manifests AWS wrote, e.g.
/// `tt-etl-map-results/25bc2fbb-…/FAILED_0.json` for the Map Run
/// `…:mapRun:bods-backend-dev-tt-sm/8c9dd6c6-…:25bc2fbb-…`.) Files written with
/// `OutputType: JSONL` end in `.jsonl`. Without a prefix the keys start at the id; a
/// prefix that already ends in `/` gets no second one (LocalStack's rule: no AWS recording
/// of either case is at hand).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportTarget {
    /// The Map Run's ARN.
    pub map_run_arn: String,
    /// The bucket written to.
    pub bucket: String,
    /// The key prefix (may be empty).
    pub prefix: String,
}

impl ExportTarget {
    /// The target of Map Run `map_run_arn` writing to `bucket` under `prefix`.
    pub fn new(map_run_arn: impl Into<String>, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        ExportTarget { map_run_arn: map_run_arn.into(), bucket: bucket.into(), prefix: prefix.into() }
    }

    /// The Map Run's id: what follows the ARN's last `:` (the whole ARN if it has none).
    pub fn map_run_id(&self) -> &str {
        self.map_run_arn.rsplit(':').next().unwrap_or(&self.map_run_arn)
    }

    /// The folder every object goes in: `<prefix>/<id>/`.
    pub fn folder(&self) -> String {
        let prefix = &self.prefix;
        let separator = if prefix.is_empty() || prefix.ends_with('/') { "" } else { "/" };
        [prefix, separator, self.map_run_id(), "/"].concat()
    }

    /// The key of result file `index` (from 0) of `group`: `<folder>SUCCEEDED_0.json`,
    /// `<folder>FAILED_1.jsonl`, …
    pub fn file_key(&self, group: ResultGroup, index: u32, output_type: OutputType) -> String {
        format!("{}{}_{index}.{}", self.folder(), group.as_str(), output_type.extension())
    }

    /// The manifest's key: `<folder>manifest.json`.
    pub fn manifest_key(&self) -> String {
        self.folder() + "manifest.json"
    }

    /// The Map state's result once the results are exported (before
    /// `ResultSelector`/`ResultPath`, or `Output`):
    ///
    /// ```json
    /// {"MapRunArn": "arn:…:mapRun:csvProcess/Map:ad9b5f27-…",
    ///  "ResultWriterDetails": {"Bucket": "amzn-s3-demo-destination-bucket",
    ///                          "Key": "csvProcessJobs/ad9b5f27-…/manifest.json"}}
    /// ```
    pub fn state_result(&self) -> Value {
        json!({
            "MapRunArn": self.map_run_arn,
            "ResultWriterDetails": { "Bucket": self.bucket, "Key": self.manifest_key() },
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::ExportTarget;
    use crate::map_results::child::ResultGroup;
    use crate::map_results::config::OutputType;
    use crate::map_results::fixtures::MAP_RUN;

    /// The guide's export example.
    #[test]
    fn the_guides_export_result() {
        let target = ExportTarget::new(MAP_RUN, "amzn-s3-demo-destination-bucket", "csvProcessJobs");
        assert_eq!(target.map_run_id(), "ad9b5f27-090b-3ac6-9beb-243cd77144a7");
        let expected = json!({
            "MapRunArn": "arn:aws:states:us-east-2:123456789012:mapRun:csvProcess/Map:ad9b5f27-090b-3ac6-9beb-243cd77144a7",
            "ResultWriterDetails": {
                "Bucket": "amzn-s3-demo-destination-bucket",
                "Key": "csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/manifest.json"
            }
        });
        assert_eq!(target.state_result().to_string(), expected.to_string());
    }

    #[test]
    fn file_keys_follow_group_index_and_type() {
        let target = ExportTarget::new(MAP_RUN, "b", "csvProcessJobs");
        let folder = "csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/";
        assert_eq!(target.file_key(ResultGroup::Succeeded, 0, OutputType::Json), format!("{folder}SUCCEEDED_0.json"));
        assert_eq!(target.file_key(ResultGroup::Failed, 1, OutputType::Json), format!("{folder}FAILED_1.json"));
        assert_eq!(target.file_key(ResultGroup::Pending, 0, OutputType::Jsonl), format!("{folder}PENDING_0.jsonl"));
    }

    #[test]
    fn prefixes_join_with_one_slash() {
        let key = |prefix: &str| ExportTarget::new("arn:x:mapRun:m/l:id", "b", prefix).manifest_key();
        assert_eq!(key(""), "id/manifest.json");
        assert_eq!(key("a/b"), "a/b/id/manifest.json");
        assert_eq!(key("a/b/"), "a/b/id/manifest.json");
        // A malformed ARN never panics: its last part (or all of it) is the id.
        assert_eq!(ExportTarget::new("no-colons", "b", "p").manifest_key(), "p/no-colons/manifest.json");
        assert_eq!(ExportTarget::new("ends:", "b", "p").manifest_key(), "p//manifest.json");
    }
}
