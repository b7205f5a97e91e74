//! From an S3 key to the file that holds it in a folder: the key's `/`-separated segments,
//! each a name in the folder's tree. A key that would lead out of the folder is refused,
//! whatever the file system would make of it.

use std::path::{Path, PathBuf};

/// The prefix of the temporary files a write makes before renaming them into place.
/// Listings leave such files out (their suffix is [`TEMP_SUFFIX`]).
pub(super) const TEMP_PREFIX: &str = ".asl-put-";

/// The suffix of those temporary files.
pub(super) const TEMP_SUFFIX: &str = ".tmp";

/// Why a key names no file in a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// It would lead out of the folder: absolute, or with a `..` segment.
    Escapes,
    /// No file can have it: what is wrong with it.
    Unrepresentable(&'static str),
}

/// The path, relative to the folder, of the file that holds `key`.
///
/// # Errors
///
/// Why no file in the folder can hold it.
pub(super) fn relative_path(key: &str) -> Result<PathBuf, Refusal> {
    if key.is_empty() {
        return Err(Refusal::Unrepresentable("the key is empty"));
    }
    if key.starts_with('/') || Path::new(key).has_root() || looks_like_a_drive(key) {
        return Err(Refusal::Escapes);
    }
    let mut path = PathBuf::new();
    for segment in key.split('/') {
        match segment {
            ".." => return Err(Refusal::Escapes),
            "." => return Err(Refusal::Unrepresentable("a `.` segment names the folder that holds it")),
            "" => {
                return Err(Refusal::Unrepresentable(
                    "an empty segment (`//`, or a key ending in `/`) cannot be a file's or a folder's name",
                ));
            }
            _ if segment.contains('\0') => return Err(Refusal::Unrepresentable("a file name cannot contain NUL")),
            // Windows reads these as separators too: a segment could hide a `..`.
            _ if cfg!(windows) && segment.contains(['\\', ':']) => return Err(Refusal::Escapes),
            _ => path.push(segment),
        }
    }
    Ok(path)
}

/// Whether a key starts like a Windows drive or share (`C:`, `\\`), which `Path::join`
/// there would take for an absolute path.
fn looks_like_a_drive(key: &str) -> bool {
    cfg!(windows) && (key.starts_with('\\') || key.as_bytes().get(1) == Some(&b':'))
}

/// Whether a file name is one of the temporary files of a write in progress.
pub(super) fn is_temporary(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::path::PathBuf;

    use super::{Refusal, is_temporary, relative_path};

    #[test]
    fn keys_become_paths_segment_by_segment() {
        assert_eq!(relative_path("a.json").unwrap(), PathBuf::from("a.json"));
        assert_eq!(relative_path("in/2024/a b.csv").unwrap(), PathBuf::from("in").join("2024").join("a b.csv"));
        assert_eq!(relative_path("dots..in..names").unwrap(), PathBuf::from("dots..in..names"));
        assert_eq!(relative_path(".hidden/.x").unwrap(), PathBuf::from(".hidden").join(".x"));
    }

    #[test]
    fn keys_that_leave_the_folder_are_refused() {
        for key in ["..", "../x", "a/../../x", "a/..", "/etc/passwd", "//x"] {
            assert_eq!(relative_path(key), Err(Refusal::Escapes), "{key}");
        }
    }

    #[test]
    fn keys_no_file_can_have_are_refused() {
        for key in ["", "a//b", "dir/", ".", "a/./b", "nul\0byte"] {
            assert!(matches!(relative_path(key), Err(Refusal::Unrepresentable(_))), "{key:?}");
        }
    }

    #[test]
    fn temporary_files_are_recognised() {
        assert!(is_temporary(".asl-put-12-3.tmp"));
        assert!(!is_temporary("asl-put-12-3.tmp"));
        assert!(!is_temporary(".asl-put-12-3.json"));
    }
}
