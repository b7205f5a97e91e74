// The definition is not well-formed JSON (a comma is missing between two states).
asl_runtime::include_asl!("flows/syntax_error.asl.json");

fn main() {}
