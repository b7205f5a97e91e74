// `InputPath` is not a valid JSONPath (`$.order[`).
asl_runtime::include_asl!("flows/invalid_path.asl.json");

fn main() {}
