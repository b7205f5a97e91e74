//! `ItemReader.ReaderConfig`: what the dataset is and how to read it.
//!
//! Fields, as the ItemReader (Map) page of the Developer Guide lists them:
//! `InputType` (`CSV`, `JSON`, `JSONL`, `PARQUET`, `MANIFEST`), `CSVHeaderLocation`
//! (`FIRST_ROW`, the default, or `GIVEN` with `CSVHeaders`), `CSVDelimiter` (`COMMA`, the
//! default, `PIPE`, `SEMICOLON`, `SPACE`, `TAB`), `MaxItems`/`MaxItemsPath`, `ItemsPointer`
//! (JSON only), `ManifestType` (`S3_INVENTORY`, `ATHENA_DATA`) and `Transformation`
//! (`NONE`, the default, or `LOAD_AND_FLATTEN`, for `s3:listObjectsV2`).
//!
//! `MaxItemsPath` and JSONata `MaxItems` are evaluated by the caller, who passes the value
//! to [`resolve_max_items`] and sets [`ReaderConfig::max_items`].

use serde_json::Value;

use super::error::{MAX_ITEMS_NEGATIVE, ReadError};

/// The largest `MaxItems` AWS honours ("you can specify a limit of up to 100,000,000");
/// larger values read as this, as LocalStack's AWS-recorded behaviour clips them.
pub const MAX_ITEMS_LIMIT: u64 = 100_000_000;

/// `ReaderConfig.InputType`: the dataset's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputType {
    /// Text delimited values.
    Csv,
    /// A JSON document whose array (or object) holds the items.
    Json,
    /// JSON Lines: one value per line.
    Jsonl,
    /// Apache Parquet (not read by asl-rs yet).
    Parquet,
    /// An Amazon S3 Inventory manifest (`manifest.json`).
    Manifest,
}

/// `ReaderConfig.CSVHeaderLocation`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HeaderLocation {
    /// The first record holds the headers.
    #[default]
    FirstRow,
    /// `CSVHeaders` holds them; every record is data.
    Given,
}

/// `ReaderConfig.CSVDelimiter`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// `,`
    #[default]
    Comma,
    /// `|`
    Pipe,
    /// `;`
    Semicolon,
    /// ` `
    Space,
    /// `\t`
    Tab,
}

impl Delimiter {
    /// The byte that separates fields.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Pipe => b'|',
            Delimiter::Semicolon => b';',
            Delimiter::Space => b' ',
            Delimiter::Tab => b'\t',
        }
    }
}

/// `ReaderConfig.ManifestType`: which kind of manifest lists the data files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestType {
    /// An Amazon S3 Inventory `manifest.json` (the same as `InputType: MANIFEST`).
    S3Inventory,
    /// An Athena `UNLOAD` manifest: one `s3://` URI per line; `InputType` is the data
    /// files' format (`CSV`, `JSONL` or `PARQUET`).
    AthenaData,
}

/// `ReaderConfig.Transformation` (`s3:listObjectsV2` only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transformation {
    /// Each listed object's metadata is an item (see [`listed_item`](super::listed_item)).
    #[default]
    None,
    /// Each listed object is read with this configuration and its items are the Map's.
    LoadAndFlatten,
}

/// A parsed `ReaderConfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaderConfig {
    /// `InputType`; absent for a plain `s3:listObjectsV2` listing.
    pub input_type: Option<InputType>,
    /// `CSVHeaderLocation`.
    pub csv_header_location: HeaderLocation,
    /// `CSVHeaders` (with `GIVEN`).
    pub csv_headers: Option<Vec<String>>,
    /// `CSVDelimiter`.
    pub csv_delimiter: Delimiter,
    /// `MaxItems`, resolved: `None` reads every item.
    pub max_items: Option<u64>,
    /// `ItemsPointer` (JSON only): a JSON Pointer to the node to map over.
    pub items_pointer: Option<String>,
    /// `ManifestType`.
    pub manifest_type: Option<ManifestType>,
    /// `Transformation`.
    pub transformation: Transformation,
}

/// A wrong `ReaderConfig` field. The definition's validation normally catches these
/// before an execution starts; the wording is asl-rs's.
fn invalid(field: &str, what: &str) -> ReadError {
    ReadError::failed(format!("ReaderConfig.{field} {what}"))
}

/// The string value of `field`, if present.
fn string_field<'a>(config: &'a serde_json::Map<String, Value>, field: &str) -> Result<Option<&'a str>, ReadError> {
    match config.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

/// Reads an enumerated field: the variant whose name `value` is.
fn enum_field<T: Copy>(
    config: &serde_json::Map<String, Value>,
    field: &str,
    variants: &[(&str, T)],
) -> Result<Option<T>, ReadError> {
    let Some(value) = string_field(config, field)? else { return Ok(None) };
    match variants.iter().find(|(name, _)| *name == value) {
        Some(&(_, variant)) => Ok(Some(variant)),
        None => {
            let names: Vec<&str> = variants.iter().map(|(name, _)| *name).collect();
            Err(invalid(field, &format!("must be one of {}, not '{value}'", names.join(", "))))
        }
    }
}

/// The limit a resolved `MaxItems` (or the value `MaxItemsPath` selects) sets: `None`
/// when every item is read.
///
/// As AWS does (recorded in LocalStack's snapshots): `0` means no limit, values above
/// [`MAX_ITEMS_LIMIT`] read as it, a negative value fails with
/// `field MaxItems must be positive`, and a value that is not an integer fails with
/// `The MaxItemsPath field refers to value '…' which is not a valid integer: <path>`
/// (`path` is the `MaxItemsPath`, or `None` for a literal `MaxItems`).
pub fn resolve_max_items(value: &Value, path: Option<&str>) -> Result<Option<u64>, ReadError> {
    if let Some(n) = value.as_u64() {
        return Ok(match n {
            0 => None,
            n => Some(n.min(MAX_ITEMS_LIMIT)),
        });
    }
    if value.as_i64().is_some() || value.as_f64().is_some_and(|f| f < 0.0) {
        return Err(ReadError::failed(MAX_ITEMS_NEGATIVE));
    }
    let shown = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Err(ReadError::failed(match path {
        Some(path) => format!("The MaxItemsPath field refers to value '{shown}' which is not a valid integer: {path}"),
        None => format!("ReaderConfig.MaxItems must be an integer, not '{shown}'"),
    }))
}

impl ReaderConfig {
    /// Parses a `ReaderConfig` object. A `MaxItems` here must already be a number;
    /// `MaxItemsPath` is left to the caller.
    pub fn from_json(value: &Value) -> Result<ReaderConfig, ReadError> {
        let Value::Object(config) = value else {
            return Err(ReadError::failed("ReaderConfig must be an object"));
        };
        let input_type = enum_field(
            config,
            "InputType",
            &[
                ("CSV", InputType::Csv),
                ("JSON", InputType::Json),
                ("JSONL", InputType::Jsonl),
                ("PARQUET", InputType::Parquet),
                ("MANIFEST", InputType::Manifest),
            ],
        )?;
        let csv_header_location = enum_field(
            config,
            "CSVHeaderLocation",
            &[("FIRST_ROW", HeaderLocation::FirstRow), ("GIVEN", HeaderLocation::Given)],
        )?
        .unwrap_or_default();
        let csv_headers = match config.get("CSVHeaders") {
            None => None,
            Some(Value::Array(headers)) => Some(
                headers
                    .iter()
                    .map(|h| h.as_str().map(str::to_owned).ok_or_else(|| invalid("CSVHeaders", "must hold strings")))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => return Err(invalid("CSVHeaders", "must be an array of strings")),
        };
        if csv_header_location == HeaderLocation::Given && csv_headers.is_none() {
            return Err(invalid("CSVHeaders", "is required when CSVHeaderLocation is GIVEN"));
        }
        let csv_delimiter = enum_field(
            config,
            "CSVDelimiter",
            &[
                ("COMMA", Delimiter::Comma),
                ("PIPE", Delimiter::Pipe),
                ("SEMICOLON", Delimiter::Semicolon),
                ("SPACE", Delimiter::Space),
                ("TAB", Delimiter::Tab),
            ],
        )?
        .unwrap_or_default();
        let max_items = match config.get("MaxItems") {
            None => None,
            Some(value) => resolve_max_items(value, None)?,
        };
        let items_pointer = string_field(config, "ItemsPointer")?.map(str::to_owned);
        let manifest_type = enum_field(
            config,
            "ManifestType",
            &[("S3_INVENTORY", ManifestType::S3Inventory), ("ATHENA_DATA", ManifestType::AthenaData)],
        )?;
        let transformation = enum_field(
            config,
            "Transformation",
            &[("NONE", Transformation::None), ("LOAD_AND_FLATTEN", Transformation::LoadAndFlatten)],
        )?
        .unwrap_or_default();
        Ok(ReaderConfig {
            input_type,
            csv_header_location,
            csv_headers,
            csv_delimiter,
            max_items,
            items_pointer,
            manifest_type,
            transformation,
        })
    }

    /// The same configuration with `MaxItems` resolved to `max_items` (`None`: no limit).
    pub fn with_max_items(mut self, max_items: Option<u64>) -> ReaderConfig {
        self.max_items = max_items;
        self
    }

    /// The headers `CSVHeaders` gives, when `CSVHeaderLocation` is `GIVEN`.
    pub(crate) fn given_headers(&self) -> Option<&[String]> {
        match self.csv_header_location {
            HeaderLocation::Given => self.csv_headers.as_deref(),
            HeaderLocation::FirstRow => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_every_field() {
        let config = ReaderConfig::from_json(&json!({
            "InputType": "CSV",
            "CSVHeaderLocation": "GIVEN",
            "CSVHeaders": ["a", "b"],
            "CSVDelimiter": "SEMICOLON",
            "MaxItems": 5,
            "ItemsPointer": "/x",
            "ManifestType": "ATHENA_DATA",
            "Transformation": "LOAD_AND_FLATTEN"
        }))
        .unwrap();
        assert_eq!(
            config,
            ReaderConfig {
                input_type: Some(InputType::Csv),
                csv_header_location: HeaderLocation::Given,
                csv_headers: Some(vec!["a".into(), "b".into()]),
                csv_delimiter: Delimiter::Semicolon,
                max_items: Some(5),
                items_pointer: Some("/x".into()),
                manifest_type: Some(ManifestType::AthenaData),
                transformation: Transformation::LoadAndFlatten,
            }
        );
        assert_eq!(config.given_headers().unwrap().len(), 2);
    }

    #[test]
    fn defaults_are_first_row_comma_no_limit_none() {
        let config = ReaderConfig::from_json(&json!({"InputType": "JSON"})).unwrap();
        assert_eq!(config.csv_header_location, HeaderLocation::FirstRow);
        assert_eq!(config.csv_delimiter, Delimiter::Comma);
        assert_eq!(config.max_items, None);
        assert_eq!(config.transformation, Transformation::None);
        assert_eq!(config.given_headers(), None);
        assert_eq!(ReaderConfig::from_json(&json!({})).unwrap().input_type, None);
    }

    #[test]
    fn delimiters_are_their_bytes() {
        let bytes: Vec<u8> =
            [Delimiter::Comma, Delimiter::Pipe, Delimiter::Semicolon, Delimiter::Space, Delimiter::Tab]
                .map(Delimiter::byte)
                .to_vec();
        assert_eq!(bytes, b",|; \t");
    }

    #[test]
    fn wrong_fields_are_errors() {
        for (config, cause) in [
            (json!([]), "ReaderConfig must be an object"),
            (
                json!({"InputType": "XML"}),
                "ReaderConfig.InputType must be one of CSV, JSON, JSONL, PARQUET, MANIFEST, not 'XML'",
            ),
            (json!({"InputType": 1}), "ReaderConfig.InputType must be a string"),
            (
                json!({"CSVHeaderLocation": "GIVEN"}),
                "ReaderConfig.CSVHeaders is required when CSVHeaderLocation is GIVEN",
            ),
            (json!({"CSVHeaders": "a"}), "ReaderConfig.CSVHeaders must be an array of strings"),
            (json!({"CSVHeaders": [1]}), "ReaderConfig.CSVHeaders must hold strings"),
            (
                json!({"CSVDelimiter": "COLON"}),
                "ReaderConfig.CSVDelimiter must be one of COMMA, PIPE, SEMICOLON, SPACE, TAB, not 'COLON'",
            ),
            (json!({"MaxItems": -1}), "field MaxItems must be positive"),
            (json!({"MaxItems": "{% 3 %}"}), "ReaderConfig.MaxItems must be an integer, not '{% 3 %}'"),
        ] {
            let err = ReaderConfig::from_json(&config).unwrap_err();
            assert_eq!((err.error.as_str(), err.cause.as_str()), ("States.ItemReaderFailed", cause));
        }
    }

    #[test]
    fn max_items_zero_is_no_limit_and_large_values_are_clipped() {
        assert_eq!(resolve_max_items(&json!(0), None).unwrap(), None);
        assert_eq!(resolve_max_items(&json!(7), None).unwrap(), Some(7));
        assert_eq!(resolve_max_items(&json!(100_000_001u64), None).unwrap(), Some(MAX_ITEMS_LIMIT));
        assert_eq!(resolve_max_items(&json!(-3), Some("$.n")).unwrap_err().cause, "field MaxItems must be positive");
        assert_eq!(resolve_max_items(&json!(-1.5), Some("$.n")).unwrap_err().cause, "field MaxItems must be positive");
        assert_eq!(
            resolve_max_items(&json!("x"), Some("$.limit")).unwrap_err().cause,
            "The MaxItemsPath field refers to value 'x' which is not a valid integer: $.limit"
        );
        assert_eq!(
            resolve_max_items(&json!(2.5), Some("$.limit")).unwrap_err().cause,
            "The MaxItemsPath field refers to value '2.5' which is not a valid integer: $.limit"
        );
        let config = ReaderConfig::default().with_max_items(Some(3));
        assert_eq!(config.max_items, Some(3));
    }
}
