// `States.ALL` in a retrier that is not the last one.
asl_runtime::include_asl!("flows/states_all_not_last.asl.json");

fn main() {}
