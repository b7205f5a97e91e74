//! Items from many objects, read one object after another: the data files a manifest
//! lists, or the objects of a `LOAD_AND_FLATTEN` listing. Only one object is open at a
//! time.

use std::io::{Cursor, Read};

use flate2::read::MultiGzDecoder;
use serde_json::Value;

use super::error::ReadError;
use super::{Body, Items, Opener};

/// The first bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// `body`, decompressed when it is gzip (S3 Inventory writes `.csv.gz` files; Athena's
/// `UNLOAD` compresses text output with gzip by default).
pub(crate) fn gunzip_if_gzip(mut body: Body) -> Result<Body, ReadError> {
    let mut head = Vec::with_capacity(GZIP_MAGIC.len());
    while head.len() < GZIP_MAGIC.len() {
        let mut byte = [0u8; 1];
        match body.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(ReadError::io(&err)),
        }
    }
    let is_gzip = head == GZIP_MAGIC;
    let whole = Cursor::new(head).chain(body);
    Ok(if is_gzip { Box::new(MultiGzDecoder::new(whole)) } else { Box::new(whole) })
}

/// Where an object is: its bucket and key.
pub(crate) type Location = (String, String);

/// Reads one object's items.
pub(crate) type ReadObject = Box<dyn FnMut(Body) -> Result<Items, ReadError> + Send>;

/// The items of a sequence of objects, in order.
pub(crate) struct Flatten {
    sources: Box<dyn Iterator<Item = Result<Location, ReadError>> + Send>,
    opener: Opener,
    read: ReadObject,
    gunzip: bool,
    current: Option<Items>,
    done: bool,
}

impl Flatten {
    /// Reads each object `sources` names, opened with `opener` (and decompressed first when
    /// `gunzip` and it is gzip), with `read`.
    pub(crate) fn new(
        sources: Box<dyn Iterator<Item = Result<Location, ReadError>> + Send>,
        opener: Opener,
        read: ReadObject,
        gunzip: bool,
    ) -> Flatten {
        Flatten { sources, opener, read, gunzip, current: None, done: false }
    }

    fn next_item(&mut self) -> Result<Option<Value>, ReadError> {
        loop {
            if let Some(items) = self.current.as_mut() {
                if let Some(item) = items.next() {
                    return item.map(Some);
                }
                self.current = None;
            }
            let Some(source) = self.sources.next() else { return Ok(None) };
            let (bucket, key) = source?;
            let mut body = (self.opener)(&bucket, &key)?;
            if self.gunzip {
                body = gunzip_if_gzip(body)?;
            }
            self.current = Some((self.read)(body)?);
        }
    }
}

impl Iterator for Flatten {
    type Item = Result<Value, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.next_item().transpose();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
            self.current = None;
        }
        item
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use serde_json::json;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn read_all(body: Body) -> Vec<u8> {
        let mut out = Vec::new();
        let mut body = body;
        body.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn gzip_is_decompressed_and_plain_text_passes_through() {
        let zipped = gunzip_if_gzip(Box::new(Cursor::new(gzip(b"a,b\n1,2\n")))).unwrap();
        assert_eq!(read_all(zipped), b"a,b\n1,2\n");
        let plain = gunzip_if_gzip(Box::new(Cursor::new(b"a,b\n".to_vec()))).unwrap();
        assert_eq!(read_all(plain), b"a,b\n");
        assert_eq!(read_all(gunzip_if_gzip(Box::new(Cursor::new(vec![0x1f]))).unwrap()), vec![0x1f]);
        assert!(read_all(gunzip_if_gzip(Box::new(Cursor::new(Vec::new()))).unwrap()).is_empty());
    }

    #[test]
    fn concatenated_gzip_members_are_one_stream() {
        let mut two = gzip(b"1\n");
        two.extend(gzip(b"2\n"));
        assert_eq!(read_all(gunzip_if_gzip(Box::new(Cursor::new(two))).unwrap()), b"1\n2\n");
    }

    fn one_item_per_object() -> ReadObject {
        Box::new(|mut body: Body| {
            let mut text = String::new();
            body.read_to_string(&mut text).map_err(|e| ReadError::io(&e))?;
            let items: Items = Box::new(text.lines().map(|l| Ok(json!(l))).collect::<Vec<_>>().into_iter());
            Ok(items)
        })
    }

    #[test]
    fn reads_objects_in_order_and_stops_at_the_first_error() {
        let sources: Vec<Result<Location, ReadError>> = vec![
            Ok(("b".into(), "one".into())),
            Ok(("b".into(), "empty".into())),
            Ok(("b".into(), "two".into())),
            Ok(("b".into(), "missing".into())),
            Ok(("b".into(), "one".into())),
        ];
        let opener: Opener = Box::new(|bucket: &str, key: &str| -> Result<Body, ReadError> {
            let text = match key {
                "one" => "a\nb",
                "two" => "c",
                "empty" => "",
                _ => return Err(ReadError::failed(format!("no {bucket}/{key}"))),
            };
            Ok(Box::new(Cursor::new(text.as_bytes().to_vec())))
        });
        let items: Vec<_> = Flatten::new(Box::new(sources.into_iter()), opener, one_item_per_object(), false).collect();
        assert_eq!(items.len(), 4);
        assert_eq!(
            items[..3].iter().map(|i| i.clone().unwrap()).collect::<Vec<_>>(),
            vec![json!("a"), json!("b"), json!("c")]
        );
        assert_eq!(items[3].clone().unwrap_err().cause, "no b/missing");
    }
}
