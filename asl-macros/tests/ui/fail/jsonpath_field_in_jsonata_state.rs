// A JSONPath-only field (`InputPath`) in a JSONata state.
asl_runtime::include_asl!("flows/jsonpath_field_in_jsonata_state.asl.json");

fn main() {}
