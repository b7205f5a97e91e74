// A JSONata expression reading a bare field at the top level (AWS: use `$states.input`).
asl_runtime::include_asl!("flows/unsupported_jsonata.asl.json");

fn main() {}
