//! The viewer's routes, in process.
