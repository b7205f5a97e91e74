//! The model in the form the checks use: shapes in one `Vec`, referring to each other by index,
//! with constraints already read. Built once from [`raw`](super::raw).

use std::collections::HashMap;

use super::Operation;
use super::pattern::Pattern;
use super::raw::{RawModel, RawRef, RawShape};

/// The index of a shape in [`Model::shapes`].
pub(super) type ShapeId = usize;

/// Shapes whose `max`/`min` count UTF-8 bytes, not characters. botocore keeps no trace of it
/// but the documentation of every member of these shapes says so ("Length constraints apply
/// to the payload size, and are expressed as bytes in UTF-8 encoding"), and AWS's message for
/// an oversized `input` reads "Member must have size less than or equal to 262144 bytes in
/// UTF-8 encoding".
const UTF8_SIZED: &[&str] = &["SensitiveData", "SensitiveDataJobInput", "ConnectorParameters"];

/// The parsed service model.
#[derive(Debug)]
pub(super) struct Model {
    /// Every shape, in file order.
    pub shapes: Vec<Shape>,
    /// Every operation, sorted by name for binary search.
    pub operations: Vec<Operation>,
}

/// One shape.
#[derive(Debug)]
pub(super) struct Shape {
    /// Its name in the model (`StartExecutionInput`), used by messages.
    pub name: &'static str,
    /// `"sensitive": true`: AWS leaves its value out of validation messages.
    pub sensitive: bool,
    /// What it is and its constraints.
    pub kind: Kind,
}

/// The type of a shape with its constraints.
#[derive(Debug)]
pub(super) enum Kind {
    /// A JSON object with known members.
    Structure(Vec<Member>),
    /// A JSON array; `length` bounds the number of elements.
    List { member: ShapeId, length: Bounds },
    /// A JSON object with any keys; `length` bounds the number of entries.
    Map { value: ShapeId, length: Bounds },
    /// A JSON string.
    String {
        /// Bounds on the length, in `unit`s.
        length: Bounds,
        /// What `length` counts.
        unit: Unit,
        /// The pattern the whole value must match, and its text.
        pattern: Option<(Pattern, String)>,
        /// The allowed values, if the shape is an enum (empty if not).
        values: Vec<&'static str>,
    },
    /// A JSON number.
    Number { kind: NumberKind, range: Bounds },
    /// A JSON boolean.
    Boolean,
    /// A JSON number of seconds since the epoch (AWS JSON 1.0's timestamps).
    Timestamp,
}

/// A member of a structure.
#[derive(Debug)]
pub(super) struct Member {
    /// Its name on the wire (`stateMachineArn`).
    pub name: &'static str,
    /// Its shape.
    pub shape: ShapeId,
    /// Listed in the structure's `required`.
    pub required: bool,
}

/// `min` and `max` of a shape (inclusive). A bound of 0 on a length is kept: it never fails.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Bounds {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// What a string's length counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Unit {
    /// Unicode code points: STS refuses 2049 emoji for a 2048 maximum but accepts 2048, which
    /// are 4096 UTF-16 units.
    Chars,
    /// Bytes of UTF-8 ([`UTF8_SIZED`]).
    Utf8Bytes,
}

/// The kinds of numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum NumberKind {
    /// 32-bit signed (`integer`).
    Integer,
    /// 64-bit signed (`long`).
    Long,
    /// 32-bit IEEE (`float`).
    Float,
}

impl Model {
    /// Parses botocore's `service-2.json`. Fails on unknown shape types and on references to
    /// shapes that do not exist, so that a model update the checks do not understand shows up
    /// in the tests.
    pub(super) fn parse(text: &'static str) -> Result<Model, String> {
        let raw: RawModel<'static> = serde_json::from_str(text).map_err(|e| format!("service model: {e}"))?;
        let ids: HashMap<&str, ShapeId> = raw.shapes.0.iter().enumerate().map(|(id, (name, _))| (*name, id)).collect();
        let resolve = |target: &RawRef<'_>, from: &str| -> Result<ShapeId, String> {
            ids.get(target.shape).copied().ok_or_else(|| format!("{from} refers to unknown shape {}", target.shape))
        };

        let mut shapes = Vec::with_capacity(raw.shapes.0.len());
        for (name, shape) in &raw.shapes.0 {
            let kind = kind(name, shape, &resolve)?;
            shapes.push(Shape { name, sensitive: shape.sensitive, kind });
        }

        let mut operations = Vec::with_capacity(raw.operations.0.len());
        for (name, operation) in &raw.operations.0 {
            let input = operation.input.as_ref().map(|input| resolve(input, name)).transpose()?;
            let output = operation.output.as_ref().map(|output| resolve(output, name)).transpose()?;
            for error in &operation.errors {
                resolve(error, name)?;
            }
            for id in input.into_iter().chain(output) {
                if !matches!(shapes[id].kind, Kind::Structure(_)) {
                    return Err(format!("{name}: input and output must be structures"));
                }
            }
            let errors = operation.errors.iter().map(|error| error.shape).collect();
            operations.push(Operation { name, input, output, errors });
        }
        operations.sort_by_key(|operation| operation.name);
        Ok(Model { shapes, operations })
    }
}

/// The [`Kind`] of one raw shape.
fn kind(
    name: &'static str,
    shape: &RawShape<'static>,
    resolve: &impl Fn(&RawRef<'_>, &str) -> Result<ShapeId, String>,
) -> Result<Kind, String> {
    let bounds = Bounds { min: shape.min, max: shape.max };
    let target = |reference: &Option<RawRef<'_>>, key: &str| match reference {
        Some(reference) => resolve(reference, name),
        None => Err(format!("{name}: {} without `{key}`", shape.kind)),
    };
    Ok(match shape.kind {
        "structure" => {
            for required in &shape.required {
                if !shape.members.0.iter().any(|(member, _)| member == required) {
                    return Err(format!("{name}: required member {required} is not a member"));
                }
            }
            let members = shape
                .members
                .0
                .iter()
                .map(|(member, target)| {
                    Ok(Member {
                        name: member,
                        shape: resolve(target, name)?,
                        required: shape.required.contains(member),
                    })
                })
                .collect::<Result<_, String>>()?;
            Kind::Structure(members)
        }
        "list" => Kind::List { member: target(&shape.member, "member")?, length: bounds },
        "map" => {
            // Keys are JSON object keys, hence strings; their constraints are not checked
            // (see `validate.rs`), so only the value shape is kept.
            target(&shape.key, "key")?;
            Kind::Map { value: target(&shape.value, "value")?, length: bounds }
        }
        "string" => Kind::String {
            length: bounds,
            unit: if UTF8_SIZED.contains(&name) { Unit::Utf8Bytes } else { Unit::Chars },
            // The message quotes the pattern, so its text is kept.
            pattern: shape.pattern.as_ref().map(|source| (Pattern::new(source), source.clone())),
            values: shape.values.clone(),
        },
        "integer" => Kind::Number { kind: NumberKind::Integer, range: bounds },
        "long" => Kind::Number { kind: NumberKind::Long, range: bounds },
        "float" => Kind::Number { kind: NumberKind::Float, range: bounds },
        "boolean" => Kind::Boolean,
        "timestamp" => Kind::Timestamp,
        other => return Err(format!("{name}: shape type {other} is not supported")),
    })
}
