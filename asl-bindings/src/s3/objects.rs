//! [`Objects`]: the one [`ObjectStore`] the rest of the code uses, which sends each bucket to
//! what holds it: a bucket given a folder (`--s3-dir BUCKET=DIR`) to [`Folders`], any other
//! to the S3 [`Endpoint`] (`--s3-endpoint`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, else
//! AWS's in the region).

use std::path::PathBuf;

use asl_runtime::execution::BoxFuture;

use super::{Endpoint, EndpointConfig, Folders, ListPage, ListRequest, Object, ObjectStore, S3Error};

/// Where buckets are (what the flags, environment and configuration file set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3Config {
    /// Buckets that are folders on this machine: bucket, folder (relative to the current
    /// directory unless absolute).
    pub dirs: Vec<(String, PathBuf)>,
    /// The S3 endpoint of the other buckets, over `AWS_ENDPOINT_URL_S3` and
    /// `AWS_ENDPOINT_URL`; without any, AWS's.
    pub endpoint: Option<String>,
}

/// Objects by bucket: folders first, then the S3 endpoint.
#[derive(Debug)]
pub struct Objects {
    folders: Folders,
    endpoint: Endpoint,
}

impl Objects {
    /// The objects `config` says, the endpoint's region `region` (else the environment's,
    /// else `us-east-1`) and its credentials the environment's, as the AWS SDKs read them.
    ///
    /// # Errors
    ///
    /// A folder that is not there (named), a bucket given two folders, an endpoint that is
    /// not a URL, or an HTTP client that cannot be set up.
    pub fn new(config: &S3Config, region: &str) -> Result<Objects, String> {
        let folders = Folders::new(&config.dirs)?;
        let endpoint = Endpoint::new(EndpointConfig::from_env(super::SERVICE_ID, config.endpoint.as_deref(), region))?;
        Ok(Objects { folders, endpoint })
    }

    /// Objects from their two stores.
    pub fn from_parts(folders: Folders, endpoint: Endpoint) -> Objects {
        Objects { folders, endpoint }
    }

    /// The buckets that are folders.
    pub fn folders(&self) -> &Folders {
        &self.folders
    }

    /// The endpoint of the other buckets.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The store of `bucket`.
    fn store(&self, bucket: &str) -> &dyn ObjectStore {
        if self.folders.holds(bucket) { &self.folders } else { &self.endpoint }
    }
}

impl ObjectStore for Objects {
    fn get<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Object, S3Error>> {
        self.store(bucket).get(bucket, key, version)
    }

    fn list<'a>(&'a self, request: &'a ListRequest) -> BoxFuture<'a, Result<ListPage, S3Error>> {
        self.store(&request.bucket).list(request)
    }

    fn put<'a>(&'a self, bucket: &'a str, key: &'a str, body: Vec<u8>) -> BoxFuture<'a, Result<(), S3Error>> {
        self.store(bucket).put(bucket, key, body)
    }
}

/// `BUCKET=DIR` (the value of `--s3-dir`) as bucket and folder.
///
/// # Errors
///
/// It has no `=`, no bucket or no folder, or the bucket cannot be a bucket's name (at most
/// 255 letters, digits, `.`, `-` and `_`: every name S3 has ever allowed).
pub fn parse_dir_mapping(text: &str) -> Result<(String, PathBuf), String> {
    let Some((bucket, dir)) = text.split_once('=') else {
        return Err(format!("`{text}` is not BUCKET=DIR: give the bucket, `=`, and its folder (e.g. items=./data)"));
    };
    let bucket = bucket.trim();
    if bucket.is_empty() {
        return Err(format!("`{text}` names no bucket: give it as BUCKET=DIR (e.g. items=./data)"));
    }
    if dir.is_empty() {
        return Err(format!("`{text}` names no folder: give it as BUCKET=DIR (e.g. {bucket}=./data)"));
    }
    if bucket.len() > 255 || !bucket.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
        return Err(format!("`{bucket}` cannot be a bucket's name: use at most 255 letters, digits, `.`, `-` and `_`"));
    }
    Ok((bucket.to_owned(), PathBuf::from(dir)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::s3::Credentials;

    #[test]
    fn dir_mappings_parse_and_malformed_ones_say_why() {
        assert_eq!(parse_dir_mapping("items=./data").unwrap(), ("items".to_owned(), PathBuf::from("./data")));
        assert_eq!(
            parse_dir_mapping("My_Bucket.2=/srv/a=b").unwrap(),
            ("My_Bucket.2".to_owned(), PathBuf::from("/srv/a=b"))
        );
        let error = |text: &str| parse_dir_mapping(text).unwrap_err();
        assert!(error("./data").contains("is not BUCKET=DIR"), "{}", error("./data"));
        assert!(error("=./data").contains("names no bucket"));
        assert!(error("items=").contains("names no folder"));
        assert!(error("a/b=./data").contains("cannot be a bucket's name"));
        assert!(error(&format!("{}=./d", "b".repeat(256))).contains("cannot be a bucket's name"));
    }

    #[tokio::test]
    async fn folders_serve_their_buckets_and_the_endpoint_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), "[1]").unwrap();
        let folders = Folders::new(&[("local".to_owned(), dir.path().to_path_buf())]).unwrap();
        // An endpoint nothing listens on: the other buckets' calls fail to reach it.
        let endpoint = Endpoint::new(EndpointConfig {
            endpoint: Some("http://127.0.0.1:9".into()),
            region: "us-east-1".into(),
            credentials: Some(Credentials {
                access_key_id: "test".into(),
                secret_access_key: "test".into(),
                session_token: None,
            }),
        })
        .unwrap();
        let objects = Objects::from_parts(folders, endpoint);
        assert_eq!(objects.get("local", "a.json", None).await.unwrap().size, 3);
        let listed = objects.list(&ListRequest { bucket: "local".into(), ..ListRequest::default() }).await.unwrap();
        assert_eq!(listed.objects.len(), 1);
        let remote = objects.get("remote", "a.json", None).await.unwrap_err();
        assert_eq!((remote.code.as_str(), remote.status), ("SdkClientException", 0));
        assert!(remote.message.contains("127.0.0.1:9"), "{}", remote.message);
    }

    #[test]
    fn a_missing_folder_is_named() {
        let config = S3Config { dirs: vec![("b".to_owned(), PathBuf::from("./no-such-folder-here"))], endpoint: None };
        let error = Objects::new(&config, "us-east-1").unwrap_err();
        assert!(error.contains("bucket `b`") && error.contains("./no-such-folder-here"), "{error}");
    }
}
