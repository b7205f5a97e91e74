// `States.ArrayPartition` with a chunk size of 0 (AWS would accept it and fail the execution
// with `States.IntrinsicFailure`; asl-rs refuses to build it unless told to allow it).
asl_runtime::include_asl!("flows/intrinsic_fails_at_run_time.asl.json");

fn main() {}
