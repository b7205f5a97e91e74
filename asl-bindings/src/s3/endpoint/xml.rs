//! S3's XML answers: a `ListObjectsV2` page (`ListBucketResult`) and an error
//! (`<Error><Code>…</Code><Message>…</Message></Error>`).
//!
//! Elements are found by local name, whatever their namespace (AWS puts
//! `http://s3.amazonaws.com/doc/2006-03-01/` on the page, S3-compatible servers may not).
//! Text is taken as it is, entities decoded and nothing trimmed: a key may begin or end
//! with spaces.

use roxmltree::{Document, Node};

use crate::s3::{ListPage, Listed};

/// The page a `ListBucketResult` holds.
///
/// # Errors
///
/// It is not XML, not a `ListBucketResult`, an object has no key or a size that is not a
/// number, or the page says it is truncated without a `NextContinuationToken`.
pub(super) fn list_page(body: &str) -> Result<ListPage, String> {
    let document = Document::parse(body).map_err(|e| format!("the listing is not XML: {e}"))?;
    let root = document.root_element();
    if root.tag_name().name() != "ListBucketResult" {
        return Err(format!("the listing is a <{}>, not a <ListBucketResult>", root.tag_name().name()));
    }
    let mut page = ListPage::default();
    for contents in children(root, "Contents") {
        let key = text(contents, "Key").ok_or("an object of the listing has no <Key>")?;
        let size = text(contents, "Size").unwrap_or_default();
        let size = size.trim().parse().map_err(|_| format!("the object `{key}` has the size `{size}`"))?;
        page.objects.push(Listed {
            etag: text(contents, "ETag").unwrap_or_default(),
            last_modified: text(contents, "LastModified").unwrap_or_default(),
            size,
            storage_class: text(contents, "StorageClass").unwrap_or_else(|| "STANDARD".to_owned()),
            key,
        });
    }
    page.common_prefixes = children(root, "CommonPrefixes").filter_map(|node| text(node, "Prefix")).collect();
    let truncated = text(root, "IsTruncated").is_some_and(|t| t.trim() == "true");
    page.next_continuation_token = text(root, "NextContinuationToken").filter(|t| !t.is_empty());
    if truncated && page.next_continuation_token.is_none() {
        return Err("the listing is truncated but has no <NextContinuationToken>".to_owned());
    }
    if !truncated {
        page.next_continuation_token = None;
    }
    Ok(page)
}

/// The code and message of an `<Error>` answer; `None` when the body is not one.
pub(super) fn error(body: &str) -> Option<(String, String)> {
    let document = Document::parse(body).ok()?;
    let root = document.root_element();
    if root.tag_name().name() != "Error" {
        return None;
    }
    let code = text(root, "Code").filter(|c| !c.trim().is_empty())?;
    Some((code.trim().to_owned(), text(root, "Message").unwrap_or_default()))
}

/// The child elements of `node` named `name`.
fn children<'a, 'input>(node: Node<'a, 'input>, name: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children().filter(move |child| child.is_element() && child.tag_name().name() == name)
}

/// The text of the first child element of `node` named `name` (empty for `<Prefix/>`).
fn text(node: Node<'_, '_>, name: &str) -> Option<String> {
    let element = children(node, name).next()?;
    Some(element.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::{error, list_page};

    /// The example of AWS's ListObjectsV2 reference, with a second object whose key needs
    /// escaping, and a common prefix.
    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>bucket</Name>
    <Prefix/>
    <KeyCount>3</KeyCount>
    <MaxKeys>3</MaxKeys>
    <Delimiter>/</Delimiter>
    <IsTruncated>true</IsTruncated>
    <Contents>
        <Key>my-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
    <Contents>
        <Key> a &amp; b &lt;c&gt; é </Key>
        <LastModified>2024-01-01T00:00:00.000Z</LastModified>
        <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
        <Size>0</Size>
    </Contents>
    <CommonPrefixes><Prefix>photos/</Prefix></CommonPrefixes>
    <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>"#;

    #[test]
    fn a_page_of_aws_listing() {
        let page = list_page(PAGE).unwrap();
        assert_eq!(page.objects.len(), 2);
        let first = &page.objects[0];
        assert_eq!(
            (first.key.as_str(), first.etag.as_str(), first.last_modified.as_str(), first.size),
            ("my-image.jpg", "\"fba9dede5f27731c9771645a39863328\"", "2009-10-12T17:50:30.000Z", 434_234)
        );
        assert_eq!(page.objects[1].key, " a & b <c> é ");
        assert_eq!(page.objects[1].storage_class, "STANDARD");
        assert_eq!(page.common_prefixes, ["photos/"]);
        assert_eq!(page.next_continuation_token.as_deref(), Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="));
    }

    #[test]
    fn the_last_page_has_no_token_and_broken_pages_are_refused() {
        let last = list_page("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>").unwrap();
        assert_eq!((last.objects.len(), last.next_continuation_token), (0, None));
        for broken in [
            "not xml",
            "<Error><Code>NoSuchBucket</Code></Error>",
            "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>k</Key><Size>big</Size></Contents></ListBucketResult>",
            "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
        ] {
            assert!(list_page(broken).is_err(), "{broken}");
        }
    }

    #[test]
    fn errors_give_their_code_and_message() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a &amp; b</Key><RequestId>1</RequestId></Error>"#;
        assert_eq!(error(body), Some(("NoSuchKey".to_owned(), "The specified key does not exist.".to_owned())));
        assert_eq!(error("<Error><Code>X</Code></Error>"), Some(("X".to_owned(), String::new())));
        assert_eq!(error("<html>502</html>"), None);
        assert_eq!(error(""), None);
        assert_eq!(error("<Error><Message>m</Message></Error>"), None);
    }
}
