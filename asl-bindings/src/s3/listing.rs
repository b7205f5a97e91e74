//! `ListObjectsV2` over a bucket's keys, as S3 pages them: what a store that holds its keys
//! itself (a folder) answers for a [`ListRequest`].
//!
//! - Keys come in UTF-8 byte order (`str`'s order), only those that start with `prefix`.
//! - With a `delimiter`, a key that contains it after the prefix is not listed; the key up
//!   to and including the delimiter's first occurrence there is a common prefix, listed
//!   once. Keys and common prefixes together count against `max_keys` (default and cap
//!   1,000), in one order: a common prefix comes where its first key would.
//! - Only what sorts after `start_after` is listed, keys and common prefixes alike: a start
//!   inside a common prefix (`photos/2024/f`) skips that prefix (`photos/`) whole, as the
//!   listings of S3-compatible servers do (moto's, which `tests/tests/s3_objects.rs`
//!   compares with).
//! - A page that stops early has a `NextContinuationToken`: the last key or common prefix it
//!   listed, hex-encoded. The next page starts after it as `start_after` would, so after
//!   every key of that common prefix. A token that is not one of these is S3's
//!   `InvalidArgument`, `The continuation token provided is incorrect`.
//! - `max_keys` 0 lists nothing and has no next page (there is no last entry to go on after).

use super::{ListRequest, S3Error};

/// S3's default and largest page.
pub(crate) const MAX_KEYS: u32 = 1000;

/// One page, by position in the sorted keys it was cut from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Paged {
    /// The positions of the keys listed as objects, ascending.
    pub keys: Vec<usize>,
    /// The common prefixes.
    pub common_prefixes: Vec<String>,
    /// The token of the next page, when there is one.
    pub next_token: Option<String>,
}

/// One listed entry: a key (by position) or a common prefix.
enum Entry<'k> {
    Key(usize),
    Prefix(&'k str),
}

/// The page `request` asks for of `sorted` (keys in ascending order, no duplicates).
///
/// # Errors
///
/// `InvalidArgument` for a continuation token this module did not make.
pub(crate) fn page(sorted: &[String], request: &ListRequest) -> Result<Paged, S3Error> {
    let resumed = request.continuation_token.as_deref().map(decode_token).transpose()?;
    let max = request.max_keys.unwrap_or(MAX_KEYS).min(MAX_KEYS) as usize;
    let mut paged = Paged::default();
    if max == 0 {
        return Ok(paged);
    }
    let prefix = request.prefix.as_deref().unwrap_or_default();
    let delimiter = request.delimiter.as_deref().filter(|d| !d.is_empty());
    let after = request.start_after.as_deref().unwrap_or_default().max(resumed.as_deref().unwrap_or_default());
    // The keys with the prefix are one run of the sorted keys; the page starts in it after
    // `after`.
    let from =
        sorted.partition_point(|key| key.as_str() <= after).max(sorted.partition_point(|key| key.as_str() < prefix));
    let mut listed = 0;
    let mut last: Option<&str> = None;
    for (at, key) in sorted.iter().enumerate().skip(from) {
        if !key.starts_with(prefix) {
            break;
        }
        let entry = match delimiter.and_then(|d| key[prefix.len()..].find(d).map(|i| prefix.len() + i + d.len())) {
            Some(end) => Entry::Prefix(&key[..end]),
            None => Entry::Key(at),
        };
        if let Entry::Prefix(common) = entry {
            // Listed already on this page, or not after the start (a common prefix sorts
            // before its keys: one the start is inside, or the previous page's last entry).
            if last == Some(common) || common <= after {
                continue;
            }
        }
        if listed == max {
            paged.next_token = last.map(encode_token);
            break;
        }
        listed += 1;
        match entry {
            Entry::Key(at) => {
                paged.keys.push(at);
                last = Some(key);
            }
            Entry::Prefix(common) => {
                paged.common_prefixes.push(common.to_owned());
                last = Some(common);
            }
        }
    }
    Ok(paged)
}

/// The continuation token of a page whose last entry is `last`: its bytes in hex. (S3's own
/// tokens are opaque too; this one is only ever read back by [`decode_token`].)
pub(crate) fn encode_token(last: &str) -> String {
    last.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The entry a continuation token goes on after.
///
/// # Errors
///
/// `InvalidArgument` when it is not a token [`encode_token`] makes.
pub(crate) fn decode_token(token: &str) -> Result<String, S3Error> {
    let digits = token.as_bytes();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return Err(S3Error::bad_continuation_token());
    }
    let nibble = |d: u8| char::from(d).to_digit(16).and_then(|n| u8::try_from(n).ok());
    let bytes = digits
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(S3Error::bad_continuation_token)?;
    String::from_utf8(bytes).map_err(|_| S3Error::bad_continuation_token())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = list.iter().map(|k| (*k).to_owned()).collect();
        keys.sort();
        keys
    }

    fn request() -> ListRequest {
        ListRequest { bucket: "b".into(), ..ListRequest::default() }
    }

    /// The page's keys and common prefixes, by name.
    fn names(sorted: &[String], paged: &Paged) -> (Vec<String>, Vec<String>) {
        (paged.keys.iter().map(|&at| sorted[at].clone()).collect(), paged.common_prefixes.clone())
    }

    /// Every page from `first`, followed through its tokens: keys and common prefixes.
    fn all_pages(sorted: &[String], first: ListRequest) -> Vec<(Vec<String>, Vec<String>)> {
        let mut pages = Vec::new();
        let mut request = first;
        loop {
            let paged = page(sorted, &request).unwrap();
            pages.push(names(sorted, &paged));
            match paged.next_token {
                Some(token) => request.continuation_token = Some(token),
                None => return pages,
            }
            assert!(pages.len() < 100, "the pages do not end");
        }
    }

    #[test]
    fn keys_in_utf8_byte_order_with_a_prefix() {
        // '/' (0x2F) sorts before '0' (0x30) and 'a', 'é' (0xC3 0xA9) after 'z'.
        let sorted = keys(&["b", "a0", "a/x", "é", "z", "a"]);
        let paged = page(&sorted, &request()).unwrap();
        assert_eq!(names(&sorted, &paged).0, ["a", "a/x", "a0", "b", "z", "é"]);
        assert_eq!(paged.next_token, None);
        let prefixed = page(&sorted, &ListRequest { prefix: Some("a".into()), ..request() }).unwrap();
        assert_eq!(names(&sorted, &prefixed).0, ["a", "a/x", "a0"]);
        let none = page(&sorted, &ListRequest { prefix: Some("q".into()), ..request() }).unwrap();
        assert_eq!(none, Paged::default());
    }

    #[test]
    fn a_delimiter_rolls_keys_up_into_common_prefixes() {
        let sorted = keys(&["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/top.jpg", "readme"]);
        let top = page(&sorted, &ListRequest { delimiter: Some("/".into()), ..request() }).unwrap();
        assert_eq!(names(&sorted, &top), (vec!["readme".to_owned()], vec!["photos/".to_owned()]));
        let inside = ListRequest { delimiter: Some("/".into()), prefix: Some("photos/".into()), ..request() };
        let inside = page(&sorted, &inside).unwrap();
        assert_eq!(
            names(&sorted, &inside),
            (vec!["photos/top.jpg".to_owned()], vec!["photos/2024/".to_owned(), "photos/2025/".to_owned()])
        );
        // A delimiter of several characters, and one that is not '/'.
        let sorted = keys(&["a--b--c", "a--d", "e"]);
        let dashes = page(&sorted, &ListRequest { delimiter: Some("--".into()), ..request() }).unwrap();
        assert_eq!(names(&sorted, &dashes), (vec!["e".to_owned()], vec!["a--".to_owned()]));
        // An empty delimiter is none.
        let empty = page(&sorted, &ListRequest { delimiter: Some(String::new()), ..request() }).unwrap();
        assert_eq!(empty.keys.len(), 3);
    }

    #[test]
    fn pages_count_keys_and_prefixes_and_continue_after_a_common_prefix() {
        let sorted = keys(&["a/1", "a/2", "a/3", "b", "c/1", "c/2", "d"]);
        let first = ListRequest { delimiter: Some("/".into()), max_keys: Some(2), ..request() };
        assert_eq!(
            all_pages(&sorted, first),
            [(vec!["b".to_owned()], vec!["a/".to_owned()]), (vec!["d".to_owned()], vec!["c/".to_owned()]),]
        );
        let one_at_a_time = ListRequest { delimiter: Some("/".into()), max_keys: Some(1), ..request() };
        let pages = all_pages(&sorted, one_at_a_time);
        assert_eq!(pages.len(), 4, "{pages:?}");
        assert_eq!(pages[2], (vec![], vec!["c/".to_owned()]));
    }

    #[test]
    fn a_full_last_page_has_no_token() {
        let sorted = keys(&["a", "b"]);
        let paged = page(&sorted, &ListRequest { max_keys: Some(2), ..request() }).unwrap();
        assert_eq!((paged.keys.len(), paged.next_token), (2, None));
    }

    #[test]
    fn more_than_a_thousand_keys_take_several_pages_in_order() {
        let sorted = keys(
            &(0..2500)
                .map(|i| format!("item-{i:05}"))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        let pages = all_pages(&sorted, ListRequest { max_keys: Some(5000), ..request() });
        assert_eq!(pages.iter().map(|(keys, _)| keys.len()).collect::<Vec<_>>(), [1000, 1000, 500]);
        let listed: Vec<String> = pages.into_iter().flat_map(|(keys, _)| keys).collect();
        assert_eq!(listed, sorted);
    }

    #[test]
    fn start_after_skips_what_sorts_up_to_it() {
        let sorted = keys(&["a/1", "a/2", "b", "c", "prefix1/object", "prefix2/object"]);
        let plain = page(&sorted, &ListRequest { start_after: Some("a/1".into()), ..request() }).unwrap();
        assert_eq!(names(&sorted, &plain).0, ["a/2", "b", "c", "prefix1/object", "prefix2/object"]);
        let between = page(&sorted, &ListRequest { start_after: Some("bb".into()), ..request() }).unwrap();
        assert_eq!(names(&sorted, &between).0, ["c", "prefix1/object", "prefix2/object"]);
        // A start inside `a/` skips that common prefix whole.
        let inside = ListRequest { start_after: Some("a/1".into()), delimiter: Some("/".into()), ..request() };
        let inside = page(&sorted, &inside).unwrap();
        let prefixes = vec!["prefix1/".to_owned(), "prefix2/".to_owned()];
        assert_eq!(names(&sorted, &inside), (vec!["b".to_owned(), "c".to_owned()], prefixes.clone()));
        // A start before a common prefix keeps it.
        let before = ListRequest {
            prefix: Some("prefix".into()),
            start_after: Some("prefix1".into()),
            delimiter: Some("/".into()),
            ..request()
        };
        assert_eq!(names(&sorted, &page(&sorted, &before).unwrap()), (vec![], prefixes));
    }

    #[test]
    fn zero_keys_is_an_empty_last_page() {
        let sorted = keys(&["a"]);
        assert_eq!(page(&sorted, &ListRequest { max_keys: Some(0), ..request() }).unwrap(), Paged::default());
    }

    #[test]
    fn tokens_round_trip_and_strangers_are_refused() {
        for key in ["a", "photos/2024/", "é 😀 &<>"] {
            assert_eq!(decode_token(&encode_token(key)).unwrap(), key);
        }
        for bad in ["", "abc", "zz", "ff", "c328", "not a token"] {
            let error = decode_token(bad).unwrap_err();
            assert_eq!(
                (error.code.as_str(), error.message.as_str(), error.status),
                ("InvalidArgument", "The continuation token provided is incorrect", 400),
                "{bad}"
            );
        }
        let sorted = keys(&["a"]);
        let refused = page(&sorted, &ListRequest { continuation_token: Some("xyz".into()), ..request() });
        assert_eq!(refused.unwrap_err().code, "InvalidArgument");
    }
}
