//! The `Authorization` header of a SigV4 request:
//! `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/states/aws4_request,
//! SignedHeaders=host;x-amz-date, Signature=<64 hex digits>`.

use super::errors;
use crate::wire::ApiError;

/// The only algorithm SigV4 (as opposed to SigV4a) signs with.
pub(super) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The parts of an `Authorization` header, not yet checked beyond their syntax.
#[derive(Debug, PartialEq)]
pub(super) struct Authorization<'a> {
    /// The word before the first space (`AWS4-HMAC-SHA256`).
    pub algorithm: &'a str,
    /// `Credential=`: the access key id and the credential scope.
    pub credential: Option<&'a str>,
    /// `SignedHeaders=`: lowercase header names joined by `;`.
    pub signed_headers: Option<&'a str>,
    /// `Signature=`: the signature in lowercase hex.
    pub signature: Option<&'a str>,
}

impl<'a> Authorization<'a> {
    /// Splits `header` into its algorithm and `key=value` parameters. The parameters are
    /// separated by commas and/or whitespace, as AWS reads them: a space inside a value (a
    /// pasted access key with a trailing space, say) makes its second half a part without `=`,
    /// which AWS reports as such. Unknown keys are ignored.
    pub(super) fn parse(header: &'a str) -> Result<Authorization<'a>, ApiError> {
        let header_trimmed = header.trim();
        let (algorithm, rest) = header_trimmed.split_once([' ', '\t']).unwrap_or((header_trimmed, ""));
        let mut authorization = Authorization { algorithm, credential: None, signed_headers: None, signature: None };
        for part in rest.split([',', ' ', '\t']).filter(|part| !part.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                return Err(errors::missing_equal_sign(part, header));
            };
            let slot = match key {
                "Credential" => &mut authorization.credential,
                "SignedHeaders" => &mut authorization.signed_headers,
                "Signature" => &mut authorization.signature,
                _ => continue,
            };
            *slot = Some(value);
        }
        Ok(authorization)
    }
}

/// The five parts of `Credential=`: `keyid/date/region/service/aws4_request`.
#[derive(Debug, PartialEq)]
pub(super) struct Scope<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// `YYYYMMDD`, which must be the day of the request's date.
    pub date: &'a str,
    /// The region the client signed for.
    pub region: &'a str,
    /// The service the client signed for (`states`).
    pub service: &'a str,
    /// Always `aws4_request`.
    pub terminator: &'a str,
}

impl<'a> Scope<'a> {
    /// Splits a `Credential` value into its five parts; trailing slashes are ignored, as AWS
    /// ignores them.
    pub(super) fn parse(credential: &'a str) -> Result<Scope<'a>, ApiError> {
        let trimmed = credential.trim_end_matches('/');
        let mut parts = trimmed.split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(access_key_id), Some(date), Some(region), Some(service), Some(terminator), None) => {
                Ok(Scope { access_key_id, date, region, service, terminator })
            }
            _ => Err(errors::credential_parts(trimmed)),
        }
    }

    /// The scope as it appears in the string to sign: everything after the access key id.
    pub(super) fn string(&self) -> String {
        format!("{}/{}/{}/{}", self.date, self.region, self.service, self.terminator)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn botocore_headers_parse() {
        let header = "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/states/aws4_request, \
                      SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc123";
        assert_eq!(
            Authorization::parse(header).ok(),
            Some(Authorization {
                algorithm: "AWS4-HMAC-SHA256",
                credential: Some("AKID/20261207/us-east-1/states/aws4_request"),
                signed_headers: Some("content-type;host;x-amz-date;x-amz-target"),
                signature: Some("abc123"),
            })
        );
    }

    #[test]
    fn commas_alone_separate_parameters_too() {
        let parsed = Authorization::parse("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=00");
        assert_eq!(parsed.ok().and_then(|a| a.signed_headers), Some("host"));
    }

    #[test]
    fn a_part_without_equal_sign_is_named_with_the_whole_header() {
        // aws/aws-sdk-go #289: an access key pasted with a trailing space.
        let header = "AWS4-HMAC-SHA256 Credential=AKIAXXXXXXXXXX /20150620/us-east-1/cloudformation/aws4_request, \
                      SignedHeaders=host;x-amz-date, Signature=2";
        let error = Authorization::parse(header).err();
        assert_eq!(error.as_ref().map(ApiError::code), Some("IncompleteSignatureException"));
        assert_eq!(
            error.as_ref().map(ApiError::message),
            Some(
                format!(
                    "'/20150620/us-east-1/cloudformation/aws4_request' not a valid key=value pair (missing \
                     equal-sign) in Authorization header: '{header}'."
                )
                .as_str()
            )
        );
    }

    #[test]
    fn scopes_need_exactly_five_parts() {
        let scope = Scope::parse("AKID/20150830/us-east-1/iam/aws4_request/");
        assert_eq!(scope.as_ref().ok().map(Scope::string).as_deref(), Some("20150830/us-east-1/iam/aws4_request"));
        let error = Scope::parse("a/b/c/d").err();
        assert_eq!(
            error.as_ref().map(ApiError::message),
            Some(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"
            )
        );
        assert!(Scope::parse("a/b/c/d/e/f").is_err());
    }
}
