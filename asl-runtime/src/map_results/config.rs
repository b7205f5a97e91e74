//! A `ResultWriter`'s `WriterConfig`: how child results are shaped
//! ([`Transformation`]) and how an exported file holds them ([`OutputType`]).

use std::fmt;

use serde_json::Value;

/// `WriterConfig.Transformation`: what each child contributes to the results.
///
/// A child that did not succeed always contributes its whole record, as with `NONE`: "If a
/// child workflow execution fails, Step Functions returns its execution result unchanged"
/// (Developer Guide, "ResultWriter (Map)").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Transformation {
    /// `NONE`: the child's whole execution record (ARN, name, input and output as JSON
    /// text, dates, status…). The default when the results are exported without a
    /// `WriterConfig`.
    None,
    /// `COMPACT`: the child's output alone. The default without a `ResultWriter`.
    #[default]
    Compact,
    /// `FLATTEN`: the child's output, except that an output that is an array contributes
    /// its elements instead (one level: arrays inside it stay arrays). With an
    /// `ItemBatcher`, where each child returns an array for its batch, this gives one flat
    /// array of per-item results.
    Flatten,
}

impl Transformation {
    /// The values in the order the Developer Guide lists them.
    pub const ALL: [Transformation; 3] = [Transformation::None, Transformation::Compact, Transformation::Flatten];

    /// The name in the definition: `NONE`, `COMPACT`, `FLATTEN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transformation::None => "NONE",
            Transformation::Compact => "COMPACT",
            Transformation::Flatten => "FLATTEN",
        }
    }
}

/// `WriterConfig.OutputType`: how an exported result file holds its entries. It does not
/// change a result returned as the Map state's output, which is always a JSON array.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OutputType {
    /// `JSON`: one JSON array per file (`SUCCEEDED_0.json`).
    #[default]
    Json,
    /// `JSONL`: JSON Lines, one entry per line, each ended by `\n` (`SUCCEEDED_0.jsonl`).
    Jsonl,
}

impl OutputType {
    /// The values in the order the Developer Guide lists them.
    pub const ALL: [OutputType; 2] = [OutputType::Json, OutputType::Jsonl];

    /// The name in the definition: `JSON`, `JSONL`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputType::Json => "JSON",
            OutputType::Jsonl => "JSONL",
        }
    }

    /// The extension of the result files: `json` or `jsonl`.
    pub fn extension(self) -> &'static str {
        match self {
            OutputType::Json => "json",
            OutputType::Jsonl => "jsonl",
        }
    }
}

/// A `ResultWriter`'s `WriterConfig`, as given in the definition.
///
/// Either field may be left out: a missing `Transformation` means the default of where the
/// results go ([`transformation_inline`](Self::transformation_inline),
/// [`transformation_exported`](Self::transformation_exported)), a missing `OutputType`
/// means `JSON`. (AWS's examples always give both; whether AWS accepts one alone is not
/// recorded.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct WriterConfig {
    /// `Transformation`, when given.
    pub transformation: Option<Transformation>,
    /// `OutputType`, when given.
    pub output_type: Option<OutputType>,
}

impl WriterConfig {
    /// A config giving both fields.
    pub fn new(transformation: Transformation, output_type: OutputType) -> Self {
        WriterConfig { transformation: Some(transformation), output_type: Some(output_type) }
    }

    /// Reads a `WriterConfig` object of a definition.
    ///
    /// # Errors
    ///
    /// The value is not an object, has a field other than `Transformation` and
    /// `OutputType`, or one of those is not one of its values (for which AWS rejects the
    /// definition with `SCHEMA_VALIDATION_FAILED`). The error gives the first problem found.
    pub fn from_value(value: &Value) -> Result<Self, WriterConfigError> {
        let Some(fields) = value.as_object() else {
            return Err(WriterConfigError::new("", "The value for the field 'WriterConfig' must be an OBJECT"));
        };
        let mut config = WriterConfig::default();
        for (key, value) in fields {
            match key.as_str() {
                "Transformation" => {
                    config.transformation = Some(one_of(key, value, Transformation::ALL, |t| t.as_str())?)
                }
                "OutputType" => config.output_type = Some(one_of(key, value, OutputType::ALL, |t| t.as_str())?),
                other => return Err(WriterConfigError::new(other, format!("Field '{other}' is not supported"))),
            }
        }
        Ok(config)
    }

    /// The transformation of a result returned as the Map state's output: the one given,
    /// else `COMPACT`.
    pub fn transformation_inline(config: Option<&WriterConfig>) -> Transformation {
        config.and_then(|c| c.transformation).unwrap_or(Transformation::Compact)
    }

    /// The transformation of exported results: the one given, else `NONE` ("Default when
    /// exporting the child workflow execution results to Amazon S3 and `WriterConfig` is
    /// not specified").
    pub fn transformation_exported(config: Option<&WriterConfig>) -> Transformation {
        config.and_then(|c| c.transformation).unwrap_or(Transformation::None)
    }

    /// The output type of exported results: the one given, else `JSON`.
    pub fn output_type(config: Option<&WriterConfig>) -> OutputType {
        config.and_then(|c| c.output_type).unwrap_or_default()
    }
}

/// The value of `key` when it is the name of one of `values`.
fn one_of<T: Copy>(
    key: &str,
    value: &Value,
    values: impl IntoIterator<Item = T> + Clone,
    name: fn(T) -> &'static str,
) -> Result<T, WriterConfigError> {
    let found = value.as_str().and_then(|text| values.clone().into_iter().find(|v| name(*v) == text));
    found.ok_or_else(|| {
        let names: Vec<_> = values.into_iter().map(name).collect();
        WriterConfigError::new(
            key,
            format!("The field '{key}' should have one of these values: [{}]", names.join(", ")),
        )
    })
}

/// Why a `WriterConfig` was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterConfigError {
    /// Where, as a JSON Pointer relative to the `WriterConfig` object (`""` for the object
    /// itself, `/Transformation` for a field).
    pub pointer: String,
    /// What is wrong, in the form of AWS's `SCHEMA_VALIDATION_FAILED` messages (`Field 'X'
    /// is not supported`, `The field 'X' should have one of these values: [...]`).
    pub message: String,
}

impl WriterConfigError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        let pointer =
            if field.is_empty() { String::new() } else { format!("/{}", field.replace('~', "~0").replace('/', "~1")) };
        WriterConfigError { pointer, message: message.into() }
    }
}

impl fmt::Display for WriterConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WriterConfigError {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{OutputType, Transformation, WriterConfig};

    #[test]
    fn the_guides_configs_are_read() {
        let config = WriterConfig::from_value(&json!({"Transformation": "FLATTEN", "OutputType": "JSON"}));
        assert_eq!(config, Ok(WriterConfig::new(Transformation::Flatten, OutputType::Json)));
        let config = WriterConfig::from_value(&json!({"OutputType": "JSONL", "Transformation": "NONE"}));
        assert_eq!(config, Ok(WriterConfig::new(Transformation::None, OutputType::Jsonl)));
    }

    #[test]
    fn defaults_depend_on_where_the_results_go() {
        let only_type = WriterConfig::from_value(&json!({"OutputType": "JSONL"})).ok();
        assert_eq!(WriterConfig::transformation_inline(only_type.as_ref()), Transformation::Compact);
        assert_eq!(WriterConfig::transformation_exported(only_type.as_ref()), Transformation::None);
        assert_eq!(WriterConfig::transformation_inline(None), Transformation::Compact);
        assert_eq!(WriterConfig::transformation_exported(None), Transformation::None);
        assert_eq!(WriterConfig::output_type(None), OutputType::Json);
        assert_eq!(WriterConfig::output_type(only_type.as_ref()), OutputType::Jsonl);
        let flatten = WriterConfig::new(Transformation::Flatten, OutputType::Json);
        assert_eq!(WriterConfig::transformation_exported(Some(&flatten)), Transformation::Flatten);
    }

    #[test]
    fn bad_configs_are_refused_with_awss_wording() {
        let refused = |value| WriterConfig::from_value(&value).map_err(|e| (e.pointer.clone(), e.to_string()));
        assert_eq!(
            refused(json!({"Transformation": "FLAT"})),
            Err((
                "/Transformation".into(),
                "The field 'Transformation' should have one of these values: [NONE, COMPACT, FLATTEN]".into()
            ))
        );
        assert_eq!(
            refused(json!({"OutputType": 1})),
            Err(("/OutputType".into(), "The field 'OutputType' should have one of these values: [JSON, JSONL]".into()))
        );
        // Values are case-sensitive.
        assert!(refused(json!({"OutputType": "json"})).is_err());
        assert_eq!(
            refused(json!({"Transformation": "NONE", "Format/x": "CSV"})),
            Err(("/Format~1x".into(), "Field 'Format/x' is not supported".into()))
        );
        assert_eq!(
            refused(json!("JSON")),
            Err(("".into(), "The value for the field 'WriterConfig' must be an OBJECT".into()))
        );
        assert_eq!(refused(json!({})), Ok(WriterConfig::default()));
    }
}
