//! botocore's Step Functions service model (`model/service-2.json`), embedded and parsed once:
//! the list of operations, and AWS's checks of a request body against an operation's input
//! shape, with AWS's error messages.
//!
//! AWS JSON 1.0 services run on Coral, which handles a request in two passes before the
//! service sees it, and so does [`Operation::check_request`]:
//!
//! 1. it reads the JSON into the input shape's types; a member of the wrong JSON type is a
//!    `SerializationException` naming the first one (`request.rs`);
//! 2. it checks the model's constraints (required members, lengths, ranges, enums, patterns)
//!    and answers one `ValidationException` listing up to ten violations (`validate.rs`).
//!
//! Members the shape does not have are ignored (Coral skips them, and SDKs rely on it to add
//! members without breaking older services), and `null` is an absent member.
//!
//! ```
//! use asl_server::model;
//! use serde_json::json;
//!
//! let start = model::operation("StartExecution").expect("in the model");
//! assert!(start.check_request(&json!({"stateMachineArn": "arn:aws:states:…"})).is_ok());
//! let error = start.check_request(&json!({"name": "run"})).unwrap_err();
//! assert_eq!(
//!     error.message(),
//!     "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy \
//!      constraint: Member must not be null"
//! );
//! ```

mod pattern;
mod raw;
mod request;
mod response;
mod shape;
mod validate;

use std::sync::LazyLock;

use serde_json::Value;

use crate::wire::ApiError;
use shape::{Kind, Member, Model, ShapeId};

/// The model, as `model/update.py` writes it.
const TEXT: &str = include_str!("../../model/service-2.json");

/// The parsed model. It is our own file and a test proves it parses; should it not, every
/// operation is unknown and the error is logged once, rather than a panic in a request.
static MODEL: LazyLock<Result<Model, String>> = LazyLock::new(|| {
    let model = Model::parse(TEXT);
    if let Err(error) = &model {
        tracing::error!(%error, "the embedded Step Functions service model does not parse");
    }
    model
});

/// The parsed model, if it parsed.
fn loaded() -> Result<&'static Model, ApiError> {
    MODEL.as_ref().map_err(|error| ApiError::internal(format!("service model: {error}")))
}

/// An operation of the API (`StartExecution`), with its input and output shapes and the
/// errors the model says it returns.
#[derive(Debug)]
pub struct Operation {
    name: &'static str,
    input: Option<ShapeId>,
    output: Option<ShapeId>,
    errors: Vec<&'static str>,
}

/// The operation named `name` (as in `X-Amz-Target: AWSStepFunctions.StartExecution`), if the
/// model has it. Names are case-sensitive, as AWS's are.
pub fn operation(name: &str) -> Option<&'static Operation> {
    let operations = &MODEL.as_ref().ok()?.operations;
    operations.binary_search_by(|operation| operation.name.cmp(name)).ok().map(|index| &operations[index])
}

/// Every operation of the model, by name.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    MODEL.as_ref().map(|model| model.operations.as_slice()).unwrap_or_default().iter()
}

impl Operation {
    /// Its name (`StartExecution`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The names of the error shapes the model lists for it (`ExecutionLimitExceeded`, …), in
    /// model order. Coral's own errors (`ValidationException` of
    /// `com.amazon.coral.validate`, `SerializationException`, …) are not among them unless
    /// the service models one of the same name.
    pub fn errors(&self) -> &[&'static str] {
        &self.errors
    }

    /// The name of its input shape (`StartExecutionInput`), if it has one.
    pub fn input_shape(&self) -> Option<&'static str> {
        Some(loaded().ok()?.shapes[self.input?].name)
    }

    /// The name of its output shape (`StartExecutionOutput`), if it has one.
    pub fn output_shape(&self) -> Option<&'static str> {
        Some(loaded().ok()?.shapes[self.output?].name)
    }

    /// Checks a request body as AWS does before the service sees it: a
    /// `SerializationException` for the first member of a JSON type its shape cannot take, or
    /// else a `ValidationException` listing the constraints it breaks (at most ten).
    ///
    /// `body` must be the parsed body, `{}` for an empty one. Like AWS this accepts a few
    /// lenient forms (`null` members, fractional integers, booleans as strings); call
    /// [`normalize_request`](Operation::normalize_request) before deserializing with serde.
    pub fn check_request(&self, body: &Value) -> Result<(), ApiError> {
        let model = loaded()?;
        let map = match body {
            Value::Object(map) => map,
            Value::Array(_) => return Err(ApiError::serialization(request::START_OF_LIST)),
            // AWS answers these without a message (observed for Athena, also Coral).
            _ => return Err(ApiError::serialization("")),
        };
        let Some(input) = self.input else { return Ok(()) };
        request::read(model, input, body).map_err(ApiError::serialization)?;
        let errors = validate::validate(model, members(model, input), map);
        if errors.is_empty() { Ok(()) } else { Err(ApiError::validation(validate::message(&errors))) }
    }

    /// Rewrites, in place, the lenient forms [`check_request`](Operation::check_request)
    /// accepts into the strict ones of the model: removes `null` members and list elements,
    /// truncates fractional integers and turns boolean strings (`"yes"`, `"0"`, …) into
    /// booleans. Meant for a body that passed `check_request`; on any other it changes what
    /// it can and leaves the rest.
    pub fn normalize_request(&self, body: &mut Value) {
        if let (Ok(model), Some(input)) = (loaded(), self.input) {
            request::normalize(model, input, body);
        }
    }

    /// Checks a response body against the output shape, for tests: required members present,
    /// no member the shape does not have, no `null`, JSON types right (a timestamp is a number
    /// of seconds since the epoch), enum values in their set. Each problem is one line
    /// starting with the path of the value (`executions[0].status: …`).
    pub fn check_response(&self, body: &Value) -> Result<(), Vec<String>> {
        let model = loaded().map_err(|error| vec![error.message().to_owned()])?;
        let problems = match self.output {
            Some(output) => response::check(model, model.shapes[output].name, members(model, output), body),
            None => response::check(model, "(no output)", &[], body),
        };
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// The members of structure `id` (none if it is not a structure, which parsing rules out for
/// inputs and outputs).
fn members(model: &Model, id: ShapeId) -> &[Member] {
    match &model.shapes[id].kind {
        Kind::Structure(members) => members,
        _ => &[],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests;
