//! A JSON value that remembers where each of its parts stands in the source text.
//!
//! Both the JSON and the YAML reader produce this tree, so everything after parsing
//! (decoding, validation, lowering) is independent of the input format.

use crate::source::Span;

/// A JSON value with the byte range it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value stands in the source (for strings, including the quotes).
    pub span: Span,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept exactly as serde_json reads it.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object; members keep their source order. Duplicate keys are reported by the
    /// reader and only the first occurrence is kept.
    Object(Vec<Member>),
}

/// One `"key": value` member of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key.
    pub key: String,
    /// Where the key stands (including quotes).
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// A short English name of the value's JSON type, for messages ("a string", "an object").
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String(_) => "a string",
            NodeValue::Array(_) => "an array",
            NodeValue::Object(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            NodeValue::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The member named `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().find(|m| m.key == key)
    }

    /// Converts to a plain `serde_json::Value` (positions dropped).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Number(n) => Value::Number(n.clone()),
            NodeValue::String(s) => Value::String(s.clone()),
            NodeValue::Array(a) => Value::Array(a.iter().map(Node::to_json).collect()),
            NodeValue::Object(m) => Value::Object(m.iter().map(|m| (m.key.clone(), m.value.to_json())).collect()),
        }
    }
}

/// Appends one reference token to a JSON Pointer (RFC 6901), escaping `~` and `/`.
pub fn pointer_push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Looks a JSON Pointer up in a tree and returns the node it names.
pub fn lookup<'a>(root: &'a Node, pointer: &str) -> Option<&'a Node> {
    if pointer.is_empty() {
        return Some(root);
    }
    let mut node = root;
    for raw in pointer.strip_prefix('/')?.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        node = match &node.value {
            NodeValue::Object(members) => &members.iter().find(|m| m.key == token)?.value,
            NodeValue::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(pointer_push("/States", "a/b~c"), "/States/a~1b~0c");
        assert_eq!(pointer_push("", "States"), "/States");
    }
}
