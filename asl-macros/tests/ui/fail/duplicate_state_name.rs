// A branch state has the same name as a top-level state (`Done`).
asl_runtime::include_asl!("flows/duplicate_state_name.asl.json");

fn main() {}
