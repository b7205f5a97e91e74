//! YAML reader (work in progress).
