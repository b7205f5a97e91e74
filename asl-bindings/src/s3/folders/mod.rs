//! [`Folders`]: buckets that are folders on this machine (`--s3-dir BUCKET=./data`).
//!
//! A key is a file's path under its bucket's folder, with `/` between names: key
//! `in/2024/a.json` of bucket `data` mapped to `./data` is the file `./data/in/2024/a.json`.
//! Reads stream the file; listings are `ListObjectsV2`'s (see [`listing`](super::listing)),
//! with each file's ETag (S3's for a single-part upload, the quoted hex MD5 of its bytes),
//! modification time, size and storage class `STANDARD`; writes replace a file atomically
//! (written beside it under a temporary name, then renamed over it), making its folders.
//!
//! Errors are S3's: `NoSuchBucket` for a bucket no folder stands for, `NoSuchKey` for a key
//! no file holds. A key that would lead out of its folder (absolute, or with a `..`
//! segment) is `AccessDenied`: nothing outside a bucket's folder is read or written through
//! a key (symbolic links inside it are followed: they are the folder owner's choice).

mod key;
mod meta;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use asl_runtime::execution::BoxFuture;

use super::{ListPage, ListRequest, Object, ObjectStore, S3Error, listing};
use key::Refusal;
use meta::Etags;

/// Buckets that are folders on this machine.
#[derive(Clone, Debug, Default)]
pub struct Folders {
    shared: Arc<Shared>,
}

/// What the clones of a [`Folders`] share (listings run on blocking threads, which need
/// their own handle).
#[derive(Debug, Default)]
struct Shared {
    /// Each bucket's folder (absolute).
    buckets: BTreeMap<String, PathBuf>,
    etags: Etags,
}

impl Folders {
    /// Buckets that are the folders `dirs` names: bucket, folder. A relative folder is
    /// taken from the current directory, now.
    ///
    /// # Errors
    ///
    /// A folder that does not exist or is not a folder (named as given and as resolved), a
    /// bucket named twice, or a current directory that cannot be read.
    pub fn new(dirs: &[(String, PathBuf)]) -> Result<Folders, String> {
        let mut buckets = BTreeMap::new();
        for (bucket, dir) in dirs {
            let resolved = if dir.is_absolute() {
                dir.clone()
            } else {
                let current = std::env::current_dir()
                    .map_err(|e| format!("cannot resolve the folder `{}` of bucket `{bucket}`: {e}", dir.display()))?;
                current.join(dir)
            };
            match std::fs::metadata(&resolved) {
                Ok(metadata) if metadata.is_dir() => {}
                Ok(_) => {
                    return Err(format!(
                        "the folder of bucket `{bucket}`, `{}` ({}), is not a folder",
                        dir.display(),
                        resolved.display()
                    ));
                }
                Err(e) => {
                    return Err(format!(
                        "the folder of bucket `{bucket}`, `{}` ({}), cannot be used: {e}",
                        dir.display(),
                        resolved.display()
                    ));
                }
            }
            if let Some(earlier) = buckets.insert(bucket.clone(), resolved) {
                return Err(format!(
                    "bucket `{bucket}` is given two folders: `{}` and `{}`",
                    earlier.display(),
                    dir.display()
                ));
            }
        }
        Ok(Folders { shared: Arc::new(Shared { buckets, etags: Etags::default() }) })
    }

    /// Whether `bucket` is one of these folders.
    pub fn holds(&self, bucket: &str) -> bool {
        self.shared.buckets.contains_key(bucket)
    }

    /// The buckets and their folders (absolute), by bucket name.
    pub fn buckets(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.shared.buckets.iter().map(|(bucket, dir)| (bucket.as_str(), dir.as_path()))
    }

    /// The file of `key` in `bucket`.
    fn file(&self, bucket: &str, key: &str) -> Result<Result<PathBuf, Refusal>, S3Error> {
        let root = self.shared.buckets.get(bucket).ok_or_else(S3Error::no_such_bucket)?;
        Ok(key::relative_path(key).map(|relative| root.join(relative)))
    }
}

impl ObjectStore for Folders {
    fn get<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Object, S3Error>> {
        Box::pin(async move {
            let path = match self.file(bucket, key)? {
                Ok(path) => path,
                Err(Refusal::Escapes) => return Err(escapes(bucket, key)),
                // No file can hold it, so none does.
                Err(Refusal::Unrepresentable(_)) => return Err(S3Error::no_such_key()),
            };
            // A folder has no versions: only `null`, the version of an object in a bucket
            // without versioning, is one of its objects'.
            if version.is_some_and(|v| v != "null") {
                return Err(S3Error::invalid_argument("Invalid version id specified"));
            }
            let file = tokio::fs::File::open(&path).await.map_err(|e| read_error(&e, &path))?;
            let metadata = file.metadata().await.map_err(|e| read_error(&e, &path))?;
            if !metadata.is_file() {
                return Err(S3Error::no_such_key());
            }
            Ok(Object { body: Box::pin(file), size: metadata.len() })
        })
    }

    fn list<'a>(&'a self, request: &'a ListRequest) -> BoxFuture<'a, Result<ListPage, S3Error>> {
        Box::pin(async move {
            let root = self.shared.buckets.get(&request.bucket).ok_or_else(S3Error::no_such_bucket)?.clone();
            let shared = Arc::clone(&self.shared);
            let request = request.clone();
            // Walking a tree and hashing files is blocking work.
            tokio::task::spawn_blocking(move || list_blocking(&shared, &root, &request))
                .await
                .map_err(|e| S3Error::internal(format!("the listing stopped: {e}")))?
        })
    }

    fn put<'a>(&'a self, bucket: &'a str, key: &'a str, body: Vec<u8>) -> BoxFuture<'a, Result<(), S3Error>> {
        Box::pin(async move {
            let path = match self.file(bucket, key)? {
                Ok(path) => path,
                Err(Refusal::Escapes) => return Err(escapes(bucket, key)),
                Err(Refusal::Unrepresentable(why)) => {
                    return Err(S3Error::invalid_argument(format!(
                        "the key `{key}` cannot be a file in the folder of bucket `{bucket}`: {why}"
                    )));
                }
            };
            tokio::task::spawn_blocking(move || write_atomically(&path, &body).map_err(|e| write_error(&e, &path)))
                .await
                .map_err(|e| S3Error::internal(format!("the write stopped: {e}")))?
        })
    }
}

/// One page of the listing `request` asks for of the folder `root`.
fn list_blocking(shared: &Shared, root: &Path, request: &ListRequest) -> Result<ListPage, S3Error> {
    let prefix = request.prefix.as_deref().unwrap_or_default();
    let mut found = walk::files(root, prefix)
        .map_err(|e| S3Error::internal(format!("cannot list the folder {}: {e}", root.display())))?;
    found.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    let keys: Vec<String> = found.iter().map(|f| f.key.clone()).collect();
    let paged = listing::page(&keys, request)?;
    let mut objects = Vec::with_capacity(paged.keys.len());
    for at in paged.keys {
        let file = &found[at];
        match shared.etags.listed(&file.key, &file.path) {
            Ok(Some(listed)) => objects.push(listed),
            // Removed since the walk: no longer an object.
            Ok(None) => {}
            Err(e) => return Err(read_error(&e, &file.path)),
        }
    }
    Ok(ListPage { objects, common_prefixes: paged.common_prefixes, next_continuation_token: paged.next_token })
}

/// Writes `body` to `path` as one change: into a new file beside it, flushed to disk, then
/// renamed over it; the folders on the way are made.
fn write_atomically(path: &Path, body: &[u8]) -> io::Result<()> {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let Some(dir) = path.parent() else {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the path has no folder"));
    };
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        "{}{}-{}{}",
        key::TEMP_PREFIX,
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed),
        key::TEMP_SUFFIX
    ));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.write_all(body)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// The error of a key that would lead out of its bucket's folder.
fn escapes(bucket: &str, key: &str) -> S3Error {
    S3Error::access_denied(format!("Access Denied: the key `{key}` would lead out of the folder of bucket `{bucket}`"))
}

/// The error of reading `path`.
fn read_error(error: &io::Error, path: &Path) -> S3Error {
    match error.kind() {
        // A missing file, or a file where the key has a folder (`a.json/b`).
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory => S3Error::no_such_key(),
        io::ErrorKind::PermissionDenied => {
            S3Error::access_denied(format!("Access Denied: {}: {error}", path.display()))
        }
        _ => S3Error::internal(format!("cannot read {}: {error}", path.display())),
    }
}

/// The error of writing `path`.
fn write_error(error: &io::Error, path: &Path) -> S3Error {
    match error.kind() {
        // S3 has keys `a` and `a/b` side by side; a folder cannot have both a file and a
        // folder `a`.
        io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory | io::ErrorKind::AlreadyExists => {
            S3Error::invalid_argument(format!(
                "cannot write {}: a file and a folder of one name cannot both hold objects ({error})",
                path.display()
            ))
        }
        io::ErrorKind::PermissionDenied => {
            S3Error::access_denied(format!("Access Denied: {}: {error}", path.display()))
        }
        _ => S3Error::internal(format!("cannot write {}: {error}", path.display())),
    }
}
