//! A YAML reader that produces the same spanned [`Node`] tree as the JSON reader.
//!
//! SAM and the Serverless Framework keep definitions as `.asl.yaml`. The text is read with
//! saphyr-parser's event API and resolved with the YAML 1.2 core schema, so a YAML
//! definition and its JSON translation give identical trees. Like the JSON reader it
//! reports duplicate keys (keeping the first), limits nesting to [`MAX_DEPTH`], and never
//! panics. Aliases are expanded, with a cap on the total size so "billion laughs" input
//! cannot exhaust memory.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::json::MAX_DEPTH;
use crate::node::{Member, Node, NodeValue, pointer_push};
use crate::source::Span;

/// Most values one definition may expand to, counting each alias expansion in full.
pub const MAX_NODES: usize = 1_000_000;

/// CloudFormation's short-form intrinsic functions, which SAM templates often contain.
const CLOUDFORMATION_TAGS: &str = "Ref Sub GetAtt Join Select Split FindInMap If Equals And Or Not \
    ImportValue Base64 Cidr GetAZs Transform Condition ToJsonString Length";

const CORE_SCHEMA: &str = "tag:yaml.org,2002:";

/// Parses YAML text into the same spanned tree the JSON reader produces.
///
/// Syntax errors, a second document, too deep nesting and too large alias expansions are
/// fatal (`None` after one diagnostic). Duplicate keys, non-scalar keys, unsupported tags
/// and numbers JSON cannot hold are reported, and the tree is still returned.
///
/// Spans are byte ranges: quoted scalars include their quotes, block scalars (`|`, `>`)
/// cover their content, and a value copied from an alias has the alias as its span (its
/// children keep the spans of the anchored text).
pub fn parse(text: &str, diags: &mut Diagnostics) -> Option<Node> {
    let mut reader = Reader {
        text,
        chars: CharIndex::new(text),
        diags,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        documents: 0,
        root: None,
    };
    for item in Parser::new_from_str(text) {
        let step = match item {
            Ok((event, span)) => reader.event(event, span.start, span.end),
            Err(e) => Err(reader.syntax_error(&e)),
        };
        if step.is_err() {
            return None;
        }
    }
    if reader.root.is_none() {
        reader.diags.report(Code::EmptyDefinition, "", Span::new(0, 0), "the definition is empty");
    }
    reader.root
}

/// Marker: a fatal error was already reported.
struct Fatal;

/// saphyr's markers count characters, spans count bytes. For non-ASCII text this keeps the
/// byte offset of every `STRIDE`-th character, so a lookup walks at most `STRIDE` chars.
struct CharIndex {
    ascii: bool,
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 64;

impl CharIndex {
    fn new(text: &str) -> Self {
        let ascii = text.is_ascii();
        let checkpoints =
            if ascii { Vec::new() } else { text.char_indices().step_by(STRIDE).map(|(i, _)| i).collect() };
        CharIndex { ascii, checkpoints }
    }

    fn byte(&self, text: &str, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(text.len());
        }
        let Some(&base) = self.checkpoints.get(char_index / STRIDE) else {
            return text.len();
        };
        let rest = text.get(base..).unwrap_or("");
        rest.char_indices().nth(char_index % STRIDE).map_or(text.len(), |(i, _)| base + i)
    }
}

/// An array or object being read.
struct Frame {
    kind: Kind,
    /// Byte offset of the `{`/`[`, or of the first entry of a block collection.
    start: usize,
    /// Where the last entry read so far ends: a block collection ends there.
    last_end: usize,
    /// Flow collections end at their closing bracket.
    flow: bool,
    anchor: usize,
    /// Values in this collection so far, itself included.
    size: usize,
}

enum Kind {
    Seq(Vec<Node>),
    Map { members: Vec<Member>, key: Option<Key> },
}

/// The key of the member whose value is being read.
enum Key {
    Name(String, Span),
    /// The key was rejected: its value is read and dropped.
    Skip,
}

struct Reader<'t, 'd> {
    text: &'t str,
    chars: CharIndex,
    diags: &'d mut Diagnostics,
    stack: Vec<Frame>,
    /// Anchor id → the anchored value and its size in values.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    documents: usize,
    root: Option<Node>,
}

impl Reader<'_, '_> {
    fn byte(&self, m: Marker) -> usize {
        self.chars.byte(self.text, m.index())
    }

    fn char_span(&self, at: usize) -> Span {
        let len = self.text.get(at..).and_then(|s| s.chars().next()).map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    /// Reports a Syntax error about the value at the current position.
    fn error(&mut self, span: Span, message: &str, help: &str) {
        self.diags.push(
            Diagnostic::new(Code::Syntax, self.pointer(), span, format!("invalid YAML: {message}")).with_help(help),
        );
    }

    fn syntax_error(&mut self, e: &ScanError) -> Fatal {
        let span = self.char_span(self.byte(*e.marker()));
        if e.info() == "recursion limit exceeded" {
            // saphyr counts flow nesting in a u8 and reads ahead, so `[[[…` past 255 levels
            // fails in its scanner before our own depth check sees the events.
            return self.too_deep(String::new(), span);
        }
        // saphyr's Display says "at byte N" but N counts characters, so only the text is used.
        let mut d = Diagnostic::new(Code::Syntax, "", span, format!("invalid YAML: {}", e.info()));
        if e.info().contains("tab") {
            d = d.with_help("indent YAML with spaces; tabs are not allowed in indentation");
        }
        self.diags.push(d);
        Fatal
    }

    /// JSON Pointer of the value about to be added to the innermost open collection.
    fn pointer(&self) -> String {
        let mut p = String::new();
        for frame in &self.stack {
            match &frame.kind {
                Kind::Seq(items) => p = pointer_push(&p, &items.len().to_string()),
                Kind::Map { key: Some(Key::Name(k, _)), .. } => p = pointer_push(&p, k),
                Kind::Map { .. } => {}
            }
        }
        p
    }

    /// Fails if a value whose deepest part is `extra` levels down would nest too deeply.
    fn check_depth(&mut self, extra: usize, at: usize) -> Result<(), Fatal> {
        if self.stack.len().saturating_add(extra) <= MAX_DEPTH {
            return Ok(());
        }
        let (pointer, span) = (self.pointer(), self.char_span(at));
        Err(self.too_deep(pointer, span))
    }

    fn too_deep(&mut self, pointer: String, span: Span) -> Fatal {
        let message = format!("YAML nests deeper than {MAX_DEPTH} levels");
        self.diags.push(Diagnostic::new(Code::TooDeeplyNested, pointer, span, message));
        Fatal
    }

    /// Counts `n` more values in memory; fails past [`MAX_NODES`].
    fn count(&mut self, n: usize, span: Span) -> Result<(), Fatal> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes <= MAX_NODES {
            return Ok(());
        }
        let message = format!("aliases expand to more than {MAX_NODES} values");
        self.error(span, &message, "this looks like an alias bomb; write the values out");
        Err(Fatal)
    }

    fn event(&mut self, event: Event<'_>, start: Marker, end: Marker) -> Result<(), Fatal> {
        let (start, end) = (self.byte(start), self.byte(end));
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 1 {
                    return Ok(());
                }
                let span = if end > start { Span::new(start, end) } else { self.char_span(start) };
                let help = "a definition is one document: remove the `---` and everything after it";
                self.error(span, "the file holds more than one document", help);
                Err(Fatal)
            }
            Event::Scalar(raw, style, anchor, tag) => {
                self.check_depth(0, start)?;
                let span = self.scalar_span(start, end, style, anchor != 0 || tag.is_some());
                self.count(1, span)?;
                let bare = anchor == 0 && tag.is_none() && style == ScalarStyle::Plain;
                if self.stack.is_empty() && bare && raw.is_empty() {
                    return Ok(()); // an empty document, reported as such at the end
                }
                let force_string = self.check_tag(tag.as_deref(), start, span.end);
                let value = if style == ScalarStyle::Plain && !force_string {
                    self.resolve(&raw, span)
                } else {
                    NodeValue::String(raw.to_string())
                };
                self.finish(Node { value, span }, 1, anchor, Some(raw))
            }
            Event::Alias(id) => {
                let span = Span::new(start, end);
                let Some((node, size)) = self.anchors.get(&id).map(|(n, s)| (n.clone(), *s)) else {
                    // saphyr registers an anchor when its value starts, so `&a [*a]` gets here.
                    let help = "an alias may only name a value that ends before it";
                    self.error(span, "this alias is inside the value it names", help);
                    return Err(Fatal);
                };
                self.count(size, span)?;
                self.check_depth(height(&node) - 1, start)?;
                self.finish(Node { span, ..node }, size, 0, None)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Kind::Seq(Vec::new()), b'[', anchor, tag.as_deref(), start, end)
            }
            Event::MappingStart(anchor, tag) => {
                let kind = Kind::Map { members: Vec::new(), key: None };
                self.open(kind, b'{', anchor, tag.as_deref(), start, end)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(start),
        }
    }

    fn open(
        &mut self,
        kind: Kind,
        bracket: u8,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), Fatal> {
        self.check_depth(0, start)?;
        self.check_tag(tag, start, end);
        // The start event covers any anchor and tag, then the `[`/`{` of a flow collection;
        // a block collection's event ends where its first entry begins.
        let flow = end > start && self.text.as_bytes().get(end - 1) == Some(&bracket);
        let mut begin = if flow { end - 1 } else { end };
        // An indentless sequence (`key:` then `- a` at the key's indentation) starts at its
        // first item's content; move back to the `-`.
        let before = self.text.get(..begin).unwrap_or("").trim_end_matches([' ', '\t']);
        if bracket == b'[' && !flow && self.text.as_bytes().get(begin) != Some(&b'-') && before.ends_with('-') {
            begin = before.len() - 1;
        }
        self.count(1, Span::new(begin, end))?;
        self.stack.push(Frame { kind, start: begin, last_end: begin, flow, anchor, size: 1 });
        Ok(())
    }

    fn close(&mut self, start: usize) -> Result<(), Fatal> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection's end event also covers the blanks after the bracket.
        let closed = frame.flow && matches!(self.text.as_bytes().get(start), Some(b']' | b'}'));
        let end = if closed { start + 1 } else { frame.last_end };
        let value = match frame.kind {
            Kind::Seq(items) => NodeValue::Array(items),
            Kind::Map { members, .. } => NodeValue::Object(members),
        };
        self.finish(Node { value, span: Span::new(frame.start, end) }, frame.size, frame.anchor, None)
    }

    /// Adds a complete value to the innermost collection, or makes it the root.
    /// `raw` is a scalar's text, which becomes the key if the value is one.
    fn finish(&mut self, node: Node, size: usize, anchor: usize, raw: Option<Cow<'_, str>>) -> Result<(), Fatal> {
        if anchor != 0 {
            self.count(size, node.span)?; // the kept copy costs memory too
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(mut frame) = self.stack.pop() else {
            self.root = Some(node);
            return Ok(());
        };
        frame.size = frame.size.saturating_add(size);
        frame.last_end = frame.last_end.max(node.span.end);
        match &mut frame.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map { members, key } => match key.take() {
                None => *key = Some(self.key(node, raw)),
                Some(Key::Skip) => {}
                Some(Key::Name(name, key_span)) => {
                    if let Some(first) = members.iter().find(|m| m.key == name) {
                        let first = first.key_span;
                        self.duplicate(&name, key_span, first);
                    } else {
                        members.push(Member { key: name, key_span, value: node });
                    }
                }
            },
        }
        self.stack.push(frame);
        Ok(())
    }

    fn duplicate(&mut self, name: &str, span: Span, first: Span) {
        let pointer = pointer_push(&self.pointer(), name);
        let d = Diagnostic::new(Code::DuplicateKey, pointer, span, format!("duplicate key `{name}`"))
            .with_label("defined again here")
            .with_help("remove one of the two; YAML readers disagree on which one wins")
            .with_note(format!("the first `{name}` is at byte {}", first.start));
        self.diags.push(d);
    }

    /// Keys are names: a scalar key is taken as written (`1: x` has the key "1").
    fn key(&mut self, node: Node, raw: Option<Cow<'_, str>>) -> Key {
        let name = match (raw, &node.value) {
            (Some(raw), _) => raw.into_owned(),
            (None, NodeValue::String(s)) => s.clone(),
            (None, NodeValue::Number(n)) => n.to_string(),
            (None, NodeValue::Bool(b)) => b.to_string(),
            (None, NodeValue::Null) => "null".to_owned(),
            (None, _) => {
                let message = format!("a mapping key must be a string, not {}", node.type_name());
                self.error(node.span, &message, "JSON object keys are strings");
                return Key::Skip;
            }
        };
        Key::Name(name, node.span)
    }

    /// Reports tags that are not plain data; returns whether the tag makes a scalar a string.
    fn check_tag(&mut self, tag: Option<&Tag>, start: usize, end: usize) -> bool {
        let Some(tag) = tag else { return false };
        let core = match tag.handle.as_str() {
            CORE_SCHEMA => Some(tag.suffix.as_str()),
            "" => tag.suffix.strip_prefix(CORE_SCHEMA),
            _ => None,
        };
        match core {
            Some("str") => return true,
            Some("null" | "bool" | "int" | "float" | "map" | "seq") => return false,
            _ if tag.handle.is_empty() && tag.suffix == "!" => return true, // `! x`: non-specific
            _ => {}
        }
        let name = match tag.handle.as_str() {
            "!" => format!("!{}", tag.suffix),
            CORE_SCHEMA => format!("!!{}", tag.suffix),
            handle => format!("!<{handle}{}>", tag.suffix),
        };
        let span = self.tag_span(start, end);
        if tag.handle == "!" && CLOUDFORMATION_TAGS.split_whitespace().any(|t| t == tag.suffix) {
            let message = format!(
                "`{name}` is a CloudFormation intrinsic function; CloudFormation intrinsics must be resolved before asl-rs reads the file"
            );
            let help =
                "write the resolved value, or pass it through `DefinitionSubstitutions` as a `${Name}` placeholder";
            self.error(span, &message, help);
        } else {
            let message = format!("the tag `{name}` is not supported; a definition is plain JSON data");
            self.error(span, &message, "remove the tag");
        }
        false
    }

    /// The tag's own text, found after any anchor at the start of a value's properties.
    fn tag_span(&self, start: usize, end: usize) -> Span {
        let region = self.text.get(start..end.max(start)).unwrap_or("");
        let Some(at) = region.find('!').map(|i| start + i) else {
            return Span::new(start, end);
        };
        let rest = self.text.get(at..).unwrap_or("");
        Span::new(at, at + rest.find(char::is_whitespace).unwrap_or(rest.len()))
    }

    /// saphyr's scalar spans start at the anchor/tag, and quoted ones run on over trailing
    /// blanks and comments; this narrows them to the scalar itself.
    fn scalar_span(&self, start: usize, end: usize, style: ScalarStyle, has_props: bool) -> Span {
        let bytes = self.text.as_bytes();
        let mut from = start;
        while has_props && from < end && matches!(bytes.get(from), Some(b'&' | b'!')) {
            while from < end && !matches!(bytes.get(from), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                from += 1;
            }
            loop {
                match bytes.get(from) {
                    Some(b' ' | b'\t' | b'\r' | b'\n') if from < end => from += 1,
                    Some(b'#') if from < end => {
                        while from < end && bytes.get(from) != Some(&b'\n') {
                            from += 1;
                        }
                    }
                    _ => break,
                }
            }
        }
        let end = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => quoted_end(bytes, from).unwrap_or(end),
            ScalarStyle::Literal | ScalarStyle::Folded => {
                from + self.text.get(from..end).map_or(0, |s| s.trim_end().len())
            }
            _ => end,
        };
        Span::new(from.min(end), end)
    }

    /// Resolves a plain scalar; a number JSON cannot hold is reported and read as null.
    fn resolve(&mut self, raw: &str, span: Span) -> NodeValue {
        resolve_plain(raw).unwrap_or_else(|message| {
            self.error(span, &message, "quote the value if it is meant as a string");
            NodeValue::Null
        })
    }
}

/// One past the closing quote of the quoted scalar starting at `from`.
fn quoted_end(bytes: &[u8], from: usize) -> Option<usize> {
    let quote = *bytes.get(from).filter(|b| matches!(b, b'"' | b'\''))?;
    let mut i = from + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            _ if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Levels of nesting in a value: 1 for a scalar.
fn height(node: &Node) -> usize {
    1 + match &node.value {
        NodeValue::Array(items) => items.iter().map(height).max().unwrap_or(0),
        NodeValue::Object(members) => members.iter().map(|m| height(&m.value)).max().unwrap_or(0),
        _ => 0,
    }
}

/// The YAML 1.2 core schema: null, booleans, integers (decimal, `0x`, `0o`), floats.
fn resolve_plain(s: &str) -> Result<NodeValue, String> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(NodeValue::Null),
        "true" | "True" | "TRUE" => return Ok(NodeValue::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(NodeValue::Bool(false)),
        _ => {}
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Err(format!("`{s}` is not a number JSON can represent"));
    }
    let out_of_range = || format!("the number {s} is out of range");
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(digits) = s.strip_prefix(prefix).filter(|d| !d.is_empty() && d.chars().all(|c| c.is_digit(radix))) {
            return u64::from_str_radix(digits, radix).map(|n| NodeValue::Number(n.into())).map_err(|_| out_of_range());
        }
    }
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if digits(unsigned) {
        let n = if s.starts_with('-') {
            s.parse::<i64>().ok().map(Into::into)
        } else {
            unsigned.parse::<u64>().ok().map(Into::into)
        };
        if let Some(n) = n {
            return Ok(NodeValue::Number(n));
        }
        // Like serde_json, an integer too large for 64 bits becomes a float (below).
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => (int.is_empty() && digits(frac)) || (digits(int) && (frac.is_empty() || digits(frac))),
        None => digits(mantissa),
    };
    if mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e))) {
        let n = s.parse::<f64>().ok().and_then(serde_json::Number::from_f64);
        return n.map(NodeValue::Number).ok_or_else(out_of_range);
    }
    Ok(NodeValue::String(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> Node {
        let mut d = Diagnostics::new();
        let n = parse(text, &mut d);
        assert!(d.is_empty(), "{d:?}");
        n.unwrap_or_else(|| Node { value: NodeValue::Null, span: Span::default() })
    }

    /// The first diagnostic, and whether a tree was still returned.
    fn diag(text: &str) -> (Diagnostic, bool) {
        let mut d = Diagnostics::new();
        let n = parse(text, &mut d);
        let first = d.into_vec().into_iter().next();
        (first.unwrap_or_else(|| Diagnostic::new(Code::Syntax, "", Span::default(), "none")), n.is_some())
    }

    fn at(text: &str, span: Span) -> &str {
        text.get(span.start..span.end).unwrap_or("<not a char boundary>")
    }

    fn node<'a>(root: &'a Node, pointer: &str) -> &'a Node {
        crate::node::lookup(root, pointer).unwrap_or(root)
    }

    #[test]
    fn yaml_and_json_give_the_same_tree() {
        let yaml = r#"
# Processes an order.
Comment: "Order flow — ünïcode"
StartAt: Check
TimeoutSeconds: 300
States:
  Check:
    Type: Choice
    Choices:
      - Variable: $.total
        NumericGreaterThan: 100.5
        Next: Big
      - {Variable: "$.vip", BooleanEquals: true, Next: Big}
    Default: Small
  Big:
    Type: Pass
    Result: {ratio: -1.5e3, count: 0x10, mode: 0o17, empty: ~, flag: FALSE, note: 'it''s', big: 12345678901234567890123}
    ResultPath: $.result
    Next: Small
  Small:
    Type: Pass
    Parameters:
      msg.$: States.Format('Hello {}', $.name)
      text: |
        line one
        line two
      folded: >-
        a
        b
      "1": one
    End: true
"#;
        let json = r#"{
  "Comment": "Order flow — ünïcode", "StartAt": "Check", "TimeoutSeconds": 300,
  "States": {
    "Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.total", "NumericGreaterThan": 100.5, "Next": "Big"},
        {"Variable": "$.vip", "BooleanEquals": true, "Next": "Big"}], "Default": "Small"},
    "Big": {"Type": "Pass", "Result": {"ratio": -1.5e3, "count": 16, "mode": 15, "empty": null,
        "flag": false, "note": "it's", "big": 12345678901234567890123}, "ResultPath": "$.result", "Next": "Small"},
    "Small": {"Type": "Pass", "Parameters": {"msg.$": "States.Format('Hello {}', $.name)",
        "text": "line one\nline two\n", "folded": "a b", "1": "one"}, "End": true}
  }
}"#;
        let mut d = Diagnostics::new();
        let from_json = crate::json::parse(json, &mut d).map(|n| n.to_json());
        assert!(d.is_empty() && from_json.is_some(), "{d:?}");
        assert_eq!(Some(ok(yaml).to_json()), from_json);
    }

    #[test]
    fn spans_are_byte_ranges_of_keys_and_values() {
        let text = "# ç 注释 😀\nComment: \"héllo\"   # 注释\n\u{e9}t\u{e9}: &anc !!str 12\nList:\n  - 二\n  - 'it''s' # x\n  - [a , {b: ü} ]\nLit: |\n  text é\n\nAgain: *anc\nLast: 3\n";
        let root = ok(text);
        let comment = root.get("Comment").map(|m| (at(text, m.key_span), at(text, m.value.span)));
        assert_eq!(comment, Some(("Comment", "\"héllo\"")));
        let ete = root.get("été").map(|m| (at(text, m.key_span), at(text, m.value.span), m.value.as_str()));
        assert_eq!(ete, Some(("été", "12", Some("12"))));
        assert_eq!(at(text, node(&root, "/List/0").span), "二");
        assert_eq!(at(text, node(&root, "/List/1").span), "'it''s'");
        assert_eq!(at(text, node(&root, "/List/2").span), "[a , {b: ü} ]");
        assert_eq!(at(text, node(&root, "/List/2/1").span), "{b: ü}");
        assert_eq!(at(text, node(&root, "/List/2/1/b").span), "ü");
        assert_eq!(at(text, node(&root, "/List").span), "- 二\n  - 'it''s' # x\n  - [a , {b: ü} ]");
        assert_eq!(at(text, node(&root, "/Lit").span), "text é");
        assert_eq!(at(text, node(&root, "/Again").span), "*anc");
        assert_eq!(node(&root, "/Again").as_str(), Some("12"));
        assert_eq!(at(text, node(&root, "/Last").span), "3");
        let text = "a: &x\n  b: c # c\nd:\n- e\n- &y f\ng: !!seq\n  - h\nk: >\n\n  after\n";
        let root = ok(text);
        assert_eq!(at(text, node(&root, "/a").span), "b: c");
        assert_eq!(at(text, node(&root, "/d").span), "- e\n- &y f");
        assert_eq!(at(text, node(&root, "/d/1").span), "f");
        assert_eq!(at(text, node(&root, "/g").span), "- h");
        assert_eq!(at(text, node(&root, "/k").span), "after");
        assert_eq!(at(text, root.span), &text[text.find("Comment").unwrap_or(0)..text.len() - 1]);
    }

    #[test]
    fn crlf_bom_and_flow_pairs_keep_spans() {
        let text = "\u{feff}a: \"x\"\r\nb: [k: v]\r\n";
        let root = ok(text);
        assert_eq!(root.get("a").map(|m| at(text, m.value.span)), Some("\"x\""));
        assert_eq!(at(text, node(&root, "/b/0").span), "k: v");
        assert_eq!(root.to_json(), json!({"a": "x", "b": [{"k": "v"}]}));
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(ok("a:\n").to_json(), json!({"a": null}));
        let root = ok("[null, Null, ~, true, True, false, 0, -7, +7, 007, 1.5, .5, -2., 1e3, 0x1F, 0o17, \
                       yes, no, on, 1_000, 0x, 1.2.3, \"1\", '~', !!str 5, ! true, !!int 5]");
        let expected = json!([
            null, null, null, true, true, false, 0, -7, 7, 7, 1.5, 0.5, -2.0, 1000.0, 31, 15, "yes", "no", "on",
            "1_000", "0x", "1.2.3", "1", "~", "5", "true", 5
        ]);
        assert_eq!(root.to_json(), expected);
        assert_eq!(ok("k: |\n  5\n").to_json(), json!({"k": "5\n"}));
        assert_eq!(ok("k: 18446744073709551616").to_json(), json!({"k": 18446744073709551616.0}));
    }

    #[test]
    fn infinities_and_nan_are_not_json() {
        for text in ["a: .inf", "a: -.Inf", "a: .NaN", "a: 1e999"] {
            let (d, tree) = diag(text);
            assert_eq!((d.code, d.pointer.as_str(), tree), (Code::Syntax, "/a", true), "{text}");
            assert_eq!(at(text, d.span), &text[3..], "{text}");
        }
    }

    #[test]
    fn scalar_keys_are_stringified_and_complex_keys_rejected() {
        let root = ok("1: a\ntrue: b\n1.50: c\n\"q\": d\n~: e\n&k 10: f\nx: *k\n");
        assert_eq!(root.to_json(), json!({"1": "a", "true": "b", "1.50": "c", "q": "d", "~": "e", "10": "f", "x": 10}));
        let (d, tree) = diag("? [a, b]\n: v\nk: w\n");
        assert_eq!((d.code, tree), (Code::Syntax, true));
        assert!(d.message.contains("key must be a string"), "{}", d.message);
        let mut diags = Diagnostics::new();
        let root = parse("{[a]: 1, k: 2}", &mut diags).map(|n| n.to_json());
        assert_eq!((diags.len(), root), (1, Some(json!({"k": 2}))));
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_kept() {
        let text = "a: 1\nb:\n  c: x\n  c: y\na: 2\n";
        let mut d = Diagnostics::new();
        let n = parse(text, &mut d);
        let found: Vec<_> = d.iter().map(|d| (d.code, d.pointer.as_str(), at(text, d.span))).collect();
        assert_eq!(found, [(Code::DuplicateKey, "/b/c", "c"), (Code::DuplicateKey, "/a", "a")]);
        assert_eq!(d.iter().last().map(|d| d.span.start), Some(text.len() - 5));
        assert_eq!(n.map(|n| n.to_json()), Some(json!({"a": 1, "b": {"c": "x"}})));
    }

    #[test]
    fn aliases_are_expanded() {
        let text = "base: &b {Type: Pass, Next: X}\ncopy: *b\nlist: [&s one, *s]\n";
        let root = ok(text);
        let expected = json!({"base": {"Type": "Pass", "Next": "X"},
            "copy": {"Type": "Pass", "Next": "X"}, "list": ["one", "one"]});
        assert_eq!(root.to_json(), expected);
        // The copy's own span is the alias; its parts point at the anchored text.
        assert_eq!(at(text, node(&root, "/copy").span), "*b");
        assert_eq!(at(text, node(&root, "/copy/Type").span), "Pass");
        assert_eq!(at(text, node(&root, "/base").span), "{Type: Pass, Next: X}");
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
        }
        let (d, tree) = diag(&text);
        assert_eq!((d.code, tree), (Code::Syntax, false));
        assert!(d.message.contains("alias"), "{}", d.message);
        assert_eq!(diag("a: &a [1, *a]").0.code, Code::Syntax);
    }

    #[test]
    fn tags() {
        let (d, tree) = diag("Resource: !GetAtt MyFunction.Arn\n");
        assert_eq!((d.code, d.pointer.as_str(), tree), (Code::Syntax, "/Resource", true));
        assert!(d.message.contains("CloudFormation intrinsics must be resolved before asl-rs reads the file"));
        assert_eq!(d.span, Span::new(10, 17));
        let (d, _) = diag("a: !Sub\n  - x\n");
        assert!(d.message.contains("`!Sub` is a CloudFormation intrinsic"), "{}", d.message);
        let (d, _) = diag("a: !custom 1\n");
        assert!(d.message.contains("tag `!custom` is not supported"), "{}", d.message);
        assert_eq!(ok("a: !!str true\nb: !!map {c: !!seq [1]}").to_json(), json!({"a": "true", "b": {"c": [1]}}));
    }

    #[test]
    fn documents() {
        for text in ["", "  \n", "# only a comment\n", "---\n", "--- \n...\n"] {
            let (d, tree) = diag(text);
            assert_eq!((d.code, tree), (Code::EmptyDefinition, false), "{text:?}");
        }
        let text = "a: 1\n---\nb: 2\n";
        let (d, tree) = diag(text);
        assert_eq!((d.code, at(text, d.span), tree), (Code::Syntax, "---", false));
        assert_eq!(ok("--- \na: 1\n...\n").to_json(), json!({"a": 1}));
        assert_eq!(ok("null").to_json(), json!(null));
    }

    #[test]
    fn syntax_errors_point_at_the_right_byte() {
        let text = "é: [1, 2\n";
        let (d, tree) = diag(text);
        assert_eq!((d.code, tree), (Code::Syntax, false));
        assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
        assert_eq!(d.span.start, text.len());
        let text = "ü: 1\n  b: 2\n";
        let (d, _) = diag(text);
        assert_eq!((d.code, at(text, d.span)), (Code::Syntax, ":"));
        let (d, _) = diag("a:\n\tb: 1\n");
        assert_eq!((d.code, d.help.is_some()), (Code::Syntax, true));
        for bad in ["a: \"x", "[1, 2", "{a: 1", "a: *nope", "- a\nb: 1", "a: 'x", "\u{feff}a: \u{feff}"] {
            assert_eq!(diag(bad).0.code, Code::Syntax, "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        assert_eq!(diag(&"[".repeat(100_000)).0.code, Code::TooDeeplyNested);
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(diag(&block).0.code, Code::TooDeeplyNested);
        let deepest = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(diag(&deepest).1);
        let text =
            format!("a: &a {}1{}\nb: {}*a{}", "[".repeat(100), "]".repeat(100), "[".repeat(100), "]".repeat(100));
        assert_eq!(diag(&text).0.code, Code::TooDeeplyNested);
    }

    /// Every span of a tree lies on character boundaries of the text.
    fn spans_valid(text: &str, n: &Node) -> bool {
        let ok = |s: Span| s.start <= s.end && text.get(s.start..s.end).is_some();
        ok(n.span)
            && match &n.value {
                NodeValue::Array(items) => items.iter().all(|i| spans_valid(text, i)),
                NodeValue::Object(m) => m.iter().all(|m| ok(m.key_span) && spans_valid(text, &m.value)),
                _ => true,
            }
    }

    #[test]
    fn random_and_mutated_input_never_panics() {
        let seeds = [
            "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n",
            "a: &x [1, \"é\\u00e9\", 'q''', ~]\nb: *x\n? c\n: |\n  t\n---\n- !!str d\n",
            "{\"a\": [1, {\"b\": null}], c: >-\n  folded}\n",
            "- - - x\n  - &a y\n- *a # ç\n%TAG ! tag:x:\n",
        ];
        let alphabet = b"ab:{}[],-?&*!|>'\"#%@` \t\n\r\\~.0e";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..4000 {
            let mut bytes = seeds[round % seeds.len()].as_bytes().to_vec();
            if round % 5 == 0 {
                bytes.clear();
            }
            for _ in 0..next() % 12 {
                let pos = (next() as usize) % (bytes.len() + 1);
                let r = next();
                let byte = if r % 7 == 0 { (r >> 8) as u8 } else { alphabet[(r >> 8) as usize % alphabet.len()] };
                match r % 3 {
                    0 if pos < bytes.len() => bytes[pos] = byte,
                    1 if pos < bytes.len() => drop(bytes.remove(pos)),
                    _ => bytes.insert(pos, byte),
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let mut d = Diagnostics::new();
            if let Some(n) = parse(&text, &mut d) {
                assert!(spans_valid(&text, &n), "{text:?}");
            }
            assert!(d.iter().all(|d| text.get(d.span.start..d.span.end).is_some()), "{text:?}");
        }
    }
}
