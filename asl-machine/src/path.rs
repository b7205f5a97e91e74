//! JSONPath as the engine evaluates it: static data built from paths the compiler parsed,
//! so nothing parses a path at run time.
//!
//! Every type here is const-constructible (`&'static` slices and strings), so a workflow's
//! paths live in read-only memory and cost nothing to set up. asl-runtime's `path` module
//! evaluates them (`select`, `put`) the way AWS does.

use std::fmt;

/// Where a path starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Root {
    /// `$`: the current data (state input, or a task result for `ResultSelector`).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(&'static str),
}

emit_enum!(path => Root { Input, Context, Variable(name) });

/// A JSONPath in Jayway's dialect, as AWS evaluates it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Path {
    /// The root.
    pub root: Root,
    /// The steps after the root.
    pub segments: &'static [Segment],
    /// The path as written in the definition (for error messages).
    pub text: &'static str,
}

emit_struct!(path => Path { root, segments, text });

/// One step of a path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Segment {
    /// `.name` or `['name']`.
    Field(&'static str),
    /// `[3]`, `[-1]`.
    Index(i64),
    /// `.*` or `[*]`.
    Wildcard,
    /// `[start:end:step]`.
    Slice {
        /// Start (inclusive).
        start: Option<i64>,
        /// End (exclusive).
        end: Option<i64>,
        /// Step.
        step: Option<i64>,
    },
    /// `[0,1]` or `['a','b']`.
    Union(&'static [UnionItem]),
    /// `[?(…)]`.
    Filter(&'static Filter),
    /// `..` followed by a step.
    Descendant(&'static Segment),
    /// A Jayway function as the last step: `.length()`, `.min()`…
    Function(&'static str),
}

emit_enum!(path => Segment {
    Field(name),
    Index(index),
    Wildcard,
    Slice { start, end, step },
    Union(items),
    Filter(filter),
    Descendant(segment),
    Function(name),
});

/// One member of a union.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnionItem {
    /// A field name.
    Field(&'static str),
    /// An index.
    Index(i64),
}

emit_enum!(path => UnionItem { Field(name), Index(index) });

/// A filter expression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Filter {
    /// `a || b`.
    Or(&'static Filter, &'static Filter),
    /// `a && b`.
    And(&'static Filter, &'static Filter),
    /// `!a`.
    Not(&'static Filter),
    /// `@.x` alone: the path selects something (any value, even `null` or `false`: Jayway
    /// tests existence only).
    Exists(&'static Operand),
    /// `left op right`.
    Compare {
        /// Left operand.
        left: &'static Operand,
        /// The operator, as written (`==`, `<`, `=~`, `in`, …).
        op: &'static str,
        /// Right operand.
        right: &'static Operand,
    },
}

emit_enum!(path => Filter {
    Or(a, b),
    And(a, b),
    Not(a),
    Exists(operand),
    Compare { left, op, right },
});

/// An operand in a filter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    /// `@…`: relative to the element being filtered.
    Current(&'static [Segment]),
    /// `$…`: an absolute path.
    Path(&'static Path),
    /// A literal.
    Literal(&'static Literal),
    /// `/pattern/flags`.
    Regex {
        /// The pattern.
        pattern: &'static str,
        /// The flags.
        flags: &'static str,
    },
}

emit_enum!(path => Operand { Current(segments), Path(path), Literal(literal), Regex { pattern, flags } });

/// A constant JSON value in const-constructible form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true`/`false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(&'static str),
    /// An array.
    Array(&'static [Literal]),
    /// An object.
    Object(&'static [(&'static str, Literal)]),
}

emit_enum!(path => Literal {
    Null,
    Bool(value),
    Int(value),
    Float(value),
    Str(value),
    Array(items),
    Object(members),
});

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}
