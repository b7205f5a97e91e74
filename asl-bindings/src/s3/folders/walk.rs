//! The keys a folder holds: every file under it, found by walking its tree.
//!
//! Symbolic links are followed (a folder may link data in from elsewhere), except one that
//! leads back to a folder the walk is already inside, which would never end. Names that
//! are not UTF-8 cannot be keys and are passed over, as are the temporary files of writes
//! in progress and links that lead nowhere.

use std::io;
use std::path::{Path, PathBuf};

use super::key;

/// One file of the folder: its key and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Found {
    /// The key: its path under the folder, `/`-separated.
    pub key: String,
    /// The file.
    pub path: PathBuf,
}

/// The files under `root` whose keys start with `prefix`, in no particular order. Only the
/// sub-folder the prefix is sure to be in is walked (`photos/2024/` walks `photos/2024`).
///
/// # Errors
///
/// A folder of the walk that cannot be read.
pub(super) fn files(root: &Path, prefix: &str) -> io::Result<Vec<Found>> {
    // `photos/20` is in `photos/`; its last, partial segment filters that folder's names.
    let (folder_key, partial) = match prefix.rfind('/') {
        Some(at) => prefix.split_at(at + 1),
        None => ("", prefix),
    };
    let start = if folder_key.is_empty() {
        root.to_path_buf()
    } else {
        match key::relative_path(folder_key.strip_suffix('/').unwrap_or(folder_key)) {
            Ok(relative) => root.join(relative),
            // No file has a key under a prefix that is no path (`a//`, `../`).
            Err(_) => return Ok(Vec::new()),
        }
    };
    if !start.is_dir() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut inside = Vec::new();
    walk(&start, folder_key, partial, &mut inside, &mut found)?;
    Ok(found)
}

/// Adds the files under `dir`, whose key prefix is `key_prefix`, to `found`; at this level
/// only the names that start with `partial`. `inside` holds the canonical paths of the
/// folders the walk is in.
fn walk(
    dir: &Path,
    key_prefix: &str,
    partial: &str,
    inside: &mut Vec<PathBuf>,
    found: &mut Vec<Found>,
) -> io::Result<()> {
    let canonical = dir.canonicalize()?;
    if inside.contains(&canonical) {
        return Ok(());
    }
    inside.push(canonical);
    let entries =
        std::fs::read_dir(dir).map_err(|e| io::Error::new(e.kind(), format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if !name.starts_with(partial) || key::is_temporary(&name) {
            continue;
        }
        let path = entry.path();
        // `metadata` follows links; a broken link has none and is passed over.
        let Ok(metadata) = std::fs::metadata(&path) else { continue };
        let key = format!("{key_prefix}{name}");
        if metadata.is_dir() {
            walk(&path, &format!("{key}/"), "", inside, found)?;
        } else if metadata.is_file() {
            found.push(Found { key, path });
        }
    }
    inside.pop();
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::fs;

    use super::files;

    fn keys(root: &std::path::Path, prefix: &str) -> Vec<String> {
        let mut keys: Vec<String> = files(root, prefix).unwrap().into_iter().map(|f| f.key).collect();
        keys.sort();
        keys
    }

    #[test]
    fn every_file_under_the_folder_with_slash_separated_keys() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b/c")).unwrap();
        fs::create_dir_all(dir.path().join("empty")).unwrap();
        for file in ["top.json", "a/one.json", "a/b/two.json", "a/b/c/three.json", "a/.asl-put-1-1.tmp"] {
            fs::write(dir.path().join(file), file).unwrap();
        }
        assert_eq!(keys(dir.path(), ""), ["a/b/c/three.json", "a/b/two.json", "a/one.json", "top.json"]);
        assert_eq!(keys(dir.path(), "a/b/"), ["a/b/c/three.json", "a/b/two.json"]);
        assert_eq!(keys(dir.path(), "a/b/t"), ["a/b/two.json"]);
        assert_eq!(keys(dir.path(), "t"), ["top.json"]);
        assert!(keys(dir.path(), "missing/").is_empty());
        assert!(keys(dir.path(), "../").is_empty());
        assert!(keys(dir.path(), "a//").is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_but_loops_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("linked.json"), "{}").unwrap();
        fs::create_dir_all(dir.path().join("d")).unwrap();
        fs::write(dir.path().join("d/file"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("data")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("d/loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("d"), dir.path().join("d/self")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("broken")).unwrap();
        assert_eq!(keys(dir.path(), ""), ["d/file", "data/linked.json"]);
    }
}
