//! How lowering gets the description's `&'static` references: by leaking what it builds
//! (see "Leaking" in the [`lower`](super) module's documentation). Every allocation of a
//! description goes through here.

/// `value` behind a `'static` reference.
pub(crate) fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// `items` as a `'static` slice; an empty one allocates nothing.
pub(crate) fn leak_slice<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

/// `text` as a `'static` string.
pub(crate) fn leak_str(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}
