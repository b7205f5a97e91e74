//! The JSONPath reader: roots, dot and bracket steps, unions, slices, descendant scans and
//! functions. Filter expressions live in `filter.rs`; both share [`Parser`].
//!
//! The dialect is Jayway's (what AWS runs), plus ASL's additions: `$$` and `$name` roots,
//! and backslash escapes in dot notation (`$.store\.book` is the one field `store.book`, as
//! the ASL specification's Reference Path examples show).

use super::{JsonPath, PATH_FUNCTIONS, PathError, PathErrorKind, PathRoot, Segment, UnionItem};
use crate::diagnostic::did_you_mean;

/// Where the path being read is embedded; decides which characters end it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    /// The path is the whole string: only the end of the text ends it.
    Whole,
    /// An intrinsic function argument: an unbracketed `,`, `)` or whitespace ends it.
    IntrinsicArg,
    /// A filter operand: whitespace, `)`, `]`, `,` and operator characters end it.
    Filter,
}

/// How deep filters, groups and literals may nest. Bounds recursion so that hostile input
/// cannot overflow the stack.
const MAX_NESTING: usize = 64;

/// A cursor over the text being parsed. Offsets are byte offsets into `text`, and `pos`
/// only ever moves by whole characters, so slicing at it is always valid.
pub(super) struct Parser<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
    /// Reject, while reading, what a Reference Path forbids inside dot names.
    reference: bool,
    depth: usize,
}

/// Parses any JSONPath AWS accepts: `$`, `$$` or `$name`, then any steps. Trailing
/// whitespace is ignored, as Jayway trims a path before reading it (deployed definitions
/// have `"$$.Execution.Name "`); leading whitespace is not, since the service first tells
/// a path from other text by its leading `$`.
pub fn parse_path(text: &str) -> Result<JsonPath, PathError> {
    let text = text.trim_end();
    let mut p = Parser::new(text, false);
    p.path(Context::Whole).map(|(path, _)| path)
}

/// Parses a Reference Path: like [`parse_path`], but only `.field`, `['field']` and `[index]`
/// steps, and no unescaped `@ , : ? *` in dot names.
pub fn parse_reference_path(text: &str) -> Result<JsonPath, PathError> {
    let text = text.trim_end();
    let mut p = Parser::new(text, true);
    let (path, offsets) = p.path(Context::Whole)?;
    for (segment, &offset) in path.segments.iter().zip(&offsets) {
        let what = match segment {
            Segment::Field(_) | Segment::Index(_) => continue,
            Segment::Wildcard => "a wildcard `*`",
            Segment::Slice { .. } => "an array slice `[start:end]`",
            Segment::Union(_) => "a union `[a,b]`",
            Segment::Filter(_) => "a filter `[?(...)]`",
            Segment::Descendant(_) => "a descendant scan `..`",
            Segment::Function(_) => "a function call such as `length()`",
        };
        return Err(reference_error(offset, what, text));
    }
    Ok(path)
}

fn reference_error(offset: usize, what: &str, text: &str) -> PathError {
    PathError::new(
        PathErrorKind::NotReferencePath,
        offset,
        format!(
            "`{text}` is not a Reference Path: it uses {what}, which can select more than one node; \
             a Reference Path may only use `.field`, `['field']` and `[index]`"
        ),
    )
}

pub(super) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(super) fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters after which a path inside an intrinsic argument or filter stops.
fn ends(ctx: Context, c: char) -> bool {
    match ctx {
        Context::Whole => false,
        Context::IntrinsicArg => c == ',' || c == ')' || c.is_whitespace(),
        Context::Filter => c.is_whitespace() || ")],=!<>~&|".contains(c),
    }
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str, reference: bool) -> Self {
        Parser { text, pos: 0, reference, depth: 0 }
    }

    pub(super) fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(super) fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    /// Moves past `c` if it is next.
    pub(super) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(super) fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    pub(super) fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    pub(super) fn err(&self, offset: usize, message: impl Into<String>) -> PathError {
        PathError::new(PathErrorKind::InvalidPath, offset, message)
    }

    /// The next character, quoted for a message, or "the end of the text".
    pub(super) fn found(&self) -> String {
        match self.peek() {
            Some(c) => format!("`{c}`"),
            None => "the end of the text".into(),
        }
    }

    /// Enters one level of nesting, failing when the input nests absurdly deep.
    pub(super) fn enter(&mut self) -> Result<(), PathError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.err(self.pos, format!("the path nests more than {MAX_NESTING} levels deep")));
        }
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Reads a root and its steps. Returns the path and the offset of each segment.
    pub(super) fn path(&mut self, ctx: Context) -> Result<(JsonPath, Vec<usize>), PathError> {
        let start = self.pos;
        let root = self.root()?;
        let (segments, offsets) = self.segments(ctx)?.into_iter().unzip();
        let text = self.text.get(start..self.pos).unwrap_or("").to_string();
        Ok((JsonPath { root, segments, text }, offsets))
    }

    fn root(&mut self) -> Result<PathRoot, PathError> {
        let start = self.pos;
        if !self.eat('$') {
            let msg = match self.peek() {
                Some('@') => {
                    "`@` (the current node) only exists inside a filter `[?(...)]`; a path starts with `$`".into()
                }
                Some(c) if c.is_whitespace() => "a path must start with `$`; remove the leading whitespace".into(),
                _ => format!("a path must start with `$`, found {}", self.found()),
            };
            return Err(self.err(start, msg));
        }
        if self.eat('$') {
            return Ok(PathRoot::Context);
        }
        match self.peek() {
            Some(c) if c.is_ascii_digit() => Err(self.err(
                self.pos,
                "a variable name must not start with a digit; after `$` write `.field` or `[index]` \
                 for the input, or a variable name such as `$count`",
            )),
            Some(c) if is_ident_start(c) => {
                let name_start = self.pos;
                while self.peek().is_some_and(is_ident_continue) {
                    self.bump();
                }
                let name = self.text.get(name_start..self.pos).unwrap_or("").to_string();
                if name == "states" {
                    return Err(self.err(
                        name_start,
                        "`$states` is reserved for JSONata states; in a JSONPath state use `$` for the \
                         state input and `$$` for the context object",
                    ));
                }
                Ok(PathRoot::Variable(name))
            }
            _ => Ok(PathRoot::Input),
        }
    }

    /// Reads steps until the end of the text, or until a character that ends a path in `ctx`.
    pub(super) fn segments(&mut self, ctx: Context) -> Result<Vec<(Segment, usize)>, PathError> {
        let mut out: Vec<(Segment, usize)> = Vec::new();
        loop {
            let start = self.pos;
            let Some(c) = self.peek() else { break };
            if ends(ctx, c) {
                break;
            }
            if matches!(out.last(), Some((Segment::Function(_), _))) {
                return Err(self.err(start, "a function such as `length()` must be the last step of a path"));
            }
            let segment = match c {
                '.' if self.peek2() == Some('.') => {
                    self.pos += 2;
                    Segment::Descendant(Box::new(self.after_descendant(ctx)?))
                }
                '.' => {
                    self.bump();
                    self.after_dot(ctx)?
                }
                '[' => self.bracket()?,
                _ => {
                    let msg = if out.is_empty() && c.is_whitespace() {
                        "a path must not contain whitespace here; remove it".to_string()
                    } else {
                        format!("unexpected `{c}`; a path continues with `.field`, `['field']` or `[index]`")
                    };
                    return Err(self.err(start, msg));
                }
            };
            out.push((segment, start));
        }
        Ok(out)
    }

    fn after_dot(&mut self, ctx: Context) -> Result<Segment, PathError> {
        match self.peek() {
            None => Err(self.err(self.pos.saturating_sub(1), "a path must not end with `.`")),
            Some(c) if ends(ctx, c) || c.is_whitespace() => {
                Err(self.err(self.pos.saturating_sub(1), "`.` must be followed by a field name"))
            }
            // Jayway accepts `$.a.['b']` and `$.a.[0]`, and AWS documents `$.abc.['def ghi']`.
            Some('[') => self.bracket(),
            Some('*') => self.wildcard(ctx),
            Some(_) => self.name_or_function(ctx),
        }
    }

    fn after_descendant(&mut self, ctx: Context) -> Result<Segment, PathError> {
        match self.peek() {
            Some('[') => self.bracket(),
            Some('*') => self.wildcard(ctx),
            Some('.') => Err(self.err(self.pos, "too many dots: `..` is followed by a field name, `*` or `[...]`")),
            Some(c) if !ends(ctx, c) && !c.is_whitespace() => {
                let start = self.pos;
                match self.name_or_function(ctx)? {
                    Segment::Function(_) => Err(self.err(start, "a function cannot follow `..`")),
                    segment => Ok(segment),
                }
            }
            _ => Err(self.err(
                self.pos.saturating_sub(2),
                "`..` (descendant scan) must be followed by a field name, `*` or `[...]`",
            )),
        }
    }

    fn wildcard(&mut self, ctx: Context) -> Result<Segment, PathError> {
        let star = self.pos;
        if self.reference {
            return Err(reference_error(star, "a wildcard `*`", self.text));
        }
        self.bump();
        match self.peek() {
            None | Some('.') | Some('[') => Ok(Segment::Wildcard),
            Some(c) if ends(ctx, c) => Ok(Segment::Wildcard),
            Some(c) => Err(self.err(self.pos, format!("unexpected `{c}` after `*`"))),
        }
    }

    fn not_in_reference(&self, offset: usize, c: char) -> PathError {
        PathError::new(
            PathErrorKind::NotReferencePath,
            offset,
            format!(
                "`{c}` is not allowed in a Reference Path (it may only select one node); if `{c}` is \
                 part of the field name, escape it as `\\{c}` or use bracket notation `['…']`"
            ),
        )
    }

    /// A dot-notation name, or a function call when `(` follows it.
    fn name_or_function(&mut self, ctx: Context) -> Result<Segment, PathError> {
        let start = self.pos;
        let name = self.dot_name(ctx)?;
        if !self.eat('(') {
            return Ok(Segment::Field(name));
        }
        if matches!(name.as_str(), "concat" | "append" | "index") {
            return Err(self.err(
                start,
                format!("`{name}(...)` takes arguments; path functions with arguments are not supported"),
            ));
        }
        if !PATH_FUNCTIONS.contains(&name.as_str()) {
            let hint = match did_you_mean(&name, PATH_FUNCTIONS.iter().copied()) {
                Some(s) => format!("; did you mean `{s}()`?"),
                None => format!("; the functions are {}", PATH_FUNCTIONS.join("(), ") + "()"),
            };
            return Err(self.err(start, format!("unknown path function `{name}()`{hint}")));
        }
        self.skip_ws();
        if !self.eat(')') {
            return Err(self.err(
                self.pos,
                format!("`{name}()` takes no arguments (path functions with arguments are not supported)"),
            ));
        }
        Ok(Segment::Function(name))
    }

    /// Reads a name after `.`: up to `.`, `[`, `(` or (outside whole-text paths) a
    /// terminator. `\` makes the next character part of the name; `\uXXXX` is a code unit.
    fn dot_name(&mut self, ctx: Context) -> Result<String, PathError> {
        let start = self.pos;
        let mut name = String::new();
        while let Some(c) = self.peek() {
            match c {
                '\\' => self.name_escape(&mut name)?,
                '.' | '[' | '(' => break,
                c if c.is_whitespace() && ctx == Context::Whole => {
                    return Err(self.err(
                        self.pos,
                        "a field name in dot notation cannot contain whitespace; use bracket notation \
                         such as `$['my field']`",
                    ));
                }
                c if ends(ctx, c) => break,
                '@' | ',' | ':' | '?' | '*' if self.reference => return Err(self.not_in_reference(self.pos, c)),
                c => {
                    name.push(c);
                    self.bump();
                }
            }
        }
        if self.pos == start {
            return Err(self.err(start, format!("expected a field name, found {}", self.found())));
        }
        Ok(name)
    }

    fn name_escape(&mut self, name: &mut String) -> Result<(), PathError> {
        let slash = self.pos;
        self.bump();
        match self.peek() {
            None => {
                Err(self.err(slash, "the path ends with `\\`, which escapes nothing; write `\\\\` for a backslash"))
            }
            Some('u') if self.hex4(self.pos + 1).is_some() => {
                let unit = self.hex4(self.pos + 1).unwrap_or(0);
                self.pos += 5;
                let c = if (0xD800..0xDC00).contains(&unit) {
                    let low = self.rest().strip_prefix("\\u").and_then(|_| self.hex4(self.pos + 2));
                    match low {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            self.pos += 6;
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(unit)
                };
                let c = c.ok_or_else(|| self.err(slash, "`\\u` escape is an unpaired UTF-16 surrogate"))?;
                name.push(c);
                Ok(())
            }
            Some(c) => {
                name.push(c);
                self.bump();
                Ok(())
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    /// `[...]`: a filter, `*`, quoted names, indexes or a slice.
    fn bracket(&mut self) -> Result<Segment, PathError> {
        let open = self.pos;
        self.bump();
        self.skip_ws();
        let segment = match self.peek() {
            Some('?') => {
                self.bump();
                self.skip_ws();
                if !self.eat('(') {
                    return Err(self.err(self.pos, "a filter is written `[?(expression)]`; expected `(`"));
                }
                self.enter()?;
                let expr = self.filter_expr()?;
                self.leave();
                self.skip_ws();
                if !self.eat(')') {
                    return Err(self.err(self.pos, format!("expected `)` to close the filter, found {}", self.found())));
                }
                Segment::Filter(expr)
            }
            Some('*') => {
                self.bump();
                Segment::Wildcard
            }
            Some('\'') | Some('"') => self.quoted_names()?,
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.indexes()?,
            Some(']') => {
                return Err(self.err(open, "empty brackets `[]`; write an index `[0]`, a field `['name']` or `[*]`"));
            }
            None => return Err(self.err(open, "unclosed `[`")),
            Some(c) => {
                return Err(self.err(
                    self.pos,
                    format!("unexpected `{c}` in brackets; a field name in brackets must be quoted: `['name']`"),
                ));
            }
        };
        self.skip_ws();
        if !self.eat(']') {
            let msg = match self.peek() {
                None => "unclosed `[`: expected `]`".to_string(),
                Some(c) => format!("expected `]`, found `{c}`"),
            };
            return Err(self.err(self.pos, msg));
        }
        Ok(segment)
    }

    /// `'a'` or `'a','b'` (either quote). Only the quote and `\` are escapes: AWS finds the
    /// field `Test\""Name"` for `$['Test\""Name"']`.
    fn quoted_names(&mut self) -> Result<Segment, PathError> {
        let mut names = Vec::new();
        loop {
            self.skip_ws();
            let Some(quote) = self.peek().filter(|&c| c == '\'' || c == '"') else {
                return Err(self.err(
                    self.pos,
                    format!(
                        "expected a quoted field name, found {} (a union cannot mix names and indexes)",
                        self.found()
                    ),
                ));
            };
            let open = self.pos;
            self.bump();
            let mut name = String::new();
            loop {
                match self.peek() {
                    None => return Err(self.err(open, format!("unterminated field name: missing closing {quote}"))),
                    Some(c) if c == quote => {
                        self.bump();
                        break;
                    }
                    Some('\\') if self.peek2().is_some_and(|n| n == quote || n == '\\') => {
                        self.bump();
                        name.extend(self.peek());
                        self.bump();
                    }
                    Some(c) => {
                        name.push(c);
                        self.bump();
                    }
                }
            }
            names.push(name);
            self.skip_ws();
            if !self.eat(',') {
                break;
            }
            if self.reference {
                return Err(reference_error(self.pos - 1, "a union `[a,b]`", self.text));
            }
        }
        if names.len() == 1 {
            Ok(Segment::Field(names.pop().unwrap_or_default()))
        } else {
            Ok(Segment::Union(names.into_iter().map(UnionItem::Field).collect()))
        }
    }

    /// `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[:2]`, `[1:]`, `[::2]`.
    fn indexes(&mut self) -> Result<Segment, PathError> {
        let first = if self.peek() == Some(':') { None } else { Some(self.integer()?) };
        self.skip_ws();
        if self.peek() == Some(':') {
            if self.reference {
                return Err(reference_error(self.pos, "an array slice `[start:end]`", self.text));
            }
            let mut parts = [first, None, None];
            for part in parts.iter_mut().skip(1) {
                if !self.eat(':') {
                    break;
                }
                self.skip_ws();
                if self.peek().is_some_and(|c| c == '-' || c.is_ascii_digit()) {
                    *part = Some(self.integer()?);
                }
                self.skip_ws();
            }
            if parts[2] == Some(0) {
                return Err(self.err(self.pos.saturating_sub(1), "a slice step must not be 0"));
            }
            let [start, end, step] = parts;
            return Ok(Segment::Slice { start, end, step });
        }
        let mut items: Vec<i64> = first.into_iter().collect();
        while self.peek() == Some(',') {
            if self.reference {
                return Err(reference_error(self.pos, "a union `[a,b]`", self.text));
            }
            self.bump();
            self.skip_ws();
            items.push(self.integer()?);
            self.skip_ws();
        }
        match items.as_slice() {
            [one] => Ok(Segment::Index(*one)),
            _ => Ok(Segment::Union(items.into_iter().map(UnionItem::Index).collect())),
        }
    }

    fn integer(&mut self) -> Result<i64, PathError> {
        let start = self.pos;
        self.eat('-');
        let digits = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        if self.pos == digits {
            return Err(self.err(self.pos, format!("expected a digit, found {}", self.found())));
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        text.parse().map_err(|_| self.err(start, format!("index `{text}` is too large")))
    }

    /// A JSON number (`-1`, `2.5`, `1e3`), shared by filters and intrinsic arguments.
    pub(super) fn number(&mut self, kind: PathErrorKind) -> Result<serde_json::Number, PathError> {
        let start = self.pos;
        let fail = |at: usize, msg: &str| PathError::new(kind, at, msg);
        self.eat('-');
        let int_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        let int = self.text.get(int_start..self.pos).unwrap_or("");
        if int.is_empty() {
            return Err(fail(self.pos, "expected a digit after `-`"));
        }
        if int.len() > 1 && int.starts_with('0') {
            return Err(fail(int_start, "a number must not have leading zeros"));
        }
        if self.peek() == Some('.') {
            self.bump();
            let frac = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
            }
            if self.pos == frac {
                return Err(fail(self.pos, "expected a digit after the decimal point"));
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            if !self.eat('+') {
                self.eat('-');
            }
            let exp = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
            }
            if self.pos == exp {
                return Err(fail(self.pos, "expected a digit in the exponent"));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        text.parse::<serde_json::Number>().map_err(|_| fail(start, "the number is out of range"))
    }
}

#[cfg(test)]
#[path = "jsonpath_tests.rs"]
mod tests;
