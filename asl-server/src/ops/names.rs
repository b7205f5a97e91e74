//! The names AWS accepts for state machines, executions and activities.

use crate::wire::ApiError;

/// Whether `c` may appear in a name: not whitespace, brackets, wildcards, the special
/// characters AWS lists, or control characters.
fn allowed(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
        || ('\u{7f}'..='\u{9f}').contains(&c))
}

/// Checks a name (its length, 1 to 80, is the model's to check).
///
/// # Errors
///
/// `InvalidName` with AWS's message.
pub fn check(name: &str) -> Result<(), ApiError> {
    if name.chars().all(allowed) {
        Ok(())
    } else {
        Err(ApiError::service("InvalidName", format!("Invalid Name: '{name}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_aws_refuses() {
        for good in ["order", "run-1_2.3", "naïve"] {
            assert!(check(good).is_ok(), "{good}");
        }
        for bad in ["a b", "a:b", "a/b", "a*", "tab\t", "x\u{85}"] {
            assert_eq!(check(bad).err().map(|e| e.code()), Some("InvalidName"), "{bad}");
        }
    }
}
