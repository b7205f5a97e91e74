//! [`Folders`] on real folders: reads, listings page by page, writes, and S3's errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::fs;
use std::path::Path;

use tokio::io::AsyncReadExt;

use super::Folders;
use crate::s3::{ListPage, ListRequest, ObjectStore, S3Error};

/// A folder with `files` (path, contents) as bucket `b`.
fn bucket(files: &[(&str, &str)]) -> (tempfile::TempDir, Folders) {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
    let folders = Folders::new(&[("b".to_owned(), dir.path().to_path_buf())]).unwrap();
    (dir, folders)
}

fn request() -> ListRequest {
    ListRequest { bucket: "b".into(), ..ListRequest::default() }
}

fn keys(page: &ListPage) -> Vec<&str> {
    page.objects.iter().map(|o| o.key.as_str()).collect()
}

/// Every key of the listing `first` starts, page after page; the pages' sizes.
async fn list_all(folders: &Folders, first: ListRequest) -> (Vec<String>, Vec<usize>) {
    let mut request = first;
    let (mut all, mut sizes) = (Vec::new(), Vec::new());
    loop {
        let page = folders.list(&request).await.unwrap();
        sizes.push(page.objects.len());
        all.extend(page.objects.into_iter().map(|o| o.key));
        match page.next_continuation_token {
            Some(token) => request.continuation_token = Some(token),
            None => return (all, sizes),
        }
    }
}

async fn read(folders: &Folders, key: &str) -> Result<Vec<u8>, S3Error> {
    let mut object = folders.get("b", key, None).await?;
    let mut bytes = Vec::new();
    object.body.read_to_end(&mut bytes).await.unwrap();
    assert_eq!(object.size, bytes.len() as u64);
    Ok(bytes)
}

fn code(error: &S3Error) -> (&str, u16) {
    (error.code.as_str(), error.status)
}

#[tokio::test]
async fn a_listing_is_in_utf8_byte_order_with_s3s_fields() {
    let (_dir, folders) = bucket(&[("b.json", "{}"), ("a/x.json", "[]"), ("a0.json", ""), ("é.txt", "e"), ("Z", "z")]);
    let page = folders.list(&request()).await.unwrap();
    assert_eq!(keys(&page), ["Z", "a/x.json", "a0.json", "b.json", "é.txt"]);
    assert_eq!(page.next_continuation_token, None);
    let empty = &page.objects[2];
    assert_eq!(
        (empty.etag.as_str(), empty.size, empty.storage_class.as_str()),
        ("\"d41d8cd98f00b204e9800998ecf8427e\"", 0, "STANDARD")
    );
    // `2024-01-01T00:00:00.000Z`: 24 characters, a `T`, milliseconds and `Z`.
    let modified = &empty.last_modified;
    assert!(modified.len() == 24 && &modified[10..11] == "T" && &modified[19..20] == "." && modified.ends_with('Z'));
}

#[tokio::test]
async fn prefixes_and_delimiters() {
    let (_dir, folders) = bucket(&[
        ("in/2024/a.json", "1"),
        ("in/2024/b.json", "2"),
        ("in/2025/c.json", "3"),
        ("in/top.json", "4"),
        ("out/r.json", "5"),
        ("readme", "6"),
    ]);
    let prefixed = folders.list(&ListRequest { prefix: Some("in/20".into()), ..request() }).await.unwrap();
    assert_eq!(keys(&prefixed), ["in/2024/a.json", "in/2024/b.json", "in/2025/c.json"]);
    let top = folders.list(&ListRequest { delimiter: Some("/".into()), ..request() }).await.unwrap();
    assert_eq!((keys(&top), top.common_prefixes.clone()), (vec!["readme"], vec!["in/".to_owned(), "out/".to_owned()]));
    let inside = folders
        .list(&ListRequest { prefix: Some("in/".into()), delimiter: Some("/".into()), ..request() })
        .await
        .unwrap();
    assert_eq!(keys(&inside), ["in/top.json"]);
    assert_eq!(inside.common_prefixes, ["in/2024/", "in/2025/"]);
    let none = folders.list(&ListRequest { prefix: Some("nothing/".into()), ..request() }).await.unwrap();
    assert_eq!(none, ListPage::default());
}

#[tokio::test]
async fn more_than_a_thousand_files_are_listed_in_pages_of_a_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for i in 0..2503 {
        // Spread over folders so the order is not the file system's.
        let key = format!("part-{}/item-{i:05}.json", i % 7);
        let path = dir.path().join(&key);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, i.to_string()).unwrap();
        expected.push(key);
    }
    expected.sort();
    let folders = Folders::new(&[("b".to_owned(), dir.path().to_path_buf())]).unwrap();
    let (all, sizes) = list_all(&folders, request()).await;
    assert_eq!(sizes, [1000, 1000, 503]);
    assert_eq!(all, expected);
    // A larger max-keys is capped; a smaller one is kept.
    let (capped, sizes) = list_all(&folders, ListRequest { max_keys: Some(5000), ..request() }).await;
    assert_eq!((capped.len(), sizes.len()), (2503, 3));
    let (_, sizes) =
        list_all(&folders, ListRequest { max_keys: Some(700), prefix: Some("part-3/".into()), ..request() }).await;
    assert_eq!(sizes, [358]);
}

#[tokio::test]
async fn start_after_and_continuation_tokens() {
    let (_dir, folders) = bucket(&[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]);
    let after = folders.list(&ListRequest { start_after: Some("b".into()), ..request() }).await.unwrap();
    assert_eq!(keys(&after), ["c", "d"]);
    let first = folders.list(&ListRequest { max_keys: Some(2), ..request() }).await.unwrap();
    assert_eq!(keys(&first), ["a", "b"]);
    let token = first.next_continuation_token.unwrap();
    let second = folders.list(&ListRequest { continuation_token: Some(token), ..request() }).await.unwrap();
    assert_eq!((keys(&second), second.next_continuation_token.as_deref()), (vec!["c", "d"], None));
    let bad =
        folders.list(&ListRequest { continuation_token: Some("garbage!".into()), ..request() }).await.unwrap_err();
    assert_eq!(code(&bad), ("InvalidArgument", 400));
    assert_eq!(bad.message, "The continuation token provided is incorrect");
}

#[tokio::test]
async fn reads_stream_the_file() {
    let big: String = (0..200_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let (_dir, folders) = bucket(&[("in/big.txt", &big), ("empty", "")]);
    assert_eq!(read(&folders, "in/big.txt").await.unwrap(), big.as_bytes());
    assert_eq!(read(&folders, "empty").await.unwrap(), b"");
    // A bucket without versioning has only the `null` version.
    assert!(folders.get("b", "empty", Some("null")).await.is_ok());
    let versioned = folders.get("b", "empty", Some("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")).await.unwrap_err();
    assert_eq!(code(&versioned), ("InvalidArgument", 400));
}

#[tokio::test]
async fn missing_keys_and_buckets_are_s3s_errors() {
    let (_dir, folders) = bucket(&[("in/a.json", "{}")]);
    for key in ["nope.json", "in", "in/", "in/a.json/deeper", "in//a.json", ""] {
        let error = folders.get("b", key, None).await.unwrap_err();
        assert_eq!(error, S3Error::no_such_key(), "{key:?}");
    }
    assert_eq!(S3Error::no_such_key().message, "The specified key does not exist.");
    let bucket = folders.get("other", "in/a.json", None).await.unwrap_err();
    assert_eq!(
        (code(&bucket), bucket.message.as_str()),
        (("NoSuchBucket", 404), "The specified bucket does not exist")
    );
    let listing = folders.list(&ListRequest { bucket: "other".into(), ..ListRequest::default() }).await.unwrap_err();
    assert_eq!(listing, S3Error::no_such_bucket());
    assert_eq!(folders.put("other", "k", Vec::new()).await.unwrap_err(), S3Error::no_such_bucket());
}

#[tokio::test]
async fn keys_that_lead_out_of_the_folder_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    fs::write(outer.path().join("secret"), "outside").unwrap();
    let inner = outer.path().join("bucket");
    fs::create_dir(&inner).unwrap();
    let folders = Folders::new(&[("b".to_owned(), inner.clone())]).unwrap();
    let absolute = outer.path().join("secret").display().to_string();
    for key in ["../secret", "a/../../secret", "..", absolute.as_str()] {
        let error = folders.get("b", key, None).await.unwrap_err();
        assert_eq!(code(&error), ("AccessDenied", 403), "{key}");
        let error = folders.put("b", key, b"x".to_vec()).await.unwrap_err();
        assert_eq!(code(&error), ("AccessDenied", 403), "{key}");
    }
    assert_eq!(fs::read_to_string(outer.path().join("secret")).unwrap(), "outside");
    assert_eq!(fs::read_dir(&inner).unwrap().count(), 0);
    let listed = folders.list(&ListRequest { prefix: Some("../".into()), ..request() }).await.unwrap();
    assert_eq!(listed, ListPage::default());
}

#[tokio::test]
async fn writes_make_folders_and_replace_files_whole() {
    let (dir, folders) = bucket(&[("old.json", "old")]);
    folders.put("b", "results/2024/run 1/SUCCEEDED_0.json", b"[1,2]".to_vec()).await.unwrap();
    assert_eq!(fs::read(dir.path().join("results/2024/run 1/SUCCEEDED_0.json")).unwrap(), b"[1,2]");
    folders.put("b", "old.json", b"new".to_vec()).await.unwrap();
    assert_eq!(read(&folders, "old.json").await.unwrap(), b"new");
    // No temporary file is left, and none would be listed.
    fs::write(dir.path().join(".asl-put-1-1.tmp"), "half").unwrap();
    let (all, _) = list_all(&folders, request()).await;
    assert_eq!(all, ["old.json", "results/2024/run 1/SUCCEEDED_0.json"]);
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("results/2024/run 1")).unwrap().collect();
    assert_eq!(leftovers.len(), 1);
    // Keys no file can have, and a file where a folder would go.
    for key in ["a//b", "dir/", "./x"] {
        let error = folders.put("b", key, Vec::new()).await.unwrap_err();
        assert_eq!(code(&error), ("InvalidArgument", 400), "{key}");
    }
    let clash = folders.put("b", "old.json/inner", b"x".to_vec()).await.unwrap_err();
    assert_eq!(code(&clash), ("InvalidArgument", 400), "{clash}");
    let clash = folders.put("b", "results", b"x".to_vec()).await.unwrap_err();
    assert_eq!(code(&clash), ("InvalidArgument", 400), "{clash}");
}

#[tokio::test]
async fn etags_follow_the_contents() {
    let (dir, folders) = bucket(&[("f", "a")]);
    let etag = |page: &ListPage| page.objects[0].etag.clone();
    let before = etag(&folders.list(&request()).await.unwrap());
    assert_eq!(before, "\"0cc175b9c0f1b6a831c399e269772661\"");
    folders.put("b", "f", b"bb".to_vec()).await.unwrap();
    let after = etag(&folders.list(&request()).await.unwrap());
    assert_eq!(after, "\"21ad0bd836b90d08f4cf640b4c298e7c\"");
    assert!(dir.path().join("f").exists());
}

#[test]
fn folders_must_exist_and_buckets_be_given_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let error = Folders::new(&[("b".to_owned(), missing.clone())]).unwrap_err();
    assert!(error.contains("bucket `b`") && error.contains(&missing.display().to_string()), "{error}");
    let file = dir.path().join("file");
    fs::write(&file, "").unwrap();
    assert!(Folders::new(&[("b".to_owned(), file)]).unwrap_err().contains("is not a folder"));
    let twice = Folders::new(&[("b".to_owned(), dir.path().to_path_buf()), ("b".to_owned(), dir.path().to_path_buf())]);
    assert!(twice.unwrap_err().contains("two folders"));
    let folders = Folders::new(&[("b".to_owned(), dir.path().to_path_buf())]).unwrap();
    assert!(folders.holds("b") && !folders.holds("c"));
    let buckets: Vec<(&str, &Path)> = folders.buckets().collect();
    assert_eq!(buckets, [("b", dir.path())]);
}

#[test]
fn relative_folders_are_taken_from_the_current_directory() {
    // The crate's own folder is the tests' current directory.
    let folders = Folders::new(&[("src".to_owned(), "src".into())]).unwrap();
    let (_, resolved) = folders.buckets().next().unwrap();
    assert!(resolved.is_absolute() && resolved.join("lib.rs").is_file(), "{}", resolved.display());
}
