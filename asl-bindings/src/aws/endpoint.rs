//! Where a request to an AWS service goes, and in which region it is signed, resolved the
//! way the AWS SDKs and CLI resolve it.
//!
//! The endpoint: an explicit one (a flag) first; then, unless
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`, the service's `AWS_ENDPOINT_URL_<ID>`
//! (`AWS_ENDPOINT_URL_LAMBDA`), then `AWS_ENDPOINT_URL`; else AWS's own,
//! `https://<service>.<region>.amazonaws.com` (`.amazonaws.com.cn` in China). The region: the
//! one given, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.

use reqwest::Url;

/// The region when nothing names one (the SDKs have none; the CLI and most tools assume it).
pub(crate) const FALLBACK_REGION: &str = "us-east-1";

/// The endpoint configured for the service whose SDK identifier is `service_id` (`LAMBDA`):
/// `flag` if given, else the environment (see the [module docs](self)). `None`: AWS's own.
pub(crate) fn configured(flag: Option<&str>, service_id: &str, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let set = |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if let Some(flag) = set(flag.map(str::to_owned)) {
        return Some(flag);
    }
    if var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return None;
    }
    set(var(&format!("AWS_ENDPOINT_URL_{service_id}"))).or_else(|| set(var("AWS_ENDPOINT_URL")))
}

/// The configured region: `given` unless it is empty, else `AWS_REGION`, else
/// `AWS_DEFAULT_REGION`, else [`FALLBACK_REGION`].
pub(crate) fn region(given: &str, var: impl Fn(&str) -> Option<String>) -> String {
    [Some(given.trim().to_owned()), var("AWS_REGION"), var("AWS_DEFAULT_REGION")]
        .into_iter()
        .flatten()
        .map(|region| region.trim().to_owned())
        .find(|region| !region.is_empty())
        .unwrap_or_else(|| FALLBACK_REGION.to_owned())
}

/// Whether `region` can be a region: lowercase letters, digits and dashes (it becomes part of
/// a host name and of the signature's scope).
pub(crate) fn is_region(region: &str) -> bool {
    !region.is_empty() && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// AWS's own endpoint of `service` in `region`.
pub(crate) fn aws_url(service: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else {
        "amazonaws.com"
    };
    format!("https://{service}.{region}.{suffix}")
}

/// A parsed endpoint: the base URL that operation paths are appended to, and whether it is
/// AWS's (which never answers unsigned requests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    url: Url,
    aws: bool,
}

impl Endpoint {
    /// `text` as an endpoint.
    ///
    /// # Errors
    ///
    /// It is not an `http`/`https` URL with a host, or it has a query or a fragment.
    pub(crate) fn parse(text: &str) -> Result<Endpoint, String> {
        let url = Url::parse(text.trim()).map_err(|e| format!("the endpoint `{text}` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("the endpoint `{text}` is not an http:// or https:// URL"));
        }
        let Some(host) = url.host_str() else {
            return Err(format!("the endpoint `{text}` has no host"));
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("the endpoint `{text}` has a query or a fragment; give the service's base URL"));
        }
        let aws = is_aws_host(host);
        Ok(Endpoint { url, aws })
    }

    /// Whether the endpoint is one of AWS's own (it needs signed requests).
    pub(crate) fn is_aws(&self) -> bool {
        self.aws
    }

    /// The URL of `path` (already percent-encoded, starting with `/`) under this endpoint,
    /// with `query` (already encoded `name=value` pairs joined by `&`) when not empty.
    pub(crate) fn join(&self, path: &str, query: &str) -> String {
        let base = self.url.as_str().trim_end_matches('/');
        if query.is_empty() { format!("{base}{path}") } else { format!("{base}{path}?{query}") }
    }
}

/// Whether `host` is one of AWS's service domains.
fn is_aws_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    ["amazonaws.com", "amazonaws.com.cn", "api.aws", "c2s.ic.gov", "sc2s.sgov.gov"]
        .iter()
        .any(|suffix| host == *suffix || host.ends_with(&format!(".{suffix}")))
}

/// `text` percent-encoded as the AWS SDKs encode a path segment or query value: everything
/// but `A-Z a-z 0-9 - _ . ~`.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    use crate::aws::test_env as vars;

    #[test]
    fn the_flag_wins_then_the_service_variable_then_the_global_one() {
        let env = [("AWS_ENDPOINT_URL_LAMBDA", "http://lambda:3001"), ("AWS_ENDPOINT_URL", "http://all:4566")];
        assert_eq!(configured(Some("http://flag:1"), "LAMBDA", vars(&env)).as_deref(), Some("http://flag:1"));
        assert_eq!(configured(None, "LAMBDA", vars(&env)).as_deref(), Some("http://lambda:3001"));
        assert_eq!(configured(Some("  "), "LAMBDA", vars(&env)).as_deref(), Some("http://lambda:3001"));
        assert_eq!(configured(None, "LAMBDA", vars(&env[1..])).as_deref(), Some("http://all:4566"));
        assert_eq!(configured(None, "LAMBDA", vars(&[("AWS_ENDPOINT_URL_LAMBDA", "")])), None);
        assert_eq!(configured(None, "LAMBDA", vars(&[])), None);
    }

    #[test]
    fn ignoring_configured_endpoints_keeps_the_flag_only() {
        let env = [("AWS_ENDPOINT_URL", "http://all:4566"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE")];
        assert_eq!(configured(None, "LAMBDA", vars(&env)), None);
        assert_eq!(configured(Some("http://flag:1"), "LAMBDA", vars(&env)).as_deref(), Some("http://flag:1"));
    }

    #[test]
    fn the_region_comes_from_the_argument_then_the_environment() {
        let env = [("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-central-1")];
        assert_eq!(region("ap-south-1", vars(&env)), "ap-south-1");
        assert_eq!(region("", vars(&env)), "eu-west-1");
        assert_eq!(region("", vars(&env[1..])), "eu-central-1");
        assert_eq!(region(" ", vars(&[])), FALLBACK_REGION);
    }

    #[test]
    fn aws_endpoints_by_partition() {
        assert_eq!(aws_url("lambda", "us-east-1"), "https://lambda.us-east-1.amazonaws.com");
        assert_eq!(aws_url("lambda", "cn-north-1"), "https://lambda.cn-north-1.amazonaws.com.cn");
        assert_eq!(aws_url("lambda", "us-iso-east-1"), "https://lambda.us-iso-east-1.c2s.ic.gov");
    }

    #[test]
    fn endpoints_parse_and_know_whether_they_are_aws() {
        let local = Endpoint::parse("http://127.0.0.1:3001").unwrap();
        assert!(!local.is_aws());
        assert_eq!(
            local.join("/2015-03-31/functions/f/invocations", ""),
            "http://127.0.0.1:3001/2015-03-31/functions/f/invocations"
        );
        let prefixed = Endpoint::parse("http://localhost:4566/lambda/").unwrap();
        assert_eq!(prefixed.join("/x", "a=b"), "http://localhost:4566/lambda/x?a=b");
        assert!(Endpoint::parse(&aws_url("lambda", "eu-west-1")).unwrap().is_aws());
        assert!(Endpoint::parse("https://lambda.us-east-1.api.aws").unwrap().is_aws());
        assert!(!Endpoint::parse("https://notamazonaws.com").unwrap().is_aws());
        for bad in ["localhost:3001", "ftp://host", "http://", "http://h/?q=1", "not a url"] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions_are_host_name_safe() {
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region(""));
        assert!(!is_region("us-east-1/../x"));
        assert!(!is_region("US-EAST-1"));
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(super::encode("a-Z_0.~"), "a-Z_0.~");
        assert_eq!(super::encode("a b/c:é"), "a%20b%2Fc%3A%C3%A9");
    }
}
