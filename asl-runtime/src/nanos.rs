//! Serde for instants as integer nanoseconds since the Unix epoch: exact, unlike the
//! context object's millisecond text, so a resumed deadline is the same deadline.

use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
use time::OffsetDateTime;

pub(crate) fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i128(at.unix_timestamp_nanos())
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
    let nanos = i128::deserialize(deserializer)?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(D::Error::custom)
}

/// The same for `Option<OffsetDateTime>`.
pub(crate) mod option {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(at: &Option<OffsetDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serializer.serialize_some(&at.unix_timestamp_nanos()),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<OffsetDateTime>, D::Error> {
        Option::<i128>::deserialize(deserializer)?
            .map(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(D::Error::custom))
            .transpose()
    }
}
