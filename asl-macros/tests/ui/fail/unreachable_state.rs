// A state that nothing transitions to (`Orphan`).
asl_runtime::include_asl!("flows/unreachable_state.asl.json");

fn main() {}
