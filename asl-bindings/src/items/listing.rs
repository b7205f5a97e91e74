//! `arn:aws:states:::s3:listObjectsV2`: a listing's objects as items.
//!
//! With `Transformation: NONE` (the default) each listed object's metadata is an item,
//! shaped as AWS gives it to a child execution (checked on AWS by floci's
//! `feat(sfn): Map ItemReader with s3:listObjectsV2`, floci-io/floci#3460, and the
//! Developer Guide's example):
//!
//! ```json
//! {"Etag": "\"05704fbdccb224cb01c59005bebbad28\"", "Key": "processData/images/n02085620_1073.jpg",
//!  "LastModified": 1668699881, "Size": 34910, "StorageClass": "STANDARD"}
//! ```
//!
//! `Etag` (so cased) keeps S3's quotes; `LastModified` is a number, seconds since the Unix
//! epoch (AWS's serialiser writes it as a double, `1.789180622E9`: the same number).
//!
//! With `Transformation: LOAD_AND_FLATTEN` each listed object is read with the
//! `ReaderConfig` (its `InputType` is the objects' format) and the items of all of them,
//! in listing order, are the Map's items: see [`load_and_flatten`](super::load_and_flatten).

use serde_json::{Map, Number, Value};

use crate::s3::Listed;

/// `LastModified` as AWS gives it: seconds since the epoch, whole when S3's milliseconds
/// are zero (as they are in S3's listings), fractional otherwise. A timestamp that is not
/// RFC 3339 stays the string it was, rather than failing the listing.
fn epoch_seconds(last_modified: &str) -> Value {
    let Some(at) = asl_runtime::context::parse_timestamp(last_modified) else {
        return Value::String(last_modified.to_owned());
    };
    let nanos = at.unix_timestamp_nanos();
    if nanos % 1_000_000_000 == 0 {
        return Value::Number(at.unix_timestamp().into());
    }
    // Whole milliseconds are what S3 keeps; an f64 holds them exactly for any real date.
    let millis = nanos.div_euclid(1_000_000) as f64;
    Number::from_f64(millis / 1000.0).map_or_else(|| Value::String(last_modified.to_owned()), Value::Number)
}

/// The item a listed object becomes: `{"Etag", "Key", "LastModified", "Size", "StorageClass"}`.
pub fn listed_item(listed: &Listed) -> Value {
    let mut item = Map::with_capacity(5);
    item.insert("Etag".to_owned(), Value::String(listed.etag.clone()));
    item.insert("Key".to_owned(), Value::String(listed.key.clone()));
    item.insert("LastModified".to_owned(), epoch_seconds(&listed.last_modified));
    item.insert("Size".to_owned(), Value::Number(listed.size.into()));
    item.insert("StorageClass".to_owned(), Value::String(listed.storage_class.clone()));
    Value::Object(item)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;

    fn listed(last_modified: &str) -> Listed {
        Listed {
            key: "input/0001.txt".into(),
            etag: "\"401b30e3b8b5d629635a5c613cdb7919\"".into(),
            last_modified: last_modified.into(),
            size: 2,
            storage_class: "STANDARD".into(),
        }
    }

    #[test]
    fn has_aws_fields_in_aws_order() {
        let item = listed_item(&listed("2026-09-12T02:37:02.000Z"));
        assert_eq!(
            item,
            json!({
                "Etag": "\"401b30e3b8b5d629635a5c613cdb7919\"",
                "Key": "input/0001.txt",
                "LastModified": 1789180622,
                "Size": 2,
                "StorageClass": "STANDARD"
            })
        );
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Etag", "Key", "LastModified", "Size", "StorageClass"]);
        assert_eq!(
            item.to_string(),
            r#"{"Etag":"\"401b30e3b8b5d629635a5c613cdb7919\"","Key":"input/0001.txt","LastModified":1789180622,"Size":2,"StorageClass":"STANDARD"}"#
        );
    }

    #[test]
    fn last_modified_keeps_milliseconds_and_offsets() {
        assert_eq!(listed_item(&listed("2026-09-12T02:37:02.250Z"))["LastModified"], json!(1789180622.25));
        assert_eq!(listed_item(&listed("2026-09-12T04:37:02+02:00"))["LastModified"], json!(1789180622));
        assert_eq!(listed_item(&listed("1969-12-31T23:59:59.500Z"))["LastModified"], json!(-0.5));
    }

    #[test]
    fn an_unreadable_timestamp_stays_a_string() {
        assert_eq!(listed_item(&listed("yesterday"))["LastModified"], json!("yesterday"));
    }
}
