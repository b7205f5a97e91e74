//! Intrinsic function calls: `States.Format('{} items', $.count)`.
//!
//! Arguments are `'single-quoted strings'` (escapes `\'`, `\{`, `\}`, `\\`; any other
//! backslash is an error, as AWS rejects an "open escape"), JSON numbers, `true`, `false`,
//! `null`, paths (`$…`, `$$…`, `$name…`) and nested calls, at most
//! [`MAX_INTRINSIC_DEPTH`] calls deep. Argument counts and the types of literal arguments
//! (and of nested calls' results) are checked against each function's signature.

use super::jsonpath::{Context, Parser};
use super::{JsonPath, PathError, PathErrorKind};
use crate::diagnostic::did_you_mean;

/// How many intrinsic calls may be nested, the outermost included.
pub const MAX_INTRINSIC_DEPTH: usize = 10;

/// The algorithms `States.Hash` accepts, spelled as AWS spells them.
pub const HASH_ALGORITHMS: &[&str] = &["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// An intrinsic function of JSONPath-mode ASL: the description's own type, so a parsed
/// call names the very function the runtime evaluates.
pub use asl_machine::intrinsics::Function as IntrinsicFunction;

/// What an argument position accepts, as far as it can be known before run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Any,
    Text,
    Number,
    Integer,
    PositiveInteger,
    NonZeroInteger,
    Array,
    Object,
    /// `States.JsonMerge`'s flag: AWS only implements the shallow merge.
    False,
    Algorithm,
    /// A path, and nothing else (`States.JsonToString`).
    PathOnly,
}

/// The static type of an argument: literals and calls have one, paths do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Text,
    Number,
    Integer,
    Bool,
    Null,
    Array,
    Object,
    Unknown,
}

impl Ty {
    fn describe(self) -> &'static str {
        match self {
            Ty::Text => "a string",
            Ty::Number => "a number",
            Ty::Integer => "an integer",
            Ty::Bool => "a boolean",
            Ty::Null => "null",
            Ty::Array => "an array",
            Ty::Object => "an object",
            Ty::Unknown => "a value of any type",
        }
    }
}

/// How many arguments an intrinsic function takes.
pub trait Arity {
    /// The fewest arguments the function takes.
    fn min_args(&self) -> usize;
    /// The most arguments the function takes; `None` when unbounded.
    fn max_args(&self) -> Option<usize>;
}

impl Arity for IntrinsicFunction {
    fn min_args(&self) -> usize {
        match self {
            Self::Array | Self::Uuid => 0,
            Self::Format => 1,
            Self::MathRandom => 2,
            _ => params(*self).len(),
        }
    }

    fn max_args(&self) -> Option<usize> {
        match self {
            Self::Format | Self::Array => None,
            _ => Some(params(*self).len()),
        }
    }
}

/// Names and expectations of the fixed parameters, in order.
fn params(f: IntrinsicFunction) -> &'static [(&'static str, Expect)] {
    use IntrinsicFunction as F;
    match f {
        F::Format => &[("the template", Expect::Text)],
        F::StringToJson => &[("the JSON text", Expect::Text)],
        F::JsonToString => &[("the value to serialise", Expect::PathOnly)],
        F::Array | F::Uuid => &[],
        F::ArrayPartition => &[("the array", Expect::Array), ("the chunk size", Expect::PositiveInteger)],
        F::ArrayContains => &[("the array", Expect::Array), ("the value to look for", Expect::Any)],
        F::ArrayRange => {
            &[("the start", Expect::Integer), ("the end", Expect::Integer), ("the step", Expect::NonZeroInteger)]
        }
        F::ArrayGetItem => &[("the array", Expect::Array), ("the index", Expect::Integer)],
        F::ArrayLength | F::ArrayUnique => &[("the array", Expect::Array)],
        F::Base64Encode => &[("the text to encode", Expect::Text)],
        F::Base64Decode => &[("the Base64 text", Expect::Text)],
        F::Hash => &[("the data", Expect::Any), ("the algorithm", Expect::Algorithm)],
        F::JsonMerge => &[
            ("the first object", Expect::Object),
            ("the second object", Expect::Object),
            ("the deep-merge flag", Expect::False),
        ],
        F::MathRandom => &[("the start", Expect::Integer), ("the end", Expect::Integer), ("the seed", Expect::Integer)],
        F::MathAdd => &[("the first number", Expect::Number), ("the second number", Expect::Number)],
        F::StringSplit => &[("the text", Expect::Text), ("the delimiter characters", Expect::Text)],
    }
}

fn result(f: IntrinsicFunction) -> Ty {
    use IntrinsicFunction as F;
    match f {
        F::Format | F::JsonToString | F::Base64Encode | F::Base64Decode => Ty::Text,
        F::Hash | F::Uuid => Ty::Text,
        F::StringToJson | F::ArrayGetItem => Ty::Unknown,
        F::Array | F::ArrayPartition | F::ArrayRange | F::ArrayUnique => Ty::Array,
        F::StringSplit => Ty::Array,
        F::ArrayContains => Ty::Bool,
        F::ArrayLength | F::MathRandom | F::MathAdd => Ty::Integer,
        F::JsonMerge => Ty::Object,
    }
}

/// "takes 2 arguments (the array, the index)" and the like.
fn signature(f: IntrinsicFunction) -> String {
    let names: Vec<&str> = params(f).iter().map(|(n, _)| *n).collect();
    match (f.min_args(), f.max_args()) {
        (0, Some(0)) => "takes no arguments".into(),
        (0, None) => "takes any number of arguments".into(),
        (1, None) => "takes a template and then one value per `{}` placeholder".into(),
        (min, Some(max)) if min == max => {
            format!("takes {min} argument{} ({})", if min == 1 { "" } else { "s" }, names.join(", "))
        }
        (min, Some(max)) => format!("takes {min} or {max} arguments ({})", names.join(", ")),
        (min, None) => format!("takes at least {min} arguments"),
    }
}

/// A parsed intrinsic function call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntrinsicCall {
    /// Which function is called.
    pub function: IntrinsicFunction,
    /// The arguments, in order.
    pub args: Vec<IntrinsicArg>,
    /// Byte range of the whole call (`States.` to the closing `)`) in the parsed text.
    pub span: (usize, usize),
    /// Byte range of each argument in the parsed text.
    pub arg_spans: Vec<(usize, usize)>,
    /// For `States.Format` with a literal template: the template's text between its `{}`
    /// placeholders, escapes resolved (`n` placeholders give `n + 1` pieces). Escaped
    /// braces (`\{}`) are text, not placeholders, which the unescaped string in `args`
    /// can no longer show. `None` when the template is only known at run time.
    pub format_pieces: Option<Vec<String>>,
}

/// One argument of an intrinsic call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntrinsicArg {
    /// A `'quoted'` string, escapes resolved.
    String(String),
    /// A number literal.
    Number(serde_json::Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A path, evaluated at run time.
    Path(JsonPath),
    /// A nested call.
    Call(Box<IntrinsicCall>),
}

impl IntrinsicCall {
    /// Every path among the arguments, nested calls included, in source order.
    pub fn paths(&self) -> Vec<&JsonPath> {
        let mut out = Vec::new();
        for arg in &self.args {
            match arg {
                IntrinsicArg::Path(p) => out.push(p),
                IntrinsicArg::Call(c) => out.extend(c.paths()),
                _ => {}
            }
        }
        out
    }
}

/// Parses an intrinsic function call such as `States.Format('{}', $.name)`, and checks its
/// function names and argument counts. Arguments that certainly fail at run time are not
/// errors here (the service accepts them): [`certain_failures`] lists them.
pub fn parse_intrinsic(text: &str) -> Result<IntrinsicCall, PathError> {
    let mut p = Parser::new(text, false);
    let call = p.intrinsic_call(1)?;
    if p.pos < text.len() {
        let at = p.pos;
        p.skip_ws();
        return Err(match p.peek() {
            None => syntax(at, "unexpected whitespace after the closing `)` of the call; remove it"),
            Some(c) => syntax(p.pos, format!("unexpected `{c}` after the closing `)` of the call")),
        });
    }
    Ok(call)
}

fn syntax(offset: usize, message: impl Into<String>) -> PathError {
    PathError::new(PathErrorKind::InvalidIntrinsic, offset, message)
}

fn arguments(offset: usize, message: impl Into<String>) -> PathError {
    PathError::new(PathErrorKind::IntrinsicArguments, offset, message)
}

impl Parser<'_> {
    fn intrinsic_call(&mut self, depth: usize) -> Result<IntrinsicCall, PathError> {
        let start = self.pos;
        if depth > MAX_INTRINSIC_DEPTH {
            return Err(syntax(start, format!("intrinsic functions may be nested at most {MAX_INTRINSIC_DEPTH} deep")));
        }
        if !self.rest().starts_with("States.") {
            return Err(syntax(start, "an intrinsic function call starts with `States.`"));
        }
        self.pos += "States.".len();
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.bump();
        }
        let name = self.text.get(start..self.pos).unwrap_or("");
        if name.len() == "States.".len() {
            return Err(syntax(self.pos, format!("expected a function name after `States.`, found {}", self.found())));
        }
        let function = IntrinsicFunction::from_name(name).ok_or_else(|| {
            let hint = match did_you_mean(name, IntrinsicFunction::ALL.iter().map(|f| f.name())) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => "; see the list of `States.*` intrinsic functions".into(),
            };
            arguments(start, format!("unknown intrinsic function `{name}`{hint}"))
        })?;
        let open = self.pos;
        if !self.eat('(') {
            return Err(syntax(self.pos, format!("expected `(` after `{name}`, found {}", self.found())));
        }
        let (mut args, mut arg_spans, mut pieces) = (Vec::new(), Vec::new(), None);
        self.skip_ws();
        if !self.eat(')') {
            loop {
                self.skip_ws();
                let arg_start = self.pos;
                let (arg, arg_pieces) = self.intrinsic_arg(depth, name, open)?;
                if args.is_empty() {
                    pieces = arg_pieces;
                }
                args.push(arg);
                arg_spans.push((arg_start, self.pos));
                self.skip_ws();
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return Err(match self.peek() {
                        None => syntax(open, format!("the call to `{name}` is missing its closing `)`")),
                        Some(c) => syntax(self.pos, format!("expected `,` or `)` after an argument, found `{c}`")),
                    });
                }
            }
        }
        let format_pieces = if function == IntrinsicFunction::Format { pieces } else { None };
        let call = IntrinsicCall { function, args, span: (start, self.pos), arg_spans, format_pieces };
        check_arguments(&call)?;
        Ok(call)
    }

    /// One argument; for a string also its pieces between `{}` placeholders.
    fn intrinsic_arg(
        &mut self,
        depth: usize,
        name: &str,
        open: usize,
    ) -> Result<(IntrinsicArg, Option<Vec<String>>), PathError> {
        let start = self.pos;
        let arg = match self.peek() {
            Some('\'') => {
                let (value, pieces) = self.intrinsic_string()?;
                return Ok((IntrinsicArg::String(value), Some(pieces)));
            }
            Some('$') => return Ok((IntrinsicArg::Path(self.path(Context::IntrinsicArg)?.0), None)),
            Some('"') => {
                return Err(syntax(start, "strings in intrinsic functions are written in single quotes: 'text'"));
            }
            Some(',' | ')') => return Err(syntax(start, "missing argument: remove the extra `,` or add a value")),
            None => return Err(syntax(open, format!("the call to `{name}` is missing its closing `)`"))),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                IntrinsicArg::Number(self.number(PathErrorKind::InvalidIntrinsic)?)
            }
            Some(_) if self.rest().starts_with("States.") => {
                return Ok((IntrinsicArg::Call(Box::new(self.intrinsic_call(depth + 1)?)), None));
            }
            Some(_) => {
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    self.bump();
                }
                match self.text.get(start..self.pos).unwrap_or("") {
                    "true" => IntrinsicArg::Bool(true),
                    "false" => IntrinsicArg::Bool(false),
                    "null" => IntrinsicArg::Null,
                    "" => {
                        return Err(syntax(
                            start,
                            format!("unexpected {} where an argument was expected", self.found()),
                        ));
                    }
                    word => {
                        return Err(syntax(
                            start,
                            format!(
                                "unexpected `{word}`: write text in single quotes ('{word}'), a path as \
                                 `$.{word}`, or one of `true`, `false`, `null` (lowercase)"
                            ),
                        ));
                    }
                }
            }
        };
        // A literal must end where the argument does: `12ab` or `truex` is not one.
        match self.peek() {
            Some(c) if c != ',' && c != ')' && !c.is_whitespace() => {
                Err(syntax(self.pos, format!("unexpected `{c}` after the literal")))
            }
            _ => Ok((arg, None)),
        }
    }

    /// A `'…'` string: the unescaped value and its pieces between unescaped `{}` pairs.
    fn intrinsic_string(&mut self) -> Result<(String, Vec<String>), PathError> {
        let open = self.pos;
        self.bump();
        let (mut value, mut pieces) = (String::new(), vec![String::new()]);
        loop {
            let c = match self.peek() {
                None => {
                    return Err(syntax(
                        open,
                        "unterminated string: missing closing `'` (write `\\'` for a quote in the text)",
                    ));
                }
                Some('\'') => {
                    self.bump();
                    return Ok((value, pieces));
                }
                Some('{') if self.peek2() == Some('}') => {
                    self.pos += 2;
                    value.push_str("{}");
                    pieces.push(String::new());
                    continue;
                }
                Some('\\') => {
                    let slash = self.pos;
                    self.bump();
                    match self.peek() {
                        Some(c @ ('\'' | '{' | '}' | '\\')) => c,
                        None => return Err(syntax(slash, "the text ends with `\\`, which escapes nothing")),
                        Some(c) => {
                            return Err(syntax(
                                slash,
                                format!(
                                    "unknown escape `\\{c}`: in intrinsic strings only `\\'`, `\\{{`, `\\}}` and \
                                     `\\\\` are escapes; write `\\\\` for a backslash (`\\\\\\\\` inside JSON)"
                                ),
                            ));
                        }
                    }
                }
                Some(c) => c,
            };
            self.bump();
            value.push(c);
            if let Some(last) = pieces.last_mut() {
                last.push(c);
            }
        }
    }
}

fn literal_type(arg: &IntrinsicArg) -> Ty {
    match arg {
        IntrinsicArg::String(_) => Ty::Text,
        IntrinsicArg::Number(n) if n.is_i64() || n.is_u64() => Ty::Integer,
        IntrinsicArg::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => Ty::Integer,
        IntrinsicArg::Number(_) => Ty::Number,
        IntrinsicArg::Bool(_) => Ty::Bool,
        IntrinsicArg::Null => Ty::Null,
        IntrinsicArg::Path(_) => Ty::Unknown,
        IntrinsicArg::Call(c) => result(c.function),
    }
}

fn describe(arg: &IntrinsicArg) -> String {
    match arg {
        IntrinsicArg::String(s) if s.chars().count() > 40 => {
            format!("found the string '{}…'", s.chars().take(40).collect::<String>())
        }
        IntrinsicArg::String(s) => format!("found the string '{s}'"),
        IntrinsicArg::Number(n) => format!("found the number {n}"),
        IntrinsicArg::Bool(b) => format!("found `{b}`"),
        IntrinsicArg::Null => "found `null`".into(),
        IntrinsicArg::Path(p) => format!("found the path `{}`", p.text),
        IntrinsicArg::Call(c) => format!("`{}` returns {}", c.function.name(), result(c.function).describe()),
    }
}

/// The argument count, which the service checks when it creates a state machine.
fn check_arguments(call: &IntrinsicCall) -> Result<(), PathError> {
    let f = call.function;
    let given = call.args.len();
    if given < f.min_args() || f.max_args().is_some_and(|max| given > max) {
        let offset = match call.arg_spans.get(f.max_args().unwrap_or(usize::MAX)) {
            Some(&(extra, _)) => extra,
            None => call.span.1.saturating_sub(1),
        };
        let were = if given == 1 { "was" } else { "were" };
        return Err(arguments(offset, format!("`{}` {}, but {given} {were} given", f.name(), signature(f))));
    }
    Ok(())
}

/// What makes a call, or a call nested in it, certainly fail at run time with
/// `States.IntrinsicFailure`: an argument written as a literal (or a nested call's result)
/// of the wrong type or out of range, an unknown `States.Hash` algorithm, a `States.Format`
/// template whose `{}` placeholders do not match its values. The service creates such a
/// state machine and fails the execution that reaches the call, so these are warnings of
/// validation (and build errors unless [`Settings::allow_run_time_failures`](crate::Settings)).
/// Each problem has the kind [`PathErrorKind::FailsAtRunTime`] and an offset into the text
/// `call` was parsed from.
pub fn certain_failures(call: &IntrinsicCall) -> Vec<PathError> {
    let mut found = Vec::new();
    collect_failures(call, &mut found);
    found
}

fn collect_failures(call: &IntrinsicCall, found: &mut Vec<PathError>) {
    if let Some(problem) = argument_failure(call) {
        found.push(problem);
    }
    for arg in &call.args {
        if let IntrinsicArg::Call(inner) = arg {
            collect_failures(inner, found);
        }
    }
}

fn fails(offset: usize, message: impl Into<String>) -> PathError {
    PathError::new(PathErrorKind::FailsAtRunTime, offset, message)
}

/// The first argument of `call` (not of calls nested in it) that certainly fails.
fn argument_failure(call: &IntrinsicCall) -> Option<PathError> {
    let f = call.function;
    let given = call.args.len();
    for (i, (arg, &(offset, _))) in call.args.iter().zip(&call.arg_spans).enumerate() {
        let Some(&(param, expect)) = params(f).get(i) else { continue };
        let ty = literal_type(arg);
        let value = match arg {
            IntrinsicArg::Number(n) => n.as_f64(),
            _ => None,
        };
        let wanted = match expect {
            Expect::Any => continue,
            Expect::PathOnly if matches!(arg, IntrinsicArg::Path(_)) => continue,
            Expect::PathOnly => "a path such as `$.field` (not a literal or another function call)",
            Expect::Text if matches!(ty, Ty::Text | Ty::Unknown) => continue,
            Expect::Text => "a string",
            Expect::Number if matches!(ty, Ty::Number | Ty::Integer | Ty::Unknown) => continue,
            Expect::Number => "a number",
            Expect::Integer | Expect::PositiveInteger | Expect::NonZeroInteger
                if !matches!(ty, Ty::Integer | Ty::Unknown) =>
            {
                "an integer"
            }
            Expect::PositiveInteger if value.is_some_and(|v| v <= 0.0) => "a positive integer",
            Expect::NonZeroInteger if value == Some(0.0) => "a non-zero integer",
            Expect::Integer | Expect::PositiveInteger | Expect::NonZeroInteger => continue,
            Expect::Array if matches!(ty, Ty::Array | Ty::Unknown) => continue,
            Expect::Array => "an array (a path to one, or a call such as `States.Array(...)`)",
            Expect::Object if matches!(ty, Ty::Object | Ty::Unknown) => continue,
            Expect::Object => "a JSON object",
            Expect::False if matches!(arg, IntrinsicArg::Bool(true)) => {
                return Some(fails(
                    offset,
                    format!("`{}` only supports a shallow merge: its third argument must be `false`", f.name()),
                ));
            }
            Expect::False if matches!(ty, Ty::Bool | Ty::Unknown) => continue,
            Expect::False => "the boolean `false`",
            Expect::Algorithm => match arg {
                IntrinsicArg::String(s) if HASH_ALGORITHMS.contains(&s.as_str()) => continue,
                IntrinsicArg::String(s) => {
                    let hint = match did_you_mean(s, HASH_ALGORITHMS.iter().copied()) {
                        Some(m) => format!("; did you mean '{m}'?"),
                        None => String::new(),
                    };
                    return Some(fails(
                        offset,
                        format!(
                            "`{}` does not support the algorithm '{s}'; use one of {}{hint}",
                            f.name(),
                            HASH_ALGORITHMS.join(", ")
                        ),
                    ));
                }
                _ if ty == Ty::Unknown => continue,
                _ => "one of the algorithm names 'MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'",
            },
        };
        return Some(fails(
            offset,
            format!("argument {} of `{}` ({param}) must be {wanted}, but {}", i + 1, f.name(), describe(arg)),
        ));
    }
    if let Some(pieces) = &call.format_pieces {
        let (holes, values) = (pieces.len().saturating_sub(1), given.saturating_sub(1));
        if holes != values {
            let offset = call.arg_spans.get(holes + 1).or(call.arg_spans.first()).map_or(call.span.0, |s| s.0);
            let s = |n: usize| if n == 1 { "" } else { "s" };
            return Some(fails(
                offset,
                format!(
                    "the `States.Format` template has {holes} `{{}}` placeholder{} but {values} value{} \
                     follow{} it; pass one value per `{{}}` (write `\\{{` for a literal brace)",
                    s(holes),
                    s(values),
                    if values == 1 { "s" } else { "" }
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
#[path = "intrinsic_tests.rs"]
mod tests;
