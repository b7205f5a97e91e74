//! Where the bytes of result files go as [`ResultFiles`](super::ResultFiles) produces
//! them: a [`Sink`] of the caller's (to stream a file into a multipart upload, say), or
//! [`Buffers`], which keeps each file in memory until it is complete.

use crate::map_results::child::ResultGroup;

/// Receives result files as they are written: each file is opened, written to in order,
/// then closed, before the next file of its group opens. Files of different groups may be
/// open at the same time.
pub trait Sink {
    /// File `key` of `group` starts.
    fn open(&mut self, group: ResultGroup, key: &str);
    /// The next bytes of the open file of `group`.
    fn write(&mut self, group: ResultGroup, bytes: &[u8]);
    /// The open file of `group` is complete.
    fn close(&mut self, group: ResultGroup);
}

/// One result file, complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultFile {
    /// What it holds.
    pub group: ResultGroup,
    /// Its key.
    pub key: String,
    /// Its bytes.
    pub body: Vec<u8>,
}

/// A [`Sink`] that keeps each open file in memory and hands completed files over through
/// [`take_completed`](Self::take_completed), so they can be written and dropped one at a
/// time.
#[derive(Debug, Default)]
pub struct Buffers {
    /// The open file of each group (in [`ResultGroup::ALL`] order).
    open: [Option<ResultFile>; 3],
    /// Files closed and not yet taken.
    completed: Vec<ResultFile>,
}

impl Buffers {
    /// The files completed since the last call, in the order they were completed.
    pub fn take_completed(&mut self) -> Vec<ResultFile> {
        std::mem::take(&mut self.completed)
    }
}

impl Sink for Buffers {
    fn open(&mut self, group: ResultGroup, key: &str) {
        // A file left open (a sink used out of order) is kept rather than lost.
        if let Some(unclosed) =
            self.open[group.index()].replace(ResultFile { group, key: key.to_owned(), body: Vec::new() })
        {
            self.completed.push(unclosed);
        }
    }

    fn write(&mut self, group: ResultGroup, bytes: &[u8]) {
        if let Some(file) = &mut self.open[group.index()] {
            file.body.extend_from_slice(bytes);
        }
    }

    fn close(&mut self, group: ResultGroup) {
        if let Some(file) = self.open[group.index()].take() {
            self.completed.push(file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Buffers, ResultFile, Sink};
    use crate::map_results::child::ResultGroup;

    #[test]
    fn buffers_hand_over_closed_files() {
        let mut buffers = Buffers::default();
        buffers.open(ResultGroup::Succeeded, "s0");
        buffers.open(ResultGroup::Failed, "f0");
        buffers.write(ResultGroup::Succeeded, b"[1");
        buffers.write(ResultGroup::Failed, b"[2]");
        buffers.write(ResultGroup::Succeeded, b"]");
        buffers.close(ResultGroup::Failed);
        let file = |group, key: &str, body: &[u8]| ResultFile { group, key: key.to_owned(), body: body.to_vec() };
        assert_eq!(buffers.take_completed(), [file(ResultGroup::Failed, "f0", b"[2]")]);
        buffers.close(ResultGroup::Succeeded);
        assert_eq!(buffers.take_completed(), [file(ResultGroup::Succeeded, "s0", b"[1]")]);
        assert!(buffers.take_completed().is_empty());
        // Writes and closes without an open file are ignored; reopening keeps the old file.
        buffers.write(ResultGroup::Pending, b"x");
        buffers.close(ResultGroup::Pending);
        buffers.open(ResultGroup::Pending, "p0");
        buffers.open(ResultGroup::Pending, "p1");
        assert_eq!(buffers.take_completed(), [file(ResultGroup::Pending, "p0", b"")]);
    }
}
