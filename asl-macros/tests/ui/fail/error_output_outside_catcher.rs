// `$states.errorOutput` in a state's `Output`: only a Catcher's `Assign`/`Output` may read it.
asl_runtime::include_asl!("flows/error_output_outside_catcher.asl.json");

fn main() {}
