//! What a listing says of a file: its size, `LastModified` from its modification time in
//! S3's format, and its ETag, S3's for an object uploaded in one part: the hex MD5 of its
//! bytes, in quotes.
//!
//! Hashing reads the whole file, so the ETags are kept by file, with the modification time
//! and size they were computed for: a listing that is paged through, or listed again, reads
//! each unchanged file once.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};

use crate::s3::Listed;

/// At most this many ETags are kept; past it the cache starts again (each costs a path and a
/// short string, so this bounds it to a few tens of MB).
const CACHE_LIMIT: usize = 100_000;

/// An ETag, and the file state it was computed for.
#[derive(Clone, Debug)]
struct Cached {
    modified: SystemTime,
    size: u64,
    etag: String,
}

/// The ETags of files, by path.
#[derive(Debug, Default)]
pub(super) struct Etags {
    known: Mutex<HashMap<PathBuf, Cached>>,
}

impl Etags {
    /// The listing entry of the file at `path`, whose key is `key`; `None` when it is no
    /// longer there (it went between the walk and now).
    ///
    /// # Errors
    ///
    /// The file is there but cannot be read.
    pub(super) fn listed(&self, key: &str, path: &Path) -> io::Result<Option<Listed>> {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let modified = metadata.modified()?;
        let size = metadata.len();
        let etag = self.etag(path, modified, size)?;
        Ok(Some(Listed {
            key: key.to_owned(),
            etag,
            last_modified: s3_timestamp(modified),
            size,
            storage_class: "STANDARD".to_owned(),
        }))
    }

    /// The ETag of the file at `path`, last modified at `modified` with `size` bytes.
    fn etag(&self, path: &Path, modified: SystemTime, size: u64) -> io::Result<String> {
        let cached = self.known.lock().unwrap_or_else(PoisonError::into_inner).get(path).cloned();
        if let Some(cached) = cached.filter(|c| c.modified == modified && c.size == size) {
            return Ok(cached.etag);
        }
        // Hashed without the lock: other listings go on meanwhile.
        let etag = format!("\"{}\"", md5_hex(path)?);
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= CACHE_LIMIT {
            known.clear();
        }
        known.insert(path.to_path_buf(), Cached { modified, size, etag: etag.clone() });
        Ok(etag)
    }
}

/// The MD5 of a file's bytes, in lowercase hex.
fn md5_hex(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Md5::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// `time` as S3's XML writes it: UTC with milliseconds, `2024-01-01T00:00:00.000Z`.
pub(super) fn s3_timestamp(time: SystemTime) -> String {
    // Milliseconds since the epoch, negative before it.
    let millis: i128 = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_millis()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_millis()).unwrap_or(i128::MAX),
    };
    let days = millis.div_euclid(86_400_000);
    let of_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second, milli) = (of_day / 3_600_000, of_day / 60_000 % 60, of_day / 1000 % 60, of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i128) -> (i128, i128, i128) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::{Etags, s3_timestamp};

    #[test]
    fn timestamps_are_s3s() {
        assert_eq!(s3_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(s3_timestamp(UNIX_EPOCH + Duration::from_millis(1_704_067_200_000)), "2024-01-01T00:00:00.000Z");
        // 2024-02-29T23:59:59.999Z: a leap day, the last millisecond.
        assert_eq!(s3_timestamp(UNIX_EPOCH + Duration::from_millis(1_709_251_199_999)), "2024-02-29T23:59:59.999Z");
        assert_eq!(s3_timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00.000Z");
        assert_eq!(s3_timestamp(UNIX_EPOCH - Duration::from_millis(1)), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn etags_are_quoted_md5s_recomputed_when_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "").unwrap();
        let etags = Etags::default();
        let empty = etags.listed("f", &path).unwrap().unwrap();
        assert_eq!(empty.etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
        assert_eq!((empty.size, empty.storage_class.as_str()), (0, "STANDARD"));
        std::fs::write(&path, "The quick brown fox jumps over the lazy dog").unwrap();
        let written = etags.listed("f", &path).unwrap().unwrap();
        assert_eq!(written.etag, "\"9e107d9d372bb6826bd81d3542a419d6\"");
        assert_eq!(written.size, 43);
        assert!(etags.listed("gone", &dir.path().join("gone")).unwrap().is_none());
    }
}
