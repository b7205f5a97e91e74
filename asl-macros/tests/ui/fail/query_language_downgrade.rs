// A JSONPath state inside a JSONata state machine (AWS allows mixing the other way only).
asl_runtime::include_asl!("flows/query_language_downgrade.asl.json");

fn main() {}
