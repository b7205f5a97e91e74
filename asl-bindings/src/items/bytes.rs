//! A byte-at-a-time view of an object's body, with one byte of look-ahead, for the
//! tokenizers of the text formats. It holds one fixed buffer, whatever the object's size.

use std::io::{ErrorKind, Read};

use super::error::ReadError;

/// How much of the body is read from the source at once.
const BUF_SIZE: usize = 64 * 1024;

/// The UTF-8 byte order mark some editors write at the start of a text file.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// An object's bytes, pulled from its reader as the tokenizer asks for them.
pub(crate) struct Bytes {
    inner: Box<dyn Read + Send>,
    buf: Box<[u8]>,
    /// The next unread byte of `buf`.
    pos: usize,
    /// How many bytes of `buf` hold data.
    len: usize,
    /// Bytes consumed before `buf`'s start, for error positions.
    before: u64,
    eof: bool,
}

impl Bytes {
    /// Reads `inner`, skipping a UTF-8 byte order mark at its start (it is not data in any
    /// of the formats).
    pub(crate) fn new(inner: Box<dyn Read + Send>) -> Result<Bytes, ReadError> {
        let mut bytes =
            Bytes { inner, buf: vec![0; BUF_SIZE].into_boxed_slice(), pos: 0, len: 0, before: 0, eof: false };
        // Fill at least three bytes (or all there is) so the mark can be seen whole even
        // when the source hands out one byte per read.
        while bytes.len < BOM.len() && bytes.read_more()? {}
        if bytes.buf[..bytes.len].starts_with(&BOM) {
            bytes.pos = BOM.len();
        }
        Ok(bytes)
    }

    /// Appends what the source gives to the buffer; false at the end of the object.
    fn read_more(&mut self) -> Result<bool, ReadError> {
        if self.eof {
            return Ok(false);
        }
        if self.pos == self.len {
            self.before += self.len as u64;
            self.pos = 0;
            self.len = 0;
        }
        loop {
            match self.inner.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(true);
                }
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                Err(err) => return Err(ReadError::io(&err)),
            }
        }
    }

    /// The next byte, without taking it; `None` at the end of the object.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        if self.pos == self.len && !self.read_more()? {
            return Ok(None);
        }
        Ok(Some(self.buf[self.pos]))
    }

    /// Takes the next byte; `None` at the end of the object.
    pub(crate) fn next_byte(&mut self) -> Result<Option<u8>, ReadError> {
        let byte = self.peek()?;
        if byte.is_some() {
            self.pos += 1;
        }
        Ok(byte)
    }

    /// How many bytes have been taken (counting a skipped byte order mark).
    pub(crate) fn position(&self) -> u64 {
        self.before + self.pos as u64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    /// A source that hands out one byte per read, as a slow network might.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.get(self.1), out.first_mut()) {
                (Some(&b), Some(slot)) => {
                    *slot = b;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn all(mut bytes: Bytes) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = bytes.next_byte().unwrap() {
            out.push(b);
        }
        out
    }

    #[test]
    fn skips_a_byte_order_mark_even_one_byte_at_a_time() {
        let body = b"\xEF\xBB\xBFab".to_vec();
        assert_eq!(all(Bytes::new(Box::new(Trickle(body, 0))).unwrap()), b"ab");
    }

    #[test]
    fn keeps_bytes_that_only_start_like_a_mark() {
        let body = b"\xEF\xBBx".to_vec();
        assert_eq!(all(Bytes::new(Box::new(std::io::Cursor::new(body))).unwrap()), b"\xEF\xBBx");
    }

    #[test]
    fn reads_across_buffer_refills_and_counts_positions() {
        let body = vec![b'x'; BUF_SIZE * 2 + 7];
        let mut bytes = Bytes::new(Box::new(std::io::Cursor::new(body))).unwrap();
        let mut n = 0;
        while bytes.next_byte().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, BUF_SIZE * 2 + 7);
        assert_eq!(bytes.position(), (BUF_SIZE * 2 + 7) as u64);
        assert_eq!(bytes.peek().unwrap(), None);
    }

    #[test]
    fn read_errors_become_item_reader_failures() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("connection reset"))
            }
        }
        let err = Bytes::new(Box::new(Broken)).err().unwrap();
        assert_eq!(err.cause, "Failed to read the object: connection reset");
    }
}
