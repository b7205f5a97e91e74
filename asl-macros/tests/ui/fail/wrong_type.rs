// A field has the wrong JSON type (`Comment` is a number).
asl_runtime::include_asl!("flows/wrong_type.asl.json");

fn main() {}
