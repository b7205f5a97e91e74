//! The 18 `States.*` intrinsic functions of JSONPath states, as static call trees built by
//! the compiler: arguments are pre-parsed, and paths inside them are [`Path`]s.
//! asl-runtime's `intrinsics` module evaluates them.

use crate::path::{Literal, Path};

/// An intrinsic function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// `States.Format(template, values…)`: fills each `{}` with the next value.
    Format,
    /// `States.StringToJson(text)`: parses JSON text.
    StringToJson,
    /// `States.JsonToString(path)`: serialises the value at a path (compact JSON).
    JsonToString,
    /// `States.Array(values…)`: an array of the arguments.
    Array,
    /// `States.ArrayPartition(array, size)`: chunks of `size` elements.
    ArrayPartition,
    /// `States.ArrayContains(array, value)`: membership by deep equality.
    ArrayContains,
    /// `States.ArrayRange(start, end, step)`: integers from start to end inclusive.
    ArrayRange,
    /// `States.ArrayGetItem(array, index)`: the element at a 0-based index.
    ArrayGetItem,
    /// `States.ArrayLength(array)`: the number of elements.
    ArrayLength,
    /// `States.ArrayUnique(array)`: duplicates removed, first occurrences kept.
    ArrayUnique,
    /// `States.Base64Encode(text)`.
    Base64Encode,
    /// `States.Base64Decode(text)`.
    Base64Decode,
    /// `States.Hash(data, algorithm)`: a lowercase hex digest.
    Hash,
    /// `States.JsonMerge(a, b, false)`: shallow merge, `b` wins.
    JsonMerge,
    /// `States.MathRandom(start, end[, seed])`: a random integer.
    MathRandom,
    /// `States.MathAdd(a, b)`: the sum (non-integers are rounded).
    MathAdd,
    /// `States.StringSplit(text, delimiters)`: splits at any of the delimiter characters.
    StringSplit,
    /// `States.UUID()`: a random version 4 UUID.
    Uuid,
}

emit_enum!(intrinsics => Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
});

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

emit_struct!(intrinsics => Call { function, args, format_pieces, text });

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

emit_enum!(intrinsics => Arg { Literal(literal), Path(path), Call(call) });
