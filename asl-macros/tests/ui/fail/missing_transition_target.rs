// `Next` names a state that does not exist (`Doen`).
asl_runtime::include_asl!("flows/missing_transition_target.asl.json");

fn main() {}
