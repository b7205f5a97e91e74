//! A compact binary serde format for [parked](super::parked) executions.
//!
//! A parked execution is kept as bytes for as long as it waits, so the bytes should be few
//! and quick to write and read back. JSON is neither: every field name is spelled out in
//! every history event and frame, numbers and timestamps become digits, and writing and
//! parsing text is slow (in debug builds most of all). The binary formats that serde's
//! ecosystem offers are either not self-describing (bincode, postcard: a
//! `serde_json::Value`, which executions are full of, cannot be read back from them) or
//! spell out field names too (CBOR, MessagePack with named fields).
//!
//! This format mirrors JSON's data model exactly — `null`, booleans, integers and floats,
//! strings, arrays, objects; an `Option` is its value or `null`, a newtype is its value,
//! `is_human_readable` is true — so whatever round-trips through `serde_json` round-trips
//! here too, and it is self-describing, so `Value`s read back as they were written. Three
//! differences make it compact:
//!
//! - a struct's fields are written by position, not by name. The position counts the
//!   fields a `skip_serializing_if` leaves out (serde tells the serializer about them with
//!   `skip_field`), so a struct reads back by its field list even when some are missing.
//!   (A field that is `skip_serializing` but not `skip_deserializing`, or the reverse,
//!   would shift the positions; no type of an execution has one, and the round-trip tests
//!   of whole executions would show it.)
//! - an enum variant is written by its index;
//! - integers are variable-length, and small integers and short strings carry their value
//!   or length in the tag byte.
//!
//! The bytes never leave the process that wrote them, so the format has no version: it may
//! change in any release.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};

/// Tags `0x00..=0x3F`: an unsigned integer `0..=63`, the tag itself.
const SMALL_MAX: u8 = 0x3F;
/// Tags `0x40..=0x7F`: a string of `0..=63` bytes (the tag minus this), which follow.
const SHORT_STR: u8 = 0x40;
/// The longest string a short-string tag holds.
const SHORT_STR_MAX: usize = 0x3F;
/// `null`, `()`, `None`.
const UNIT: u8 = 0x80;
const FALSE: u8 = 0x81;
const TRUE: u8 = 0x82;
/// An unsigned integer: a varint follows.
const U64: u8 = 0x83;
/// A negative integer `v`: the varint of `!v` (that is `-v - 1`) follows.
const NEG: u8 = 0x84;
/// An `f64`: 8 bytes, little-endian.
const F64: u8 = 0x85;
/// A string: its length (varint) and UTF-8 bytes follow.
const STR: u8 = 0x86;
/// Bytes: their length (varint) and the bytes follow.
const BYTES: u8 = 0x87;
/// A sequence (array, tuple): its length (varint) and its elements follow.
const SEQ: u8 = 0x88;
/// A map (object): its length (varint) and its keys and values, alternating, follow.
const MAP: u8 = 0x89;
/// A struct: how many fields are written (varint), then for each its position (an
/// unsigned integer) and its value.
const STRUCT: u8 = 0x8A;
/// An enum variant: its index (varint) and its content (`UNIT`, a value, a `SEQ` or a
/// `STRUCT`) follow.
const ENUM: u8 = 0x8B;
/// An `i128` beyond the range of `i64` and `u64`: 16 bytes, little-endian.
const I128: u8 = 0x8C;
/// A `u128` beyond the range of `u64`: 16 bytes, little-endian.
const U128: u8 = 0x8D;

/// Why a value could not be written or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CompactError(String);

impl fmt::Display for CompactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CompactError {}

impl ser::Error for CompactError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CompactError(msg.to_string())
    }
}

impl de::Error for CompactError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CompactError(msg.to_string())
    }
}

type Result<T, E = CompactError> = std::result::Result<T, E>;

fn error<T>(message: &str) -> Result<T> {
    Err(CompactError(message.to_owned()))
}

/// `value` in this format.
///
/// # Errors
///
/// What `value`'s `Serialize` reports, or a sequence or map of unknown length (serde's own
/// collections and `serde_json::Value` always give it).
pub(crate) fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write(value, &mut out)?;
    Ok(out)
}

/// Appends `value` in this format to `out` (which keeps whatever it held if this fails).
///
/// # Errors
///
/// As [`to_bytes`].
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<()> {
    let mut writer = Writer { out: std::mem::take(out) };
    let start = writer.out.len();
    let written = value.serialize(&mut writer);
    if written.is_err() {
        writer.out.truncate(start);
    }
    *out = writer.out;
    written
}

thread_local! {
    /// A buffer to write into, kept between uses so that writing allocates nothing.
    static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The thread's writing buffer, empty (give it back with [`give_back`]; a nested use meanwhile
/// gets a new one).
pub(crate) fn take_buffer() -> Vec<u8> {
    BUFFER.with(std::cell::Cell::take)
}

/// Returns a buffer [`take_buffer`] gave out.
pub(crate) fn give_back(mut buffer: Vec<u8>) {
    buffer.clear();
    BUFFER.with(|cell| cell.set(buffer));
}

/// The value `bytes` hold, all of them.
///
/// # Errors
///
/// Bytes this format did not write for a `T`, cut short, or with bytes left over.
pub(crate) fn from_bytes<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T> {
    let mut reader = Reader { bytes };
    let value = T::deserialize(&mut reader)?;
    if reader.bytes.is_empty() { Ok(value) } else { error("bytes left over after the value") }
}

struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.out.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.out.push(value as u8);
    }

    fn uint(&mut self, value: u64) {
        match u8::try_from(value) {
            Ok(small) if small <= SMALL_MAX => self.out.push(small),
            _ => {
                self.out.push(U64);
                self.varint(value);
            }
        }
    }

    fn int(&mut self, value: i64) {
        match u64::try_from(value) {
            Ok(value) => self.uint(value),
            Err(_) => {
                self.out.push(NEG);
                self.varint(!value as u64);
            }
        }
    }

    fn len(&mut self, tag: u8, len: Option<usize>) -> Result<usize> {
        let Some(len) = len else { return error("a sequence or map of unknown length") };
        self.out.push(tag);
        self.varint(len as u64);
        Ok(len)
    }

    fn compound(&mut self, tag: u8, len: Option<usize>) -> Result<Compound<'_>> {
        let expected = self.len(tag, len)?;
        Ok(Compound { writer: self, expected, written: 0, position: 0 })
    }

    fn variant(&mut self, index: u32) {
        self.out.push(ENUM);
        self.varint(u64::from(index));
    }
}

/// Writes the elements, entries or fields of a sequence, map or struct, checking that as
/// many come as its header said.
struct Compound<'w> {
    writer: &'w mut Writer,
    expected: usize,
    written: usize,
    /// A struct's next field position (skipped fields count).
    position: u64,
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.written += 1;
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.writer.uint(self.position);
        self.position += 1;
        self.element(value)
    }

    fn end(self) -> Result<()> {
        if self.written == self.expected { Ok(()) } else { error("a length that does not match the content") }
    }
}

impl<'w> ser::Serializer for &'w mut Writer {
    type Ok = ();
    type Error = CompactError;
    type SerializeSeq = Compound<'w>;
    type SerializeTuple = Compound<'w>;
    type SerializeTupleStruct = Compound<'w>;
    type SerializeTupleVariant = Compound<'w>;
    type SerializeMap = Compound<'w>;
    type SerializeStruct = Compound<'w>;
    type SerializeStructVariant = Compound<'w>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<()> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<()> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<()> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<()> {
        self.int(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<()> {
        if let Ok(v) = u64::try_from(v) {
            self.uint(v);
        } else if let Ok(v) = i64::try_from(v) {
            self.int(v);
        } else {
            self.out.push(I128);
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<()> {
        self.uint(v.into());
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<()> {
        self.uint(v.into());
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<()> {
        self.uint(v.into());
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<()> {
        self.uint(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<()> {
        match u64::try_from(v) {
            Ok(v) => self.uint(v),
            Err(_) => {
                self.out.push(U128);
                self.out.extend_from_slice(&v.to_le_bytes());
            }
        }
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<()> {
        // As JSON: an f32 reads back as an f64.
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<()> {
        self.out.push(F64);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<()> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        if v.len() <= SHORT_STR_MAX {
            self.out.push(SHORT_STR + v.len() as u8);
        } else {
            self.out.push(STR);
            self.varint(v.len() as u64);
        }
        self.out.extend_from_slice(v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.out.push(BYTES);
        self.varint(v.len() as u64);
        self.out.extend_from_slice(v);
        Ok(())
    }

    fn serialize_none(self) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.out.push(UNIT);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, index: u32, _variant: &'static str) -> Result<()> {
        self.variant(index);
        self.serialize_unit()
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.variant(index);
        value.serialize(self)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'w>> {
        self.compound(SEQ, len)
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'w>> {
        self.compound(SEQ, Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w>> {
        self.compound(SEQ, Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w>> {
        self.variant(index);
        self.compound(SEQ, Some(len))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'w>> {
        self.compound(MAP, len)
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w>> {
        self.compound(STRUCT, Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w>> {
        self.variant(index);
        self.compound(STRUCT, Some(len))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        key.serialize(&mut *self.writer)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }

    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, _key: &'static str, value: &T) -> Result<()> {
        self.field(value)
    }

    fn skip_field(&mut self, _key: &'static str) -> Result<()> {
        self.position += 1;
        Ok(())
    }

    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, _key: &'static str, value: &T) -> Result<()> {
        self.field(value)
    }

    fn skip_field(&mut self, _key: &'static str) -> Result<()> {
        self.position += 1;
        Ok(())
    }

    fn end(self) -> Result<()> {
        Compound::end(self)
    }
}

struct Reader<'de> {
    bytes: &'de [u8],
}

impl<'de> Reader<'de> {
    fn peek(&self) -> Result<u8> {
        match self.bytes.first() {
            Some(&byte) => Ok(byte),
            None => error("the bytes end before the value does"),
        }
    }

    fn byte(&mut self) -> Result<u8> {
        let byte = self.peek()?;
        self.bytes = &self.bytes[1..];
        Ok(byte)
    }

    fn take(&mut self, len: u64) -> Result<&'de [u8]> {
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > self.bytes.len() {
            return error("the bytes end before the value does");
        }
        let (taken, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N as u64)?);
        Ok(array)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7F) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        error("a variable-length integer longer than 64 bits")
    }

    /// A length: at most one element per byte left, so corrupt lengths allocate nothing.
    fn len(&mut self) -> Result<usize> {
        let len = self.varint()?;
        match usize::try_from(len) {
            Ok(len) if len <= self.bytes.len() => Ok(len),
            _ => error("a length longer than the bytes left"),
        }
    }

    /// An unsigned integer value (a struct field's position).
    fn uint(&mut self) -> Result<u64> {
        match self.byte()? {
            small @ 0..=SMALL_MAX => Ok(u64::from(small)),
            U64 => self.varint(),
            _ => error("expected an unsigned integer"),
        }
    }

    fn str(&mut self, len: u64) -> Result<&'de str> {
        std::str::from_utf8(self.take(len)?).map_err(|_| CompactError("a string that is not UTF-8".to_owned()))
    }

    /// Skips one value.
    fn skip(&mut self) -> Result<()> {
        de::Deserializer::deserialize_ignored_any(self, de::IgnoredAny).map(|_| ())
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = CompactError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.byte()? {
            small @ 0..=SMALL_MAX => visitor.visit_u64(u64::from(small)),
            tag @ SHORT_STR..=0x7F => visitor.visit_borrowed_str(self.str(u64::from(tag - SHORT_STR))?),
            UNIT => visitor.visit_unit(),
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            U64 => visitor.visit_u64(self.varint()?),
            NEG => match i64::try_from(self.varint()?) {
                Ok(complement) => visitor.visit_i64(!complement),
                Err(_) => error("a negative integer below i64::MIN"),
            },
            F64 => visitor.visit_f64(f64::from_le_bytes(self.array()?)),
            STR => {
                let len = self.varint()?;
                visitor.visit_borrowed_str(self.str(len)?)
            }
            BYTES => {
                let len = self.varint()?;
                visitor.visit_borrowed_bytes(self.take(len)?)
            }
            SEQ => {
                let len = self.len()?;
                let value = visitor.visit_seq(Elements { reader: self, left: len })?;
                Ok(value)
            }
            MAP => {
                let len = self.len()?;
                visitor.visit_map(Entries { reader: self, left: len })
            }
            STRUCT => {
                // Read without the field list (into a `Value`, say): positions as keys.
                let len = self.len()?;
                visitor.visit_map(Fields { reader: self, left: len, fields: None })
            }
            ENUM => visitor.visit_enum(Variant { reader: self }),
            I128 => visitor.visit_i128(i128::from_le_bytes(self.array()?)),
            U128 => visitor.visit_u128(u128::from_le_bytes(self.array()?)),
            _ => error("an unknown tag"),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? == UNIT {
            self.byte()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if self.peek()? != STRUCT {
            return self.deserialize_any(visitor);
        }
        self.byte()?;
        let len = self.len()?;
        visitor.visit_map(Fields { reader: self, left: len, fields: Some(fields) })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.byte()? {
            ENUM => visitor.visit_enum(Variant { reader: self }),
            _ => error("expected an enum variant"),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.byte()? {
            0..=SMALL_MAX | UNIT | FALSE | TRUE => {}
            tag @ SHORT_STR..=0x7F => {
                self.take(u64::from(tag - SHORT_STR))?;
            }
            U64 | NEG => {
                self.varint()?;
            }
            F64 => {
                self.take(8)?;
            }
            I128 | U128 => {
                self.take(16)?;
            }
            STR | BYTES => {
                let len = self.varint()?;
                self.take(len)?;
            }
            SEQ => {
                for _ in 0..self.len()? {
                    self.skip()?;
                }
            }
            MAP | STRUCT => {
                for _ in 0..self.len()? {
                    self.skip()?;
                    self.skip()?;
                }
            }
            ENUM => {
                self.varint()?;
                self.skip()?;
            }
            _ => return error("an unknown tag"),
        }
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

/// The elements of a sequence.
struct Elements<'r, 'de> {
    reader: &'r mut Reader<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = CompactError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// The entries of a map.
struct Entries<'r, 'de> {
    reader: &'r mut Reader<'de>,
    left: usize,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = CompactError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.reader)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// The fields of a struct, by position (checked against its field list when there is one).
struct Fields<'r, 'de> {
    reader: &'r mut Reader<'de>,
    left: usize,
    fields: Option<&'static [&'static str]>,
}

impl<'de> de::MapAccess<'de> for Fields<'_, 'de> {
    type Error = CompactError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let position = self.reader.uint()?;
        if let Some(fields) = self.fields
            && usize::try_from(position).map_or(true, |position| position >= fields.len())
        {
            return error("a field position beyond the struct's fields");
        }
        // A field identifier takes its position in the field list as well as its name (as
        // serde's positional formats give it), and matching a number is quicker.
        seed.deserialize(IntoDeserializer::<CompactError>::into_deserializer(position)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.reader)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// An enum variant: its index, then its content.
struct Variant<'r, 'de> {
    reader: &'r mut Reader<'de>,
}

impl<'r, 'de> de::EnumAccess<'de> for Variant<'r, 'de> {
    type Error = CompactError;
    type Variant = &'r mut Reader<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant)> {
        let index = self.reader.varint()?;
        let variant = seed.deserialize(IntoDeserializer::<CompactError>::into_deserializer(index))?;
        Ok((variant, self.reader))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Reader<'de> {
    type Error = CompactError;

    fn unit_variant(self) -> Result<()> {
        match self.byte()? {
            UNIT => Ok(()),
            _ => error("expected a unit variant"),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::{BTreeMap, VecDeque};
    use std::fmt::Debug;

    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};

    use super::*;

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + Debug>(value: &T) -> Vec<u8> {
        let bytes = to_bytes(value).unwrap();
        let back: T = from_bytes(&bytes).unwrap();
        assert_eq!(&back, value, "{bytes:?}");
        // Every prefix is refused without a panic.
        for end in 0..bytes.len() {
            assert!(from_bytes::<T>(&bytes[..end]).is_err(), "prefix {end} of {bytes:?}");
        }
        bytes
    }

    #[test]
    fn json_values_read_back_as_they_were() {
        let long = "x".repeat(200);
        let value = json!({
            "null": null, "t": true, "f": false,
            "small": 7, "edge": 63, "past": 64, "max": u64::MAX, "neg": -1, "min": i64::MIN,
            "float": 1.5, "negative zero": -0.0, "tiny": 5e-324,
            "empty": "", "short": "héllo", "long": long, "nested": [[], {}, [1, [2, {"a": [3]}]]],
            // preserve_order: keys keep their order.
            "z": 1, "a": 2,
        });
        let bytes = round_trip(&value);
        let back: Value = from_bytes(&bytes).unwrap();
        let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
        let expected: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, expected);
        // Kinds of numbers are kept: u64, i64 and f64 stay apart.
        assert!(back["max"].is_u64() && back["min"].is_i64() && back["float"].is_f64());
        assert!(bytes.len() < serde_json::to_vec(&value).unwrap().len());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Kind {
        Unit,
        Newtype(Value),
        Tuple(u8, String),
        Struct {
            a: u32,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            b: Option<String>,
            c: bool,
        },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Record {
        #[serde(rename = "type")]
        kind: Kind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skipped: Option<u64>,
        after: Vec<Kind>,
        #[serde(skip)]
        cache: u8,
        nested: Option<Option<u16>>,
        big: i128,
        huge: u128,
        small: i128,
        pair: (u16, i16),
        queue: VecDeque<char>,
        map: BTreeMap<String, f32>,
        #[serde(default)]
        absent: Vec<u8>,
    }

    #[test]
    fn structs_and_enums_read_back_with_skipped_fields() {
        let record = Record {
            kind: Kind::Struct { a: 1, b: None, c: true },
            skipped: None,
            after: vec![
                Kind::Unit,
                Kind::Newtype(json!({"k": [1]})),
                Kind::Tuple(200, "t".into()),
                Kind::Struct { a: 70_000, b: Some("b".into()), c: false },
            ],
            cache: 0,
            nested: Some(None),
            big: i128::MIN,
            huge: u128::MAX,
            small: -5,
            pair: (65_535, -32_768),
            queue: "ab√".chars().collect(),
            map: [("x".to_owned(), 0.25)].into(),
            absent: vec![],
        };
        // As in JSON, `Some(None)` reads back as `None`.
        let bytes = to_bytes(&record).unwrap();
        let back: Record = from_bytes(&bytes).unwrap();
        assert_eq!(back, Record { nested: None, ..record });
        let record = Record { skipped: Some(3), nested: Some(Some(9)), ..back };
        round_trip(&record);
    }

    #[test]
    fn a_struct_read_without_its_field_list_has_positions_as_keys() {
        // An enum variant does not become a map, as it would in JSON: only enums read it.
        let bytes = to_bytes(&Kind::Struct { a: 1, b: None, c: true }).unwrap();
        assert!(from_bytes::<Value>(&bytes).is_err());
        #[derive(Serialize)]
        struct Plain {
            a: u8,
            #[serde(skip_serializing_if = "Option::is_none")]
            b: Option<u8>,
            c: u8,
        }
        let bytes = to_bytes(&Plain { a: 1, b: None, c: 3 }).unwrap();
        let back: BTreeMap<u64, u8> = from_bytes(&bytes).unwrap();
        assert_eq!(back, [(0, 1), (2, 3)].into());
    }

    #[test]
    fn bad_bytes_are_refused_without_a_panic() {
        assert!(from_bytes::<Value>(&[]).is_err());
        assert!(from_bytes::<Value>(&[UNIT, UNIT]).is_err(), "left over");
        assert!(from_bytes::<Value>(&[0xFF]).is_err(), "unknown tag");
        assert!(from_bytes::<Value>(&[SEQ, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).is_err(), "length beyond the bytes");
        assert!(from_bytes::<Value>(&[U64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]).is_err());
        assert!(from_bytes::<Value>(&[SHORT_STR + 2, 0xC3, 0x28]).is_err(), "not UTF-8");
        assert!(from_bytes::<Kind>(&[ENUM, 9, UNIT]).is_err(), "no such variant");
        assert!(from_bytes::<Record>(&[STRUCT, 1, 40, UNIT]).is_err(), "no such field");
        // Every byte string of up to two bytes, and some longer noise.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let _ = from_bytes::<Value>(&[a, b]);
                let _ = from_bytes::<Record>(&[a, b]);
            }
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            let noise: Vec<u8> = (0..24)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let _ = from_bytes::<Value>(&noise);
            let _ = from_bytes::<Record>(&noise);
        }
    }

    #[test]
    fn unknown_lengths_and_lying_lengths_are_refused() {
        struct Unsized;
        impl Serialize for Unsized {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ser::SerializeSeq;
                serializer.serialize_seq(None)?.end()
            }
        }
        assert!(to_bytes(&Unsized).is_err());
        struct Liar;
        impl Serialize for Liar {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ser::SerializeSeq;
                let mut seq = serializer.serialize_seq(Some(2))?;
                seq.serialize_element(&1)?;
                seq.end()
            }
        }
        assert!(to_bytes(&Liar).is_err());
    }

    #[test]
    fn fields_added_at_the_end_with_defaults_read_older_bytes() {
        // What a snapshot of an older format relies on (`OLDER_FORMATS`): a struct that
        // gained `#[serde(default)]` fields after its last one reads bytes written without
        // them, and an enum that gained a variant at its end reads its older variants.
        #[derive(Serialize)]
        struct Before {
            name: String,
            count: u64,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct After {
            name: String,
            count: u64,
            #[serde(default)]
            added: Option<u64>,
            #[serde(default)]
            flag: bool,
        }
        #[derive(Serialize)]
        enum OldKind {
            First(u8),
        }
        #[derive(Debug, Deserialize, PartialEq)]
        enum NewKind {
            First(u8),
            #[allow(dead_code)]
            Second,
        }
        let bytes = to_bytes(&Before { name: "a".into(), count: 3 }).unwrap();
        let read: After = from_bytes(&bytes).unwrap();
        assert_eq!(read, After { name: "a".into(), count: 3, added: None, flag: false });
        let bytes = to_bytes(&OldKind::First(7)).unwrap();
        assert_eq!(from_bytes::<NewKind>(&bytes).unwrap(), NewKind::First(7));
    }
}
