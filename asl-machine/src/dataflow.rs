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

/// `&Io::DEFAULT` for a state without data-flow fields (most of them), which keeps generated
/// code short; otherwise every field.
#[cfg(feature = "emit")]
impl crate::emit::Emit for Io {
    fn emit(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        let Io { input_path, parameters, result_selector, result_path, output_path } = self;
        let (input_path, parameters, result_selector) =
            (input_path.emit(rt), parameters.emit(rt), result_selector.emit(rt));
        let (result_path, output_path) = (result_path.emit(rt), output_path.emit(rt));
        quote::quote!(#rt::dataflow::Io {
            input_path: #input_path,
            parameters: #parameters,
            result_selector: #result_selector,
            result_path: #result_path,
            output_path: #output_path,
        })
    }

    fn emit_ref(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        if *self == Io::DEFAULT {
            return quote::quote!(&#rt::dataflow::Io::DEFAULT);
        }
        let value = self.emit(rt);
        quote::quote!(&#value)
    }
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

emit_enum!(dataflow => PathField { Default, Null, Path(path) });
