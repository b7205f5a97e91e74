//! State names → Rust identifiers.
//!
//! ASL state names may contain spaces and punctuation, start with digits, differ only in
//! case or punctuation, or be Rust keywords. Every generated identifier goes through
//! [`Namer`], which sanitises and de-collides them; the original name is kept in a doc
//! attribute and in `name()`.

use std::collections::HashSet;

/// Hands out unique identifiers within one scope (an enum's variants, a trait's methods).
#[derive(Default)]
pub(crate) struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    /// A unique UpperCamelCase identifier for `name` (enum variants, type names).
    pub fn camel(&mut self, name: &str) -> String {
        let base = to_camel_case(name);
        self.unique(base, "")
    }

    /// A unique snake_case identifier for `name` (methods, fields). Keywords get a
    /// trailing underscore rather than `r#`, so the name also works in paths and docs.
    pub fn snake(&mut self, name: &str) -> String {
        let mut base = to_snake_case(name);
        if is_keyword(&base) {
            base.push('_');
        }
        self.unique(base, "_")
    }

    fn unique(&mut self, base: String, separator: &str) -> String {
        let mut candidate = base.clone();
        // `match_` + `_2` would be `match__2`, which rustc's `non_snake_case` lint rejects.
        let stem = if separator.is_empty() { &base } else { base.trim_end_matches(separator) };
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{stem}{separator}{n}");
            n += 1;
        }
        candidate
    }
}

/// Splits a name into ASCII alphanumeric words, also at lower→upper case changes.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            current.push(c);
        } else {
            prev_lower = false;
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `"check inventory-2"` → `CheckInventory2`; a leading digit gets an `S` prefix; a name
/// with no usable characters becomes `State`.
pub(crate) fn to_camel_case(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("State");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'S');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// `"Check Inventory"` → `check_inventory`; a leading digit gets an `s_` prefix.
pub(crate) fn to_snake_case(name: &str) -> String {
    let mut out = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if out.is_empty() {
        out.push_str("state");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "s_");
    }
    out
}

fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
        "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
        "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
        "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
    ];
    KEYWORDS.contains(&word)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_identifiers() {
        assert_eq!(to_camel_case("check inventory"), "CheckInventory");
        assert_eq!(to_camel_case("3DSecure"), "S3DSecure");
        assert_eq!(to_camel_case("ProcessPayment"), "ProcessPayment");
        assert_eq!(to_camel_case("Self"), "Self_");
        assert_eq!(to_camel_case("!!!"), "State");
        assert_eq!(to_camel_case("déjà vu"), "DJVu");
        assert_eq!(to_snake_case("Check Inventory"), "check_inventory");
        assert_eq!(to_snake_case("ProcessPayment"), "process_payment");
        assert_eq!(to_snake_case("2fa"), "s_2fa");
    }

    #[test]
    fn collisions_and_keywords_are_resolved() {
        let mut n = Namer::default();
        assert_eq!(n.camel("ship order"), "ShipOrder");
        assert_eq!(n.camel("Ship-Order"), "ShipOrder2");
        assert_eq!(n.camel("ShipOrder"), "ShipOrder3");
        let mut m = Namer::default();
        assert_eq!(m.snake("Match"), "match_");
        assert_eq!(m.snake("match"), "match_2");
    }
}
