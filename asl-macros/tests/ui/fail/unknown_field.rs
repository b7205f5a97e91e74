// A state has a field ASL does not define (`Edn`).
asl_runtime::include_asl!("flows/unknown_field.asl.json");

fn main() {}
