//! Jayway filter expressions: `[?(@.price < 10 && @.tags contains 'x')]`.
//!
//! Grammar (`||` binds loosest, then `&&`, then `!`):
//! `expr := and ('||' and)*`, `and := unary ('&&' unary)*`, `unary := '!' unary | '(' expr ')'
//! | operand (op operand)?`. An operand alone is an existence test (`[?(@.isbn)]`).
//! Operands are `@…` (the current item), `$…` paths, quoted strings, numbers, `true`,
//! `false`, `null`, JSON-ish array/object literals (single quotes allowed, as Jayway's
//! lenient JSON reader accepts) and `/regex/flags` on the right of `=~`.

use std::fmt;

use super::jsonpath::{Context, Parser};
use super::{JsonPath, PathError, PathErrorKind, Segment};

/// A filter condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterExpr {
    /// `a || b`.
    Or(Box<FilterExpr>, Box<FilterExpr>),
    /// `a && b`.
    And(Box<FilterExpr>, Box<FilterExpr>),
    /// `!a`.
    Not(Box<FilterExpr>),
    /// A path alone: true when it selects something (`[?(@.isbn)]`).
    Exists(FilterOperand),
    /// `left op right`.
    Compare {
        /// Left operand.
        left: FilterOperand,
        /// The operator.
        op: CompareOp,
        /// Right operand.
        right: FilterOperand,
    },
}

/// A value in a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterOperand {
    /// `@` followed by steps: relative to the item being tested.
    Current(Vec<Segment>),
    /// `$…`, `$$…` or `$name…`: an absolute path.
    Path(JsonPath),
    /// A string, number, boolean, null, array or object literal.
    Literal(serde_json::Value),
    /// `/pattern/flags`, the right side of `=~`. The pattern is kept as written.
    Regex {
        /// The pattern between the slashes.
        pattern: String,
        /// The letters after the closing slash (`i` for case-insensitive).
        flags: String,
    },
}

/// A filter comparison operator, as Jayway defines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==` (numbers and strings compare by value, `1 == '1'` is false).
    Eq,
    /// `!=`.
    Ne,
    /// `===`: equal and of the same type.
    StrictEq,
    /// `!==`.
    StrictNe,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `=~`: matches a regular expression.
    Matches,
    /// `in`: the left value is in the right array.
    In,
    /// `nin`: not in.
    Nin,
    /// `subsetof`: every left element is in the right array.
    SubsetOf,
    /// `anyof`: the arrays share an element.
    AnyOf,
    /// `noneof`: the arrays share no element.
    NoneOf,
    /// `size`: the left array or string has the right length.
    Size,
    /// `empty`: the left array or string is empty (right `true`) or not (`false`).
    Empty,
    /// `contains`: the left array has, or the left string contains, the right value.
    Contains,
}

/// Operator spellings, longest first so that `===` is not read as `==`.
const OPERATORS: &[(&str, CompareOp)] = &[
    ("===", CompareOp::StrictEq),
    ("!==", CompareOp::StrictNe),
    ("==", CompareOp::Eq),
    ("!=", CompareOp::Ne),
    ("<=", CompareOp::Le),
    (">=", CompareOp::Ge),
    ("=~", CompareOp::Matches),
    ("<", CompareOp::Lt),
    (">", CompareOp::Gt),
    ("subsetof", CompareOp::SubsetOf),
    ("contains", CompareOp::Contains),
    ("noneof", CompareOp::NoneOf),
    ("anyof", CompareOp::AnyOf),
    ("empty", CompareOp::Empty),
    ("size", CompareOp::Size),
    ("nin", CompareOp::Nin),
    ("in", CompareOp::In),
];

impl CompareOp {
    /// The operator as written in a filter.
    pub fn as_str(self) -> &'static str {
        OPERATORS.iter().find(|(_, op)| *op == self).map_or("==", |(s, _)| s)
    }
}

impl Parser<'_> {
    /// Reads the expression inside `[?( … )]`, stopping before the closing `)`.
    pub(super) fn filter_expr(&mut self) -> Result<FilterExpr, PathError> {
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if !self.rest().starts_with("||") {
                return Ok(left);
            }
            self.pos += 2;
            let right = self.filter_and()?;
            left = FilterExpr::Or(Box::new(left), Box::new(right));
        }
    }

    fn filter_and(&mut self) -> Result<FilterExpr, PathError> {
        let mut left = self.filter_unary()?;
        loop {
            self.skip_ws();
            if !self.rest().starts_with("&&") {
                return Ok(left);
            }
            self.pos += 2;
            let right = self.filter_unary()?;
            left = FilterExpr::And(Box::new(left), Box::new(right));
        }
    }

    fn filter_unary(&mut self) -> Result<FilterExpr, PathError> {
        self.skip_ws();
        self.enter()?;
        let expr = if self.peek() == Some('!') && self.peek2() != Some('=') {
            self.bump();
            FilterExpr::Not(Box::new(self.filter_unary()?))
        } else if self.eat('(') {
            let inner = self.filter_expr()?;
            self.skip_ws();
            if !self.eat(')') {
                return Err(self.err(self.pos, format!("expected `)`, found {}", self.found())));
            }
            inner
        } else {
            self.comparison()?
        };
        self.leave();
        Ok(expr)
    }

    fn comparison(&mut self) -> Result<FilterExpr, PathError> {
        let start = self.pos;
        let left = self.operand()?;
        self.skip_ws();
        let Some(op) = self.operator() else {
            if self.peek() == Some('=') {
                return Err(self.err(self.pos, "use `==` to compare values; `=` alone is not an operator"));
            }
            return match left {
                FilterOperand::Current(_) | FilterOperand::Path(_) => Ok(FilterExpr::Exists(left)),
                _ => Err(self.err(start, "a literal alone is not a condition; compare it, e.g. `@.x == 1`")),
            };
        };
        self.skip_ws();
        let right = self.operand()?;
        Ok(FilterExpr::Compare { left, op, right })
    }

    fn operator(&mut self) -> Option<CompareOp> {
        let rest = self.rest();
        let (text, op) = OPERATORS.iter().find(|(text, _)| {
            let word = text.starts_with(|c: char| c.is_ascii_alphabetic());
            rest.starts_with(text)
                && !(word && rest[text.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        })?;
        self.pos += text.len();
        Some(*op)
    }

    fn operand(&mut self) -> Result<FilterOperand, PathError> {
        let start = self.pos;
        match self.peek() {
            Some('@') => {
                self.bump();
                let segments = self.segments(Context::Filter)?;
                Ok(FilterOperand::Current(segments.into_iter().map(|(s, _)| s).collect()))
            }
            Some('$') => Ok(FilterOperand::Path(self.path(Context::Filter)?.0)),
            Some('/') => self.regex(),
            Some(_) => self.literal().map(FilterOperand::Literal),
            None => Err(self.err(start, "the filter ends where a value was expected")),
        }
    }

    fn regex(&mut self) -> Result<FilterOperand, PathError> {
        let open = self.pos;
        self.bump();
        let body = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.err(open, "unterminated regular expression: missing closing `/`")),
                Some('/') => break,
                Some('\\') => {
                    self.bump();
                    self.bump();
                }
                Some(_) => self.bump(),
            }
        }
        let pattern = self.text.get(body..self.pos).unwrap_or("").to_string();
        self.bump();
        let flags_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.bump();
        }
        let flags = self.text.get(flags_start..self.pos).unwrap_or("").to_string();
        Ok(FilterOperand::Regex { pattern, flags })
    }

    /// A literal value: Jayway reads these leniently (either quote, bare object keys).
    fn literal(&mut self) -> Result<serde_json::Value, PathError> {
        use serde_json::Value;
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(q @ ('\'' | '"')) => self.filter_string(q).map(Value::String),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(PathErrorKind::InvalidPath).map(Value::Number),
            Some('[') => {
                self.enter()?;
                self.bump();
                let mut items = Vec::new();
                self.skip_ws();
                if !self.eat(']') {
                    loop {
                        items.push(self.literal()?);
                        self.skip_ws();
                        if self.eat(']') {
                            break;
                        }
                        if !self.eat(',') {
                            return Err(self.err(self.pos, format!("expected `,` or `]`, found {}", self.found())));
                        }
                    }
                }
                self.leave();
                Ok(Value::Array(items))
            }
            Some('{') => {
                self.enter()?;
                self.bump();
                let mut map = serde_json::Map::new();
                self.skip_ws();
                if !self.eat('}') {
                    loop {
                        self.skip_ws();
                        let key = match self.peek() {
                            Some(q @ ('\'' | '"')) => self.filter_string(q)?,
                            _ => {
                                let key_start = self.pos;
                                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                                    self.bump();
                                }
                                if self.pos == key_start {
                                    return Err(self.err(self.pos, "expected an object key"));
                                }
                                self.text.get(key_start..self.pos).unwrap_or("").to_string()
                            }
                        };
                        self.skip_ws();
                        if !self.eat(':') {
                            return Err(self.err(self.pos, format!("expected `:`, found {}", self.found())));
                        }
                        let value = self.literal()?;
                        map.insert(key, value);
                        self.skip_ws();
                        if self.eat('}') {
                            break;
                        }
                        if !self.eat(',') {
                            return Err(self.err(self.pos, format!("expected `,` or `}}`, found {}", self.found())));
                        }
                    }
                }
                self.leave();
                Ok(Value::Object(map))
            }
            _ => {
                for (word, value) in [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)]
                {
                    let rest = self.rest();
                    if rest.starts_with(word) && !rest[word.len()..].starts_with(|c: char| c.is_alphanumeric()) {
                        self.pos += word.len();
                        return Ok(value);
                    }
                }
                if let Some(word) = self.bare_word() {
                    return Ok(Value::String(word.to_string()));
                }
                Err(self.err(
                    start,
                    format!(
                        "expected a value (`@.field`, `$.path`, 'text', a number, true, false or null), found {}",
                        self.found()
                    ),
                ))
            }
        }
    }

    /// An unquoted word (`[?(@.Name==Receipt)]`), which Step Functions compares as the
    /// string `Receipt`: deployed definitions rely on it (AWS accepts them, and their
    /// authors read the matches they expect). Jayway's early filter reader did the same,
    /// taking the text after the operator as the value and stripping quotes if any; its
    /// 2.x reader would refuse the word, so AWS does not run that one. A word starts with a
    /// letter or `_` (a digit or `-` starts a number) and runs to whitespace or a character
    /// that ends a value in a filter.
    fn bare_word(&mut self) -> Option<&str> {
        let start = self.pos;
        if !self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
            return None;
        }
        while self.peek().is_some_and(|c| {
            !c.is_whitespace() && !matches!(c, ')' | ']' | '}' | ',' | '&' | '|' | '=' | '<' | '>' | '!')
        }) {
            self.bump();
        }
        self.text.get(start..self.pos)
    }

    /// A quoted string in a filter, with Java-style escapes (`\'`, `\"`, `\\`, `\n`,
    /// `\uXXXX`, …) resolved; an unknown escape stands for the escaped character.
    fn filter_string(&mut self, quote: char) -> Result<String, PathError> {
        let open = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err(open, format!("unterminated string: missing closing {quote}")));
            };
            self.bump();
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else { continue };
            self.bump();
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex = self.rest().get(..4).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
                    match hex.and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32) {
                        Some(ch) => {
                            out.push(ch);
                            self.pos += 4;
                        }
                        None => out.push('u'),
                    }
                }
                other => out.push(other),
            }
        }
    }
}

impl fmt::Display for FilterExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parenthesise anything looser than the operator around it, so printing and
        // re-parsing gives the same tree.
        match self {
            FilterExpr::Or(a, b) => write!(f, "{a} || {b}"),
            FilterExpr::And(a, b) => {
                let side = |e: &FilterExpr| match e {
                    FilterExpr::Or(..) => format!("({e})"),
                    _ => e.to_string(),
                };
                write!(f, "{} && {}", side(a), side(b))
            }
            FilterExpr::Not(e) if matches!(**e, FilterExpr::Exists(_) | FilterExpr::Not(_)) => write!(f, "!{e}"),
            FilterExpr::Not(e) => write!(f, "!({e})"),
            FilterExpr::Exists(o) => write!(f, "{o}"),
            FilterExpr::Compare { left, op, right } => write!(f, "{left} {} {right}", op.as_str()),
        }
    }
}

impl fmt::Display for FilterOperand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterOperand::Current(segments) => {
                f.write_str("@")?;
                segments.iter().try_for_each(|s| write!(f, "{s}"))
            }
            FilterOperand::Path(path) => write!(f, "{path}"),
            FilterOperand::Literal(value) => write!(f, "{value}"),
            FilterOperand::Regex { pattern, flags } => write!(f, "/{pattern}/{flags}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use crate::path::{PathRoot, parse_path};
    use serde_json::json;

    fn filter(text: &str) -> FilterExpr {
        let path = format!("$.a[?({text})]");
        match parse_path(&path).map(|p| p.segments.into_iter().nth(1)) {
            Ok(Some(Segment::Filter(f))) => f,
            other => panic!("{path}: {other:?}"),
        }
    }

    fn fails(text: &str) -> PathError {
        let path = format!("$.a[?({text})]");
        parse_path(&path).expect_err(&path)
    }

    fn cur(name: &str) -> FilterOperand {
        FilterOperand::Current(vec![Segment::Field(name.into())])
    }

    fn cmp(left: FilterOperand, op: CompareOp, right: FilterOperand) -> FilterExpr {
        FilterExpr::Compare { left, op, right }
    }

    #[test]
    fn comparisons() {
        for (text, op) in OPERATORS {
            let expr = filter(&format!("@.x {text} 1"));
            assert_eq!(expr, cmp(cur("x"), *op, FilterOperand::Literal(json!(1))), "{text}");
            assert_eq!(op.as_str(), *text);
        }
        assert_eq!(filter("@.x=='y'"), cmp(cur("x"), CompareOp::Eq, FilterOperand::Literal(json!("y"))));
        assert_eq!(filter("@.x == \"y\""), cmp(cur("x"), CompareOp::Eq, FilterOperand::Literal(json!("y"))));
        assert_eq!(
            filter("@ > 2.5"),
            cmp(FilterOperand::Current(vec![]), CompareOp::Gt, FilterOperand::Literal(json!(2.5)))
        );
        let expr = filter("@.n <= $.max");
        let FilterExpr::Compare { right: FilterOperand::Path(p), .. } = expr else { panic!() };
        assert_eq!((p.root, p.text.as_str()), (PathRoot::Input, "$.max"));
        let expr = filter("@.n == $$.Execution.Name");
        assert!(matches!(
            expr,
            FilterExpr::Compare { right: FilterOperand::Path(JsonPath { root: PathRoot::Context, .. }), .. }
        ));
    }

    #[test]
    fn literals() {
        let right = |t: &str| match filter(&format!("@.x in {t}")) {
            FilterExpr::Compare { right: FilterOperand::Literal(v), .. } => v,
            other => panic!("{other:?}"),
        };
        assert_eq!(right("['a', \"b\", 1, true, null]"), json!(["a", "b", 1, true, null]));
        assert_eq!(right("[]"), json!([]));
        assert_eq!(right("{a: 1, 'b': [2]}"), json!({"a": 1, "b": [2]}));
        assert_eq!(right(r"'it\'s\n'"), json!("it's\n"));
        assert_eq!(right(r"'\u00e9'"), json!("é"));
        assert_eq!(right("-1e3"), json!(-1000.0));
        match filter("@.name =~ /^a\\/b.*$/i") {
            FilterExpr::Compare { right: FilterOperand::Regex { pattern, flags }, op: CompareOp::Matches, .. } => {
                assert_eq!((pattern.as_str(), flags.as_str()), ("^a\\/b.*$", "i"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn logic_and_precedence() {
        let a = || cmp(cur("a"), CompareOp::Eq, FilterOperand::Literal(json!(1)));
        let b = || FilterExpr::Exists(cur("b"));
        let c = || FilterExpr::Exists(cur("c"));
        let bx = Box::new;
        assert_eq!(filter("@.a == 1 || @.b && @.c"), FilterExpr::Or(bx(a()), bx(FilterExpr::And(bx(b()), bx(c())))));
        assert_eq!(filter("(@.a == 1 || @.b) && @.c"), FilterExpr::And(bx(FilterExpr::Or(bx(a()), bx(b()))), bx(c())));
        assert_eq!(filter("!@.b"), FilterExpr::Not(bx(b())));
        assert_eq!(filter("!(@.a == 1)"), FilterExpr::Not(bx(a())));
        assert_eq!(filter("@.b&&@.c"), FilterExpr::And(bx(b()), bx(c())));
        assert!(matches!(filter("@.tags[?(@ == 'x')]"), FilterExpr::Exists(_)));
        assert!(matches!(filter("@.a.length() > 2"), FilterExpr::Compare { .. }));
    }

    #[test]
    fn errors() {
        assert!(fails("@.x = 1").message.contains("`==`"));
        assert!(fails("1").message.contains("literal alone"));
        assert!(fails("@.x == ").message.contains("expected a value"));
        assert!(fails("@.x == 'abc").message.contains("unterminated"));
        assert!(fails("@.x =~ /abc").message.contains("regular expression"));
        assert!(fails("@.x in [1 2]").message.contains("expected `,` or `]`"));
        assert!(fails("(@.x == 1").message.contains("expected `)`"));
        assert!(fails("@.x == #yes").message.contains("expected a value"));
        // An unquoted word is a string (see `bare_word`), not an error.
        assert_eq!(filter("@.x == yes"), cmp(cur("x"), CompareOp::Eq, FilterOperand::Literal(json!("yes"))));
        assert_eq!(fails("@.x == 1 &&").offset, 17);
    }
}
