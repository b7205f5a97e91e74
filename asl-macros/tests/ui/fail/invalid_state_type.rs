// `Type` is not one of the eight state types (`Passs`).
asl_runtime::include_asl!("flows/invalid_state_type.asl.json");

fn main() {}
