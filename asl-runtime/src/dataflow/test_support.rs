//! Test support: a state's data-flow fields as written in a definition, turned into the
//! static data generated code holds. Paths, calls and templates come from the crate's
//! [`test_support`](crate::test_support), re-exported here for the data-flow tests.

use serde_json::Value;

use super::{Io, PathField};
pub(crate) use crate::test_support::{call, dollar, literal, path, template};

/// A `…Path` field of `state`: absent, `null` or a path.
pub(crate) fn path_field(state: &Value, name: &str) -> PathField {
    match state.get(name) {
        None => PathField::Default,
        Some(Value::String(source)) => PathField::Path(path(source)),
        Some(_) => PathField::Null,
    }
}

/// The data-flow fields of a state object.
pub(crate) fn io(state: &Value) -> Io {
    Io {
        input_path: path_field(state, "InputPath"),
        parameters: state.get("Parameters").map(template),
        result_selector: state.get("ResultSelector").map(template),
        result_path: path_field(state, "ResultPath"),
        output_path: path_field(state, "OutputPath"),
    }
}
