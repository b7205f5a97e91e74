// An `Assign` of the reserved variable name `states`.
asl_runtime::include_asl!("flows/invalid_variable_name.asl.json");

fn main() {}
