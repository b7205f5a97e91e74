// A JSONata expression that does not parse (an unclosed call).
asl_runtime::include_asl!("flows/invalid_jsonata.asl.json");

fn main() {}
