// A `.$` value with an unclosed intrinsic function call.
asl_runtime::include_asl!("flows/invalid_intrinsic.asl.json");

fn main() {}
