//! Rust identifiers made from names (cases of `asl test`, machines of `asl build`).

use std::collections::HashSet;

/// A distinct identifier per name: `prefix`, then the name's first `max` characters in
/// lowercase with `_` for anything but ASCII letters and digits, de-duplicated with a
/// numeric suffix (`_2`, `_3`, …).
pub(crate) fn unique_idents<'a>(names: impl IntoIterator<Item = &'a str>, prefix: &str, max: usize) -> Vec<String> {
    let mut used = HashSet::new();
    names
        .into_iter()
        .map(|name| {
            let stem: String = name
                .chars()
                .take(max)
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
                .collect();
            let base = format!("{prefix}{stem}");
            let mut ident = base.clone();
            let mut n = 2;
            while !used.insert(ident.clone()) {
                ident = format!("{base}_{n}");
                n += 1;
            }
            ident
        })
        .collect()
}
