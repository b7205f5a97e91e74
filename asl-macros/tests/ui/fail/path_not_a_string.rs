// The path must be a string literal.
asl_runtime::include_asl!(flows::order);

fn main() {}
