//! A function as the Invoke API's `FunctionName` names it.

use crate::aws::endpoint::is_region;

/// The parts of a `FunctionName`: `my-function`, `my-function:live`,
/// `123456789012:function:my-function[:live]` (a partial ARN) or
/// `arn:aws:lambda:us-east-1:123456789012:function:my-function[:live]`.
///
/// Text of no such form is a [`name`](Self::name) as a whole, for Lambda to judge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FunctionRef<'a> {
    /// The region of a full ARN.
    pub region: Option<&'a str>,
    /// The function's name.
    pub name: &'a str,
    /// The version or alias that follows the name.
    pub qualifier: Option<&'a str>,
}

impl<'a> FunctionRef<'a> {
    /// The parts of `text`.
    pub(crate) fn parse(text: &'a str) -> FunctionRef<'a> {
        let whole = FunctionRef { region: None, name: text, qualifier: None };
        let parts: Vec<&str> = text.split(':').collect();
        let named = |region, name: &'a str, qualifier: Option<&'a str>| {
            let fine = !name.is_empty() && qualifier.is_none_or(|q| !q.is_empty());
            if fine { FunctionRef { region, name, qualifier } } else { whole }
        };
        match parts.as_slice() {
            [name] => named(None, name, None),
            [name, qualifier] => named(None, name, Some(qualifier)),
            [_account, "function", name] => named(None, name, None),
            [_account, "function", name, qualifier] => named(None, name, Some(qualifier)),
            ["arn", _partition, "lambda", region, _account, "function", name, rest @ ..] if is_region(region) => {
                match rest {
                    [] => named(Some(region), name, None),
                    [qualifier] => named(Some(region), name, Some(qualifier)),
                    _ => whole,
                }
            }
            _ => whole,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::FunctionRef;

    fn parts(text: &str) -> (Option<&str>, &str, Option<&str>) {
        let f = FunctionRef::parse(text);
        (f.region, f.name, f.qualifier)
    }

    #[test]
    fn every_form_lambda_accepts() {
        assert_eq!(parts("my-function"), (None, "my-function", None));
        assert_eq!(parts("my-function:live"), (None, "my-function", Some("live")));
        assert_eq!(parts("123456789012:function:my-function"), (None, "my-function", None));
        assert_eq!(parts("123456789012:function:my-function:7"), (None, "my-function", Some("7")));
        assert_eq!(
            parts("arn:aws:lambda:eu-west-1:123456789012:function:my-function"),
            (Some("eu-west-1"), "my-function", None)
        );
        assert_eq!(
            parts("arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST"),
            (Some("cn-north-1"), "f", Some("$LATEST"))
        );
    }

    #[test]
    fn anything_else_is_a_name_for_lambda_to_judge() {
        for text in [
            "",
            "a:b:c",
            "f:",
            ":f",
            "arn:aws:lambda:Bad Region:1:function:f",
            "arn:aws:lambda:us-east-1:1:function:f:q:extra",
            "arn:aws:s3:::bucket",
        ] {
            assert_eq!(parts(text), (None, text, None), "{text}");
        }
    }
}
