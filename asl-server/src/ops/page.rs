//! Paging of the lists the server holds itself (state machines, activities), as AWS pages:
//! `maxResults` 0 or absent means 100, at most 1000, and an opaque `nextToken`.

use crate::wire::ApiError;

/// What tokens of these lists start with: a token that does not is not one of ours.
const TOKEN_PREFIX: &str = "after:";

/// The page of `items` (sorted by `key`) that `next_token` asks for, and the token of the one
/// after it.
///
/// # Errors
///
/// `InvalidToken` for a token no listing gave out.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> &str,
    max_results: u32,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let size = match max_results {
        0 => 100,
        n => n.min(1000) as usize,
    };
    let after = match next_token {
        None => None,
        Some(token) => Some(token.strip_prefix(TOKEN_PREFIX).ok_or_else(|| invalid_token(token))?),
    };
    let mut page: Vec<T> = items.into_iter().filter(|item| after.is_none_or(|after| key(item) > after)).collect();
    let next = if page.len() > size {
        page.truncate(size);
        page.last().map(|last| format!("{TOKEN_PREFIX}{}", key(last)))
    } else {
        None
    };
    Ok((page, next))
}

/// `InvalidToken` for a `nextToken` no listing gave out.
pub fn invalid_token(token: &str) -> ApiError {
    ApiError::service("InvalidToken", format!("Invalid Token: '{token}'"))
}

#[cfg(test)]
#[allow(clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn pages_follow_their_tokens() {
        let items: Vec<String> = (0..5).map(|i| format!("k{i}")).collect();
        let first = page(items.clone(), |s| s, 2, None).map_err(|e| e.to_string());
        let Ok((first, Some(token))) = first else { panic!("{first:?}") };
        assert_eq!(first, ["k0", "k1"]);
        let second = page(items.clone(), |s| s, 2, Some(&token)).map_err(|e| e.to_string());
        assert_eq!(second.map(|(p, t)| (p, t.is_some())), Ok((vec!["k2".to_owned(), "k3".to_owned()], true)));
        let all = page(items.clone(), |s| s, 0, None).map_err(|e| e.to_string());
        assert_eq!(all.map(|(p, t)| (p.len(), t)), Ok((5, None)));
        assert_eq!(page(items, |s| s, 2, Some("junk")).err().map(|e| e.code()), Some("InvalidToken"));
    }
}
