//! The 18 `States.*` intrinsic functions of JSONPath states, as static call trees built by
//! the compiler: arguments are pre-parsed, and paths inside them are [`Path`]s.
//! asl-runtime's `intrinsics` module evaluates them.

use crate::path::{Literal, Path};

/// An intrinsic function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// `States.Format`
    Format,
    /// `States.StringToJson`
    StringToJson,
    /// `States.JsonToString`
    JsonToString,
    /// `States.Array`
    Array,
    /// `States.ArrayPartition`
    ArrayPartition,
    /// `States.ArrayContains`
    ArrayContains,
    /// `States.ArrayRange`
    ArrayRange,
    /// `States.ArrayGetItem`
    ArrayGetItem,
    /// `States.ArrayLength`
    ArrayLength,
    /// `States.ArrayUnique`
    ArrayUnique,
    /// `States.Base64Encode`
    Base64Encode,
    /// `States.Base64Decode`
    Base64Decode,
    /// `States.Hash`
    Hash,
    /// `States.JsonMerge`
    JsonMerge,
    /// `States.MathRandom`
    MathRandom,
    /// `States.MathAdd`
    MathAdd,
    /// `States.StringSplit`
    StringSplit,
    /// `States.UUID`
    Uuid,
}

impl Function {
    /// Every intrinsic function, in the order the ASL documentation lists them.
    pub const ALL: &'static [Function] = &[
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    /// The name as written in ASL, e.g. `States.Format`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    /// The function with this ASL name (`States.Format`), if there is one.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// A call with its (pre-parsed) arguments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Call {
    /// The function.
    pub function: Function,
    /// The arguments, in order.
    pub args: &'static [Arg],
    /// For `States.Format` with a literal template: the template split at its `{}`
    /// placeholders, escapes already resolved (an escaped `\{}` is text, not a placeholder,
    /// which the unescaped string alone could not tell).
    pub format_pieces: Option<&'static [&'static str]>,
    /// The call as written (for error messages).
    pub text: &'static str,
}

/// One argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg {
    /// A literal: string (unescaped), number, boolean or null.
    Literal(Literal),
    /// A path (`$.x`, `$$.x`, `$var`).
    Path(Path),
    /// A nested call.
    Call(&'static Call),
}
