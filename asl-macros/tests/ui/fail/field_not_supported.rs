// A field that exists, but not on this state type (`TimeoutSeconds` on a Pass state).
asl_runtime::include_asl!("flows/field_not_supported.asl.json");

fn main() {}
