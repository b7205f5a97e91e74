// A JSONata expression reads `$totl`, which no `Assign` sets (AWS would accept it and fail
// at run time; asl-rs refuses to build it).
asl_runtime::include_asl!("flows/undefined_variable.asl.json");

fn main() {}
