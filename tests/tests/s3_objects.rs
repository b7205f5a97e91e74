//! asl-bindings' S3 stores against a real S3-compatible server on loopback: moto's
//! (`python -m moto.server`, from the Python environment of [`asl_tests::python_clients`],
//! pinned in `tests/api/requirements.txt`), with boto3 beside it as a second client.
//!
//! - [`the_endpoint_reads_lists_and_writes_objects`]: 1,005 objects written through
//!   `Endpoint`, listed page after page, objects boto3 wrote with keys that need escaping, a
//!   multi-MB object streamed back intact, S3's error codes, and `Objects` routing.
//! - [`folders_list_as_s3_lists`]: a folder and a bucket holding the same keys answer the
//!   same `ListObjectsV2` calls with the same pages (prefixes, delimiters, start-after,
//!   small pages), sizes and ETags.
//! - [`the_server_checks_the_signatures`]: moto with its IAM checks on verifies the SigV4
//!   signatures of `Endpoint`'s calls (botocore's signer, on the server side), and refuses
//!   a wrong secret.
//!
//! Nothing is skipped: without Python, venv or pip the tests fail and say what to install.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::sync::Arc;

use asl_bindings::s3::{
    Credentials, Endpoint, EndpointConfig, Folders, ListPage, ListRequest, ObjectStore, Objects, S3Error,
};
use asl_tests::moto::{Moto, boto3};
use asl_tests::python_clients::Clients;
use asl_tests::scratch_dir;
use tokio::io::AsyncReadExt;

/// The dummy credentials moto takes without its IAM checks.
fn test_credentials() -> Credentials {
    Credentials { access_key_id: "test".into(), secret_access_key: "test".into(), session_token: None }
}

/// `Endpoint` at `url`, signing with `credentials`.
fn endpoint_at(url: &str, credentials: Option<Credentials>) -> Endpoint {
    Endpoint::new(EndpointConfig { endpoint: Some(url.to_owned()), region: "us-east-1".into(), credentials }).unwrap()
}

/// Every page of the listing `first` starts, following its continuation tokens.
async fn pages(store: &dyn ObjectStore, first: ListRequest) -> Vec<ListPage> {
    let mut request = first;
    let mut pages = Vec::new();
    loop {
        let page = store.list(&request).await.unwrap_or_else(|e| panic!("listing {request:?}: {e}"));
        let next = page.next_continuation_token.clone();
        pages.push(page);
        match next {
            Some(token) => request.continuation_token = Some(token),
            None => return pages,
        }
        assert!(pages.len() < 1000, "the pages of {request:?} do not end");
    }
}

/// An object's bytes, read through its stream; checks its size.
async fn read(store: &dyn ObjectStore, bucket: &str, key: &str) -> Result<Vec<u8>, S3Error> {
    let mut object = store.get(bucket, key, None).await?;
    let mut bytes = Vec::new();
    object.body.read_to_end(&mut bytes).await.unwrap();
    assert_eq!(object.size, bytes.len() as u64, "{key}");
    Ok(bytes)
}

/// `len` bytes that are not a pattern a broken stream could keep by chance.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

fn code(error: &S3Error) -> (&str, u16) {
    (error.code.as_str(), error.status)
}

/// Keys boto3 writes, each with characters that need escaping in a URL or in XML.
const ODD_KEYS: [&str; 4] = ["odd/a b+c&d=é.json", "odd/ spaced ", "odd/100%~.txt", "odd/<tag>&'q\"uote.json"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_reads_lists_and_writes_objects() {
    let clients = Clients::new();
    clients.ensure();
    let moto = Moto::start(&clients, "objects", &[]);
    let odd_keys = serde_json::to_string(&ODD_KEYS).unwrap();
    boto3(
        &clients,
        &moto.url,
        &format!(
            "s3.create_bucket(Bucket='items')\n\
             for key in json.loads({odd_keys:?}):\n    s3.put_object(Bucket='items', Key=key, Body=('body of ' + key).encode())\n"
        ),
    );
    let endpoint = Arc::new(endpoint_at(&moto.url, Some(test_credentials())));

    // 1,005 objects, written 16 at a time.
    let items: Vec<String> = (0..1005).map(|i| format!("item-{i:04}.json")).collect();
    for chunk in items.chunks(16) {
        let mut writes = tokio::task::JoinSet::new();
        for key in chunk {
            let (endpoint, key) = (Arc::clone(&endpoint), key.clone());
            writes.spawn(async move {
                let body = format!("{{\"key\": \"{key}\"}}").into_bytes();
                endpoint.put("items", &key, body).await
            });
        }
        while let Some(written) = writes.join_next().await {
            written.unwrap().unwrap_or_else(|e| panic!("{e}\n{}", moto.log()));
        }
    }

    // Every key once, in order, over two pages.
    let listed = pages(&*endpoint, ListRequest { bucket: "items".into(), ..ListRequest::default() }).await;
    assert_eq!(listed.iter().map(|p| p.objects.len()).collect::<Vec<_>>(), [1000, 9]);
    let keys: Vec<&str> = listed.iter().flat_map(|p| &p.objects).map(|o| o.key.as_str()).collect();
    let mut expected: Vec<&str> = items.iter().map(String::as_str).chain(ODD_KEYS).collect();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let first = &listed[0].objects[0];
    assert_eq!((first.key.as_str(), first.size, first.storage_class.as_str()), ("item-0000.json", 25, "STANDARD"));
    assert!(first.etag.starts_with('"') && first.etag.len() == 34, "{first:?}");
    assert!(first.last_modified.ends_with('Z'), "{first:?}");

    // A delimiter: the odd keys roll up into `odd/`, which comes after the items.
    let rolled = pages(
        &*endpoint,
        ListRequest { bucket: "items".into(), delimiter: Some("/".into()), ..ListRequest::default() },
    )
    .await;
    assert_eq!(rolled.len(), 2);
    assert_eq!((rolled[1].objects.len(), rolled[1].common_prefixes.clone()), (5, vec!["odd/".to_owned()]));

    // Keys boto3 wrote, listed and read back exactly.
    let odd = endpoint
        .list(&ListRequest { bucket: "items".into(), prefix: Some("odd/".into()), ..ListRequest::default() })
        .await
        .unwrap();
    let mut odd_sorted = ODD_KEYS.to_vec();
    odd_sorted.sort_unstable();
    assert_eq!(odd.objects.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), odd_sorted);
    for key in ODD_KEYS {
        assert_eq!(read(&*endpoint, "items", key).await.unwrap(), format!("body of {key}").into_bytes(), "{key}");
    }

    // What this side wrote, boto3 reads.
    let seen = boto3(
        &clients,
        &moto.url,
        "print(s3.get_object(Bucket='items', Key='item-0007.json')['Body'].read().decode())",
    );
    assert_eq!(seen.trim(), r#"{"key": "item-0007.json"}"#);

    // Several megabytes, streamed back intact.
    let big = noise(6 * 1024 * 1024 + 17);
    endpoint.put("items", "big/blob.bin", big.clone()).await.unwrap();
    assert!(read(&*endpoint, "items", "big/blob.bin").await.unwrap() == big, "the big object came back changed");

    // S3's errors.
    let missing = endpoint.get("items", "no-such-key", None).await.unwrap_err();
    assert_eq!(code(&missing), ("NoSuchKey", 404), "{missing}");
    let no_bucket = endpoint.get("no-such-bucket", "k", None).await.unwrap_err();
    assert_eq!(code(&no_bucket), ("NoSuchBucket", 404), "{no_bucket}");
    let no_listing = endpoint.list(&ListRequest { bucket: "no-such-bucket".into(), ..ListRequest::default() }).await;
    assert_eq!(code(&no_listing.unwrap_err()), ("NoSuchBucket", 404));
    let no_put = endpoint.put("no-such-bucket", "k", b"x".to_vec()).await.unwrap_err();
    assert_eq!(code(&no_put), ("NoSuchBucket", 404), "{no_put}");

    // Objects: a folder for its bucket, the endpoint for the others.
    let dir = scratch_dir("s3-objects").join("routing");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("local.json"), "[]").unwrap();
    let folders = Folders::new(&[("local".to_owned(), dir.clone())]).unwrap();
    let objects = Objects::from_parts(folders, endpoint_at(&moto.url, Some(test_credentials())));
    assert_eq!(read(&objects, "local", "local.json").await.unwrap(), b"[]");
    assert_eq!(read(&objects, "items", "item-0001.json").await.unwrap(), br#"{"key": "item-0001.json"}"#);
    assert_eq!(code(&objects.get("local", "item-0001.json", None).await.unwrap_err()), ("NoSuchKey", 404));
    objects.put("local", "out/result.json", b"{}".to_vec()).await.unwrap();
    assert_eq!(std::fs::read(dir.join("out/result.json")).unwrap(), b"{}");
}

#[tokio::test]
async fn an_endpoint_nobody_answers_is_a_client_error() {
    // A port that was free a moment ago: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nobody = endpoint_at(&format!("http://127.0.0.1:{port}"), Some(test_credentials()));
    let error = nobody.get("b", "k", None).await.unwrap_err();
    assert_eq!(code(&error), ("SdkClientException", 0));
    assert!(error.message.contains(&format!("127.0.0.1:{port}")), "{error}");
}

/// Keys a folder can hold (no key is both a file and a folder), in folders and not.
const PARITY_KEYS: [&str; 16] = [
    "a-1",
    "a/b",
    "a/bb/c.json",
    "a/c",
    "a0",
    "b/x/y",
    "b/z",
    "c",
    "dir/sub/file.json",
    "dir/top.json",
    "photos/2024/feb/2.jpg",
    "photos/2024/jan/1.jpg",
    "photos/2025/mar/3.jpg",
    "photos/top.jpg",
    "z",
    "é/1",
];

#[tokio::test]
async fn folders_list_as_s3_lists() {
    let clients = Clients::new();
    clients.ensure();
    let moto = Moto::start(&clients, "parity", &[]);
    boto3(&clients, &moto.url, "s3.create_bucket(Bucket='same')");
    let remote = endpoint_at(&moto.url, Some(test_credentials()));
    let dir = scratch_dir("s3-objects").join("parity-folder");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let local = Folders::new(&[("same".to_owned(), dir.clone())]).unwrap();
    for (i, key) in PARITY_KEYS.iter().enumerate() {
        let body = "x".repeat(i * 3);
        remote.put("same", key, body.clone().into_bytes()).await.unwrap();
        local.put("same", key, body.into_bytes()).await.unwrap();
    }
    let mut compared = 0;
    for prefix in [None, Some("a"), Some("a/"), Some("photos/"), Some("photos/2024/"), Some("é"), Some("none/")] {
        for delimiter in [None, Some("/"), Some("/2")] {
            for start_after in [None, Some("a0"), Some("photos/2024/f"), Some("zz")] {
                for max_keys in [None, Some(1), Some(2), Some(3)] {
                    let request = ListRequest {
                        bucket: "same".into(),
                        prefix: prefix.map(str::to_owned),
                        delimiter: delimiter.map(str::to_owned),
                        start_after: start_after.map(str::to_owned),
                        continuation_token: None,
                        max_keys,
                    };
                    let (s3, folder) = (pages(&remote, request.clone()).await, pages(&local, request.clone()).await);
                    assert_eq!(shape(&folder), shape(&s3), "the pages of {request:?}");
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 7 * 3 * 4 * 4);
    // The same sizes and ETags (S3's MD5 of the bytes); timestamps differ by when each was
    // written, not in form.
    let (s3, folder) = (
        pages(&remote, ListRequest { bucket: "same".into(), ..ListRequest::default() }).await,
        pages(&local, ListRequest { bucket: "same".into(), ..ListRequest::default() }).await,
    );
    let facts = |pages: &[ListPage]| -> Vec<(String, u64, String, usize)> {
        pages
            .iter()
            .flat_map(|p| &p.objects)
            .map(|o| (o.key.clone(), o.size, o.etag.clone(), o.last_modified.len()))
            .collect()
    };
    assert_eq!(facts(&folder), facts(&s3));
}

/// A listing's pages without their tokens (each store's own): keys and common prefixes.
fn shape(pages: &[ListPage]) -> Vec<(Vec<String>, Vec<String>)> {
    pages.iter().map(|p| (p.objects.iter().map(|o| o.key.clone()).collect(), p.common_prefixes.clone())).collect()
}

#[tokio::test]
async fn the_server_checks_the_signatures() {
    let clients = Clients::new();
    clients.ensure();
    // moto checks requests against its IAM users once this many calls have been made: the
    // four of the setup below.
    let moto = Moto::start(&clients, "signed", &[("INITIAL_NO_AUTH_ACTION_COUNT", "4")]);
    let key = boto3(
        &clients,
        &moto.url,
        "iam = boto3.client('iam', endpoint_url=URL, region_name='us-east-1')\n\
         iam.create_user(UserName='asl')\n\
         key = iam.create_access_key(UserName='asl')['AccessKey']\n\
         policy = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:*', 'Resource': '*'}]}\n\
         iam.put_user_policy(UserName='asl', PolicyName='s3', PolicyDocument=json.dumps(policy))\n\
         s3.create_bucket(Bucket='signed')\n\
         print(key['AccessKeyId'], key['SecretAccessKey'])\n",
    );
    let (id, secret) = key.trim().split_once(' ').unwrap();
    let credentials = |secret: &str| Credentials {
        access_key_id: id.to_owned(),
        secret_access_key: secret.to_owned(),
        session_token: None,
    };
    let signed = endpoint_at(&moto.url, Some(credentials(secret)));
    // Keys and queries whose canonical forms need care: spaces, `+`, `&`, `=`, `~`, UTF-8.
    let key = "in dir/a b+c&d=é~.json";
    signed.put("signed", key, b"signed body".to_vec()).await.unwrap_or_else(|e| panic!("{e}\n{}", moto.log()));
    assert_eq!(read(&signed, "signed", key).await.unwrap(), b"signed body");
    let listed = signed
        .list(&ListRequest {
            bucket: "signed".into(),
            prefix: Some("in dir/a b+".into()),
            delimiter: Some("&".into()),
            max_keys: Some(10),
            ..ListRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.common_prefixes, ["in dir/a b+c&"]);

    let forged = endpoint_at(&moto.url, Some(credentials("not-the-secret")));
    let refused = forged.get("signed", key, None).await.unwrap_err();
    assert_eq!(code(&refused), ("SignatureDoesNotMatch", 403), "{refused}");
    let unsigned = endpoint_at(&moto.url, None);
    let refused = unsigned.get("signed", key, None).await.unwrap_err();
    assert_eq!(refused.status, 403, "{refused}");
}
