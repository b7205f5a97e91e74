//! The service model file as botocore writes it, read with serde. This is only the first step
//! of parsing: `shape.rs` turns it into the compact, index-based types the checks use.
//!
//! Names borrow from the embedded text (`&'a str`): shape, member, error and enum names never
//! contain JSON escapes, and if a future model had one, parsing would fail in the test that
//! loads the model rather than at run time.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// The whole file; `metadata`, `version` and the rest are not needed.
#[derive(Deserialize)]
pub(super) struct RawModel<'a> {
    #[serde(borrow)]
    pub operations: Ordered<'a, RawOperation<'a>>,
    #[serde(borrow)]
    pub shapes: Ordered<'a, RawShape<'a>>,
}

/// One entry of `operations`.
#[derive(Deserialize)]
pub(super) struct RawOperation<'a> {
    #[serde(borrow)]
    pub input: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub output: Option<RawRef<'a>>,
    #[serde(default, borrow)]
    pub errors: Vec<RawRef<'a>>,
}

/// A reference to a shape: `{"shape": "Arn"}`. Members carry more keys (`box`,
/// `idempotencyToken`) that say nothing about what the wire accepts, so serde skips them.
#[derive(Deserialize)]
pub(super) struct RawRef<'a> {
    #[serde(borrow)]
    pub shape: &'a str,
}

/// One entry of `shapes`. Which keys are present depends on `type`.
#[derive(Deserialize)]
pub(super) struct RawShape<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: &'a str,
    #[serde(default, borrow)]
    pub members: Ordered<'a, RawRef<'a>>,
    #[serde(default, borrow)]
    pub required: Vec<&'a str>,
    #[serde(borrow)]
    pub member: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub key: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub value: Option<RawRef<'a>>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Owned: patterns are full of backslashes, which JSON escapes.
    pub pattern: Option<String>,
    #[serde(rename = "enum", default, borrow)]
    pub values: Vec<&'a str>,
    #[serde(default)]
    pub sensitive: bool,
}

/// A JSON object read as a list of entries in file order. `HashMap` would lose the order, and
/// the order of members is the order in which validation errors are listed.
pub(super) struct Ordered<'a, T>(pub Vec<(&'a str, T)>);

impl<T> Default for Ordered<'_, T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for Ordered<'a, T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<'a, T>(PhantomData<(&'a (), T)>);

        impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for Entries<'a, T> {
            type Value = Ordered<'a, T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((key, value)) = map.next_entry::<&'de str, T>()? {
                    entries.push((key, value));
                }
                Ok(Ordered(entries))
            }
        }

        deserializer.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_order() {
        let ordered: Ordered<'_, RawRef<'_>> =
            serde_json::from_str(r#"{"b": {"shape": "B"}, "a": {"shape": "A", "box": true}}"#).unwrap();
        let names: Vec<_> = ordered.0.iter().map(|(name, target)| (*name, target.shape)).collect();
        assert_eq!(names, [("b", "B"), ("a", "A")]);
    }

    #[test]
    fn escaped_names_are_refused_not_mangled() {
        let result = serde_json::from_str::<Ordered<'_, RawRef<'_>>>(r#"{"a\"b": {"shape": "A"}}"#);
        assert!(result.is_err());
    }
}
