// Two states that loop forever: no state ends the execution.
asl_runtime::include_asl!("flows/no_terminal_state.asl.json");

fn main() {}
