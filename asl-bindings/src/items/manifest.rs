//! Manifests: objects that list the data files whose records are the items.
//!
//! - Amazon S3 Inventory (`InputType: MANIFEST`, or `ManifestType: S3_INVENTORY`): the
//!   object is an inventory's `manifest.json`. Its `files` are gzip'ed CSV files without a
//!   header row in the `destinationBucket`; each record is an item whose keys are the
//!   `fileSchema` names (`"Bucket, Key, Size, …"`) and whose values are strings, as with
//!   any CSV. Only `fileFormat: CSV` is read (inventories in ORC or Parquet are not).
//! - Athena (`ManifestType: ATHENA_DATA`): the object is the manifest an `UNLOAD` writes,
//!   one `s3://bucket/key` URI per line; each data file is read with `InputType` (`CSV`,
//!   `JSONL` or `PARQUET`) and the rest of the `ReaderConfig`, after gzip is undone.
//!
//! The data files are opened one at a time, in the manifest's order.

use std::io::Read;

use serde::Deserialize;

use super::csv::CsvItems;
use super::error::ReadError;
use super::flatten::{Flatten, Location};
use super::{Body, Items, Opener, ReaderConfig, open_object};

/// The most of a manifest that is read: manifests list files, they are not data, and a
/// bound keeps a wrong object from filling memory.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// An S3 Inventory `manifest.json` (the fields the reader needs).
#[derive(Deserialize)]
struct InventoryManifest {
    #[serde(rename = "destinationBucket")]
    destination_bucket: String,
    #[serde(rename = "fileFormat")]
    file_format: String,
    #[serde(rename = "fileSchema")]
    file_schema: String,
    files: Vec<InventoryFile>,
}

/// One data file of an inventory.
#[derive(Deserialize)]
struct InventoryFile {
    key: String,
}

/// Reads a whole (small) manifest object.
fn read_manifest(body: Body) -> Result<Vec<u8>, ReadError> {
    let mut text = Vec::new();
    body.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut text).map_err(|err| ReadError::io(&err))?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(ReadError::failed(format!(
            "The manifest is larger than the {MAX_MANIFEST_BYTES} bytes asl-rs reads of a manifest."
        )));
    }
    Ok(text)
}

/// The bucket name in `arn:aws:s3:::name` (any partition), or the text itself when it is
/// a plain name.
fn bucket_name(destination: &str) -> &str {
    match destination.strip_prefix("arn:") {
        Some(rest) => rest.split_once(":s3:::").map_or(destination, |(_, name)| name),
        None => destination,
    }
}

/// The items of the S3 Inventory whose `manifest.json` is `body`.
pub(crate) fn inventory(config: &ReaderConfig, body: Body, opener: Opener) -> Result<Items, ReadError> {
    let text = read_manifest(body)?;
    let manifest: InventoryManifest = serde_json::from_slice(&text)
        .map_err(|err| ReadError::failed(format!("The S3 Inventory manifest is not valid: {err}.")))?;
    if !manifest.file_format.eq_ignore_ascii_case("CSV") {
        return Err(ReadError::failed(format!(
            "The S3 Inventory's fileFormat is {}; asl-rs reads only CSV inventories.",
            manifest.file_format
        )));
    }
    let schema: Vec<String> = manifest.file_schema.split(',').map(|name| name.trim().to_owned()).collect();
    let bucket = bucket_name(&manifest.destination_bucket).to_owned();
    let sources: Vec<Result<Location, ReadError>> =
        manifest.files.into_iter().map(|file| Ok((bucket.clone(), file.key))).collect();
    let delimiter = config.csv_delimiter.byte();
    let read = Box::new(move |body: Body| -> Result<Items, ReadError> {
        Ok(Box::new(CsvItems::open(body, delimiter, Some(&schema))?))
    });
    Ok(Box::new(Flatten::new(Box::new(sources.into_iter()), opener, read, true)))
}

/// The bucket and key of an `s3://bucket/key` URI.
fn parse_s3_uri(uri: &str) -> Result<Location, ReadError> {
    uri.strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
        .map(|(bucket, key)| (bucket.to_owned(), key.to_owned()))
        .ok_or_else(|| {
            ReadError::failed(format!("The Athena manifest lists '{uri}', which is not an s3://bucket/key URI."))
        })
}

/// The items of the data files of the Athena manifest `body`.
pub(crate) fn athena(config: &ReaderConfig, body: Body, opener: Opener) -> Result<Items, ReadError> {
    let text = read_manifest(body)?;
    let text = String::from_utf8_lossy(&text);
    let sources: Vec<Result<Location, ReadError>> =
        text.lines().map(str::trim).filter(|line| !line.is_empty()).map(parse_s3_uri).collect();
    let config = config.clone();
    let read = Box::new(move |body: Body| open_object(&config, body));
    Ok(Box::new(Flatten::new(Box::new(sources.into_iter()), opener, read, true)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::collections::HashMap;
    use std::io::{Cursor, Write};
    use std::sync::{Arc, Mutex};

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use serde_json::{Value, json};

    use super::*;
    use crate::items::{InputType, ManifestType};

    fn gzip(data: &str) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data.as_bytes()).unwrap();
        enc.finish().unwrap()
    }

    /// An opener over a map of `bucket/key` to bytes, recording what it opened.
    fn opener(objects: Vec<(&str, Vec<u8>)>) -> (Opener, Arc<Mutex<Vec<String>>>) {
        let objects: HashMap<String, Vec<u8>> = objects.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let opened = Arc::new(Mutex::new(Vec::new()));
        let log = opened.clone();
        let opener: Opener = Box::new(move |bucket: &str, key: &str| -> Result<Body, ReadError> {
            let path = format!("{bucket}/{key}");
            log.lock().unwrap().push(path.clone());
            match objects.get(&path) {
                Some(bytes) => Ok(Box::new(Cursor::new(bytes.clone()))),
                None => Err(ReadError::failed(format!("NoSuchKey: {path}"))),
            }
        });
        (opener, opened)
    }

    fn body(text: &str) -> Body {
        Box::new(Cursor::new(text.as_bytes().to_vec()))
    }

    const MANIFEST: &str = r#"{
        "sourceBucket": "src",
        "destinationBucket": "arn:aws:s3:::inv",
        "version": "2016-11-30",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate, StorageClass",
        "files": [
            {"key": "src/inv/data/a.csv.gz", "size": 1, "MD5checksum": "x"},
            {"key": "src/inv/data/b.csv.gz", "size": 1, "MD5checksum": "y"}
        ]
    }"#;

    #[test]
    fn an_inventory_gives_one_item_per_record_keyed_by_the_schema() {
        let (opener, opened) = opener(vec![
            ("inv/src/inv/data/a.csv.gz", gzip("\"src\",\"a.txt\",\"10\",\"2022-11-16T00:29:32.000Z\",\"STANDARD\"\n")),
            ("inv/src/inv/data/b.csv.gz", gzip("\"src\",\"b.txt\",\"20\",\"2022-11-17T00:00:00.000Z\",\"GLACIER\"\n")),
        ]);
        let items: Vec<Value> =
            inventory(&ReaderConfig::default(), body(MANIFEST), opener).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(
            items,
            vec![
                json!({"Bucket":"src","Key":"a.txt","Size":"10","LastModifiedDate":"2022-11-16T00:29:32.000Z","StorageClass":"STANDARD"}),
                json!({"Bucket":"src","Key":"b.txt","Size":"20","LastModifiedDate":"2022-11-17T00:00:00.000Z","StorageClass":"GLACIER"}),
            ]
        );
        assert_eq!(*opened.lock().unwrap(), ["inv/src/inv/data/a.csv.gz", "inv/src/inv/data/b.csv.gz"]);
    }

    #[test]
    fn data_files_are_opened_only_as_items_are_needed() {
        let (opener, opened) = opener(vec![("inv/src/inv/data/a.csv.gz", gzip("\"src\",\"a\",\"1\",\"t\",\"S\"\n"))]);
        let mut items = inventory(&ReaderConfig::default(), body(MANIFEST), opener).unwrap();
        assert!(opened.lock().unwrap().is_empty());
        assert!(items.next().unwrap().is_ok());
        assert_eq!(opened.lock().unwrap().len(), 1);
        assert_eq!(items.next().unwrap().unwrap_err().cause, "NoSuchKey: inv/src/inv/data/b.csv.gz");
        assert!(items.next().is_none());
    }

    #[test]
    fn bad_manifests_are_item_reader_failures() {
        let (o, _) = opener(vec![]);
        assert!(
            inventory(&ReaderConfig::default(), body("{"), o)
                .err()
                .unwrap()
                .cause
                .starts_with("The S3 Inventory manifest is not valid")
        );
        let (o, _) = opener(vec![]);
        let orc = MANIFEST.replace("\"CSV\"", "\"ORC\"");
        assert!(inventory(&ReaderConfig::default(), body(&orc), o).err().unwrap().cause.contains("only CSV"));
    }

    #[test]
    fn bucket_names_come_from_arns_of_any_partition() {
        assert_eq!(bucket_name("arn:aws:s3:::inv"), "inv");
        assert_eq!(bucket_name("arn:aws-cn:s3:::inv"), "inv");
        assert_eq!(bucket_name("plain"), "plain");
        assert_eq!(bucket_name("arn:weird"), "arn:weird");
    }

    #[test]
    fn an_athena_manifest_reads_each_listed_file_with_the_input_type() {
        let (opener, _) =
            opener(vec![("out/q/1.gz", gzip("{\"id\":1}\n{\"id\":2}\n")), ("out/q/2", b"{\"id\":3}\n".to_vec())]);
        let config = ReaderConfig {
            input_type: Some(InputType::Jsonl),
            manifest_type: Some(ManifestType::AthenaData),
            ..ReaderConfig::default()
        };
        let items: Vec<Value> = athena(&config, body("s3://out/q/1.gz\n\ns3://out/q/2\n"), opener)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(items, vec![json!({"id":1}), json!({"id":2}), json!({"id":3})]);
    }

    #[test]
    fn athena_csv_files_use_the_given_headers() {
        let (opener, _) = opener(vec![("out/a.csv", b"1,x\n2,y\n".to_vec())]);
        let config = ReaderConfig::from_json(&json!({
            "InputType": "CSV", "ManifestType": "ATHENA_DATA", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["n", "s"]
        }))
        .unwrap();
        let items: Vec<Value> =
            athena(&config, body("s3://out/a.csv"), opener).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(items, vec![json!({"n":"1","s":"x"}), json!({"n":"2","s":"y"})]);
    }

    #[test]
    fn a_line_that_is_not_an_s3_uri_fails_when_reached() {
        let (opener, _) = opener(vec![]);
        let config = ReaderConfig { input_type: Some(InputType::Jsonl), ..ReaderConfig::default() };
        let err = athena(&config, body("https://x/y\n"), opener).unwrap().next().unwrap().unwrap_err();
        assert_eq!(err.cause, "The Athena manifest lists 'https://x/y', which is not an s3://bucket/key URI.");
        assert!(parse_s3_uri("s3://bucket").is_err());
        assert!(parse_s3_uri("s3:///key").is_err());
        assert_eq!(parse_s3_uri("s3://b/k/x.csv").unwrap(), ("b".to_owned(), "k/x.csv".to_owned()));
    }
}
