// The file does not exist: the error names the path it was resolved to.
asl_runtime::include_asl!("flows/does_not_exist.asl.json");

fn main() {}
