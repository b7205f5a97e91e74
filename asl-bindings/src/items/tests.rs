#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

//! Tests of the public entry points across formats, and of streaming large generated
//! objects through them.

use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::*;
use crate::s3::Listed;

fn body(text: &str) -> Body {
    Box::new(Cursor::new(text.as_bytes().to_vec()))
}

fn config(value: Value) -> ReaderConfig {
    ReaderConfig::from_json(&value).unwrap()
}

fn read(config: &ReaderConfig, text: &str) -> Result<Vec<Value>, ReadError> {
    open(config, body(text), no_opener())?.collect()
}

#[test]
fn opens_each_format() {
    assert_eq!(read(&config(json!({"InputType": "JSON"})), "[1,2]").unwrap(), vec![json!(1), json!(2)]);
    assert_eq!(read(&config(json!({"InputType": "JSONL"})), "1\n2\n").unwrap(), vec![json!(1), json!(2)]);
    assert_eq!(read(&config(json!({"InputType": "CSV"})), "a\n1\n").unwrap(), vec![json!({"a": "1"})]);
    assert_eq!(
        read(&config(json!({"InputType": "CSV", "CSVDelimiter": "TAB"})), "a\tb\n1\t2\n").unwrap(),
        vec![json!({"a": "1", "b": "2"})]
    );
    assert_eq!(
        read(&config(json!({"InputType": "JSON", "ItemsPointer": "/a"})), r#"{"a":[true]}"#).unwrap(),
        vec![json!(true)]
    );
}

#[test]
fn max_items_stops_after_that_many() {
    let c = config(json!({"InputType": "JSONL", "MaxItems": 2}));
    assert_eq!(read(&c, "1\n2\n3\n").unwrap(), vec![json!(1), json!(2)]);
    // MaxItems counts records after the header row.
    let c = config(json!({"InputType": "CSV", "MaxItems": 1}));
    assert_eq!(read(&c, "h\nx\ny\n").unwrap(), vec![json!({"h": "x"})]);
    // 0 is no limit.
    let c = config(json!({"InputType": "JSON", "MaxItems": 0}));
    assert_eq!(read(&c, "[1,2,3]").unwrap().len(), 3);
    // Items past the limit are never read, broken or not.
    let c = config(json!({"InputType": "JSON", "MaxItems": 1}));
    assert_eq!(read(&c, "[1, oops").unwrap(), vec![json!(1)]);
}

#[test]
fn max_items_applies_to_an_objects_key_value_items() {
    let c = config(json!({"InputType": "JSON", "MaxItems": 2}));
    assert_eq!(
        read(&c, r#"{"a":{"w":1},"b":{"w":2},"c":{"w":3}}"#).unwrap(),
        vec![json!({"Key": "a", "Value": {"w": 1}}), json!({"Key": "b", "Value": {"w": 2}})]
    );
}

#[test]
fn failures_at_the_start_fail_open() {
    let cases = [
        (json!({"InputType": "JSON"}), "7", NON_ITERABLE),
        (json!({"InputType": "JSON", "ItemsPointer": "/x"}), "{}", POINTER_NOT_FOUND),
        (json!({"InputType": "CSV"}), "a,a\n", DUPLICATE_HEADERS),
        (json!({}), "[]", "ReaderConfig.InputType is required to read an object's items."),
        (
            json!({"InputType": "JSON", "ManifestType": "ATHENA_DATA"}),
            "",
            "ReaderConfig.InputType must be CSV, JSONL or PARQUET with ManifestType ATHENA_DATA",
        ),
    ];
    for (c, text, cause) in cases {
        let err = open(&config(c.clone()), body(text), no_opener()).err().unwrap();
        assert_eq!((err.error.as_str(), err.cause.as_str()), (ITEM_READER_FAILED, cause), "{c}");
    }
}

#[test]
fn a_manifest_input_type_reads_an_inventory() {
    let manifest = r#"{"destinationBucket":"arn:aws:s3:::inv","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"d.csv"}]}"#;
    let opener: Opener = Box::new(|bucket: &str, key: &str| {
        assert_eq!((bucket, key), ("inv", "d.csv"));
        Ok(body("\"src\",\"k1\"\n\"src\",\"k2\"\n"))
    });
    for c in [json!({"InputType": "MANIFEST", "MaxItems": 1}), json!({"ManifestType": "S3_INVENTORY", "MaxItems": 1})] {
        let opener_copy: Opener = Box::new(|_: &str, _: &str| Ok(body("\"src\",\"k1\"\n\"src\",\"k2\"\n")));
        let items: Vec<Value> =
            open(&config(c), body(manifest), opener_copy).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(items, vec![json!({"Bucket": "src", "Key": "k1"})]);
    }
    assert_eq!(open(&config(json!({"InputType": "MANIFEST"})), body(manifest), opener).unwrap().count(), 2);
}

#[test]
fn a_manifest_is_not_a_data_object() {
    let err = open_object(&config(json!({"InputType": "MANIFEST"})), body("{}")).err().unwrap();
    assert!(err.cause.contains("cannot be read as one of them"));
}

#[test]
fn no_opener_refuses_politely() {
    let mut opener = no_opener();
    assert_eq!(opener("b", "k").err().unwrap().cause, "No opener was given to read s3://b/k.");
}

#[test]
fn load_and_flatten_reads_the_listed_objects_in_turn() {
    let c = config(json!({"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN", "MaxItems": 4}));
    let keys: Vec<Result<String, ReadError>> = vec![Ok("a.json".into()), Ok("b.json".into()), Ok("c.json".into())];
    let opener: Opener = Box::new(|bucket: &str, key: &str| {
        assert_eq!(bucket, "data");
        Ok(body(match key {
            "a.json" => "[1,2]",
            "b.json" => "[]",
            _ => "[3,4,5]",
        }))
    });
    let items: Vec<Value> =
        load_and_flatten(&c, "data", Box::new(keys.into_iter()), opener).collect::<Result<_, _>>().unwrap();
    assert_eq!(items, vec![json!(1), json!(2), json!(3), json!(4)]);
}

#[test]
fn load_and_flatten_stops_at_a_listing_error() {
    let c = config(json!({"InputType": "JSONL"}));
    let keys: Vec<Result<String, ReadError>> = vec![Ok("a".into()), Err(ReadError::failed("AccessDenied"))];
    let items: Vec<_> =
        load_and_flatten(&c, "b", Box::new(keys.into_iter()), Box::new(|_: &str, _: &str| Ok(body("1")))).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].clone().unwrap_err().cause, "AccessDenied");
}

#[test]
fn listing_items_go_through_limit() {
    let listed = |key: &str| Listed {
        key: key.into(),
        etag: "\"e\"".into(),
        last_modified: "2024-01-01T00:00:00.000Z".into(),
        size: 1,
        storage_class: "STANDARD".into(),
    };
    let all: Vec<Result<Value, ReadError>> = ["a", "b", "c"].iter().map(|k| Ok(listed_item(&listed(k)))).collect();
    let items: Vec<Value> = limit(Box::new(all.into_iter()), Some(2)).collect::<Result<_, _>>().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["Key"], json!("b"));
    assert_eq!(items[0]["LastModified"], json!(1704067200));
}

#[test]
fn limit_ends_after_an_error() {
    let all: Vec<Result<Value, ReadError>> = vec![Ok(json!(1)), Err(ReadError::failed("x")), Ok(json!(2))];
    let items: Vec<_> = limit(Box::new(all.into_iter()), None).collect();
    assert_eq!(items.len(), 2);
}

#[test]
fn a_limit_of_zero_is_no_limit() {
    let all: Vec<Result<Value, ReadError>> = vec![Ok(json!(1)), Ok(json!(2))];
    assert_eq!(limit(Box::new(all.into_iter()), Some(0)).count(), 2);
}

/// A body made on the fly, `row(i)` for each of `rows` rows after `head`, then `tail`; it
/// counts the bytes it has handed out, so a test can see how far ahead a reader reads.
struct Generated {
    head: Vec<u8>,
    row: fn(u64) -> String,
    rows: u64,
    next_row: u64,
    tail: Vec<u8>,
    pending: Vec<u8>,
    at: usize,
    handed_out: Arc<AtomicU64>,
}

impl Generated {
    fn new(head: &str, row: fn(u64) -> String, rows: u64, tail: &str) -> (Generated, Arc<AtomicU64>) {
        let handed_out = Arc::new(AtomicU64::new(0));
        let generated = Generated {
            head: head.as_bytes().to_vec(),
            row,
            rows,
            next_row: 0,
            tail: tail.as_bytes().to_vec(),
            pending: Vec::new(),
            at: 0,
            handed_out: handed_out.clone(),
        };
        (generated, handed_out)
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.at = 0;
            self.pending = if !self.head.is_empty() {
                std::mem::take(&mut self.head)
            } else if self.next_row < self.rows {
                self.next_row += 1;
                (self.row)(self.next_row - 1).into_bytes()
            } else {
                std::mem::take(&mut self.tail)
            };
        }
        let n = out.len().min(self.pending.len() - self.at);
        out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        self.handed_out.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[test]
fn a_million_csv_rows_stream_through() {
    const ROWS: u64 = 1_000_000;
    let (generated, handed_out) =
        Generated::new("id,name,note\n", |i| format!("{i},name-{i},\"a, \"\"quoted\"\" note\"\n"), ROWS, "");
    let mut items = open(&config(json!({"InputType": "CSV"})), Box::new(generated), no_opener()).unwrap();
    let first = items.next().unwrap().unwrap();
    assert_eq!(first, json!({"id": "0", "name": "name-0", "note": "a, \"quoted\" note"}));
    // Only the reader's buffer has been pulled, not the object.
    assert!(handed_out.load(Ordering::Relaxed) <= 128 * 1024, "{}", handed_out.load(Ordering::Relaxed));
    let mut count = 1;
    let mut last = first;
    for item in items {
        last = item.unwrap();
        count += 1;
    }
    assert_eq!(count, ROWS);
    assert_eq!(last["id"], json!((ROWS - 1).to_string()));
}

#[test]
fn a_large_json_array_streams_element_by_element() {
    const ELEMENTS: u64 = 200_000;
    let element = |i: u64| {
        let comma = if i == 0 { "" } else { "," };
        format!("{comma}\n  {{\"i\": {i}, \"s\": \"x]}},{{\\\"[\", \"n\": [1, {{\"d\": null}}]}}")
    };
    let (generated, handed_out) =
        Generated::new("{\"meta\": {\"skip\": [1, 2]}, \"data\": [", element, ELEMENTS, "], \"end\": true}");
    let c = config(json!({"InputType": "JSON", "ItemsPointer": "/data"}));
    let mut items = open(&c, Box::new(generated), no_opener()).unwrap();
    assert_eq!(items.next().unwrap().unwrap(), json!({"i": 0, "s": "x]},{\"[", "n": [1, {"d": null}]}));
    assert!(handed_out.load(Ordering::Relaxed) <= 128 * 1024);
    let mut count = 1;
    for item in items {
        let item = item.unwrap();
        assert_eq!(item["i"], json!(count));
        count += 1;
    }
    assert_eq!(count, ELEMENTS);
}

#[test]
fn a_large_json_array_stops_reading_at_max_items() {
    let (generated, handed_out) =
        Generated::new("[", |i| format!("{}{i}", if i == 0 { "" } else { "," }), 10_000_000, "]");
    let c = config(json!({"InputType": "JSON", "MaxItems": 3}));
    let items: Vec<Value> = open(&c, Box::new(generated), no_opener()).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(items, vec![json!(0), json!(1), json!(2)]);
    assert!(handed_out.load(Ordering::Relaxed) <= 128 * 1024);
}

#[test]
fn a_body_that_breaks_midway_ends_with_an_item_reader_failure() {
    struct Breaks(usize);
    impl Read for Breaks {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("connection reset"));
            }
            let text = b"1\n";
            let n = out.len().min(text.len());
            out[..n].copy_from_slice(&text[..n]);
            self.0 -= 1;
            Ok(n)
        }
    }
    let items: Vec<_> =
        open(&config(json!({"InputType": "JSONL"})), Box::new(Breaks(3)), no_opener()).unwrap().collect();
    let last = items.last().unwrap().clone().unwrap_err();
    assert_eq!(last.cause, "Failed to read the object: connection reset");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let configs = [
        json!({"InputType": "JSON"}),
        json!({"InputType": "JSON", "ItemsPointer": "/a/0"}),
        json!({"InputType": "JSONL"}),
        json!({"InputType": "CSV"}),
        json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "b"], "CSVDelimiter": "PIPE"}),
        json!({"InputType": "MANIFEST"}),
        json!({"InputType": "JSONL", "ManifestType": "ATHENA_DATA"}),
    ];
    let alphabet = b"[]{},:\"\\|/\r\n \t0123456789-.eEtruefalsnxa\x1f\x8b\xef\xbb\xbf\xff";
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for round in 0..3_000 {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let mut next = seed;
        let len = (next % 64) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                next = next.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                alphabet[((next >> 33) % alphabet.len() as u64) as usize]
            })
            .collect();
        let c = config(configs[round % configs.len()].clone());
        let opener: Opener = Box::new(|_: &str, _: &str| Ok(body("[1]\n{\"x\":2}")));
        if let Ok(items) = open(&c, Box::new(Cursor::new(bytes)), opener) {
            for item in items.take(100) {
                if let Err(err) = item {
                    assert_eq!(err.error, ITEM_READER_FAILED);
                }
            }
        }
    }
}

/// A Parquet file of `rows` rows `{id, name, amount}` (`name` null for every fifth), in row
/// groups of `group` rows, compressed with `compression`: written with the parquet crate's
/// column writers, as any Parquet producer writes one.
pub(crate) fn parquet_file(rows: i64, group: i64, compression: ::parquet::basic::Compression) -> Vec<u8> {
    use ::parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use ::parquet::file::properties::WriterProperties;
    use ::parquet::file::writer::SerializedFileWriter;

    let schema = "message orders { REQUIRED INT64 id; OPTIONAL BYTE_ARRAY name (UTF8); REQUIRED DOUBLE amount; }";
    let schema = Arc::new(::parquet::schema::parser::parse_message_type(schema).unwrap());
    let properties = Arc::new(WriterProperties::builder().set_compression(compression).build());
    let mut out = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut out, schema, properties).unwrap();
    let mut start = 0;
    while start < rows {
        let ids: Vec<i64> = (start..(start + group).min(rows)).collect();
        let mut row_group = writer.next_row_group().unwrap();
        let mut column = 0;
        while let Some(mut writer) = row_group.next_column().unwrap() {
            match column {
                0 => drop(writer.typed::<Int64Type>().write_batch(&ids, None, None).unwrap()),
                1 => {
                    let levels: Vec<i16> = ids.iter().map(|id| i16::from(id % 5 != 0)).collect();
                    let names: Vec<ByteArray> = ids
                        .iter()
                        .filter(|id| *id % 5 != 0)
                        .map(|id| ByteArray::from(format!("customer-{id}").as_str()))
                        .collect();
                    writer.typed::<ByteArrayType>().write_batch(&names, Some(&levels), None).unwrap();
                }
                _ => {
                    let amounts: Vec<f64> = ids.iter().map(|id| *id as f64 * 1.5).collect();
                    writer.typed::<DoubleType>().write_batch(&amounts, None, None).unwrap();
                }
            }
            writer.close().unwrap();
            column += 1;
        }
        row_group.close().unwrap();
        start += group;
    }
    writer.close().unwrap();
    out
}

fn parquet_body(bytes: Vec<u8>) -> Body {
    Box::new(Cursor::new(bytes))
}

#[test]
fn a_parquet_file_gives_each_row_as_an_object() {
    use ::parquet::basic::{Compression, GzipLevel, ZstdLevel};
    for compression in [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::LZ4_RAW,
        Compression::ZSTD(ZstdLevel::default()),
    ] {
        let bytes = parquet_file(12, 5, compression);
        let items: Vec<Value> = open(&config(json!({"InputType": "PARQUET"})), parquet_body(bytes), no_opener())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(items.len(), 12, "{compression:?}: every row of every row group");
        assert_eq!(items[0], json!({"id": 0, "name": null, "amount": 0.0}), "{compression:?}");
        assert_eq!(items[7], json!({"id": 7, "name": "customer-7", "amount": 10.5}), "{compression:?}");
        assert_eq!(items[11]["id"], json!(11));
    }
}

#[test]
fn max_items_stops_a_parquet_file_early() {
    let bytes = parquet_file(100, 10, ::parquet::basic::Compression::SNAPPY);
    let c = config(json!({"InputType": "PARQUET", "MaxItems": 3}));
    let items: Vec<Value> = open(&c, parquet_body(bytes), no_opener()).unwrap().collect::<Result<_, _>>().unwrap();
    let ids: Vec<&Value> = items.iter().map(|item| &item["id"]).collect();
    assert_eq!(ids, [&json!(0), &json!(1), &json!(2)]);
}

#[test]
fn an_object_that_is_not_parquet_fails_at_open() {
    for text in ["PAR1", "id,name\n1,a\n", ""] {
        let err = open(&config(json!({"InputType": "PARQUET"})), body(text), no_opener()).err().unwrap();
        assert_eq!(err.error, ITEM_READER_FAILED);
        assert!(
            err.cause.starts_with("The object is not a Parquet file that can be read: "),
            "{text:?}: {}",
            err.cause
        );
    }
    // A file cut short loses its footer: it cannot be read either.
    let mut bytes = parquet_file(10, 5, ::parquet::basic::Compression::SNAPPY);
    bytes.truncate(bytes.len() / 2);
    assert!(open(&config(json!({"InputType": "PARQUET"})), parquet_body(bytes), no_opener()).is_err());
}

#[test]
fn a_damaged_parquet_file_fails_without_a_panic() {
    let good = parquet_file(40, 8, ::parquet::basic::Compression::SNAPPY);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut failed = 0;
    for _ in 0..400 {
        let mut bytes = good.clone();
        for _ in 0..3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed % bytes.len() as u64) as usize;
            bytes[at] ^= (seed >> 32) as u8 | 1;
        }
        let read = std::panic::catch_unwind(|| {
            match open(&config(json!({"InputType": "PARQUET"})), parquet_body(bytes), no_opener()) {
                Ok(items) => items.collect::<Result<Vec<_>, _>>().is_err(),
                Err(_) => true,
            }
        });
        failed += usize::from(read.expect("a damaged file is an error, never a panic"));
    }
    assert!(failed > 0, "no damaged file was noticed");
}
