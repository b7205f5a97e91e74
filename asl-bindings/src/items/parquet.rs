//! `InputType: PARQUET`: each row of an Apache Parquet file is an item, a JSON object of its
//! columns by name. Values are as Parquet's record API renders them as JSON: numbers,
//! strings, booleans and nulls as such, nested groups as objects, lists as arrays, maps as
//! objects, binary as base64, decimals, dates, times and timestamps as strings.
//!
//! A Parquet file's metadata is in its footer, so the object is first copied to an
//! anonymous temporary file (a streamed copy: it is never held in memory), then read one
//! row group at a time.

use std::io::{Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};

use parquet::file::reader::SerializedFileReader;
use parquet::record::reader::RowIter;
use serde_json::Value;

use super::Body;
use super::error::ReadError;

/// The rows of a Parquet object.
pub(crate) struct ParquetItems {
    rows: RowIter<'static>,
    /// The row number of the row last read (1-based), for errors.
    row: u64,
    done: bool,
}

impl ParquetItems {
    /// Reads `body` as a Parquet file: fails at once when it is not one.
    pub(crate) fn open(mut body: Body) -> Result<ParquetItems, ReadError> {
        let mut file = tempfile::tempfile()
            .map_err(|e| ReadError::failed(format!("No temporary file to read the Parquet object into: {e}")))?;
        std::io::copy(&mut body, &mut file).map_err(|e| ReadError::io(&e))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| ReadError::io(&e))?;
        let opened = catch_unwind(AssertUnwindSafe(|| SerializedFileReader::new(file).map(IntoIterator::into_iter)));
        match opened {
            Ok(Ok(rows)) => Ok(ParquetItems { rows, row: 0, done: false }),
            Ok(Err(error)) => Err(not_parquet(&error)),
            Err(_) => {
                Err(ReadError::failed("The object is not a Parquet file that can be read: its metadata is corrupt."))
            }
        }
    }
}

fn not_parquet(error: &parquet::errors::ParquetError) -> ReadError {
    ReadError::failed(format!("The object is not a Parquet file that can be read: {error}"))
}

impl Iterator for ParquetItems {
    type Item = Result<Value, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        // The decoder checks what it reads, but a damaged file must never bring the process
        // down with it: a panic inside it is a failed read like any other.
        let next = catch_unwind(AssertUnwindSafe(|| self.rows.next().map(|row| row.map(|row| row.to_json_value()))));
        let failure = match next {
            Ok(None) => return None,
            Ok(Some(Ok(item))) => {
                self.row += 1;
                return Some(Ok(item));
            }
            Ok(Some(Err(error))) => error.to_string(),
            Err(_) => "the file is corrupt".to_owned(),
        };
        self.done = true;
        Some(Err(ReadError::failed(format!("Row {} of the Parquet file could not be read: {failure}", self.row + 1))))
    }
}
