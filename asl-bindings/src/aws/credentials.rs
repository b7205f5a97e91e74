//! AWS credentials, from the environment variables every AWS SDK reads first.

use std::fmt;

/// An AWS access key: what requests to AWS are signed with.
///
/// Its `Debug` shows the key ID only, never the secret or the session token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key ID (`AKIA…`, or `ASIA…` for temporary credentials).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials (`AWS_SESSION_TOKEN`).
    pub session_token: Option<String>,
}

impl Credentials {
    /// The credentials of the environment: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`,
    /// with `AWS_SESSION_TOKEN` when it is set. `None` unless both keys are set and not
    /// empty. (Profiles, SSO and instance roles are not read: export the keys, e.g. with
    /// `aws configure export-credentials --format env`.)
    pub fn from_env() -> Option<Credentials> {
        Credentials::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Credentials::from_env`] over any source of variables (`var` answers a variable's
    /// value, if it is set).
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
        let set = |name: &str| var(name).filter(|value| !value.is_empty());
        Some(Credentials {
            access_key_id: set("AWS_ACCESS_KEY_ID")?,
            secret_access_key: set("AWS_SECRET_ACCESS_KEY")?,
            session_token: set("AWS_SESSION_TOKEN"),
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::Credentials;

    use crate::aws::test_env as vars;

    #[test]
    fn both_keys_are_needed_and_the_token_is_optional() {
        let full = [("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "secret"), ("AWS_SESSION_TOKEN", "tok")];
        assert_eq!(
            Credentials::from_vars(vars(&full)),
            Some(Credentials {
                access_key_id: "AKID".into(),
                secret_access_key: "secret".into(),
                session_token: Some("tok".into())
            })
        );
        let no_token = [("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "secret"), ("AWS_SESSION_TOKEN", "")];
        assert_eq!(Credentials::from_vars(vars(&no_token)).and_then(|c| c.session_token), None);
        assert_eq!(Credentials::from_vars(vars(&[("AWS_ACCESS_KEY_ID", "AKID")])), None);
        assert_eq!(Credentials::from_vars(vars(&[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "s")])), None);
    }

    #[test]
    fn debug_hides_the_secrets() {
        let credentials = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "very-secret".into(),
            session_token: Some("token-secret".into()),
        };
        let shown = format!("{credentials:?}");
        assert!(shown.contains("AKID"), "{shown}");
        assert!(!shown.contains("very-secret") && !shown.contains("token-secret"), "{shown}");
    }
}
