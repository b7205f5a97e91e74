// Two fields that exclude each other (`Seconds` and `Timestamp` on a Wait state).
asl_runtime::include_asl!("flows/conflicting_fields.asl.json");

fn main() {}
