//! The JSONPath data-flow fields of a state (`InputPath`, `Parameters`, `ResultSelector`,
//! `ResultPath`, `OutputPath`); asl-runtime's `dataflow` module applies them.

use crate::path::Path;
use crate::template::Template;

/// The JSONPath data-flow fields of one state, as generated code declares them (`static`).
///
/// States without some of these fields (Choice, Wait and Succeed have no `Parameters`,
/// `ResultSelector` or `ResultPath`) leave them at their defaults ([`Io::DEFAULT`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Io {
    /// `InputPath`.
    pub input_path: PathField,
    /// `Parameters` (Task, Pass, Parallel; Map's legacy item template is not this).
    pub parameters: Option<&'static Template>,
    /// `ResultSelector` (Task, Parallel, Map).
    pub result_selector: Option<&'static Template>,
    /// `ResultPath` (a Reference Path).
    pub result_path: PathField,
    /// `OutputPath`.
    pub output_path: PathField,
}

impl Io {
    /// Every field absent: the input flows through and the result replaces it.
    pub const DEFAULT: Io = Io {
        input_path: PathField::Default,
        parameters: None,
        result_selector: None,
        result_path: PathField::Default,
        output_path: PathField::Default,
    };
}

impl Default for Io {
    fn default() -> Self {
        Io::DEFAULT
    }
}

/// A `…Path` field that may be absent, `null` or a path; each has its own meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum PathField {
    /// The field is absent, which means `$`.
    #[default]
    Default,
    /// The field is JSON `null`: `{}` for `InputPath`/`OutputPath`, "discard the result"
    /// for `ResultPath`.
    Null,
    /// A path.
    Path(&'static Path),
}
